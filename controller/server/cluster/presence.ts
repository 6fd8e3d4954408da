/**
 * Which node holds which device, cluster-wide, answered from memory: loaded from Redis at
 * start, then kept by this node's own changes and the others' `presence` events. A
 * "released" from a node that no longer holds the device (it moved meanwhile) is
 * ignored, so the order in which two nodes' events arrive does not matter.
 */
import type { Log } from '../observability/logger.js';
import type { ClusterEvent, Holder } from './cluster-events.js';
import type { ClusterStore } from './cluster-store.js';

export type PresenceListener = (deviceId: string, before: Holder | null, after: Holder | null) => void;

export class ClusterPresence {
  private readonly byDevice = new Map<string, Holder>();
  private readonly listeners = new Set<PresenceListener>();

  constructor(
    private readonly store: Pick<ClusterStore, 'hold' | 'release' | 'holders'>,
    private readonly bus: { publish(event: ClusterEvent): void },
    readonly nodeId: string,
    private readonly log: Log,
  ) {}

  /** Reads every holder from the store (at start, and when this node was declared dead). */
  async load(isAlive: (nodeId: string) => boolean): Promise<void> {
    for (const [deviceId, holder] of await this.store.holders()) {
      if (holder.node !== this.nodeId && isAlive(holder.node) && !this.byDevice.has(deviceId)) this.set(deviceId, holder);
    }
  }

  holder(deviceId: string): Holder | null {
    return this.byDevice.get(deviceId) ?? null;
  }

  isOnline(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** This node now holds the device. */
  held(deviceId: string, facts: Omit<Holder, 'node'>): void {
    const holder: Holder = { ...facts, node: this.nodeId };
    this.set(deviceId, holder);
    this.store.hold(deviceId, holder).catch((err: unknown) => this.log.warn({ err, device: deviceId }, 'cluster: presence not written'));
    this.bus.publish({ t: 'presence', deviceId, holder });
  }

  /** This node no longer holds the device (its agent went). */
  released(deviceId: string): void {
    if (this.byDevice.get(deviceId)?.node !== this.nodeId) return;
    this.set(deviceId, null);
    this.store.release(deviceId, this.nodeId).catch((err: unknown) => this.log.warn({ err, device: deviceId }, 'cluster: presence not removed'));
    this.bus.publish({ t: 'presence', deviceId, holder: null });
  }

  /** Another node's presence event. */
  apply(event: Extract<ClusterEvent, { t: 'presence' }>, from: string): void {
    if (event.holder) {
      if (event.holder.node !== from) return;
      // Older than this node's own hold: that agent left the other node before it came here.
      const current = this.byDevice.get(event.deviceId);
      if (current?.node === this.nodeId && event.holder.since < current.since) return;
      return this.set(event.deviceId, event.holder);
    }
    if (this.byDevice.get(event.deviceId)?.node === from) this.set(event.deviceId, null);
  }

  /** A node died: what it held is offline until it reconnects elsewhere. */
  nodeDied(nodeId: string): void {
    for (const [deviceId, holder] of [...this.byDevice]) if (holder.node === nodeId) this.set(deviceId, null);
  }

  /** Every device some node holds. */
  devices(): string[] {
    return [...this.byDevice.keys()];
  }

  /** The devices this node holds. */
  ownDevices(): string[] {
    return [...this.byDevice].filter(([, holder]) => holder.node === this.nodeId).map(([deviceId]) => deviceId);
  }

  /**
   * Brings the other nodes' entries in line with the store (events lost while Redis was
   * away): the store is written before each event is published, so it is never older.
   * Returns the devices found offline that this node thought online.
   */
  async reconcile(isAlive: (nodeId: string) => boolean): Promise<string[]> {
    const stored = await this.store.holders();
    const wentOffline: string[] = [];
    for (const [deviceId, holder] of [...this.byDevice]) {
      if (holder.node === this.nodeId || stored.has(deviceId)) continue;
      this.set(deviceId, null);
      wentOffline.push(deviceId);
    }
    for (const [deviceId, holder] of stored) {
      const current = this.byDevice.get(deviceId);
      if (holder.node === this.nodeId || current?.node === this.nodeId || !isAlive(holder.node)) continue;
      if (current?.node !== holder.node || current.since !== holder.since) this.set(deviceId, holder);
    }
    return wentOffline;
  }

  /** Writes every device this node holds again (after it was declared dead by mistake). */
  reassert(): void {
    for (const deviceId of this.ownDevices()) {
      const holder = this.byDevice.get(deviceId)!;
      this.store.hold(deviceId, holder).catch((err: unknown) => this.log.warn({ err, device: deviceId }, 'cluster: presence not written'));
      this.bus.publish({ t: 'presence', deviceId, holder });
    }
  }

  private set(deviceId: string, holder: Holder | null): void {
    const before = this.byDevice.get(deviceId) ?? null;
    if (holder) this.byDevice.set(deviceId, holder);
    else this.byDevice.delete(deviceId);
    for (const listener of this.listeners) listener(deviceId, before, holder);
  }
}
