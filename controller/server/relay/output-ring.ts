/**
 * The last output of a shell, bounded: chunks are kept as received (copied, so the
 * socket's buffer is not retained) and the oldest bytes are dropped once the total
 * passes the limit.
 */
export class OutputRing {
  private readonly kept: Buffer[] = [];
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  push(payload: Uint8Array): void {
    if (this.maxBytes <= 0 || payload.byteLength === 0) return;
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
}
