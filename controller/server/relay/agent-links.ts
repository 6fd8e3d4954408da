/**
 * The agents connected to this controller, one link per device. Built first and
 * handed to the hub (which adds and drops links), the relay (which routes shells
 * to them) and the job dispatcher (which sends jobs), so none of them wires
 * another in after construction.
 */
import type { ControllerToAgent } from '../../../protocol/index.js';
import type { AgentLink } from './links.js';

export class AgentLinks {
  private readonly byDevice = new Map<string, AgentLink>();

  /** The device's connection, if it has one. */
  get(deviceId: string): AgentLink | undefined {
    return this.byDevice.get(deviceId);
  }

  isOnline(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  /** Sends a control message to a device's open connection; false when it has none. */
  send(deviceId: string, message: ControllerToAgent): boolean {
    const link = this.byDevice.get(deviceId);
    if (!link || link.peer.closed) return false;
    link.peer.send(message);
    return true;
  }

  /** Makes `link` its device's connection; returns the one it replaces, if any. */
  add(link: AgentLink): AgentLink | undefined {
    const previous = this.byDevice.get(link.deviceId);
    this.byDevice.set(link.deviceId, link);
    return previous;
  }

  /** Forgets `link` if it is still its device's connection; false when it was already replaced or removed. */
  remove(link: AgentLink): boolean {
    if (this.byDevice.get(link.deviceId) !== link) return false;
    this.byDevice.delete(link.deviceId);
    return true;
  }

  get size(): number {
    return this.byDevice.size;
  }

  all(): IterableIterator<AgentLink> {
    return this.byDevice.values();
  }
}
