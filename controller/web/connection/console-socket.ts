/**
 * The browser's one websocket to the controller (/ws/console). Sends `hello`,
 * validates every incoming message (JSON against the controller→console schema,
 * binary with the frame codec), dispatches typed events, and reconnects with
 * exponential backoff and jitter when the link drops.
 */
import {
  CLOSE_CODES, FrameKind, PROTOCOL_VERSION, backoffDelay, controllerToConsole, decodeControl, decodeFrame, encodeControl,
  type ConsoleToController, type ControllerToConsole,
} from '../../../protocol/index.js';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; lastCloseCode: number }
  | { kind: 'failed'; code: number }
  | { kind: 'stopped' };

type MessageType = ControllerToConsole['t'];
type MessageOf<T extends MessageType> = Extract<ControllerToConsole, { t: T }>;
type Listener<T> = (value: T) => void;

/** Close codes after which retrying cannot help. */
const FATAL_CLOSE_CODES = new Set<number>([CLOSE_CODES.forbidden, CLOSE_CODES.versionMismatch]);

export class ConsoleSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private currentState: ConnectionState = { kind: 'stopped' };
  private readonly messageListeners = new Map<MessageType, Set<Listener<never>>>();
  private readonly dataListeners = new Set<(channel: number, payload: Uint8Array) => void>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();

  /** `onUnauthenticated` runs when the controller refuses the session cookie. */
  constructor(private readonly onUnauthenticated: () => void) {}

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Opens the connection (no-op when already started). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  /** Closes for good (logout); no reconnect. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.close(1000, 'logout');
    this.socket = null;
    this.setState({ kind: 'stopped' });
  }

  /** Skips the remaining backoff delay and reconnects now. */
  retryNow(): void {
    // A socket exists while connecting or open; only a scheduled retry can be hurried.
    if (this.stopped || this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Sends a control message; false when the socket is not open. */
  send(message: ConsoleToController): boolean {
    if (!this.socket || this.currentState.kind !== 'open') return false;
    this.socket.send(encodeControl(message));
    return true;
  }

  /** Sends a binary frame already encoded with the frame codec. */
  sendFrame(frame: Uint8Array): boolean {
    if (!this.socket || this.currentState.kind !== 'open') return false;
    this.socket.send(frame);
    return true;
  }

  /** Subscribes to one message type; returns the unsubscribe function. */
  on<T extends MessageType>(type: T, listener: Listener<MessageOf<T>>): () => void {
    let set = this.messageListeners.get(type);
    if (!set) this.messageListeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Subscribes to DATA frames (any channel). */
  onData(listener: (channel: number, payload: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  /** Subscribes to connection state changes; called at once with the current state. */
  onState(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    listener(this.currentState);
    return () => this.stateListeners.delete(listener);
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/console`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    if (this.currentState.kind !== 'reconnecting') this.setState({ kind: 'connecting' });
    socket.addEventListener('open', () => {
      const hello: ConsoleToController = { t: 'hello', v: PROTOCOL_VERSION, role: 'console' };
      socket.send(encodeControl(hello));
    });
    socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket === socket) this.closed(event.code);
    });
  }

  private receive(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      const result = decodeFrame(new Uint8Array(data));
      if (!result.ok) return console.warn('relais: ignored a malformed frame:', result.reason); // i18n-ignore: developer console
      // The console never receives credit: it is the reader. Only DATA matters here.
      if (result.frame.kind === FrameKind.data) {
        const { channel, payload } = result.frame;
        for (const listener of this.dataListeners) listener(channel, payload);
      }
      return;
    }
    const decoded = decodeControl(controllerToConsole, data);
    if (!decoded.ok) return console.warn('relais: ignored an invalid message:', decoded.code, decoded.detail); // i18n-ignore: developer console
    const message = decoded.message;
    if (message.t === 'welcome') {
      this.attempt = 0;
      this.setState({ kind: 'open' });
    }
    const listeners = this.messageListeners.get(message.t);
    if (listeners) for (const listener of listeners) (listener as Listener<ControllerToConsole>)(message);
  }

  private closed(code: number): void {
    this.socket = null;
    if (this.stopped) return;
    if (code === CLOSE_CODES.unauthenticated) {
      this.stop();
      this.onUnauthenticated();
      return;
    }
    if (FATAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.setState({ kind: 'failed', code });
      return;
    }
    this.attempt += 1;
    const delay = backoffDelay(this.attempt - 1);
    this.setState({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, lastCloseCode: code });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
