/**
 * The devices this page has seen, kept live by the console socket's changes
 * (`device.update`, `device.removed`). It never holds the fleet: lists load their
 * pages over REST (device-pager.ts) and a device page loads its device here.
 */
import type { DeviceListItem, DeviceView } from '../../../protocol/index.js';
import { ApiError, api } from '../connection/api.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import type { Health } from '../ui/health-badge.js';

/** `loaded`: this page fetched the device in full (nothing changed on the controller; lists ignore it). */
export type DeviceChange = { kind: 'update'; device: DeviceListItem } | { kind: 'removed'; deviceId: string } | { kind: 'loaded'; deviceId: string };
type Listener = (change: DeviceChange | null) => void;

/** What every device row and view has in common (a list row's brief or a full summary aside). */
export type DeviceFacts = Omit<DeviceListItem, 'brief'>;

/** How pages name a device: an enrolled machine by the name it was given, a person's device by its host name. */
export function deviceLabel(device: Pick<DeviceFacts, 'kind' | 'name' | 'hostname'>): string {
  return device.kind === 'managed' ? device.name ?? device.hostname : device.hostname;
}

/** Rows remembered at most; the oldest are forgotten first (pages load them again). */
const MAX_KEPT = 5000;

export class DeviceStore {
  private readonly items = new Map<string, DeviceListItem>();
  private readonly views = new Map<string, DeviceView>();
  private readonly listeners = new Set<Listener>();

  constructor(socket: ConsoleSocket) {
    socket.on('device.update', ({ device }) => {
      // Only devices someone shows are kept; the change itself goes to every listener.
      if (this.items.has(device.id)) this.items.set(device.id, device);
      const view = this.views.get(device.id);
      if (view) this.views.set(device.id, { ...view, ...withoutBrief(device) });
      this.notify({ kind: 'update', device });
    });
    socket.on('device.removed', ({ deviceId }) => {
      this.items.delete(deviceId);
      this.views.delete(deviceId);
      this.notify({ kind: 'removed', deviceId });
    });
    // Changes missed while disconnected are not replayed: lists reload.
    socket.onState((state) => {
      if (state.kind === 'open') this.notify(null);
    });
  }

  /** A device's worst finding; the controller leaves findingCount out until the first snapshot arrives. */
  health(device: DeviceFacts): Health {
    if (device.findingCount === undefined) return { kind: 'unchecked' };
    if (device.worstSeverity) return { kind: 'issues', worst: device.worstSeverity, count: Math.max(1, device.findingCount) };
    return { kind: 'healthy' };
  }

  /** A device this page has seen (a row of a loaded page, or a loaded device). */
  get(id: string): DeviceFacts | undefined {
    return this.views.get(id) ?? this.items.get(id);
  }

  /** The full view (summary included) once load() fetched it. */
  view(id: string): DeviceView | undefined {
    return this.views.get(id);
  }

  /** Fetches one device in full; null when the controller does not know it. */
  async load(id: string): Promise<DeviceView | null> {
    try {
      const { device } = await api.device(id);
      this.views.set(id, device);
      // Panels that read the device from here (the shell's Open button) learn it is known now.
      this.notify({ kind: 'loaded', deviceId: id });
      return device;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** Remembers the rows of a page just loaded. */
  remember(devices: readonly DeviceListItem[]): void {
    for (const device of devices) {
      this.items.delete(device.id);
      this.items.set(device.id, device);
    }
    for (const id of this.items.keys()) {
      if (this.items.size <= MAX_KEPT) break;
      this.items.delete(id);
    }
  }

  /** Subscribes to changes (null: anything may have changed, e.g. after a reconnect); returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets everything (logout). */
  clear(): void {
    this.items.clear();
    this.views.clear();
    this.notify(null);
  }

  private notify(change: DeviceChange | null): void {
    for (const listener of this.listeners) listener(change);
  }
}

function withoutBrief(device: DeviceListItem): DeviceFacts {
  const { brief: _brief, ...facts } = device;
  return facts;
}
