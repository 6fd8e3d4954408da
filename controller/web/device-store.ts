/** The live list of devices, fed by the console socket's `devices` and `device.update`. */
import type { DeviceView } from '../../protocol/index.js';
import type { ConsoleSocket } from './console-socket.js';
import type { Health } from './health-badge.js';

type Listener = () => void;

export class DeviceStore {
  private readonly devices = new Map<string, DeviceView>();
  private readonly listeners = new Set<Listener>();
  /** Devices known to have (true) or not have (false) any diagnostics snapshot. */
  private readonly diagnosed = new Map<string, boolean>();
  private readonly asking = new Set<string>();
  /** False until the controller has sent the first full list. */
  loaded = false;

  /** `hasSnapshots` asks the controller whether a device was ever diagnosed. */
  constructor(socket: ConsoleSocket, private readonly hasSnapshots: (deviceId: string) => Promise<boolean>) {
    socket.on('devices', ({ devices }) => {
      this.devices.clear();
      for (const device of devices) this.devices.set(device.id, device);
      this.loaded = true;
      this.notify();
    });
    socket.on('device.update', ({ device }) => {
      this.devices.set(device.id, device);
      this.notify();
    });
    socket.on('device.diagnostics', ({ deviceId }) => {
      if (this.diagnosed.get(deviceId) === true) return;
      this.diagnosed.set(deviceId, true);
      this.notify();
    });
  }

  /**
   * A device's worst finding. DeviceView says "no findings" and "never diagnosed" the
   * same way (null and 0), so the history settles it, once per device; until then
   * the device counts as not checked, which never claims a health it has not shown.
   */
  health(device: DeviceView): Health {
    if (device.worstSeverity) return { kind: 'issues', worst: device.worstSeverity, count: Math.max(1, device.findingCount ?? 1) };
    if (device.findingCount === undefined) return { kind: 'unchecked' };
    const known = this.diagnosed.get(device.id);
    if (known === undefined) this.ask(device.id);
    return known ? { kind: 'healthy' } : { kind: 'unchecked' };
  }

  private ask(deviceId: string): void {
    if (this.asking.has(deviceId)) return;
    this.asking.add(deviceId);
    this.hasSnapshots(deviceId).then(
      (has) => {
        this.asking.delete(deviceId);
        // A live report may have arrived meanwhile: it wins over an older "none".
        if (this.diagnosed.get(deviceId) === true) return;
        this.diagnosed.set(deviceId, has);
        this.notify();
      },
      // Unknown stays unknown; the next render asks again.
      () => this.asking.delete(deviceId),
    );
  }

  /** One device, or undefined when the controller does not know it (yet). */
  get(id: string): DeviceView | undefined {
    return this.devices.get(id);
  }

  /** Active sessions first (online, then offline), then ended ones; most recent first within each. */
  list(): DeviceView[] {
    const rank = (d: DeviceView) => (d.sessionStatus === 'ended' ? 2 : d.online ? 0 : 1);
    return [...this.devices.values()].sort((a, b) => rank(a) - rank(b) || b.lastSeen - a.lastSeen);
  }

  /** Subscribes to any change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets everything (logout). */
  clear(): void {
    this.devices.clear();
    this.diagnosed.clear();
    this.loaded = false;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
