/** Token buckets per key: a burst of attempts, then one more every `everyMs`. In memory: a restart forgives. */
export interface RateOptions {
  /** Attempts allowed at once. */
  readonly burst: number;
  /** One attempt comes back every this many milliseconds. */
  readonly everyMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Keys tracked before full buckets are swept (memory stays bounded whoever calls). */
const SWEEP_AT = 50_000;

export class RateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RateOptions, private readonly now: () => number = Date.now) {}

  /** True when `key` has an attempt left now (nothing is taken). */
  allows(key: string): boolean {
    return this.refill(key).tokens >= 1;
  }

  /** Takes one attempt from `key` (callers check `allows` first). */
  take(key: string): void {
    const bucket = this.refill(key);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.set(key, bucket);
    if (this.buckets.size > SWEEP_AT) this.sweep();
  }

  /** Milliseconds until `key` has an attempt again (0 when it has one). */
  retryAfterMs(key: string): number {
    const bucket = this.refill(key);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) * this.options.everyMs);
  }

  private refill(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) / this.options.everyMs);
    bucket.at = now;
    return bucket;
  }

  private sweep(): void {
    for (const key of [...this.buckets.keys()]) if (this.refill(key).tokens >= this.options.burst) this.buckets.delete(key);
  }
}
