/**
 * The agent's one websocket to the controller: hello (and the answer to a
 * challenge, for a managed device), validation of every incoming message and
 * frame, violation counting, heartbeat watchdog, and reconnection with backoff.
 * Who we are is the credentials' business; the link knows nothing of shells.
 */
import WebSocket from 'ws';
import {
  CLOSE_CODES, ERRORS, LIMITS, PROTOCOL_VERSION, RECONNECT_BACKOFF, SUPPORTED_VERSIONS, controllerToAgent, decodeControl, decodeFrame,
  describeError, encodeControl, errorWords, isErrorCode, plainText, type AgentToController, type BackoffPolicy, type ControllerToAgent, type ErrorCode, type Frame,
  type UnattendedPolicy, framesNeedMasking, zeroMask,
} from '../../protocol/index.js';
import type { LinkCredentials } from './credentials.js';
import { ControllerRotation } from './controller-rotation.js';
import { agentLanguage } from '../cli/agent-language.js';
import { words } from '../person/person-words.js';

export type Welcome = Extract<ControllerToAgent, { t: 'welcome' }>;


/** One options object for every frame (binary, uncompressed, final). */
const FRAME_SEND_OPTIONS = Object.freeze({ binary: true, compress: false, fin: true });
export type SessionMessage = Exclude<ControllerToAgent, { t: 'welcome' | 'auth.challenge' }>;
export type AgentMessage = AgentToController;

export interface LinkOptions {
  /** The controller's agent endpoints, tried in turn (ControllerRotation): one address, or the nodes of a cluster. */
  readonly wsUrls: readonly string[];
  readonly credentials: LinkCredentials;
  readonly agent: { readonly version: string; readonly platform: string; readonly arch: string; readonly hostname: string };
  /** How long a person here has to answer a shell request; told in the hello so the technician sees a countdown. */
  readonly consentTimeoutMs?: number;
  /** A managed device's local policy, read afresh for each hello (reported, never received). */
  readonly policy?: () => UnattendedPolicy | null;
  readonly heartbeatTimeoutMs: number;
  readonly backoff?: BackoffPolicy;
}

/** What the link reports to the session. Every message handed over is already validated. */
export interface LinkListener {
  welcomed(welcome: Welcome, resumed: boolean): void;
  message(message: SessionMessage): void;
  frame(frame: Frame): void;
  /** The connection is gone (or could not be made, `reason` says why); another attempt follows in `retryInMs`. */
  lost(retryInMs: number, wasWelcomed: boolean, reason: string): void;
  /** The controller refused us for good: the agent must stop. */
  fatal(code: ErrorCode): void;
}

export class Link {
  private socket: WebSocket | null = null;
  private welcomed = false;
  /** Welcomed at least once: later welcomes are reconnections. */
  private everWelcomed = false;
  private challenged = false;
  private violations = 0;
  private lastSeen = 0;
  private problem = '';
  private stopped = false;
  private watchdog: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  private readonly rotation: ControllerRotation;

  constructor(private readonly options: LinkOptions, private readonly listener: LinkListener) {
    this.rotation = new ControllerRotation(options.wsUrls, options.backoff ?? RECONNECT_BACKOFF);
  }

  /** The address this link dials now (or is connected to). */
  get wsUrl(): string {
    return this.rotation.current;
  }

  /** Opens the first connection; later ones follow by themselves until stop(). */
  start(): void {
    this.connect();
  }

