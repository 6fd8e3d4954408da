/** Counts failures per key in a sliding window and says when a key must wait. In memory: a restart forgives. */
export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
}

export class Throttle {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly options: ThrottleOptions, private readonly now: () => number = Date.now) {}

  /** Milliseconds the key must still wait, 0 when it may try. */
  retryAfterMs(key: string): number {
    const recent = this.prune(key);
    if (recent.length < this.options.maxFailures) return 0;
    return Math.max(0, recent[0]! + this.options.windowMs - this.now());
  }

  /** True when the key has failures in the window (something a reset would forgive). */
  counts(key: string): boolean {
    return this.prune(key).length > 0;
  }

  fail(key: string): void {
    const recent = this.prune(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    if (this.failures.size > 50_000) this.sweep();
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private prune(key: string): number[] {
    const cutoff = this.now() - this.options.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (recent.length === 0) this.failures.delete(key);
    return recent;
  }

  private sweep(): void {
    for (const key of [...this.failures.keys()]) this.prune(key);
  }
}
