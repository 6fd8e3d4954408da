/**
 * The last output of a shell, bounded: one circular buffer of the limit's size,
 * allocated at the first byte, that each payload is copied into (the socket's
 * buffer is not retained, and the relay's hot path allocates nothing: a Buffer per
 * frame made V8 run full collections for the memory outside its heap). The
 * oldest bytes are overwritten once the total passes the limit.
 *
 * What `chunks()` and `since()` return are views into that buffer, valid until
 * the next push: callers copy them (into a frame) before returning.
 */
export class OutputRing {
  private buffer: Buffer | null = null;
  /** Where the next byte goes in `buffer`. */
  private head = 0;
  private total = 0;
  /** Bytes ever pushed: the stream offset just past the newest byte kept. */
  private pushed = 0;

  constructor(private readonly maxBytes: number) {}

  push(payload: Uint8Array): void {
    if (payload.byteLength === 0) return;
    this.pushed += payload.byteLength;
    if (this.maxBytes <= 0) return;
    const chunk = payload.byteLength > this.maxBytes ? payload.subarray(payload.byteLength - this.maxBytes) : payload;
    const buffer = (this.buffer ??= Buffer.allocUnsafe(this.maxBytes));
    const first = Math.min(chunk.byteLength, this.maxBytes - this.head);
    buffer.set(first === chunk.byteLength ? chunk : chunk.subarray(0, first), this.head);
    if (first < chunk.byteLength) buffer.set(chunk.subarray(first), 0);
    this.head = (this.head + chunk.byteLength) % this.maxBytes;
    this.total = Math.min(this.maxBytes, this.total + chunk.byteLength);
  }

  /** What is kept, oldest first (views: copy before the next push). */
  chunks(): readonly Buffer[] {
    return this.since(this.start).chunks;
  }

  get size(): number {
    return this.total;
  }

  /** The stream offset just past the newest byte (bytes ever pushed). */
  get end(): number {
    return this.pushed;
  }

  /** The stream offset of the oldest byte still kept. */
  get start(): number {
    return this.pushed - this.total;
  }

  /**
   * What was pushed from stream offset `from` on, oldest first, at most `maxBytes`
   * (views: copy before the next push); `skipped` counts the bytes from `from` that
   * the ring no longer holds.
   */
  since(from: number, maxBytes = Infinity): { chunks: Buffer[]; skipped: number } {
    const skipped = Math.max(0, this.start - from);
    const begin = Math.max(from, this.start);
    const length = Math.max(0, Math.min(this.end - begin, maxBytes));
    if (length === 0 || !this.buffer) return { chunks: [], skipped };
    // The newest byte sits just before head; `begin` is (end - begin) bytes before head.
    const at = (this.head - (this.end - begin) + this.maxBytes * 2) % this.maxBytes;
    const first = Math.min(length, this.maxBytes - at);
    const chunks = [this.buffer.subarray(at, at + first)];
    if (first < length) chunks.push(this.buffer.subarray(0, length - first));
    return { chunks, skipped };
  }
}