  get isWelcomed(): boolean {
    return this.welcomed && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a control message if the session is up; returns false when it could not be sent. */
  send(message: AgentToController): boolean {
    if (!this.isWelcomed || !this.socket) return false;
    let text: string;
    try {
      text = encode(message);
    } catch {
      // Larger than the protocol allows (a huge diagnostics report): not sent rather than crash.
      return false;
    }
    this.socket.send(text);
    return true;
  }

  /** Sends an encoded binary frame if the session is up (never compressed: the socket has no deflate, and output would not pay for it). */
  sendFrame(frame: Uint8Array): boolean {
    if (!this.isWelcomed || !this.socket) return false;
    this.socket.send(frame, FRAME_SEND_OPTIONS, () => {
      if (this.socket && this.socket.bufferedAmount <= LIMITS.relayHighWaterBytes / 2) this.flushDrainWaiters();
    });
    return true;
  }

  /**
   * True while too many bytes wait in our socket. Credit alone trusts the controller
   * to acknowledge honestly; this keeps a controller that grants credit but never
   * reads from growing the agent's memory.
   */
  get congested(): boolean {
    return (this.socket?.bufferedAmount ?? 0) > LIMITS.relayHighWaterBytes;
  }

  /** Calls back once the socket's queue is back under half the high-water mark (or the socket is gone). */
  whenDrained(callback: () => void): void {
    if (!this.congested) return callback();
    this.drainWaiters.push(callback);
    // Send callbacks wake the waiters as frames leave; this check catches the case where the
    // last one ran before the queue was low enough (other messages still queued behind it):
    // with the shell paused no frame would follow, and nothing else would ever wake them.
    this.drainCheck ??= setInterval(() => {
      if ((this.socket?.bufferedAmount ?? 0) <= LIMITS.relayHighWaterBytes / 2) this.flushDrainWaiters();
    }, 50);
    this.drainCheck.unref?.();
  }

  private drainWaiters: Array<() => void> = [];
  private drainCheck: ReturnType<typeof setInterval> | null = null;

  private flushDrainWaiters(): void {
    if (this.drainCheck) clearInterval(this.drainCheck);
    this.drainCheck = null;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  /** Tells the controller what was wrong with something it sent, without counting it as a violation. */
  replyError(code: ErrorCode, detail: string, channel?: number): void {
    // The controller logs only the code; these words are the protocol's, in English.
    const message = plainText(`${describeError(code)} ${detail}`.trim(), 1024);
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(encode({ t: 'error', code, message, ...(channel !== undefined ? { channel } : {}) }));
  }

  /** Replies an error and counts a violation; too many close the connection (which then reconnects). */
  violation(code: ErrorCode, detail: string, channel?: number): void {
    this.violations += 1;
    this.replyError(code, detail, channel);
    if (!this.welcomed) {
      this.closeSoon(CLOSE_CODES.protocolViolation, 'PROTO_ERR_HELLO_REQUIRED');
    } else if (this.violations > LIMITS.maxViolations) {
      this.replyError('PROTO_ERR_TOO_MANY_VIOLATIONS', '');
      this.closeSoon(CLOSE_CODES.protocolViolation, 'PROTO_ERR_TOO_MANY_VIOLATIONS');
    }
  }

  /** Starts the closing handshake, and cuts the connection if the peer does not finish it promptly. */
  private closeSoon(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), 1000).unref();
  }

