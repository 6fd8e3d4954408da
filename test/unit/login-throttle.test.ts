/** The login throttle on a fake clock: per address and per (account, address), never per account alone. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOGIN_THROTTLE_DEFAULTS, LoginThrottle } from '../../controller/server/auth/login-throttle.js';

const WINDOW = LOGIN_THROTTLE_DEFAULTS.perAccountAddress.windowMs;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2025-01-06T09:00:00Z'));
});
afterEach(() => vi.useRealTimers());

const throttle = () => new LoginThrottle(LOGIN_THROTTLE_DEFAULTS, () => Date.now());
const failTimes = (t: LoginThrottle, n: number, username: string, address: string) => {
  for (let i = 0; i < n; i++) t.failed(username, address);
};

describe('LoginThrottle', () => {
  it('a stranger failing 5 times for admin is throttled; admin from another address is not', () => {
    const t = throttle();
    failTimes(t, 4, 'admin', '203.0.113.9');
    expect(t.retryAfterMs('admin', '203.0.113.9')).toBe(0);
    t.failed('admin', '203.0.113.9');
    expect(t.retryAfterMs('admin', '203.0.113.9')).toBe(WINDOW);
    expect(t.retryAfterMs('admin', '198.51.100.7')).toBe(0);
    // The stranger may still try other accounts until the per-address limit.
    expect(t.retryAfterMs('sam', '203.0.113.9')).toBe(0);
  });

  it('the wait runs out with the window, and trying again while throttled does not renew it', () => {
    const t = throttle();
    failTimes(t, 5, 'admin', '203.0.113.9');
    vi.advanceTimersByTime(WINDOW - 1000);
    expect(t.retryAfterMs('admin', '203.0.113.9')).toBe(1000);
    vi.advanceTimersByTime(1000);
    expect(t.retryAfterMs('admin', '203.0.113.9')).toBe(0);
  });

  it('an address guessing many accounts is throttled for all of them after 20 failures', () => {
    const t = throttle();
    for (let i = 0; i < 20; i++) t.failed(`user${i}`, '203.0.113.9');
    expect(t.retryAfterMs('someone-else', '203.0.113.9')).toBe(LOGIN_THROTTLE_DEFAULTS.perAddress.windowMs);
    expect(t.retryAfterMs('someone-else', '198.51.100.7')).toBe(0);
  });

  it('the right password forgives that address for that account only, and usernames compare without case', () => {
    const t = throttle();
    failTimes(t, 4, 'admin', '198.51.100.7');
    t.succeeded('Admin', '198.51.100.7');
    failTimes(t, 4, 'admin', '198.51.100.7');
    expect(t.retryAfterMs('ADMIN', '198.51.100.7')).toBe(0);
    t.failed('admin', '198.51.100.7');
    expect(t.retryAfterMs('admin', '198.51.100.7')).toBeGreaterThan(0);
  });
});
