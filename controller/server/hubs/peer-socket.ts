/**
 * One websocket peer (agent or console) as the hubs see it: every text frame is
 * validated against the direction's schema before a handler sees it, binary
 * frames are handed over untouched, violations are counted, heartbeats detect
 * dead peers, and bytes waiting in the socket are tracked for the relay. Nothing a
 * peer sends can end the process: whatever a handler throws is logged and closes
 * this socket at most, and a message too large to send is logged, not thrown.
 */
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES, ERRORS, LIMITS, RelaisError, decodeControl, encodeControl, plainText, type ErrorCode, type ControllerToAgent, type ControllerToConsole,
} from '../../../protocol/index.js';
import { quietLog, type Log } from '../observability/logger.js';

type Union = Parameters<typeof decodeControl>[0];

/** Stream frames are forwarded as received: binary, never compressed (deflate is off on every socket). */
const FRAME_SEND_OPTIONS = Object.freeze({ binary: true, compress: false, fin: true });

export interface PeerHandlers<In> {
  onMessage(message: In): void | Promise<void>;
  onBinary(frame: Buffer): void;
  onClose(code: number): void;
}

export interface PeerOptions {
  /** How long a peer has to complete the closing handshake before it is cut off (default 2 s; tests shorten it). */
  readonly closeGraceMs?: number;
  /** This connection's logger (its request id and address bound); none: nothing is logged (unit tests). */
  readonly log?: Log;
  /** Hears the code of every error sent to the peer: a message refused, or the reason a connection is closed (metrics). */
  readonly onRefused?: (code: ErrorCode) => void;
}

const DEFAULT_CLOSE_GRACE_MS = 2000;

export class PeerSocket<In extends { t: string }, Out extends ControllerToAgent | ControllerToConsole> {
  private violations = 0;
  private alive = true;
  private heartbeat: NodeJS.Timeout | null = null;
  private handlers: PeerHandlers<In> | null = null;
  /** Bytes handed to the socket and not yet written to the kernel. */
  pendingBytes = 0;
  private drainWaiters: Array<() => void> = [];
  closed = false;
  /** This connection's logger; the hub binds the device or account once it knows it (identify). */
  private log: Log;

  constructor(
    readonly ws: WebSocket,
    private readonly schema: Union,
    readonly ip: string,
    label: string,
    private readonly options: PeerOptions = {},
  ) {
    this.log = (options.log ?? quietLog).child({ peer: label });
    ws.on('message', (data, isBinary) => this.guard(isBinary ? 'a binary frame' : 'a text frame', () => this.receive(data as Buffer | Buffer[], isBinary)));
    ws.on('pong', () => (this.alive = true));
    // ws raises protocol errors (bad frames, payload over maxPayload) here and closes with 1002/1009:
    // the peer's fault, not a bug of ours, so its code and words without a stack.
    ws.on('error', (err) => this.log.warn({ wsError: (err as NodeJS.ErrnoException).code ?? null, reason: err.message }, 'websocket: the peer broke the protocol'));
    ws.on('close', (code) => {
      this.closed = true;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.flushDrainWaiters();
      this.guard('the close', () => this.handlers?.onClose(code));
    });
  }

