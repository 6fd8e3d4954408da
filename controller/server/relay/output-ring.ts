/**
 * The last output of a shell, bounded: chunks are kept as received (copied, so the
 * socket's buffer is not retained) and the oldest bytes are dropped once the total
 * passes the limit.
 */
export class OutputRing {
  private readonly kept: Buffer[] = [];
  private total = 0;
  /** Bytes ever pushed: the stream offset just past the newest byte kept. */
  private pushed = 0;

  constructor(private readonly maxBytes: number) {}

  push(payload: Uint8Array): void {
    if (payload.byteLength === 0) return;
    this.pushed += payload.byteLength;
    if (this.maxBytes <= 0) return;
    const chunk = payload.byteLength > this.maxBytes ? payload.subarray(payload.byteLength - this.maxBytes) : payload;
    this.kept.push(Buffer.from(chunk));
    this.total += chunk.byteLength;
    while (this.total > this.maxBytes) {
      const first = this.kept[0]!;
      const over = this.total - this.maxBytes;
      if (first.byteLength <= over) {
        this.kept.shift();
        this.total -= first.byteLength;
      } else {
        this.kept[0] = first.subarray(over);
        this.total -= over;
      }
    }
  }

  /** What is kept, oldest first. */
  chunks(): readonly Buffer[] {
    return [...this.kept];
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
   * What was pushed from stream offset `from` on, oldest first, at most `maxBytes`;
   * `skipped` counts the bytes from `from` that the ring no longer holds.
   */
  since(from: number, maxBytes = Infinity): { chunks: Buffer[]; skipped: number } {
    const skipped = Math.max(0, this.start - from);
    let at = this.start;
    let room = maxBytes;
    const chunks: Buffer[] = [];
    for (const chunk of this.kept) {
      const next = at + chunk.byteLength;
      if (next > from && room > 0) {
        const part = chunk.subarray(Math.max(0, from - at), Math.max(0, from - at) + room);
        chunks.push(part);
        room -= part.byteLength;
      }
      at = next;
    }
    return { chunks, skipped };
  }
}
