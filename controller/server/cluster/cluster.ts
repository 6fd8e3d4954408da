/**
 * A controller as a node of a cluster (--redis-url): the parts of controller/server/cluster
 * built and wired together, for main.ts to hand to the relay, hubs and dispatcher. Made
 * only when --redis-url is set; a single controller never builds any of it.
 */
import type { WebSocket } from 'ws';
import type { ClusterHooks } from '../hubs/agent-hub.js';
import type { Log } from '../observability/logger.js';
import { AgentLinks } from '../relay/agent-links.js';
import { fileChannels, shellChannels, type ChannelRange } from './channel-slots.js';
import { ClusterAgentLinks } from './cluster-agent-links.js';
import type { ClusterEvent } from './cluster-events.js';
import { RedisClusterStore, type ClusterStore } from './cluster-store.js';
import { EventBus, type ClusterListener } from './event-bus.js';
import { HeldAgents, type DiagnosticsAsk } from './held-agents.js';
import { NodeAuthenticator, signNodeHandshake, type NodeAuthResult } from './node-auth.js';
import { FRAMING_HANDSHAKE, FrameDirection, type NodeFraming } from './node-link.js';
import { NodeLinks } from './node-links.js';
import { NodeRegistry } from './node-registry.js';
import { ClusterPresence } from './presence.js';

/** How long a node waits for Redis at start before it gives up (and says so). */
const REDIS_START_TIMEOUT_MS = 15_000;

export interface ClusterSettings {
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly secret: string;
  readonly nodeId: string;
  readonly log: Log;
  /** A store other than Redis (tests). */
  readonly store?: ClusterStore;
}


export class Cluster {
  readonly nodeId: string;
  readonly bus: EventBus;
  readonly registry: NodeRegistry;
  readonly presence: ClusterPresence;
  readonly nodeLinks: NodeLinks;
  /** The agents connected here, filled by the agent hub. */
  readonly localLinks = new AgentLinks();
  /** Every agent of the cluster, for the relay, file transfers, chat and surveys. */
  readonly links: ClusterAgentLinks;
  private readonly held: HeldAgents;
  private readonly authenticator: NodeAuthenticator;
  private readonly log: Log;
  private slot = -1;
  private readonly deathListeners = new Set<(nodeId: string, devices: string[]) => void>();
  /** Devices another node took from this one: the agent hub lets their old link go. */
  private readonly takenListeners = new Set<(deviceId: string) => void>();

  private readonly secret: string;
  /** Periodic chores (every()), stopped when the node leaves. */
  private readonly chores = new Set<NodeJS.Timeout>();

  private constructor(private readonly store: ClusterStore, settings: ClusterSettings) {
    this.nodeId = settings.nodeId;
    this.secret = settings.secret;
    this.log = settings.log.child({ cluster: true });
    this.bus = new EventBus(store, this.nodeId, this.log);
    this.presence = new ClusterPresence(store, this.bus, this.nodeId, this.log);
    this.registry = new NodeRegistry(store, this.nodeId, {
      log: this.log,
      onDeath: (nodeId) => this.nodeDied(nodeId),
      onForgotten: () => this.presence.reassert(),
    });
    this.authenticator = new NodeAuthenticator(settings.secret);
    this.nodeLinks = new NodeLinks({ nodeId: this.nodeId, secret: settings.secret, urlOf: (id) => this.registry.urlOf(id), authenticator: this.authenticator, log: this.log });
    this.links = new ClusterAgentLinks(this.localLinks, this.presence, this.nodeLinks, this.log);
    this.held = new HeldAgents({
      links: this.localLinks, nodeLinks: this.nodeLinks, slot: () => this.slot, nodeWithSlot: (slot) => this.registry.nodeWithSlot(slot), log: this.log,
    });
    this.nodeLinks.handle({
      message: (link, message) => {
        switch (message.t) {
          case 'to-agent':
            return this.held.toAgent(link, message.deviceId, message.message);
          case 'from-agent':
            return this.links.fromAgent(message.deviceId, message.message);
          case 'agent-gone':
            return this.links.agentGone(message.deviceId);
          default: {
            const never: never = message;
            return never;
          }
        }
      },
      frame: (link, direction, deviceId, frame) => {
        if (direction === FrameDirection.toAgent) this.held.toAgentFrame(link, deviceId, frame);
        else this.links.fromAgentFrame(deviceId, frame);
      },
      closed: (link) => {
        this.links.linkClosed(link);
        this.held.linkClosed(link);
      },
    });
    this.bus.on((event, from) => {
      // A node not yet in this node's registry (it started within the last second) is looked up at
      // once, so a shell asked on its device finds the way to it without waiting for the next refresh.
      if (from !== this.nodeId && !this.registry.isAlive(from)) void this.registry.tick();
      if (event.t === 'presence') this.presence.apply(event, from);
    });
    this.presence.onChange((deviceId, before, after) => {
      // Another node holds a device this node thought it held: that agent moved, its old link here is stale.
      if (before?.node === this.nodeId && after !== null && after.node !== this.nodeId) for (const listener of this.takenListeners) listener(deviceId);
    });
  }

  /** Connects to Redis, takes a channel slot and learns who holds what; `announce` once listening. */
  static async open(settings: ClusterSettings): Promise<Cluster> {
    const store = settings.store ?? new RedisClusterStore(settings.redisUrl, settings.redisPrefix, (err) => settings.log.warn({ err: err.message }, 'cluster: Redis connection error'));
    const cluster = new Cluster(store, settings);
    await store.ready(REDIS_START_TIMEOUT_MS);
    await cluster.bus.start();
    cluster.slot = await cluster.registry.claim();
    await cluster.presence.load((id) => cluster.registry.isAlive(id));
    return cluster;
  }