  /** Starts dispatching validated messages to the handlers, and heartbeats. */
  attach(handlers: PeerHandlers<In>, heartbeatMs: number): void {
    this.handlers = handlers;
    this.heartbeat = setInterval(() => {
      if (!this.alive) return this.fail('PROTO_ERR_HEARTBEAT_TIMEOUT');
      this.alive = false;
      this.ws.ping();
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /** Validates the first message (the hello) before anything is attached. */
  awaitHello(timeoutMs: number): Promise<In> {
    return this.awaitNext('hello', timeoutMs, { wrong: 'PROTO_ERR_HELLO_REQUIRED', late: 'PROTO_ERR_HELLO_REQUIRED' });
  }

  /**
   * Waits for the next message, which must be a valid `type`, before anything is
   * attached (the hello, then a device's answer to its challenge). Rejects with
   * `codes.wrong` for anything else and `codes.late` when nothing valid came in time.
   */
  awaitNext<T extends In['t']>(type: T, timeoutMs: number, codes: { wrong: ErrorCode; late: ErrorCode }): Promise<Extract<In, { t: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new RelaisError(codes.late, `No ${type} arrived in time.`)), timeoutMs);
      const done = (result: Extract<In, { t: T }> | RelaisError) => {
        clearTimeout(timer);
        this.ws.off('message', first);
        this.ws.off('close', onClose);
        if (result instanceof RelaisError) reject(result);
        else resolve(result);
      };
      const first = (data: Buffer, isBinary: boolean) => this.guard(`the ${type}`, () => {
        if (isBinary) return done(new RelaisError(codes.wrong, `A binary frame came before ${type}.`));
        const decoded = decodeControl(this.schema, data);
        if (!decoded.ok) return done(new RelaisError(decoded.code === 'PROTO_ERR_MESSAGE_TOO_LARGE' ? decoded.code : codes.wrong, decoded.detail));
        if (decoded.message.t !== type) return done(new RelaisError(codes.wrong, `Got "${decoded.message.t}" instead of ${type}.`));
        done(decoded.message as Extract<In, { t: T }>);
      });
      const onClose = () => done(new RelaisError(codes.late, `The connection closed before ${type}.`));
      // Registered before the generic listener's dispatch is attached, so it sees the next frame alone.
      this.ws.prependListener('message', first);
      this.ws.once('close', onClose);
    });
  }

  /** Sends a control message; false when the socket is closed or the message breaks a limit (logged, never thrown). */
  send(message: Out): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN || this.cutOffIfNotReading()) return false;
    let encoded: string;
    try {
      encoded = encodeControl(message);
    } catch (err) {
      // Messages built from peer data fit by construction; one that does not is a bug to log, not a reason to stop.
      this.log.error({ err, message: message.t }, 'websocket: a message was not sent');
      return false;
    }
    this.ws.send(encoded);
    return true;
  }

  /**
   * Sends a binary frame as is; `pendingBytes` counts it until the kernel has it. `written`
   * runs then too (or at once if the socket is closed): the frame's buffer may be reused.
   */
  sendBinary(frame: Buffer, written?: () => void): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN || this.cutOffIfNotReading()) return written?.();
    const size = frame.byteLength;
    this.pendingBytes += size;
    this.ws.send(frame, FRAME_SEND_OPTIONS, () => {
      written?.();
      this.pendingBytes -= size;
      if (this.pendingBytes <= LIMITS.relayHighWaterBytes / 2) this.flushDrainWaiters();
    });
  }

  /** Resolves once queued bytes are back under half the high-water mark (or the socket closed). */
  whenDrained(callback: () => void): void {
    if (this.closed || this.pendingBytes <= LIMITS.relayHighWaterBytes / 2) return callback();
    this.drainWaiters.push(callback);
  }

  sendError(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}): void {
    this.options.onRefused?.(code);
    // The detail may quote the peer's own text: it is made valid text before it goes back.
    const message = plainText(detail ? `${ERRORS[code].message} ${detail}` : ERRORS[code].message, 1024);
    this.send({ t: 'error', code, message, ...extra } as Out);
  }

  /** Reports an error; closes with the catalog's close code when the error is a closing one. */
  fail(code: ErrorCode, detail?: string): void {
    if (this.closed) return;
    this.sendError(code, detail);
    const close = ERRORS[code].close;
    if (close !== null) {
      this.log.info({ refusal: code, closeCode: close }, 'websocket: connection closed by the controller');
      this.close(close, code);
    }
  }

  /** Binds what the hub learned about this connection (the device, the account) to its later lines. */
  identify(bindings: { device?: string; account?: string; session?: string }): void {
    this.log = this.log.child(bindings);
  }

  /** This connection's logger, for the parts that act on it (the hubs, the job watch). */
  get logger(): Log {
    return this.log;
  }

  close(code: number = CLOSE_CODES.serverShutdown, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason.slice(0, 120));
    // A peer that does not complete the closing handshake is cut off.
    setTimeout(() => this.ws.terminate(), this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS).unref();
  }

  /**
   * A peer that stops reading while it keeps asking (answers, scrollback replays, updates)
   * would make the controller queue without bound: past LIMITS.maxPeerBacklogBytes it is
   * cut off. Nothing more is sent (it would not be read); the close says why, and the
   * socket is ended for good after the grace time.
   */
  private cutOffIfNotReading(): boolean {
    const queued = this.ws.bufferedAmount;
    if (queued <= LIMITS.maxPeerBacklogBytes) return false;
    this.log.warn({ refusal: 'PROTO_ERR_TOO_SLOW', queuedBytes: queued }, 'websocket: the peer stopped reading; connection closed');
    this.close(ERRORS.PROTO_ERR_TOO_SLOW.close ?? CLOSE_CODES.heartbeatTimeout, 'PROTO_ERR_TOO_SLOW');
    return true;
  }

  /** Counts a protocol violation; too many close the socket. */
  violation(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}): void {
    this.violations += 1;
    if (this.violations > LIMITS.maxViolations) return this.fail('PROTO_ERR_TOO_MANY_VIOLATIONS');
    this.log.debug({ refusal: code, violations: this.violations }, 'websocket: message refused');
    this.sendError(code, detail, extra);
  }

  private receive(data: Buffer | Buffer[], isBinary: boolean): void | Promise<void> {
    if (!this.handlers || this.closed) return;
    const buffer = Array.isArray(data) ? Buffer.concat(data) : data;
    if (isBinary) return this.handlers.onBinary(buffer);
    const decoded = decodeControl(this.schema, buffer);
    if (!decoded.ok) {
      if (ERRORS[decoded.code].close !== null) return this.fail(decoded.code, decoded.detail);
      return this.violation(decoded.code, decoded.detail);
    }
    const message = decoded.message as In;
    const handlers = this.handlers;
    this.guard(`"${message.t}"`, () => handlers.onMessage(message));
  }

  /**
   * Runs what one frame asks, so that nothing it throws, now or later, leaves this socket:
   * a catalog refusal is answered; anything else is logged (the error, never the message,
   * which may hold secrets) and closes this socket only.
   */
  private guard(what: string, run: () => void | Promise<void>): void {
    const failed = (err: unknown) => {
      if (err instanceof RelaisError) return this.fail(err.code);
      // The error, never the message, which may hold secrets.
      this.log.error({ err, handling: what }, 'websocket: handling a message failed');
      this.fail('PROTO_ERR_HANDLER_FAILED');
    };
    try {
      const result = run();
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private flushDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
