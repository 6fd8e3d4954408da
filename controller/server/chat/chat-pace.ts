/**
 * How fast one side of one conversation may write: a token bucket per sender (the person
 * of a session, whether at the agent or on the support page; a technician on a device).
 * A person types a few lines a minute; a flood of thousands a second would otherwise
 * each be stored, put on the ticket, audited and sent to every console, holding the
 * controller's event loop for seconds. Past the bucket, CHAT_ERR_TOO_FAST: nothing stored.
 */
export interface PaceOptions {
  /** Messages that may be sent at once after a quiet spell. */
  readonly burst: number;
  /** Messages a second the bucket fills back at. */
  readonly perSecond: number;
  /** The time now, in milliseconds (fakes in tests). */
  readonly now?: () => number;
}

export const CHAT_PACE: PaceOptions = Object.freeze({ burst: 10, perSecond: 2 });

/** Senders remembered at most; past it, those whose bucket is full again are forgotten. */
const MAX_SENDERS = 10_000;

export class ChatPace {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;
  private lastForget = -Infinity;

  constructor(private readonly options: PaceOptions = CHAT_PACE) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Takes one message's token for `sender`; false when it has none left (the message must be refused). */
  take(sender: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(sender) ?? { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(this.options.burst, this.refilled(bucket, now));
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    this.buckets.set(sender, bucket);
    // At most once a second: the walk is over every sender remembered.
    if (this.buckets.size > MAX_SENDERS && now - this.lastForget >= 1000) this.forgetQuiet(now);
    return true;
  }

  /** Drops the senders whose bucket has filled back up: they are as good as new. */
  private forgetQuiet(now: number): void {
    this.lastForget = now;
    for (const [sender, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.options.burst) this.buckets.delete(sender);
    }
  }

  /** The bucket's tokens now: what it held, plus what the rate gave back since (uncapped). */
  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    return bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond;
  }
}
