/**
 * What the technicians see of each device: persisted facts plus live online state,
 * with change events (a bounded row each, never the whole list). Attended devices
 * come from support sessions; managed ones from enrollment, with their name, group,
 * tags and reported policy. Every change is also written to the list's index.
 */
import { deviceSummary, listItemOf, type DeviceListItem, type DeviceSummary, type DeviceView, type Severity } from '../../../protocol/index.js';
import type { StoredSnapshot } from '../diagnostics/diagnostics.js';
import { osWords, type DeviceIndex, type IndexedFacts } from './device-index.js';
import { fromView, toView, type DeviceState, type ManagedFacts } from './device-state.js';
import type { ManagedDeviceRecord } from '../fleet/managed-devices.js';
import type { SessionRecord, SupportSessions } from '../support/support-sessions.js';
import { quietLog, type Log } from '../observability/logger.js';

export type DeviceEvent = { kind: 'update'; device: DeviceListItem } | { kind: 'removed'; deviceId: string };
export type DeviceListener = (event: DeviceEvent) => void;
export type DiagnosticsListener = (stored: StoredSnapshot, requestId: string | null) => void;
/** Hears the changes made on this controller (not those applied from another cluster node), to tell the other nodes. */
export type LocalChangeListener = (change: { kind: 'update'; view: DeviceView } | { kind: 'removed'; deviceId: string }) => void;

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();
  private readonly listeners = new Set<DeviceListener>();
  private readonly diagnosticsListeners = new Set<DiagnosticsListener>();
  private readonly localListeners = new Set<LocalChangeListener>();

  /** True while load() runs: the index already holds what is loaded. */
  private loading = false;

  constructor(private readonly sessions: SupportSessions, private readonly index: DeviceIndex, private readonly log: Log = quietLog) {}

  /**
   * Loads the last day's devices so the list survives a controller restart (all offline until
   * they reconnect, except on a cluster node those another node holds: `online`, and in the
   * store, whatever `heldElsewhere` says once it is asked).
   */
  async load(
    latest: Map<string, { worst: Severity | null; findingCount: number }>, managed: readonly ManagedDeviceRecord[] = [], online: ReadonlyMap<string, number> = new Map(),
    heldElsewhere?: () => Promise<ReadonlySet<string>>,
  ): Promise<void> {
    this.loading = true;
    try {
      await this.index.resetOnline(heldElsewhere);
      for (const record of await this.sessions.recent()) this.remember(record);
      for (const record of managed) this.rememberManaged(record);
      for (const [id, severity] of latest) {
        const state = this.devices.get(id);
        if (state) Object.assign(state, { worstSeverity: severity.worst, findingCount: severity.findingCount });
      }
      for (const [id, since] of online) {
        const state = this.devices.get(id);
        if (state) state.connectedAt = since;
      }
      // The store holds these already: only later changes are written.
      for (const state of this.devices.values()) this.index.remember(indexedFacts(state));
    } finally {
      this.loading = false;
    }
  }

  remember(record: SessionRecord): void {
    const existing = this.devices.get(record.deviceId);
    if (existing) return;
    const parsed = record.summaryJson ? deviceSummary.safeParse(JSON.parse(record.summaryJson)) : null;
    this.devices.set(record.deviceId, {
      id: record.deviceId,
      sessionId: record.sessionId,
      hostname: record.hostname,
      technician: record.technician,
      sessionStatus: record.status,
      summary: parsed?.success ? parsed.data : null,
      lastSeen: record.lastSeen,
      connectedAt: null,
      worstSeverity: null,
      findingCount: undefined,
      managed: null,
      problem: record.problem,
    });
  }

  /** Adds a managed device, or refreshes what is known of it (name, group, tags, policy, revocation). */
  rememberManaged(record: ManagedDeviceRecord): void {
    const managed: ManagedFacts = { name: record.name, group: record.group, tags: [...record.tags], policy: record.policy, revoked: record.revokedAt !== null };
    if (this.devices.has(record.id)) {
      return this.update(record.id, (s) => {
        s.managed = managed;
        s.hostname = record.hostname;
      });
    }
    const parsed = record.summaryJson ? deviceSummary.safeParse(JSON.parse(record.summaryJson)) : null;
    this.devices.set(record.id, {
      id: record.id,
      sessionId: null,
      hostname: record.hostname,
      technician: null,
      sessionStatus: 'active',
      summary: parsed?.success ? parsed.data : null,
      lastSeen: record.lastSeen,
      connectedAt: null,
      worstSeverity: null,
      findingCount: undefined,
      managed,
    });
    this.update(record.id, () => undefined);
  }

  /** A managed device was revoked: its key is refused from now on. */
  revoked(id: string): void {
    this.update(id, (s) => {
      if (s.managed) s.managed.revoked = true;
    });
  }

  onChange(listener: DeviceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(id: string): DeviceView | null {
    const state = this.devices.get(id);
    return state ? toView(state) : null;
  }

  /** Resolves once every change so far is in the store's list index (a page read next sees them). */
  settled(): Promise<void> {
    return this.index.flush();
  }

  /** A device as a list row, or null when it is not in memory (the list then builds it from its row). */
  item(id: string): DeviceListItem | null {
    const state = this.devices.get(id);
    return state ? listItemOf(toView(state)) : null;
  }

  /** The devices shown online, each with when it connected. */
  onlineSince(): Array<[id: string, connectedAt: number]> {
    const online: Array<[string, number]> = [];
    for (const state of this.devices.values()) if (state.connectedAt !== null) online.push([state.id, state.connectedAt]);
    return online;
  }

  /** Repairs the list index of the devices this node holds (`ids`): see DeviceIndex.onlineIfOffline. */
  async reassertOnline(ids: Iterable<string>): Promise<number> {
    const connected = new Map<string, number>();
    for (const id of ids) {
      const since = this.devices.get(id)?.connectedAt;
      if (since !== null && since !== undefined) connected.set(id, since);
    }
    // Whatever is still queued goes first: the repair reads what the store holds after it.
    await this.index.flush();
    return connected.size === 0 ? 0 : this.index.onlineIfOffline(connected);
  }

  isOnline(id: string): boolean {
    return this.devices.get(id)?.connectedAt != null;
  }

  connected(id: string, hostname: string): void {
    this.update(id, (s) => {
      s.connectedAt = Date.now();
      s.lastSeen = Date.now();
      s.hostname = hostname;
    });
  }

  disconnected(id: string): void {
    this.update(id, (s) => {
      s.connectedAt = null;
      s.lastSeen = Date.now();
    });
  }

  /**
   * A cluster node found the device held by no node (its node died, or an "offline" was missed):
   * offline here, and in the shared list index only if the row still shows the connection this
   * node knew. An agent that reconnected to another node meanwhile wrote a newer connection time,
   * which this write must not undo (every node runs the sweep, each at its own moment).
   */
  heldByNone(id: string, known: number): void {
    const state = this.devices.get(id);
    // Connected again meanwhile (an event after the sweep looked): that connection is not this sweep's.
    if (state?.connectedAt !== known) return;
    state.connectedAt = null;
    state.lastSeen = Date.now();
    this.index.offlineIfStill(id, known, state.lastSeen).catch((err: unknown) => this.log.warn({ err, device: id }, 'devices: an offline device was not written to the list index'));
    const device = listItemOf(toView(state));
    for (const listener of this.listeners) listener({ kind: 'update', device });
  }

  summary(id: string, summary: DeviceSummary): void {
    this.update(id, (s) => {
      s.summary = summary;
      s.hostname = summary.hostname;
      s.lastSeen = Date.now();
    });
    // Fire-and-forget from a socket handler: a store that fails (a pool timeout) is logged, never an unhandled rejection.
    this.sessions
      .saveDevice(id, { hostname: summary.hostname, summaryJson: JSON.stringify(summary), lastSeen: Date.now() })
      .catch((err: unknown) => this.log.warn({ err, device: id }, 'devices: a summary was not stored'));
  }

  /** A new snapshot was stored: the device's worst finding changes and consoles get the report. */
  diagnosed(stored: StoredSnapshot, worst: Severity | null, requestId: string | null): void {
    this.update(stored.deviceId, (s) => {
      s.worstSeverity = worst;
      s.findingCount = stored.findings.length;
      s.lastSeen = Date.now();
    });
    for (const listener of this.diagnosticsListeners) listener(stored, requestId);
  }

  /** Hears this controller's own changes (a cluster node publishes them). */
  onLocalChange(listener: LocalChangeListener): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /**
   * Another cluster node changed a device: its view replaces ours and consoles hear it. That
   * node wrote the list index already; ours only learns what the store now holds.
   */
  applyRemote(view: DeviceView): void {
    const state = fromView(view);
    this.devices.set(view.id, state);
    this.index.remember(indexedFacts(state));
    const device = listItemOf(toView(state));
    for (const listener of this.listeners) listener({ kind: 'update', device });
  }

  /** Another cluster node purged a device. */
  removedRemote(id: string): void {
    if (!this.devices.delete(id)) return;
    this.index.forget(id);
    for (const listener of this.listeners) listener({ kind: 'removed', deviceId: id });
  }

  /** Another cluster node stored a snapshot: consoles waiting for it get the report. */
  diagnosedRemote(stored: StoredSnapshot, requestId: string | null): void {
    for (const listener of this.diagnosticsListeners) listener(stored, requestId);
  }

  onDiagnostics(listener: DiagnosticsListener): () => void {
    this.diagnosticsListeners.add(listener);
    return () => this.diagnosticsListeners.delete(listener);
  }

  /** An ended session's device was purged from the store (retention): consoles drop it (`device.removed`). */
  forget(id: string): void {
    if (this.devices.get(id)?.connectedAt !== null || !this.devices.delete(id)) return;
    this.index.forget(id);
    for (const listener of this.listeners) listener({ kind: 'removed', deviceId: id });
    for (const listener of this.localListeners) listener({ kind: 'removed', deviceId: id });
  }

  ended(id: string): void {
    this.update(id, (s) => {
      s.sessionStatus = 'ended';
    });
  }

  private update(id: string, change: (state: DeviceState) => void): void {
    const state = this.devices.get(id);
    if (!state) return;
    change(state);
    if (this.loading) return;
    this.index.save(indexedFacts(state));
    const view = toView(state);
    const device = listItemOf(view);
    for (const listener of this.listeners) listener({ kind: 'update', device });
    for (const listener of this.localListeners) listener({ kind: 'update', view });
  }
}

function indexedFacts(state: DeviceState): IndexedFacts {
  return {
    id: state.id, name: state.managed?.name ?? null, hostname: state.hostname, group: state.managed?.group ?? null, tags: state.managed?.tags ?? [],
    os: osWords(state.summary?.os), connectedAt: state.connectedAt, lastSeen: state.lastSeen, worst: state.worstSeverity, findingCount: state.findingCount ?? null,
  };
}
