/**
 * Writes that arrive together go to the store together. The first write goes at once;
 * while it is on its way the next ones queue, and they go as one batch, one statement for
 * the lot. On PostgreSQL each statement is a round trip and a socket write, and a job on a
 * thousand devices sends three writes per device (started, output, result): one statement
 * per batch instead of one per write is most of what such a job costs the database and the
 * node (a profile of the cluster bench put 30 % of a node's time in the pg socket's writev).
 *
 * Two writes with one key (the same run, or the same output stream) never share a batch:
 * one statement could not say which of the two took effect, and an output's byte bound
 * counts only what is already stored. The later one waits for the next batch, in order.
 */
export class WriteBatcher<T> {
  private readonly queue: Array<{ readonly item: T; resolve(done: boolean): void; reject(err: unknown): void }> = [];
  private writing = false;

  /** `write` stores a batch (distinct keys) and answers the keys whose write took effect. */
  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly write: (batch: readonly T[]) => Promise<ReadonlySet<string>>,
    private readonly maxBatch = 200,
  ) {}

  /** True once stored, false when the store refused it (its condition did not hold). */
  add(item: T): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.nextBatch();
        try {
          const done = await this.write(batch.map((q) => q.item));
          for (const q of batch) q.resolve(done.has(this.keyOf(q.item)));
        } catch (err) {
          for (const q of batch) q.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The queue's head up to the batch size or the first key already in the batch. */
  private nextBatch(): typeof this.queue {
    const keys = new Set<string>();
    let n = 0;
    while (n < this.queue.length && n < this.maxBatch) {
      const key = this.keyOf(this.queue[n]!.item);
      if (keys.has(key)) break;
      keys.add(key);
      n++;
    }
    return this.queue.splice(0, n);
  }
}
