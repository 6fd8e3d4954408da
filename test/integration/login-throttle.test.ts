/**
 * Login throttling against a real controller, with real client addresses (127.0.0.2
 * is a stranger, 127.0.0.1 the owner; Linux routes all of 127/8 to loopback): the
 * stranger's failures throttle the stranger, never the owner, who then sees them.
 * Behind a reverse proxy (--trust-proxy), the address is the last X-Forwarded-For entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../helpers/controller-process.js';
import { rawRequest } from '../helpers/raw-http.js';

let c: RunningController;

beforeAll(async () => {
  c = await startController();
});
afterAll(async () => c?.stop());

const STRANGER = '127.0.0.2';
const loginFrom = (ctl: RunningController, password: string, opts: { localAddress?: string; forwardedFor?: string } = {}) =>
  rawRequest(`${ctl.url}/api/login`, {
    method: 'POST',
    body: { username: 'admin', password },
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    headers: opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {},
  });

describe('a stranger guessing the admin password', () => {
  it('is throttled (429, Retry-After) without locking the admin out from another address; the admin sees the attempts once', async () => {
    for (let i = 0; i < 5; i++) expect((await loginFrom(c, `wrong-${i}`, { localAddress: STRANGER })).status).toBe(401);
    const throttled = await loginFrom(c, c.adminPassword, { localAddress: STRANGER });
    expect(throttled.status).toBe(429);
    expect(throttled.json.error.code).toBe('AUTH_ERR_THROTTLED');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(800);

    const owner = await loginFrom(c, c.adminPassword);
    expect(owner.status).toBe(200);
    const cookie = String(owner.headers['set-cookie']).split(';')[0]!;

    const me = await rawRequest(`${c.url}/api/me`, { headers: { cookie } });
    expect(me.json.failedLogins).toHaveLength(1);
    expect(me.json.failedLogins[0]).toMatchObject({ address: STRANGER, count: 5 });
    expect(me.json.failedLogins[0].lastAt).toBeGreaterThanOrEqual(me.json.failedLogins[0].firstAt);
    expect(Date.now() - me.json.failedLogins[0].lastAt).toBeLessThan(60_000);

    // Once seen, they are gone; the stranger is still throttled.
    expect((await rawRequest(`${c.url}/api/me/failed-logins`, { method: 'DELETE', headers: { cookie, origin: c.url } })).status).toBe(204);
    expect((await rawRequest(`${c.url}/api/me`, { headers: { cookie } })).json.failedLogins).toEqual([]);
    expect((await loginFrom(c, c.adminPassword, { localAddress: STRANGER })).status).toBe(429);
  });
});

describe('behind a reverse proxy', () => {
  it('with --trust-proxy, the address is the one the proxy appended; without it, X-Forwarded-For is ignored', async () => {
    const proxied = await startController({ args: ['--trust-proxy'] });
    try {
      // What the client claimed comes first; the proxy appended the real address last.
      for (let i = 0; i < 5; i++) expect((await loginFrom(proxied, `wrong-${i}`, { forwardedFor: '198.51.100.7, 203.0.113.9' })).status).toBe(401);
      expect((await loginFrom(proxied, proxied.adminPassword, { forwardedFor: '198.51.100.7, 203.0.113.9' })).status).toBe(429);
      const owner = await loginFrom(proxied, proxied.adminPassword, { forwardedFor: '203.0.113.9, 198.51.100.7' });
      expect(owner.status).toBe(200);
      const cookie = String(owner.headers['set-cookie']).split(';')[0]!;
      const me = await rawRequest(`${proxied.url}/api/me`, { headers: { cookie } });
      expect(me.json.failedLogins).toMatchObject([{ address: '203.0.113.9', count: 5 }]);
    } finally {
      await proxied.stop();
    }
    // The shared controller does not trust the header: a forged one changes nothing.
    const fresh = await startController();
    try {
      for (let i = 0; i < 5; i++) await loginFrom(fresh, `wrong-${i}`, { forwardedFor: `203.0.113.${i}` });
      expect((await loginFrom(fresh, fresh.adminPassword, { forwardedFor: '198.51.100.99' })).status).toBe(429);
    } finally {
      await fresh.stop();
    }
  });
});
