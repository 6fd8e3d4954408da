/**
 * Resumes of attended sessions, throttled per session and per address: a holder
 * of one resume token reconnecting in a loop is refused after a burst (with a
 * close code the agent retries after its backoff, not a final one), and one
 * address cannot cycle through many sessions either. A refused attempt takes
 * nothing, so whoever waits gets back in.
 */
import { sha256 } from '../auth/tokens.js';
import { RateLimit, type RateOptions } from '../auth/rate-limit.js';

export interface ResumeThrottleOptions {
  readonly perSession: RateOptions;
  readonly perAddress: RateOptions;
}

/** A session may resume 10 times at once, then once every 6 s; an address 60 times, then once a second. */
export const RESUME_RATES: ResumeThrottleOptions = Object.freeze({
  perSession: Object.freeze({ burst: 10, everyMs: 6_000 }),
  perAddress: Object.freeze({ burst: 60, everyMs: 1_000 }),
});

export class ResumeThrottle {
  private readonly sessions: RateLimit;
  private readonly addresses: RateLimit;

  constructor(options: ResumeThrottleOptions = RESUME_RATES, now: () => number = Date.now) {
    this.sessions = new RateLimit(options.perSession, now);
    this.addresses = new RateLimit(options.perAddress, now);
  }

  /** Takes one resume for (token, address); false (nothing taken) when either is over its rate. */
  admit(resumeToken: string, ip: string): boolean {
    // Keyed by the token's hash: the session it names, without keeping the secret itself.
    const session = sha256(resumeToken);
    if (!this.sessions.allows(session) || !this.addresses.allows(ip)) return false;
    this.sessions.take(session);
    this.addresses.take(ip);
    return true;
  }
}
