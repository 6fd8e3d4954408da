/**
 * A check too slow for a snapshot (asking apt, dnf or Windows Update what is
 * pending takes seconds to minutes). It starts once, a snapshot waits for it only
 * up to its own budget and otherwise says "checking", and the answer is kept for
 * the next snapshots — so the snapshot stays fast and the answer still arrives.
 */
export type SlowAnswer<T> =
  | { readonly state: 'ok'; readonly value: T; readonly checkedAt: number }
  | { readonly state: 'checking' }
  | { readonly state: 'failed'; readonly error: string; readonly checkedAt: number };

export interface SlowCheckOptions {
  /** How long an answer is kept before the check runs again. */
  readonly keepMs: number;
  /** How long a failure is kept (shorter: it may have been passing). */
  readonly keepFailureMs: number;
  readonly now?: () => number;
}

export class SlowCheck<T> {
  private running: Promise<void> | null = null;
  private last: Exclude<SlowAnswer<T>, { state: 'checking' }> | null = null;
  private readonly now: () => number;

  constructor(private readonly compute: () => Promise<T>, private readonly options: SlowCheckOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The kept answer if still fresh; else starts (or joins) the check and waits for it at most `waitMs`. */
  async get(waitMs: number): Promise<SlowAnswer<T>> {
    if (this.fresh()) return this.last!;
    this.running ??= this.compute().then(
      (value) => void (this.last = { state: 'ok', value, checkedAt: this.now() }),
      (err: unknown) => void (this.last = { state: 'failed', error: err instanceof Error ? err.message : String(err), checkedAt: this.now() }),
    ).finally(() => (this.running = null));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = await Promise.race([
      this.running.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
    ]);
    clearTimeout(timer);
    return waited && this.last ? this.last : { state: 'checking' };
  }

  private fresh(): boolean {
    if (!this.last) return false;
    const keep = this.last.state === 'ok' ? this.options.keepMs : this.options.keepFailureMs;
    return this.now() - this.last.checkedAt < keep;
  }
}