  /** Starts saying this node is alive, reachable at `url` (--node-url, or its own listening address). */
  async announce(url: string): Promise<void> {
    await this.registry.announce(url);
    this.log.info({ nodeUrl: url, slot: this.slot, nodes: this.registry.nodes().length }, `cluster: node ${this.nodeId} joined (${this.registry.nodes().length} nodes alive)`);
  }

  /** The shell channel numbers this node gives. */
  get shellChannels(): ChannelRange {
    return shellChannels(this.slot);
  }

  get fileChannels(): ChannelRange {
    return fileChannels(this.slot);
  }

  /** The devices other nodes hold, with since when (the device list shows them online). */
  onlineElsewhere(): Map<string, number> {
    const online = new Map<string, number>();
    for (const id of this.presence.devices()) {
      const holder = this.presence.holder(id);
      if (holder) online.set(id, holder.since);
    }
    return online;
  }

  /** The agent hub's hooks. */
  get hooks(): ClusterHooks {
    return {
      linked: (link) => this.presence.held(link.deviceId, {
        sessionId: link.sessionId, since: Date.now(), ...(link.consentTimeoutMs !== undefined ? { consentTimeoutMs: link.consentTimeoutMs } : {}),
      }),
      fromAgent: (link, message) => this.held.fromAgent(link, message),
      fromAgentFrame: (link, frame) => this.held.fromAgentFrame(link, frame),
      dropped: (link) => {
        this.held.agentGone(link);
        this.presence.released(link.deviceId);
        const holder = this.presence.holder(link.deviceId);
        return holder !== null && holder.node !== this.nodeId;
      },
      elsewhere: (deviceId, command, reason) => {
        if (this.presence.isOnline(deviceId)) this.bus.publish({ t: 'device.command', deviceId, command, reason: reason.slice(0, 256) });
      },
    };
  }

  /** The devices live nodes other than this one hold, as Redis says now. */
  async heldElsewhere(): Promise<Set<string>> {
    const held = new Set<string>();
    for (const [deviceId, holder] of await this.store.holders()) if (holder.node !== this.nodeId && this.registry.isAlive(holder.node)) held.add(deviceId);
    return held;
  }

  /** Resolves when Redis answers now (readiness). */
  redisAnswers(): Promise<void> {
    return this.store.answers();
  }

  /** True on one live node at a time (the first id in order): it alone runs the cluster-wide chores (retention). */
  isLeader(): boolean {
    return [...this.registry.nodes()].sort()[0] === this.nodeId;
  }

  /**
   * Every `everyMs`, the presence is checked against the store (events published while this
   * node's subscription was down are lost); `reconciled` is called after each check, with the
   * devices it found offline.
   */
  reconcileEvery(everyMs: number, reconciled: (deviceIds: string[]) => void): void {
    this.every(everyMs, () => this.presence.reconcile((id) => this.registry.isAlive(id)).then(
      (offline) => reconciled(offline),
      (err: unknown) => this.log.warn({ err }, 'cluster: the presence could not be checked against Redis'),
    ));
  }

  /** Runs `work` every `everyMs` while this node is in the cluster, never two at once. */
  every(everyMs: number, work: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      work().catch((err: unknown) => this.log.warn({ err }, 'cluster: a periodic check failed')).finally(() => (running = false));
    }, everyMs);
    timer.unref();
    this.chores.add(timer);
  }

  /** Diagnostics asked by other nodes' consoles for agents held here go through `ask` (the agent hub's). */
  answerDiagnosticsWith(ask: DiagnosticsAsk): void {
    this.held.answerDiagnosticsWith(ask);
  }

  /** A node died: the devices it held (now offline until they reconnect elsewhere). */
  onNodeDied(listener: (nodeId: string, devices: string[]) => void): void {
    this.deathListeners.add(listener);
  }

  onTaken(listener: (deviceId: string) => void): void {
    this.takenListeners.add(listener);
  }

  publish(event: ClusterEvent): void {
    this.bus.publish(event);
  }

  on(listener: ClusterListener): () => void {
    return this.bus.on(listener);
  }

  /** Checks another node's link handshake (the /ws/node upgrade). */
  verifyNode(headers: Record<string, string | string[] | undefined>): NodeAuthResult {
    const result = this.authenticator.verify(headers);
    if (result.ok && result.nodeId === this.nodeId) return { ok: false, reason: 'malformed' };
    return result;
  }

  /** This node's handshake, answering a link another node opens. */
  answerNode(): Record<string, string> {
    return { ...signNodeHandshake(this.secret, this.nodeId), ...FRAMING_HANDSHAKE };
  }

  acceptNode(ws: WebSocket, nodeId: string, framing: NodeFraming): void {
    this.nodeLinks.accept(ws, nodeId, framing);
  }

  /** Leaves the cluster (shutdown): the others forget this node now rather than after its TTL. */
  async close(): Promise<void> {
    for (const timer of this.chores) clearInterval(timer);
    this.chores.clear();
    this.registry.stop();
    this.nodeLinks.closeAll();
    await this.store.forgetNode(this.nodeId).catch(() => null);
    await this.store.close();
  }

  private nodeDied(nodeId: string): void {
    const devices = this.presence.devices().filter((id) => this.presence.holder(id)?.node === nodeId);
    this.log.warn({ deadNode: nodeId, devices: devices.length }, `cluster: node ${nodeId} is gone; ${devices.length} devices it held are offline until they reconnect`);
    this.presence.nodeDied(nodeId);
    this.nodeLinks.drop(nodeId);
    for (const listener of this.deathListeners) listener(nodeId, devices);
  }
}
