/** What the technicians see of each device: persisted facts plus live online state, with change events. */
import { deviceSummary, type DeviceSummary, type DeviceView, type Person } from '../../protocol/index.js';
import type { SessionRecord, SupportSessions } from './support/support-sessions.js';

interface DeviceState {
  id: string;
  sessionId: string;
  hostname: string;
  technician: Person;
  sessionStatus: 'active' | 'ended';
  summary: DeviceSummary | null;
  lastSeen: number;
  connectedAt: number | null;
}

export type DeviceListener = (view: DeviceView) => void;

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();
  private readonly listeners = new Set<DeviceListener>();

  constructor(private readonly sessions: SupportSessions) {}

  /** Loads the last day's devices so the list survives a controller restart (all offline until they reconnect). */
  async load(): Promise<void> {
    for (const record of await this.sessions.recent()) this.remember(record);
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
  };
}
