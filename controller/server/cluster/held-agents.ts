/**
 * On the node holding an agent, what other nodes opened on it: their messages and frames
 * go to the local agent link; the agent's answers on their channels (a channel number
 * tells the slot, so the node, that gave it) go back over the node link. Reading is
 * paused on whichever side feeds a socket with too much queued, as the relay does. When
 * a node link closes, the shells and transfers opened through it are closed on the agent.
 */
import { FRAME_HEADER_BYTES, LIMITS, RelaisError, isFileChannel, peekHeader, type AgentToController, type ControllerToAgent } from '../../../protocol/index.js';
import type { Log } from '../observability/logger.js';
import type { AgentLinks } from '../relay/agent-links.js';
import type { AgentLink, AgentPeer } from '../relay/links.js';
import { slotOfChannel } from './channel-slots.js';
import { FrameDirection, type NodeLink } from './node-link.js';
import type { NodeLinks } from './node-links.js';

export interface HeldAgentsDeps {
  readonly links: AgentLinks;
  readonly nodeLinks: Pick<NodeLinks, 'to' | 'existing'>;
  /** This node's channel slot, and the live node numbering channels in another. */
  readonly slot: () => number;
  readonly nodeWithSlot: (slot: number) => string | null;
  readonly log: Log;
}

const ENDING_FROM_AGENT = new Set(['shell.closed', 'file.done', 'file.failed']);

/** Asks the agent held here for diagnostics as a console here would (false: not held here); may throw DIAG_ERR_BUSY. */
export type DiagnosticsAsk = (deviceId: string, requestId: string) => boolean;

export class HeldAgents {
  /** Per remote node, the channels it has open on each device held here. */
  private readonly opened = new Map<string, Map<string, Set<number>>>();
  private askDiagnostics: DiagnosticsAsk | null = null;

  constructor(private readonly deps: HeldAgentsDeps) {}

  /** Set by the agent hub once it exists: other nodes' diagnostics asks then go through it. */
  answerDiagnosticsWith(ask: DiagnosticsAsk): void {
    this.askDiagnostics = ask;
  }

  /** A message from a remote node for an agent held here; `false` when the agent is not here (the node is told). */
  toAgent(link: NodeLink, deviceId: string, message: ControllerToAgent): void {
    const agent = this.deps.links.get(deviceId);
    if (!agent) return link.send({ t: 'agent-gone', deviceId });
    if (message.t === 'diagnostics.request' && this.askDiagnostics) return this.diagnostics(link, deviceId, message.requestId, this.askDiagnostics);
    if ('channel' in message && typeof message.channel === 'number') {
      if (message.t === 'shell.close' || message.t === 'file.cancel') this.forget(link.peerNode, deviceId, message.channel);
      else this.remember(link.peerNode, deviceId, message.channel);
    }
    agent.peer.send(message);
  }

  /**
   * Through the agent hub, so that asks from every node join the one collection under way on
   * the person's machine (each is answered through the cluster's events); past the bound the
   * ask is dropped here, as a flood from any one node would be refused there.
   */
  private diagnostics(link: NodeLink, deviceId: string, requestId: string, ask: DiagnosticsAsk): void {
    try {
      if (!ask(deviceId, requestId)) link.send({ t: 'agent-gone', deviceId });
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      this.deps.log.debug({ node: link.peerNode, device: deviceId, refusal: err.code }, 'cluster: a diagnostics ask from another node was dropped');
    }
  }

  toAgentFrame(link: NodeLink, deviceId: string, frame: Buffer): void {
    const agent = this.deps.links.get(deviceId);
    if (!agent) return;
    agent.peer.sendBinary(frame);
    pauseWhileFull(link, agent.peer);
  }

  /** A message from a local agent: true when it belongs to another node's channel (sent there, or dropped if that node is gone). */
  fromAgent(agent: AgentLink, message: AgentToController): boolean {
    if (!('channel' in message) || typeof message.channel !== 'number') return false;
    const node = this.ownerOf(message.channel);
    if (node === undefined) return false;
    if (ENDING_FROM_AGENT.has(message.t) && node !== null) this.forget(node, agent.deviceId, message.channel);
    if (node !== null) this.deps.nodeLinks.to(node)?.sendFromAgent(agent.deviceId, message);
    return true;
  }

  /** A frame from a local agent: true when its channel is another node's. */
  fromAgentFrame(agent: AgentLink, frame: Buffer): boolean {
    if (frame.byteLength < FRAME_HEADER_BYTES) return false;
    const header = peekHeader(frame);
    if (!header) return false;
    const node = this.ownerOf(header.channel);
    if (node === undefined) return false;
    const link = node === null ? null : this.deps.nodeLinks.to(node);
    if (!link) return true;
    link.sendFrame(FrameDirection.fromAgent, agent.deviceId, frame);
    pauseWhileFull(agent.peer, link);
    return true;
  }

  /** A local agent went: the nodes with something open on it hear so after its last frames. */
  agentGone(agent: AgentLink): void {
    for (const [node, devices] of this.opened) {
      if (!devices.delete(agent.deviceId)) continue;
      this.deps.nodeLinks.existing(node)?.send({ t: 'agent-gone', deviceId: agent.deviceId });
    }
  }

  /** A node link closed: what that node had open here is closed on the agents (its consoles can no longer see it). */
  linkClosed(link: NodeLink): void {
    const devices = this.opened.get(link.peerNode);
    this.opened.delete(link.peerNode);
    for (const [deviceId, channels] of devices ?? []) {
      const agent = this.deps.links.get(deviceId);
      for (const channel of channels) {
        agent?.peer.send(isFileChannel(channel) ? { t: 'file.cancel', channel, reason: 'error' } : { t: 'shell.close', channel, reason: 'console-gone' });
      }
    }
  }

  /** undefined: this node's own channel (or no node's); null: another node's, which is gone; else that node. */
  private ownerOf(channel: number): string | null | undefined {
    const slot = slotOfChannel(channel);
    if (slot === null || slot === this.deps.slot()) return undefined;
    return this.deps.nodeWithSlot(slot);
  }

  private remember(node: string, deviceId: string, channel: number): void {
    let devices = this.opened.get(node);
    if (!devices) this.opened.set(node, (devices = new Map()));
    let channels = devices.get(deviceId);
    if (!channels) devices.set(deviceId, (channels = new Set()));
    if (channels.size < LIMITS.maxChannelsPerConnection * 4) channels.add(channel);
  }

  private forget(node: string, deviceId: string, channel: number): void {
    this.opened.get(node)?.get(deviceId)?.delete(channel);
  }
}

/** Stops reading from `from` while `to` has too much queued (the relay's rule, for a node link leg). */
function pauseWhileFull(from: { ws: AgentPeer['ws']; closed: boolean }, to: { pendingBytes: number; whenDrained(callback: () => void): void }): void {
  if (to.pendingBytes <= LIMITS.relayHighWaterBytes || from.ws.isPaused) return;
  from.ws.pause();
  to.whenDrained(() => {
    if (!from.closed) from.ws.resume();
  });
}
