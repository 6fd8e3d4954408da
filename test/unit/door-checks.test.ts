/**
 * One set of door checks (controller/server/http/checks.ts) for HTTP routes and
 * websocket upgrades: the upgrade routes carry the same Origin and session checks
 * as /api, and refuse with the same catalog codes. Fake requests and sessions only.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RelaisError } from '../../protocol/index.js';
import { administrator, loginSession, ownHost, ownOrigin, runChecks, type Check, type GuardedRequest } from '../../controller/server/http/checks.js';
import { OwnOrigins } from '../../controller/server/http/own-origins.js';
import { upgradeRoutes, type UpgradeDeps } from '../../controller/server/http/upgrade.js';
import type { LoginSessions } from '../../controller/server/auth/login-sessions.js';
import type { ApiTokens } from '../../controller/server/auth/api-tokens.js';

const admin = { id: 1, username: 'admin', name: 'Admin', role: 'admin' as const };
const tech = { ...admin, id: 2, username: 'sam', role: 'l1' as const };

function request(headers: Record<string, string>): GuardedRequest {
  return { headers: { host: '127.0.0.1:8080', ...headers } } as unknown as IncomingMessage;
}

const sessions = { fromRequest: async (req: IncomingMessage) => (req.headers.cookie === 'relais_session=good' ? admin : null) } as unknown as LoginSessions;
const apiTokens = { accountFor: async (token: string) => (token === 'good-token-0123456789' ? tech : null) } as unknown as ApiTokens;

async function refusal(req: GuardedRequest, checks: readonly Check[]): Promise<string | null> {
  try {
    await runChecks(req, checks);
    return null;
  } catch (err) {
    if (err instanceof RelaisError) return err.code;
    throw err;
  }
}

const site = new OwnOrigins({ host: '127.0.0.1', publicUrl: 'https://help.example.com', allowedHosts: [], tls: false }, () => 8080);

describe('the door checks', () => {
  it('Host: only our own names, anything else before any route (DNS rebinding)', async () => {
    expect(await refusal(request({}), [ownHost(site)])).toBeNull();
    expect(await refusal(request({ host: 'help.example.com' }), [ownHost(site)])).toBeNull();
    expect(await refusal(request({ host: 'rebound.evil.example:8080' }), [ownHost(site)])).toBe('HTTP_ERR_UNKNOWN_HOST');
  });

  it('Origin: our own address or public URL; required for a browser door, optional otherwise', async () => {
    const own = request({ origin: 'http://127.0.0.1:8080' });
    expect(await refusal(own, [ownOrigin(site, 'required')])).toBeNull();
    expect(await refusal(request({ origin: 'https://help.example.com' }), [ownOrigin(site, 'required')])).toBeNull();
    expect(await refusal(request({ origin: 'https://evil.example' }), [ownOrigin(site, 'if-present')])).toBe('AUTH_ERR_BAD_ORIGIN');
    expect(await refusal(request({}), [ownOrigin(site, 'if-present')])).toBeNull();
    expect(await refusal(request({}), [ownOrigin(site, 'required')])).toBe('AUTH_ERR_BAD_ORIGIN');
  });

  it('session: a cookie, or a bearer token where allowed; a wrong bearer is refused as such', async () => {
    const withCookie = request({ cookie: 'relais_session=good' });
    expect(await refusal(withCookie, [loginSession(sessions, apiTokens)])).toBeNull();
    expect(withCookie.account?.username).toBe('admin');
    const withToken = request({ authorization: 'Bearer good-token-0123456789' });
    expect(await refusal(withToken, [loginSession(sessions, apiTokens)])).toBeNull();
    expect(withToken.account?.username).toBe('sam');
    expect(await refusal(request({ authorization: 'Bearer wrong', cookie: 'relais_session=good' }), [loginSession(sessions, apiTokens)])).toBe('AUTH_ERR_BAD_API_TOKEN');
    expect(await refusal(request({ authorization: 'Bearer good-token-0123456789' }), [loginSession(sessions, null)])).toBe('AUTH_ERR_NO_SESSION');
    expect(await refusal(request({}), [loginSession(sessions, apiTokens)])).toBe('AUTH_ERR_NO_SESSION');
    expect(await refusal(withToken, [administrator('do this')])).toBe('AUTH_ERR_FORBIDDEN');
    expect(await refusal(withCookie, [administrator('do this')])).toBeNull();
  });
});

describe('websocket upgrades pass the same checks', () => {
  const routes = upgradeRoutes({ sessions, origins: site } as unknown as UpgradeDeps);
  const checksOf = (path: string) => routes.get(path)?.checks ?? [];

  it('only /ws/agent and /ws/console upgrade', () => {
    expect([...routes.keys()].sort()).toEqual(['/ws/agent', '/ws/console']);
  });

  it('/ws/console: our own Origin and a login session (never an API token)', async () => {
    expect(await refusal(request({ origin: 'http://127.0.0.1:8080', cookie: 'relais_session=good' }), checksOf('/ws/console'))).toBeNull();
    expect(await refusal(request({ origin: 'https://evil.example', cookie: 'relais_session=good' }), checksOf('/ws/console'))).toBe('AUTH_ERR_BAD_ORIGIN');
    expect(await refusal(request({ cookie: 'relais_session=good' }), checksOf('/ws/console'))).toBe('AUTH_ERR_BAD_ORIGIN');
    expect(await refusal(request({ origin: 'http://127.0.0.1:8080' }), checksOf('/ws/console'))).toBe('AUTH_ERR_NO_SESSION');
    expect(await refusal(request({ origin: 'http://127.0.0.1:8080', authorization: 'Bearer good-token-0123456789' }), checksOf('/ws/console'))).toBe('AUTH_ERR_NO_SESSION');
  });

  it('every door checks the Host first, as HTTP does', async () => {
    for (const path of ['/ws/agent', '/ws/console']) {
      expect(await refusal(request({ host: 'rebound.evil.example:8080', origin: 'http://127.0.0.1:8080', cookie: 'relais_session=good' }), checksOf(path))).toBe('HTTP_ERR_UNKNOWN_HOST');
    }
  });

  it('/ws/agent: no Origin (an agent) or our own; a foreign site is refused', async () => {
    expect(await refusal(request({}), checksOf('/ws/agent'))).toBeNull();
    expect(await refusal(request({ origin: 'http://127.0.0.1:8080' }), checksOf('/ws/agent'))).toBeNull();
    expect(await refusal(request({ origin: 'https://evil.example' }), checksOf('/ws/agent'))).toBe('AUTH_ERR_BAD_ORIGIN');
  });
});
