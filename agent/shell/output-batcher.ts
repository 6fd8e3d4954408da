/**
 * Few, large DATA frames from a pty's many small reads (a pty hands over ~4 KiB
 * at a time), gathered straight into the frame buffer: one copy, no concat per
 * read. When the shell is quiet, what it prints (a keystroke's echo) leaves at the
 * end of the event-loop turn that read it, with no timer: batching costs echo
 * nothing. While it streams (the last frame was large and recent), reads are
 * gathered for up to STREAM_BUDGET_MS, or until a frame is full.
 */
import { FRAME_HEADER_BYTES, LIMITS, writeDataHeader } from '../../protocol/index.js';

/** How long a streaming shell's output may wait for more to fill its frame. */
export const STREAM_BUDGET_MS = 1;
/** A frame at least this large means the shell is streaming, not answering keys. */
export const STREAMING_FRAME_BYTES = 2048;
/** ...if it left this recently. */
const STREAMING_WINDOW_MS = 10;

/** When to flush: at the end of this turn, or after a delay; and the time now (fakes in tests). */
export interface Defer {
  endOfTurn(flush: () => void): void;
  after(ms: number, flush: () => void): void;
  now(): number;
}

const realTime: Defer = {
  endOfTurn: (flush) => void setImmediate(flush),
  after: (ms, flush) => void setTimeout(flush, ms),
  now: () => Date.now(),
};

export class OutputBatcher {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  /** When the last large frame left (streaming detection). */
  private lastLargeFrameAt = Number.NEGATIVE_INFINITY;

  /**
   * `deliver` gets each frame (header included) and a view of its payload;
   * `maxPayload` is the protocol's chunk limit unless a test wants it smaller.
   */
  constructor(
    private readonly channel: number,
    private readonly deliver: (frame: Uint8Array, payload: Uint8Array) => void,
    private readonly defer: Defer = realTime,
    private readonly maxPayload: number = LIMITS.maxChunkBytes,
  ) {}

  /** Output read from the shell; the bytes are only read, and kept until the flush. */
  push(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.byteLength;
    // Full frames leave at once: a fast stream is not held back a whole turn.
    while (this.pendingBytes >= this.maxPayload) this.emit(this.maxPayload);
    if (this.pendingBytes > 0 && !this.scheduled) {
      this.scheduled = true;
      const flush = (): void => {
        this.scheduled = false;
        this.flush();
      };
      if (this.streaming) this.defer.after(STREAM_BUDGET_MS, flush);
      else this.defer.endOfTurn(flush);
    }
  }

  /** True while the shell pours output (the last large frame is recent). */
  get streaming(): boolean {
    return this.defer.now() - this.lastLargeFrameAt <= STREAMING_WINDOW_MS;
  }

  /** Sends whatever is pending now (the shell ended, or the turn is over). */
  flush(): void {
    while (this.pendingBytes > 0) this.emit(Math.min(this.pendingBytes, this.maxPayload));
  }

  /** Bytes read and not yet framed. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Moves the first `size` pending bytes into one frame and delivers it. */
  private emit(size: number): void {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + size);
    let offset = FRAME_HEADER_BYTES;
    while (offset < frame.byteLength) {
      const head = this.pending[0] as Uint8Array;
      const room = frame.byteLength - offset;
      if (head.byteLength <= room) {
        frame.set(head, offset);
        offset += head.byteLength;
        this.pending.shift();
      } else {
        frame.set(head.subarray(0, room), offset);
        offset += room;
        this.pending[0] = head.subarray(room);
      }
    }
    this.pendingBytes -= size;
    if (size >= STREAMING_FRAME_BYTES) this.lastLargeFrameAt = this.defer.now();
    writeDataHeader(frame, this.channel);
    this.deliver(frame, frame.subarray(FRAME_HEADER_BYTES));
  }
}
