/**
 * Who is on each device, told to the consoles that follow it (a device page or a
 * shell tab is open): `device.presence` lists every live shell with its holder, its
 * observers and its size, whole each time (a few shells, a few people: bounded).
 * The relay says when a device's shells changed; this only keeps who listens.
 */
import { LIMITS, MAX_PRESENCE_WATCHES, type ShellPresence } from '../../../protocol/index.js';
import type { ConsoleLink } from './links.js';

export class PresenceBoard {
  private readonly byDevice = new Map<string, Set<ConsoleLink>>();
  private readonly byConsole = new Map<ConsoleLink, Set<string>>();

  /** Follows a device; false when the console already follows as many as it may. */
  watch(console: ConsoleLink, deviceId: string): boolean {
    const mine = this.byConsole.get(console) ?? new Set<string>();
    if (!mine.has(deviceId) && mine.size >= MAX_PRESENCE_WATCHES) return false;
    mine.add(deviceId);
    this.byConsole.set(console, mine);
    const listeners = this.byDevice.get(deviceId) ?? new Set<ConsoleLink>();
    listeners.add(console);
    this.byDevice.set(deviceId, listeners);
    return true;
  }

  unwatch(console: ConsoleLink, deviceId: string): void {
    this.byConsole.get(console)?.delete(deviceId);
    const listeners = this.byDevice.get(deviceId);
    listeners?.delete(console);
    if (listeners?.size === 0) this.byDevice.delete(deviceId);
  }

  /** The console is gone: it follows nothing any more. */
  forget(console: ConsoleLink): void {
    for (const deviceId of this.byConsole.get(console) ?? []) this.unwatch(console, deviceId);
    this.byConsole.delete(console);
  }

  /** Tells one console who is on a device now. */
  tell(console: ConsoleLink, deviceId: string, shells: ShellPresence[]): void {
    console.peer.send({ t: 'device.presence', deviceId, shells: shells.slice(0, LIMITS.maxChannelsPerConnection) });
  }

  /** Tells every console following the device. */
  publish(deviceId: string, shells: ShellPresence[]): void {
    for (const console of this.byDevice.get(deviceId) ?? []) this.tell(console, deviceId, shells);
  }

  /** Consoles following the device (for tests). */
  listeners(deviceId: string): number {
    return this.byDevice.get(deviceId)?.size ?? 0;
  }
}
