/** An in-memory ClusterStore for unit tests: the same contract as Redis (TTL by a clock the test moves), one process. */
import type { Holder } from '../../controller/server/cluster/cluster-events.js';
import type { ClusterStore, NodeInfo } from '../../controller/server/cluster/cluster-store.js';

export class FakeClusterStore implements ClusterStore {
  now = 0;
  private counter = 0;
  readonly nodeKeys = new Map<string, { info: NodeInfo; expires: number }>();
  readonly nodeSet = new Set<string>();
  readonly presence = new Map<string, Holder>();
  readonly perNode = new Map<string, Set<string>>();
  readonly published: string[] = [];
  private readonly subscribers: Array<(text: string) => void> = [];

  async ready(): Promise<void> {}

  async answers(): Promise<void> {}

  async claimSlot(taken: (slot: number) => boolean, slots: number): Promise<number> {
    for (let i = 0; i < slots; i++) {
      const slot = this.counter++ % slots;
      if (!taken(slot)) return slot;
    }
    throw new Error('no slot');
  }

  async heartbeat(nodeId: string, info: NodeInfo, ttlMs: number): Promise<boolean> {
    this.nodeKeys.set(nodeId, { info, expires: this.now + ttlMs });
    const added = !this.nodeSet.has(nodeId);
    this.nodeSet.add(nodeId);
    return added;
  }

  async nodes(): Promise<Map<string, NodeInfo | null>> {
    const found = new Map<string, NodeInfo | null>();
    for (const id of this.nodeSet) {
      const key = this.nodeKeys.get(id);
      found.set(id, key && key.expires > this.now ? key.info : null);
    }
    return found;
  }

  async forgetNode(nodeId: string): Promise<string[] | null> {
    if (!this.nodeSet.delete(nodeId)) return null;
    const gone: string[] = [];
    for (const deviceId of this.perNode.get(nodeId) ?? []) {
      if (this.presence.get(deviceId)?.node === nodeId) {
        this.presence.delete(deviceId);
        gone.push(deviceId);
      }
    }
    this.perNode.delete(nodeId);
    return gone;
  }

  async hold(deviceId: string, holder: Holder): Promise<void> {
    this.presence.set(deviceId, holder);
    (this.perNode.get(holder.node) ?? this.perNode.set(holder.node, new Set()).get(holder.node)!).add(deviceId);
  }

  async release(deviceId: string, nodeId: string): Promise<boolean> {
    this.perNode.get(nodeId)?.delete(deviceId);
    if (this.presence.get(deviceId)?.node !== nodeId) return false;
    this.presence.delete(deviceId);
    return true;
  }

  async holders(): Promise<Map<string, Holder>> {
    return new Map(this.presence);
  }

  async publish(text: string): Promise<void> {
    this.published.push(text);
    for (const subscriber of this.subscribers) subscriber(text);
  }

  async subscribe(listener: (text: string) => void): Promise<void> {
    this.subscribers.push(listener);
  }

  async close(): Promise<void> {}
}
