/**
 * DNS rebinding against a real controller: a page whose name was rebound to
 * 127.0.0.1 reaches the controller with its own name in Host and a matching Origin.
 * The controller answers only to its own names (bind address, localhost names,
 * --public-url, --allowed-host), on HTTP and websocket upgrades alike, before any
 * route; links are built from those names, never from the request's Host.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../protocol/index.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { rawRequest, upgradeStatus } from '../helpers/raw-http.js';

let c: RunningController;
let cookie: string;
let attacker: string;

beforeAll(async () => {
  c = await startController({ args: ['--allowed-host', 'help.example.test'] });
  cookie = await login(c);
  attacker = `attacker.example:${c.port}`;
});
afterAll(async () => c?.stop());

/** A free port on 127.0.0.1, for a controller whose printed URL is its public one (which must never be dialled). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const asHost = (host: string, extra: Record<string, string> = {}) => ({ host, origin: `http://${host}`, ...extra });

function expectUnknownHost(answer: { status: number; json: any }): void {
  expect(answer.status).toBe(421);
  expect(answer.json).toEqual({ error: { code: 'HTTP_ERR_UNKNOWN_HOST', message: ERRORS.HTTP_ERR_UNKNOWN_HOST.message } });
}

describe('a Host that is not ours (DNS rebinding)', () => {
  it('is refused before any route: login, health, the support page, the web UI', async () => {
    expectUnknownHost(await rawRequest(`${c.url}/api/login`, { method: 'POST', headers: asHost(attacker), body: { username: 'admin', password: c.adminPassword } }));
    expectUnknownHost(await rawRequest(`${c.url}/api/health`, { headers: asHost(attacker) }));
    expectUnknownHost(await rawRequest(`${c.url}/api/me`, { headers: asHost(attacker, { cookie }) }));
    expectUnknownHost(await rawRequest(`${c.url}/`, { headers: { host: attacker } }));
    const link = await createSupportLink(c, cookie);
    const page = await rawRequest(link.url, { headers: { host: attacker } });
    expectUnknownHost(page);
    expect(page.text).not.toContain(link.code);
    // A Host that smuggles userinfo before our address is no better.
    expectUnknownHost(await rawRequest(`${c.url}/api/health`, { headers: { host: `evil.example@127.0.0.1:${c.port}` } }));
  });

  it('never gets a support link, so no link or command carries its name', async () => {
    const answer = await rawRequest(`${c.url}/api/support-links`, { method: 'POST', headers: asHost(attacker, { cookie }) });
    expectUnknownHost(answer);
    expect(answer.text).not.toContain('attacker.example');
    const me = await rawRequest(`${c.url}/api/me`, { headers: { cookie } });
    expect(me.json.controllerUrl).toBe(c.url);
  });

  it('cannot open /ws/console or /ws/agent, even with a session cookie and a matching Origin', async () => {
    const ws = c.url.replace(/^http/, 'ws');
    expect(await upgradeStatus(`${ws}/ws/console`, asHost(attacker, { cookie }))).toBe(421);
    expect(await upgradeStatus(`${ws}/ws/agent`, { host: attacker })).toBe(421);
    expect(await upgradeStatus(`${ws}/ws/console`, { cookie, origin: c.url })).toBe(101);
  });

  it('an Origin is compared with our own origins, never with the Host it came with', async () => {
    const ws = c.url.replace(/^http/, 'ws');
    // Host is ours, Origin a stranger on our port: refused.
    expect(await upgradeStatus(`${ws}/ws/console`, { cookie, origin: `http://attacker.example:${c.port}` })).toBe(403);
    const write = await rawRequest(`${c.url}/api/support-links`, { method: 'POST', headers: { cookie, origin: `http://attacker.example:${c.port}` } });
    expect(write.json.error.code).toBe('AUTH_ERR_BAD_ORIGIN');
    // Another own origin (localhost on our port) is ours, whatever the Host.
    expect(await upgradeStatus(`${ws}/ws/console`, { cookie, origin: `http://localhost:${c.port}` })).toBe(101);
  });
});

describe('our own names', () => {
  it('localhost names and --allowed-host work, and links use the own name the request came to', async () => {
    for (const host of [`localhost:${c.port}`, `[::1]:${c.port}`, `help.example.test:${c.port}`, 'help.example.test', `HELP.example.test:${c.port}`]) {
      const health = await rawRequest(`${c.url}/api/health`, { headers: { host } });
      expect(health.status, host).toBe(200);
    }
    const viaAllowed = await rawRequest(`${c.url}/api/support-links`, { method: 'POST', headers: asHost(`help.example.test:${c.port}`, { cookie }) });
    expect(viaAllowed.status).toBe(201);
    expect(viaAllowed.json.url).toBe(`http://help.example.test:${c.port}/s/${viaAllowed.json.code}`);
    const ws = c.url.replace(/^http/, 'ws');
    expect(await upgradeStatus(`${ws}/ws/console`, asHost(`help.example.test:${c.port}`, { cookie }))).toBe(101);
    // Our allowed name on another port is not ours.
    expectUnknownHost(await rawRequest(`${c.url}/api/health`, { headers: { host: `help.example.test:${c.port + 1}` } }));
  });

  it('with --public-url, links always use it, and its name is answered', async () => {
    const port = await freePort();
    const started = await startController({ args: ['--port', String(port)], env: { RELAIS_PUBLIC_URL: 'https://help.example.org' } });
    expect(started.url).toBe('https://help.example.org');
    // Talk to it on loopback only; the public name is a Host header, never dialled.
    const behindProxy = { ...started, url: `http://127.0.0.1:${port}`, port };
    try {
      const own = await login(behindProxy);
      const link = await createSupportLink(behindProxy, own);
      expect(link.url).toBe(`https://help.example.org/s/${link.code}`);
      expect(link.command).toBe(`npx --yes https://help.example.org/download/relais-agent.tgz join ${link.url}`);
      const page = await rawRequest(`${behindProxy.url}/s/${link.code}`, { headers: { host: 'help.example.org' } });
      expect(page.status).toBe(200);
      expect(page.text).toContain(`https://help.example.org/s/${link.code}`);
      expect(page.text).not.toContain('127.0.0.1');
      const write = await rawRequest(`${behindProxy.url}/api/support-links`, { method: 'POST', headers: { host: 'help.example.org', origin: 'https://help.example.org', cookie: own } });
      expect(write.status).toBe(201);
      expectUnknownHost(await rawRequest(`${behindProxy.url}/api/health`, { headers: { host: 'help.example.com' } }));
    } finally {
      await started.stop();
    }
  });
});
