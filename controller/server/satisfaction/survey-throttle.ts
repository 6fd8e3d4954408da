/**
 * Who may try survey links, per address: a burst of attempts then one every two seconds
 * (whatever they are: opening the page, answering), and 10 unknown links in 15 minutes
 * (guesses). Like the support page's throttle, a refusal takes nothing; a restart forgives.
 * With 256-bit tokens guessing is hopeless anyway: this keeps a scanner from costing the
 * controller anything.
 */
import { RateLimit } from '../auth/rate-limit.js';
import { Throttle } from '../auth/throttle.js';

export const SURVEY_RATES = Object.freeze({ attempts: Object.freeze({ burst: 30, everyMs: 2_000 }), guesses: Object.freeze({ maxFailures: 10, windowMs: 15 * 60_000 }) });

export class SurveyThrottle {
  private readonly attempts: RateLimit;
  private readonly guesses: Throttle;

  constructor(rates: typeof SURVEY_RATES = SURVEY_RATES, now: () => number = Date.now) {
    this.attempts = new RateLimit(rates.attempts, now);
    this.guesses = new Throttle(rates.guesses, now);
  }

  /** Takes one attempt for `ip`; the milliseconds to wait instead (nothing taken) when it is over either rate. */
  attempt(ip: string): number {
    const wait = Math.max(this.attempts.retryAfterMs(ip), this.guesses.retryAfterMs(ip));
    if (wait > 0) return wait;
    this.attempts.take(ip);
    return 0;
  }

  /** A link that names no survey. */
  guessed(ip: string): void {
    this.guesses.fail(ip);
  }
}
