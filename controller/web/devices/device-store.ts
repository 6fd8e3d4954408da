/** The live list of devices, fed by the console socket's `devices` and `device.update`. */
import type { DeviceView } from '../../../protocol/index.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import type { Health } from '../ui/health-badge.js';

type Listener = () => void;

export class DeviceStore {
  private readonly devices = new Map<string, DeviceView>();
  private readonly listeners = new Set<Listener>();
  /** False until the controller has sent the first full list. */
  loaded = false;

  constructor(socket: ConsoleSocket) {
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
  }

  /** A device's worst finding; the controller leaves findingCount out until the first snapshot arrives. */
  health(device: DeviceView): Health {
    if (device.findingCount === undefined) return { kind: 'unchecked' };
    if (device.worstSeverity) return { kind: 'issues', worst: device.worstSeverity, count: Math.max(1, device.findingCount) };
    return { kind: 'healthy' };
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
    this.loaded = false;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
