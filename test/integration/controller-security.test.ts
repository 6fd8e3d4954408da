/** The controller's doors, tried the way an attacker or a confused user would: real controller process, real sockets. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, LIMITS } from '../../protocol/index.js';
import { connectConsole } from '../helpers/console-client.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { withControllerStore } from '../helpers/controller-store.js';
import { eventuallyDefined } from '../helpers/until.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';

let c: RunningController;
let cookie: string;

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
});
afterAll(async () => c?.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${c.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('login and sessions', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and refuses wrong passwords with the catalog error', async () => {
    const ok = await post('/api/login', { username: 'admin', password: c.adminPassword });
    expect(ok.status).toBe(200);
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain http on loopback

    const bad = await post('/api/login', { username: 'admin', password: 'nope' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: { code: 'AUTH_ERR_BAD_CREDENTIALS', message: 'Wrong username or password.' } });
  });

  it('rejects malformed bodies clearly', async () => {
    const res = await fetch(`${c.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('HTTP_ERR_BAD_REQUEST');
    const huge = await post('/api/login', { username: 'a', password: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    const wrongShape = await post('/api/login', { username: ['admin'], password: 1 });
    expect(wrongShape.status).toBe(400);
  });

  it('needs a session for every API route but health and login', async () => {
    for (const path of ['/api/me', '/api/devices', '/api/support-links', '/api/audit']) {
      const res = await fetch(`${c.url}${path}`);
      expect(res.status, path).toBe(401);
      expect((await res.json()).error.code).toBe('AUTH_ERR_NO_SESSION');
    }
    expect((await fetch(`${c.url}/api/me`, { headers: { cookie: 'relais_session=forged-token-value' } })).status).toBe(401);
    expect((await fetch(`${c.url}/api/health`)).status).toBe(200);
    expect((await post('/api/support-links', {})).status).toBe(401);
  });

  it('refuses state-changing requests from another site', async () => {
    const res = await post('/api/support-links', {}, { cookie, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('AUTH_ERR_BAD_ORIGIN');
  });

  it('logout ends the session for good', async () => {
    const own = await login(c);
    expect((await fetch(`${c.url}/api/me`, { headers: { cookie: own } })).status).toBe(200);
    expect((await post('/api/logout', {}, { cookie: own, origin: c.url })).status).toBe(204);
    expect((await fetch(`${c.url}/api/me`, { headers: { cookie: own } })).status).toBe(401);
  });
});

describe('/ws/console', () => {
  const open = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(c.url.replace('http', 'ws') + '/ws/console', { headers });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => undefined);
    });

  it('is refused without a session, from a foreign Origin, or with no Origin', async () => {
    expect(await open({ origin: c.url })).toBe(401);
    expect(await open({ cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await open({ cookie, origin: c.url.replace(String(c.port), String(c.port + 1)) })).toBe(403);
    expect(await open({ cookie })).toBe(403);
    expect(await open({ cookie, origin: c.url })).toBe(101);
  });

  it('welcomes a logged-in console and lists devices', async () => {
    const console = await connectConsole(c, cookie);
    expect(console.messages[0]).toMatchObject({ t: 'welcome', user: { username: 'admin' } });
    await console.close();
  });

  it('answers an invalid message with an error and closes after too many', async () => {
    const console = await connectConsole(c, cookie);
    const closed = new Promise<number>((r) => console.ws.on('close', (code) => r(code)));
    console.ws.send('not json');
    await console.waitFor('error', (m) => m.code === 'PROTO_ERR_BAD_JSON');
    console.ws.send('{"t":"shell.open","requestId":"r1","deviceId":"../../etc","cols":80,"rows":24}');
    await console.waitFor('error', (m) => m.code === 'PROTO_ERR_INVALID_MESSAGE');
    for (let i = 0; i < LIMITS.maxViolations; i++) console.ws.send(Buffer.from([9, 9, 9]));
    expect(await closed).toBe(CLOSE_CODES.protocolViolation);
  });

  it('asking a shell on an unknown device gets a clear error', async () => {
    const console = await connectConsole(c, cookie);
    console.send({ t: 'shell.open', requestId: 'q1', deviceId: 'nope', cols: 80, rows: 24 });
    const error = await console.waitFor('error', (m) => m.requestId === 'q1');
    expect(error.code).toBe('SHELL_ERR_DEVICE_OFFLINE');
    await console.close();
  });
});

describe('/ws/agent', () => {
  it('joins with a valid code once; the same code is refused the second time', async () => {
    const link = await createSupportLink(c, cookie);
    expect(link.code).toMatch(/^\d{9}$/);
    expect(link.codeDisplay).toBe(link.code.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3'));
    expect(link.url).toBe(`${c.url}/s/${link.code}`);
    expect(link.command).toBe(`npx --yes ${c.url}/download/relais-agent.tgz join ${link.url}`);
    const first = await connectProtocolAgent(c.url);
    first.send(helloWithCode(link.code));
    expect(await first.next()).toMatchObject({ t: 'welcome', technician: { username: 'admin' } });

    const second = await connectProtocolAgent(c.url);
    second.send(helloWithCode(link.code));
    expect(await second.next()).toMatchObject({ t: 'error', code: 'AUTH_ERR_CODE_USED' });
    expect((await second.closed).code).toBe(CLOSE_CODES.unauthenticated);
    first.ws.close();
  });

  it('refuses an expired code', async () => {
    // A controller of its own with short-lived codes: the other tests' codes must not expire under them on a busy machine.
    const fresh = await startController({ env: { RELAIS_SUPPORT_CODE_TTL_MS: '1000' } });
    try {
      const link = await createSupportLink(fresh, await login(fresh));
      const page = await eventuallyDefined(async () => {
        const res = await fetch(`${fresh.url}/s/${link.code}`);
        return res.status === 410 ? res : undefined;
      }, 10_000, 'the code to expire');
      expect(await page.text()).toContain('expired');
      const agent = await connectProtocolAgent(fresh.url);
      agent.send(helloWithCode(link.code));
      expect(await agent.next()).toMatchObject({ t: 'error', code: 'AUTH_ERR_CODE_EXPIRED' });
      expect((await agent.closed).code).toBe(CLOSE_CODES.unauthenticated);
    } finally {
      await fresh.stop();
    }
  });

  it('closes a socket whose first message is not a hello', async () => {
    for (const first of ['garbage', '{"t":"device.summary"}', Buffer.from([1, 0, 0, 0, 1, 65])]) {
      const agent = await connectProtocolAgent(c.url);
      agent.send(first);
      expect(await agent.next()).toMatchObject({ t: 'error', code: 'PROTO_ERR_HELLO_REQUIRED' });
      expect((await agent.closed).code).toBe(CLOSE_CODES.protocolViolation);
    }
  });

  it('closes on a frame over the size limit', async () => {
    const agent = await connectProtocolAgent(c.url);
    agent.send(Buffer.alloc(LIMITS.maxFrameBytes + 1, 0x41));
    expect((await agent.closed).code).toBe(1009);
  });

  it('refuses a protocol version it does not speak, naming both', async () => {
    const agent = await connectProtocolAgent(c.url);
    agent.send({ ...helloWithCode('123456789'), v: 99 } as never);
    const error = await agent.next();
    expect(error).toMatchObject({ t: 'error', code: 'PROTO_ERR_VERSION_MISMATCH' });
    expect((error as { message: string }).message).toMatch(/version 1.*speaks 99/);
    expect((await agent.closed).code).toBe(CLOSE_CODES.versionMismatch);
  });

  it('refuses a browser page from another site', async () => {
    await expect(connectProtocolAgent(c.url, { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
  });

  it('an authenticated agent that misbehaves gets errors, cannot touch other channels, and is closed past the limit', async () => {
    const link = await createSupportLink(c, cookie);
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithCode(link.code));
    expect(await agent.next()).toMatchObject({ t: 'welcome' });
    // Forged reports about channels it does not own are ignored, and frames for them dropped.
    agent.send({ t: 'shell.opened', channel: 1, mode: 'pty', user: 'root', shell: '/bin/sh' });
    agent.send({ t: 'shell.consent', channel: 2, decision: 'granted' });
    agent.send(Buffer.from([1, 0x7f, 0xff, 0xff, 0xff, 65, 66]));
    expect(await agent.next()).toMatchObject({ t: 'error', code: 'PROTO_ERR_UNKNOWN_CHANNEL' });
    agent.send('{"t":"device.summary","summary":{"hostname":"<img src=x onerror=alert(1)>"}}');
    expect(await agent.next()).toMatchObject({ t: 'error', code: 'PROTO_ERR_INVALID_MESSAGE' });
    agent.send(JSON.stringify({ t: 'error', code: 'X', message: 'y'.repeat(LIMITS.maxJsonBytes + 10) }));
    expect(await agent.next()).toMatchObject({ t: 'error', code: 'PROTO_ERR_MESSAGE_TOO_LARGE' });
    expect((await agent.closed).code).toBe(1009);

    const again = await connectProtocolAgent(c.url);
    const second = await createSupportLink(c, cookie);
    again.send(helloWithCode(second.code));
    expect(await again.next()).toMatchObject({ t: 'welcome' });
    for (let i = 0; i <= LIMITS.maxViolations; i++) again.send('not json at all');
    expect((await again.closed).code).toBe(CLOSE_CODES.protocolViolation);
    expect((await fetch(`${c.url}/api/health`)).status).toBe(200);
  });

  it('throttles code guessing', async () => {
    const fresh = await startController();
    try {
      const codes: string[] = [];
      for (let i = 0; i < 11; i++) {
        const agent = await connectProtocolAgent(fresh.url);
        agent.send(helloWithCode(String(100000000 + i)));
        codes.push(((await agent.next()) as { code: string }).code);
      }
      expect(codes.slice(0, 10).every((code) => code === 'AUTH_ERR_BAD_CODE')).toBe(true);
      expect(codes[10]).toBe('AUTH_ERR_THROTTLED');
      // Even a right code waits while the address is throttled.
      const link = await createSupportLink(fresh, await login(fresh));
      const agent = await connectProtocolAgent(fresh.url);
      agent.send(helloWithCode(link.code));
      expect(await agent.next()).toMatchObject({ code: 'AUTH_ERR_THROTTLED' });
    } finally {
      await fresh.stop();
    }
  });
});

describe('throttling logins', () => {
  it('locks an account after repeated failures, even for the right password', async () => {
    const fresh = await startController();
    try {
      const attempt = (password: string) =>
        fetch(`${fresh.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      for (let i = 0; i < 5; i++) expect((await attempt('wrong-' + i)).status).toBe(401);
      const locked = await attempt(fresh.adminPassword);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await locked.json()).error.code).toBe('AUTH_ERR_THROTTLED');
    } finally {
      await fresh.stop();
    }
  });
});

describe('support-link page', () => {
  it('names the technician and the one command, and escapes nothing unsafe', async () => {
    const link = await createSupportLink(c, cookie);
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Administrator');
    expect(html).toContain(link.command);
    expect(html).toContain(link.codeDisplay);
    expect((await fetch(`${c.url}/s/000000000`)).status).toBe(404);
    expect((await fetch(`${c.url}/s/<script>`)).status).toBe(404);
  });

  it('serves the agent package without a login', async () => {
    const res = await fetch(`${c.url}/download/relais-agent.tgz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  });
});

describe('audit and secrets', () => {
  it('records security events in an append-only log', async () => {
    const res = await fetch(`${c.url}/api/audit?limit=500`, { headers: { cookie } });
    const actions = new Set(((await res.json()).entries as Array<{ action: string }>).map((e) => e.action));
    for (const action of ['login.ok', 'login.failed', 'link.created', 'agent.joined', 'agent.refused', 'logout']) expect(actions).toContain(action);
    await withControllerStore(c, async (db) => {
      await expect(db.updateTable('audit_log').set({ action: 'x' }).execute()).rejects.toThrow(/append-only/);
      await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      const stored = await db.selectFrom('support_codes').select('code_hash').execute();
      expect(stored.every((r) => !/^\d{9}$/.test(r.code_hash))).toBe(true);
      const sessions = await db.selectFrom('login_sessions').select('token_hash').execute();
      expect(sessions.some((s) => cookie.endsWith(s.token_hash))).toBe(false);
    });
  });

  it('never writes a password, session token or support code to its output', async () => {
    const link = await createSupportLink(c, cookie);
    const logs = c.logs();
    expect(logs).not.toContain(c.adminPassword);
    expect(logs).not.toContain(cookie.split('=')[1]);
    expect(logs).not.toContain(link.code);
  });
});

describe('TLS', () => {
  it('serves https with Secure cookies when given a certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relais-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const secure = await startController({ args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')], env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    try {
      expect(secure.url.startsWith('https://')).toBe(true);
      const { request } = await import('node:https');
      const setCookie = await new Promise<string>((resolve, reject) => {
        const req = request(`${secure.url}/api/login`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(String(res.headers['set-cookie']));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ username: 'admin', password: secure.adminPassword }));
      });
      expect(setCookie).toMatch(/Secure/);
    } finally {
      await secure.stop();
    }
  });
});
