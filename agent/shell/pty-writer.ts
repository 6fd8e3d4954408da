/**
 * Keystrokes into a pty, written at once on the main thread. node-pty 1.1 hands each
 * write to libuv's thread pool (fs.write), and on a busy 2-core machine that round
 * trip put 300–400 µs on a keystroke's p99, against about 90 µs written directly
 * (scripts/bench/README.md). node-pty opens the master side non-blocking, so a write
 * here never waits: what the pty cannot take now (a paste into a program that is not
 * reading) is kept, in order, and tried again a little later, less often while the
 * program still takes nothing.
 *
 * The descriptor belongs to node-pty's read stream, which closes it the moment a read
 * fails (the shell ended), before any event says so. `isOpen` asks that stream, on
 * this same thread, before every write: a number that was closed, and perhaps already
 * reused by a file another thread opened, is never written to.
 */
import { writeSync } from 'node:fs';

/** Writes what it can of `bytes` to `fd` and says how much; throws as fs.writeSync does (EAGAIN: nothing fits now). */
export type WriteSome = (fd: number, bytes: Uint8Array) => number;

/** Runs `retry` after `ms`; the returned function cancels it. */
export type Later = (ms: number, retry: () => void) => () => void;

const realLater: Later = (ms, retry) => {
  const timer = setTimeout(retry, ms);
  return () => clearTimeout(timer);
};

export const FIRST_RETRY_MS = 1;
export const LONGEST_RETRY_MS = 32;

/** Errors that mean "not now" rather than "never". */
const NOT_NOW = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

export class PtyWriter {
  private queue: Uint8Array[] = [];
  private cancelRetry: (() => void) | null = null;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly isOpen: () => boolean,
    private readonly writeSome: WriteSome = (fd, bytes) => writeSync(fd, bytes),
    private readonly later: Later = realLater,
  ) {}

  /** Bytes waiting for the pty to take them. */
  get queuedBytes(): number {
    return this.queue.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  }

  write(bytes: Uint8Array): void {
    if (this.closed || bytes.byteLength === 0) return;
    let rest = bytes;
    if (this.queue.length === 0) {
      const written = this.attempt(rest);
      if (this.closed || written === rest.byteLength) return;
      rest = rest.subarray(written);
    }
    // A copy: the caller's buffer (a websocket message) is not ours to keep.
    this.queue.push(Uint8Array.from(rest));
    this.schedule();
  }

  /** The shell is gone: what waits is dropped, and later writes too. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.cancelRetry?.();
    this.cancelRetry = null;
  }

  private flush(): void {
    this.cancelRetry = null;
    let progressed = false;
    while (this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const written = this.attempt(head);
      if (this.closed) return;
      if (written > 0) progressed = true;
      if (written < head.byteLength) {
        this.queue[0] = head.subarray(written);
        break;
      }
      this.queue.shift();
    }
    this.retryMs = progressed || this.queue.length === 0 ? FIRST_RETRY_MS : Math.min(this.retryMs * 2, LONGEST_RETRY_MS);
    if (this.queue.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.cancelRetry) return;
    this.cancelRetry = this.later(this.retryMs, () => this.flush());
  }

  /** Bytes the pty took; 0 when it is full. Any other failure (the shell is gone) closes the writer. */
  private attempt(bytes: Uint8Array): number {
    if (!this.isOpen()) {
      this.close();
      return 0;
    }
    try {
      return this.writeSome(this.fd, bytes);
    } catch (error) {
      if (NOT_NOW.has((error as NodeJS.ErrnoException).code ?? '')) return 0;
      this.close();
      return 0;
    }
  }
}
