/** What every page shares: the app's state and the page contract the router relies on. */
import type { Me } from '../connection/api.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import type { DeviceStore } from '../devices/device-store.js';

/** The logged-in app: who we are and the live connection. */
export interface AppContext {
  me: Me;
  socket: ConsoleSocket;
  store: DeviceStore;
  /** Goes to a hash route, e.g. "#/devices/abc". */
  navigate(hash: string): void;
}

/** A mounted page; `dispose` stops its timers and subscriptions. */
export interface Page {
  root: HTMLElement;
  title: string;
  dispose(): void;
}
