/**
 * What the technicians see of each device: persisted facts plus live online state,
 * with change events (a bounded row each, never the whole list). Attended devices
 * come from support sessions; managed ones from enrollment, with their name, group,
 * tags and reported policy. Every change is also written to the list's index.
 */
import { deviceSummary, listItemOf, type DeviceListItem, type DeviceSummary, type DeviceView, type Severity } from '../../../protocol/index.js';
import type { StoredSnapshot } from '../diagnostics/diagnostics.js';
import { osWords, type DeviceIndex, type IndexedFacts } from './device-index.js';
import { toView, type DeviceState, type ManagedFacts } from './device-state.js';
import type { ManagedDeviceRecord } from '../fleet/managed-devices.js';
import type { SessionRecord, SupportSessions } from '../support/support-sessions.js';

export type DeviceEvent = { kind: 'update'; device: DeviceListItem } | { kind: 'removed'; deviceId: string };
export type DeviceListener = (event: DeviceEvent) => void;
export type DiagnosticsListener = (stored: StoredSnapshot, requestId: string | null) => void;

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();
  private readonly listeners = new Set<DeviceListener>();
  private readonly diagnosticsListeners = new Set<DiagnosticsListener>();

  /** True while load() runs: the index already holds what is loaded. */
  private loading = false;

  constructor(private readonly sessions: SupportSessions, private readonly index: DeviceIndex) {}

  /** Loads the last day's devices so the list survives a controller restart (all offline until they reconnect). */
  async load(latest: Map<string, { worst: Severity | null; findingCount: number }>, managed: readonly ManagedDeviceRecord[] = []): Promise<void> {
    this.loading = true;
    try {
      await this.index.resetOnline();
      for (const record of await this.sessions.recent()) this.remember(record);
      for (const record of managed) this.rememberManaged(record);
      for (const [id, severity] of latest) {
        const state = this.devices.get(id);
        if (state) Object.assign(state, { worstSeverity: severity.worst, findingCount: severity.findingCount });
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

  summary(id: string, summary: DeviceSummary): void {
    this.update(id, (s) => {
      s.summary = summary;
      s.hostname = summary.hostname;
      s.lastSeen = Date.now();
    });
    void this.sessions.saveDevice(id, { hostname: summary.hostname, summaryJson: JSON.stringify(summary), lastSeen: Date.now() });
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

  onDiagnostics(listener: DiagnosticsListener): () => void {
    this.diagnosticsListeners.add(listener);
    return () => this.diagnosticsListeners.delete(listener);
  }

  /** An ended session's device was purged from the store (retention): consoles drop it (`device.removed`). */
  forget(id: string): void {
    if (this.devices.get(id)?.connectedAt !== null || !this.devices.delete(id)) return;
    this.index.forget(id);
    for (const listener of this.listeners) listener({ kind: 'removed', deviceId: id });
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
    const device = listItemOf(toView(state));
    for (const listener of this.listeners) listener({ kind: 'update', device });
  }
}

function indexedFacts(state: DeviceState): IndexedFacts {
  return {
    id: state.id, name: state.managed?.name ?? null, hostname: state.hostname, group: state.managed?.group ?? null, tags: state.managed?.tags ?? [],
    os: osWords(state.summary?.os), connectedAt: state.connectedAt, lastSeen: state.lastSeen, worst: state.worstSeverity, findingCount: state.findingCount ?? null,
  };
}
