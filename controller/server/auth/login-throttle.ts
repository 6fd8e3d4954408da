/**
 * Login guessing is throttled per address and per (account, address), never per
 * account alone: a stranger who fails for `admin` slows only themselves, and the
 * owner logging in from a clean address is never locked out by someone else.
 */
import { Throttle, type ThrottleOptions } from './throttle.js';

export interface LoginThrottleOptions {
  /** Failures from one address, whatever the accounts tried. */
  readonly perAddress: ThrottleOptions;
  /** Failures for one account from one address. */
  readonly perAccountAddress: ThrottleOptions;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

export const LOGIN_THROTTLE_DEFAULTS: LoginThrottleOptions = Object.freeze({
  perAddress: { maxFailures: 20, windowMs: FIFTEEN_MINUTES },
  perAccountAddress: { maxFailures: 5, windowMs: FIFTEEN_MINUTES },
});

export class LoginThrottle {
  private readonly byAddress: Throttle;
  private readonly byAccountAddress: Throttle;

  /** `now` is injectable so tests drive the windows with fake timers. */
  /** `make` builds each window (a cluster node's share their failures with the other nodes). */
  constructor(
    options: LoginThrottleOptions = LOGIN_THROTTLE_DEFAULTS,
    now: () => number = () => Date.now(),
    make: (options: ThrottleOptions, name: 'login-address' | 'login-account') => Throttle = (o) => new Throttle(o, now),
  ) {
    this.byAddress = make(options.perAddress, 'login-address');
    this.byAccountAddress = make(options.perAccountAddress, 'login-account');
  }

  /** Milliseconds this address must wait before trying this account again; 0 when it may try. */
  retryAfterMs(username: string, address: string): number {
    return Math.max(this.byAddress.retryAfterMs(address), this.byAccountAddress.retryAfterMs(pairKey(username, address)));
  }

  failed(username: string, address: string): void {
    this.byAddress.fail(address);
    this.byAccountAddress.fail(pairKey(username, address));
  }

  /** The right password from this address forgives its failures for this account (not the address's other guesses). */
  succeeded(username: string, address: string): void {
    this.byAccountAddress.reset(pairKey(username, address));
  }
}

function pairKey(username: string, address: string): string {
  return `${username.toLowerCase()}\n${address}`;
}
