/**
 * Credit-based flow control for one channel, like an SSH window, both ends of it.
 * The writer holds a Credit: it spends bytes as it sends and stops when they are
 * gone. The reader acknowledges what it has consumed with CreditAcks, batched, so a
 * fast stream is not one ACK frame per chunk. Shells (the browser renders, then
 * acknowledges) and file transfers (the disk or the download has taken the bytes)
 * share these two rules; protocol/ holds them so every side runs the same one.
 */
import { encodeAck } from './frames.js';

export class Credit {
  private available: number;

  constructor(window: number) {
    this.available = window;
  }

  /** Spends `bytes`; returns true when the window is now exhausted and the source must pause. */
  spend(bytes: number): boolean {
    this.available -= bytes;
    return this.available <= 0;
  }

  /** Adds `bytes` acknowledged by the reader; returns true when sending may go on. */
  grant(bytes: number): boolean {
    // Bounded so a hostile peer cannot overflow the counter into nonsense.
    this.available = Math.min(this.available + bytes, Number.MAX_SAFE_INTEGER);
    return this.available > 0;
  }

  get remaining(): number {
    return this.available;
  }
}

/** A one-shot timer, passed in: protocol/ compiles without any platform's globals. */
export interface AckTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout and clearTimeout exist in every runtime we target (Node, browsers), but not in the ES library. */
interface TimerGlobals {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const platformTimers: AckTimers = {
  set: (callback, ms) => (globalThis as unknown as TimerGlobals).setTimeout(callback, ms),
  clear: (handle) => (globalThis as unknown as TimerGlobals).clearTimeout(handle),
};

export interface CreditAcksOptions {
  /** Acknowledge at once when this much was consumed since the last ACK (default 64 KiB). */
  readonly flushBytes?: number;
  /** Otherwise acknowledge this long after the first unacknowledged byte was consumed (default 10 ms). */
  readonly delayMs?: number;
  readonly timers?: AckTimers;
}

const MAX_CREDIT = 0xffff_ffff;

/** The reader's side: acknowledges consumed bytes as ACK frames, batched. */
export class CreditAcks {
  private consumedBytes = 0;
  private timer: unknown = null;
  private closed = false;
  private readonly flushBytes: number;
  private readonly delayMs: number;
  private readonly timers: AckTimers;

  constructor(
    private readonly channel: number,
    private readonly sendFrame: (frame: Uint8Array) => void,
    options: CreditAcksOptions = {},
  ) {
    this.flushBytes = options.flushBytes ?? 64 * 1024;
    this.delayMs = options.delayMs ?? 10;
    this.timers = options.timers ?? platformTimers;
  }

  /** Records bytes the reader is done with. */
  consumed(bytes: number): void {
    if (this.closed || bytes <= 0) return;
    this.consumedBytes += bytes;
    if (this.consumedBytes >= this.flushBytes) this.flush();
    else if (this.timer === null) this.timer = this.timers.set(() => this.flush(), this.delayMs);
  }

  /** Widens the writer's window by `bytes` beyond what was consumed (a reader that can now take more). */
  grant(bytes: number): void {
    if (bytes <= 0) return;
    this.consumedBytes += bytes;
    this.flush();
  }

  /** Sends what has been consumed so far. */
  flush(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    while (this.consumedBytes > 0 && !this.closed) {
      const credit = Math.min(this.consumedBytes, MAX_CREDIT);
      this.consumedBytes -= credit;
      this.sendFrame(encodeAck(this.channel, credit));
    }
  }

  /** Stops acknowledging: the channel is gone. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
