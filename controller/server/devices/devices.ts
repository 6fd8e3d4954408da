/**
 * What the technicians see of each device: persisted facts plus live online state,
 * with change events. Attended devices come from support sessions; managed ones
 * from enrollment, with their name, group, tags and reported policy.
 */
import { deviceSummary, type DeviceSummary, type DeviceView, type Person, type Severity, type UnattendedPolicy } from '../../../protocol/index.js';
import type { StoredSnapshot } from '../diagnostics/diagnostics.js';
import type { ManagedDeviceRecord } from '../fleet/managed-devices.js';
import type { SessionRecord, SupportSessions } from '../support/support-sessions.js';

interface ManagedFacts {
  name: string;
  group: string;
  tags: string[];
  policy: UnattendedPolicy | null;
  revoked: boolean;
}

interface DeviceState {
  id: string;
  /** The support session of an attended device; null for a managed one. */
  sessionId: string | null;
  hostname: string;
  technician: Person | null;
  sessionStatus: 'active' | 'ended';
  summary: DeviceSummary | null;
  lastSeen: number;
  connectedAt: number | null;
  worstSeverity: Severity | null;
  /** Undefined until the first snapshot: "not checked yet" is not "no issues". */
  findingCount: number | undefined;
  /** Null for attended devices. */
  managed: ManagedFacts | null;
}

export type DeviceListener = (view: DeviceView) => void;
export type DiagnosticsListener = (stored: StoredSnapshot, requestId: string | null) => void;

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();
  private readonly listeners = new Set<DeviceListener>();
  private readonly diagnosticsListeners = new Set<DiagnosticsListener>();

  constructor(private readonly sessions: SupportSessions) {}

  /** Loads the last day's devices so the list survives a controller restart (all offline until they reconnect). */
  async load(latest: Map<string, { worst: Severity | null; findingCount: number }>, managed: readonly ManagedDeviceRecord[] = []): Promise<void> {
    for (const record of await this.sessions.recent()) this.remember(record);
    for (const record of managed) this.rememberManaged(record);
    for (const [id, severity] of latest) {
      const state = this.devices.get(id);
      if (state) Object.assign(state, { worstSeverity: severity.worst, findingCount: severity.findingCount });
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

  views(): DeviceView[] {
    return [...this.devices.values()].sort((a, b) => b.lastSeen - a.lastSeen).map(toView);
  }

  view(id: string): DeviceView | null {
    const state = this.devices.get(id);
    return state ? toView(state) : null;
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
    void this.sessions.saveDevice(id, { hostname, lastSeen: Date.now() });
  }

  disconnected(id: string): void {
    this.update(id, (s) => {
      s.connectedAt = null;
      s.lastSeen = Date.now();
    });
    void this.sessions.saveDevice(id, { lastSeen: Date.now() });
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

  /** An ended session's device was purged from the store (retention): it leaves the list at the next load. */
  forget(id: string): void {
    if (this.devices.get(id)?.connectedAt === null) this.devices.delete(id);
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
    const view = toView(state);
    for (const listener of this.listeners) listener(view);
  }
}

function toView(s: DeviceState): DeviceView {
  const fleet: Partial<DeviceView> = s.managed
    ? { kind: 'managed', name: s.managed.name, group: s.managed.group, tags: s.managed.tags, policy: s.managed.policy, revoked: s.managed.revoked }
    : { kind: 'attended' };
  return {
    id: s.id,
    sessionId: s.sessionId,
    hostname: s.hostname,
    online: s.connectedAt !== null,
    lastSeen: s.lastSeen,
    connectedAt: s.connectedAt,
    technician: s.technician,
    sessionStatus: s.sessionStatus,
    summary: s.summary,
    worstSeverity: s.worstSeverity,
    findingCount: s.findingCount,
    ...fleet,
  };
}
