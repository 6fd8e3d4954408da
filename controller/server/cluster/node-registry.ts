/**
 * The live nodes of the cluster. Each node refreshes its own key (short TTL) every
 * `everyMs`; a node whose key expired is dead: every node forgets what it held
 * (onDeath), and the first to notice also removes its entries from Redis. A node that
 * finds it was declared dead while it was only slow says so (onForgotten) so that it
 * can claim its devices again.
 */
import type { Log } from '../observability/logger.js';
import { CHANNEL_SLOTS } from './channel-slots.js';
import type { ClusterStore, NodeInfo } from './cluster-store.js';

export interface NodeRegistryOptions {
  readonly ttlMs?: number;
  readonly everyMs?: number;
  readonly log: Log;
  readonly onDeath: (nodeId: string) => void;
  readonly onForgotten: () => void;
}

export const NODE_TTL_MS = 4000;
export const NODE_REFRESH_MS = 1000;

export class NodeRegistry {
  private readonly alive = new Map<string, NodeInfo>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private info: NodeInfo | null = null;
  private claimed: number | null = null;

  constructor(
    private readonly store: Pick<ClusterStore, 'claimSlot' | 'heartbeat' | 'nodes' | 'forgetNode'>,
    readonly nodeId: string,
    private readonly options: NodeRegistryOptions,
  ) {}

  /** Learns the live nodes and takes a channel slot none of them has. */
  async claim(): Promise<number> {
    await this.refresh();
    this.claimed = await this.store.claimSlot((s) => [...this.alive.entries()].some(([id, info]) => id !== this.nodeId && info.slot === s), CHANNEL_SLOTS);
    return this.claimed;
  }

  /** Says this node is alive, reachable at `url`, and keeps saying it. */
  async announce(url: string): Promise<NodeInfo> {
    if (this.claimed === null) await this.claim();
    this.info = { url, slot: this.claimed!, startedAt: Date.now() };
    await this.store.heartbeat(this.nodeId, this.info, this.options.ttlMs ?? NODE_TTL_MS);
    this.alive.set(this.nodeId, this.info);
    this.timer = setInterval(() => void this.tick(), this.options.everyMs ?? NODE_REFRESH_MS);
    this.timer.unref();
    return this.info;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get slot(): number {
    if (this.claimed === null) throw new Error('the node registry has no slot yet');
    return this.claimed;
  }

  isAlive(nodeId: string): boolean {
    return this.alive.has(nodeId);
  }

  urlOf(nodeId: string): string | null {
    return this.alive.get(nodeId)?.url ?? null;
  }

  /** The live node numbering channels in `slot`, if any. */
  nodeWithSlot(slot: number): string | null {
    for (const [id, info] of this.alive) if (info.slot === slot) return id;
    return null;
  }

  /** The live nodes' ids, this one included. */
  nodes(): string[] {
    return [...this.alive.keys()];
  }

  /** One refresh: this node's key, then who is alive and who died (exported for tests). */
  async tick(): Promise<void> {
    if (this.ticking || !this.info) return;
    this.ticking = true;
    try {
      if (await this.store.heartbeat(this.nodeId, this.info, this.options.ttlMs ?? NODE_TTL_MS)) {
        this.options.log.warn('cluster: the other nodes had declared this node dead (it did not refresh in time); its devices are claimed again');
        this.options.onForgotten();
      }
      await this.refresh();
    } catch (err) {
      this.options.log.warn({ err }, 'cluster: the node registry could not be refreshed');
    } finally {
      this.ticking = false;
    }
  }

  private async refresh(): Promise<void> {
    const known = await this.store.nodes();
    for (const [id, info] of known) {
      if (info) {
        this.alive.set(id, info);
        continue;
      }
      if (id === this.nodeId) continue;
      const devices = await this.store.forgetNode(id);
      if (devices) this.options.log.warn({ deadNode: id, devices: devices.length }, `cluster: node ${id} stopped answering; its ${devices.length} devices are offline until they reconnect`);
    }
    for (const id of [...this.alive.keys()]) {
      if (id === this.nodeId || known.get(id)) continue;
      this.alive.delete(id);
      this.options.onDeath(id);
    }
  }
}
