/**
 * The person's screen as an ordered writer that never blocks the agent and never
 * drops a byte: what arrives while a write is under way is coalesced into the next
 * one. Past a high-water mark it says it is congested, and the remote shell's pty
 * is paused until the terminal has caught up — the shell waits as long as it would
 * have waited on that terminal itself, and no longer.
 *
 * While output streams, a write that follows the previous one within `gatherMs`
 * waits out the rest of that time (or until `gatherBytes` are queued): a pty hands
 * over at most 4 KiB per read, and on a terminal each write is a round trip through
 * libuv's thread pool (terminal-sink.ts), so writing every read costs the agent more
 * than the bytes themselves. A keystroke's echo after a pause, and the agent's own
 * words (a question, a notice), are written at once.
 */

/** Where the bytes go: writes every chunk, in order, then calls `done` (with the error when the terminal is gone). */
export interface OutputSink {
  write(chunks: ReadonlyArray<Uint8Array | string>, done: (error: Error | null) => void): void;
}

export interface MirrorLimits {
  /** Bytes waiting (queued or being written) above which the writer is congested. */
  readonly highWaterBytes: number;
  /** Congestion ends once no more than this waits. */
  readonly lowWaterBytes: number;
  /** While streaming, the shortest time between two writes (0: write whenever the last one is done). */
  readonly gatherMs?: number;
  /** …unless this much is already queued. */
  readonly gatherBytes?: number;
}

/** A terminal keeps a few KiB in its pty; this lets short stalls (a scroll, a resize) pass without pausing the shell. */
export const MIRROR_LIMITS: MirrorLimits = Object.freeze({ highWaterBytes: 1024 * 1024, lowWaterBytes: 256 * 1024, gatherMs: 4, gatherBytes: 128 * 1024 });

export class MirrorWriter {
  private queue: Array<Uint8Array | string> = [];
  private queuedBytes = 0;
  private writingBytes = 0;
  private writing = false;
  /** The terminal is gone (EPIPE, EIO): nobody can see anything, so nothing may wait on it. */
  private gone = false;
  private drainWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  /** When the last write finished (performance.now()), and the timer that gathers the next one. */
  private lastDoneAt = -Infinity;
  private gatherTimer: ReturnType<typeof setTimeout> | null = null;
  /** Text of the agent's own is queued: the person must see it now. */
  private wordsQueued = false;

  /**
   * `textNewline` ends the lines of text written (the agent's own words; bytes, the
   * mirrored shell, are never changed): "\r\n" on a terminal without output processing.
   */
  constructor(private readonly sink: OutputSink, private readonly limits: MirrorLimits = MIRROR_LIMITS, private readonly textNewline: '\n' | '\r\n' = '\n') {}

  /** Queues bytes or text for the screen, after everything written before. */
  write(data: Uint8Array | string): void {
    if (this.gone) return;
    if (typeof data === 'string' && this.textNewline !== '\n') data = data.replace(/\r?\n/g, this.textNewline);
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (size === 0) return;
    this.queue.push(data);
    this.queuedBytes += size;
    if (typeof data === 'string') this.wordsQueued = true;
    if (!this.writing) this.pumpOrGather();
  }

  /** Bytes accepted and not yet written to the terminal. */
  get pendingBytes(): number {
    return this.queuedBytes + this.writingBytes;
  }

  get congested(): boolean {
    return this.pendingBytes > this.limits.highWaterBytes;
  }

  /** Calls back once no more than the low-water mark waits (at once if that is already so). */
  whenDrained(callback: () => void): void {
    if (this.gone || this.pendingBytes <= this.limits.lowWaterBytes) return callback();
    this.drainWaiters.push(callback);
  }

  /** Resolves once everything written so far is on the screen, or after `ms` (a terminal frozen with Ctrl+S). */
  idle(ms: number): Promise<void> {
    if (this.gone || this.pendingBytes === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Writes now, or once the gathering time since the last write is over (or enough is queued). */
  private pumpOrGather(): void {
    const gatherMs = this.limits.gatherMs ?? 0;
    const wait = this.lastDoneAt + gatherMs - performance.now();
    if (wait <= 0 || this.wordsQueued || this.queuedBytes >= (this.limits.gatherBytes ?? 0)) return this.pump();
    this.gatherTimer ??= setTimeout(() => {
      this.gatherTimer = null;
      if (!this.writing && this.queue.length > 0) this.pump();
    }, wait);
  }

  /** Hands everything queued to the sink as one write. */
  private pump(): void {
    if (this.gatherTimer) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = null;
    }
    const chunks = this.queue;
    this.queue = [];
    this.wordsQueued = false;
    this.writingBytes = this.queuedBytes;
    this.queuedBytes = 0;
    this.writing = true;
    this.sink.write(chunks, (error) => {
      this.writing = false;
      this.writingBytes = 0;
      this.lastDoneAt = performance.now();
      if (error) {
        this.gone = true;
        this.queue = [];
        this.queuedBytes = 0;
      }
      if (this.queue.length > 0) this.pumpOrGather();
      if (this.pendingBytes <= this.limits.lowWaterBytes) wake(this.drainWaiters.splice(0));
      if (this.pendingBytes === 0) wake(this.idleWaiters.splice(0));
    });
  }
}

function wake(waiters: Array<() => void>): void {
  for (const waiter of waiters) waiter();
}