  /** Closes for good (no reconnect); resolves once the socket is closed or after a short grace time. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      socket.close(1000, 'session ended'); // i18n-ignore: a websocket close reason, protocol only
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.welcomed = false;
    this.challenged = false;
    this.violations = 0;
    this.problem = '';
    const socket = new WebSocket(this.rotation.current, {
      maxPayload: LIMITS.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      // A zero mask over TLS or loopback: ws then sends the frame's own buffer, unmasked and uncopied.
      ...(framesNeedMasking(this.rotation.current) ? {} : { generateMask: zeroMask }),
    });
    this.socket = socket;
    socket.on('open', () => {
      this.lastSeen = Date.now();
      this.startWatchdog(socket);
      const auth = this.options.credentials.helloAuth();
      const policy = this.options.policy?.() ?? null;
      const timeout = this.options.consentTimeoutMs;
      socket.send(encode({ t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth, agent: this.options.agent, ...(policy ? { policy } : {}), ...(timeout !== undefined ? { consentTimeoutMs: timeout } : {}) }));
    });
    socket.on('ping', () => (this.lastSeen = Date.now()));
    socket.on('message', (data, isBinary) => {
      if (socket !== this.socket) return;
      this.lastSeen = Date.now();
      // ws hands over a Buffer (binaryType 'nodebuffer'); no copy on the hot path.
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      try {
        if (isBinary) this.onBinary(bytes);
        else this.onText(bytes);
      } catch (error) {
        // Nothing the controller sends may stop the agent: the connection starts over instead.
        this.problem = plainText(words('linkHandlerFailed', { error: error instanceof Error ? error.message : String(error) }), 200);
        this.replyError('PROTO_ERR_HANDLER_FAILED', '');
        this.closeSoon(ERRORS.PROTO_ERR_HANDLER_FAILED.close, 'PROTO_ERR_HANDLER_FAILED');
      }
    });
    // ws reports errors (refused, oversized frame, bad handshake) and then always emits close.
    socket.on('error', (error) => (this.problem = plainText(error.message, 200)));
    socket.on('close', (code, reason) => {
      this.flushDrainWaiters();
      this.onClose(socket, code, reason.toString('utf8'));
    });
  }

  private onText(bytes: Uint8Array): void {
    const decoded = decodeControl(controllerToAgent, bytes);
    if (!decoded.ok) return this.violation(decoded.code, decoded.detail);
    const message = decoded.message;
    const { credentials } = this.options;
    if (message.t === 'error' && isErrorCode(message.code) && credentials.isFatal(message.code)) return this.fail(message.code);
    if (!this.welcomed) {
      if (message.t === 'welcome') return this.onWelcome(message);
      if (message.t === 'auth.challenge') return this.onChallenge(message.nonce);
      if (message.t === 'error') {
        this.problem = plainText(errorWords(message.code, agentLanguage()), 200);
        return this.closeSoon(1000, 'refused');
      }
      return this.violation('PROTO_ERR_HELLO_REQUIRED', `expected welcome, got ${message.t}`); // i18n-ignore: protocol detail for the controller's log
    }
    if (message.t === 'welcome' || message.t === 'auth.challenge') return this.violation('PROTO_ERR_INVALID_MESSAGE', `${message.t} after welcome`); // i18n-ignore: protocol detail for the controller's log
    this.listener.message(message);
  }

  /** Signs the controller's challenge, once per connection, when our credentials are a device key. */
  private onChallenge(nonce: string): void {
    const signature = this.challenged ? null : this.options.credentials.answerChallenge(nonce);
    if (signature === null) return this.violation('PROTO_ERR_INVALID_MESSAGE', 'no challenge was expected'); // i18n-ignore: protocol detail for the controller's log
    this.challenged = true;
    this.socket?.send(encode({ t: 'auth.response', signature }));
  }

  private onWelcome(welcome: Welcome): void {
    if (!SUPPORTED_VERSIONS.includes(welcome.v)) return this.fail('PROTO_ERR_VERSION_MISMATCH');
    const problem = this.options.credentials.accept(welcome);
    if (problem !== null) return this.violation('PROTO_ERR_INVALID_MESSAGE', `welcome: ${problem}`);
    const resumed = this.everWelcomed;
    this.everWelcomed = true;
    this.welcomed = true;
    this.rotation.succeeded();
    this.listener.welcomed(welcome, resumed);
  }

  private onBinary(bytes: Uint8Array): void {
    if (!this.welcomed) return this.violation('PROTO_ERR_HELLO_REQUIRED', 'binary frame before welcome'); // i18n-ignore: protocol detail for the controller's log
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) return this.violation('PROTO_ERR_BAD_FRAME', decoded.reason);
    this.listener.frame(decoded.frame);
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.clearTimers();
    const wasWelcomed = this.welcomed;
    this.welcomed = false;
    this.socket = null;
    if (this.stopped) return;
    const fatal = this.options.credentials.fatalForClose(code, reason);
    if (fatal) return this.fail(fatal);
    const delay = this.rotation.failed();
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.listener.lost(delay, wasWelcomed, this.problem || words('linkClosed', { code: String(code) }));
  }

  private fail(code: ErrorCode): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    this.welcomed = false;
    this.socket?.close(1000, 'refused');
    this.listener.fatal(code);
  }

  private startWatchdog(socket: WebSocket): void {
    const every = Math.max(250, Math.min(1000, this.options.heartbeatTimeoutMs / 4));
    this.watchdog = setInterval(() => {
      // Silence this long means the path is dead even if TCP has not noticed; start over.
      if (Date.now() - this.lastSeen <= this.options.heartbeatTimeoutMs) return;
      this.problem = words('linkNoHeartbeat');
      socket.terminate();
    }, every);
  }

  private clearTimers(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.watchdog = this.retryTimer = null;
  }
}

/** Typed front of encodeControl: only agent→controller messages leave the agent. */
function encode(message: AgentToController): string {
  return encodeControl(message);
}
