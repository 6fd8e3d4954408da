/**
 * Operating the controller, against real controller processes: /metrics is refused
 * without the token and served with it (and on the separate address without one),
 * its counters and gauges move with what happens (a failed login, shell bytes each
 * way, a refused message, open shells, agents and consoles); readiness fails first on
 * SIGTERM while liveness holds; and no secret of a whole session (passwords, session
 * cookie, support code, resume token, enrollment, API and metrics tokens) reaches the
 * log, even at trace level.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeData, PROTOCOL_VERSION, type ControllerToAgent } from '../../protocol/index.js';
import { connectConsole } from '../helpers/console-client.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollKey, helloWithDevice, signChallenge, testDeviceKey } from '../helpers/fleet.js';
import { connectProtocolAgent, helloWithCode, type ProtocolAgent } from '../helpers/protocol-agent.js';
import { rawRequest } from '../helpers/raw-http.js';
import { eventually, until } from '../helpers/until.js';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789abcdef';

/** One sample's value from the text exposition format, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** The next message of a type, skipping others. */
async function nextOf<T extends ControllerToAgent['t']>(agent: ProtocolAgent, t: T): Promise<Extract<ControllerToAgent, { t: T }>> {
  for (;;) {
    const message = await agent.next(10_000);
    if (message.t === t) return message as Extract<ControllerToAgent, { t: T }>;
  }
}

describe('metrics', () => {
  let c: RunningController;
  let cookie: string;
  let separate: string;
  const scrape = async (token: string | null = METRICS_TOKEN) =>
    fetch(`${c.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const metrics = async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    c = await startController({ env: { RELAIS_METRICS_TOKEN: METRICS_TOKEN }, args: ['--metrics-listen', '127.0.0.1:0', '--node-id', 'node-a'] });
    cookie = await login(c);
    await until(() => /metrics: served at (http:\S+)/.test(c.logs()), 10_000, 'the metrics address in the log');
    separate = /metrics: served at (http:\S+)/.exec(c.logs())![1]!;
  });
  afterAll(async () => c?.stop());

  it('on the main port: refused without the token or with a wrong one, served with it', async () => {
    for (const token of [null, 'not-the-metrics-token-0123456789', `${METRICS_TOKEN}x`]) {
      const refused = await scrape(token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('METRICS_ERR_BAD_TOKEN');
    }
    const served = await scrape();
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await served.text();
    // Process metrics with the event-loop lag, and every metric of ours, each with the node label.
    expect(sample(text, 'nodejs_eventloop_lag_seconds', { node: 'node-a' })).toBeGreaterThanOrEqual(0);
    for (const name of ['relais_agents_online', 'relais_consoles', 'relais_shells_open', 'relais_login_failures_total', 'relais_db_query_seconds_count']) {
      expect(sample(text, name, { node: 'node-a' }), name).toBeGreaterThanOrEqual(0);
    }
    // The database is timed: at least the migrations and the login ran queries.
    expect(sample(text, 'relais_db_query_seconds_count')).toBeGreaterThan(10);
  });

  it('on the separate address: served without a token, to an IP or localhost Host only, and nothing else there', async () => {
    const res = await fetch(separate);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^relais_consoles\{node="node-a"\} \d+$/m);
    const port = new URL(separate).port;
    expect((await fetch(`http://localhost:${port}/metrics`)).status).toBe(200);
    // A page that re-points its own name at this address (DNS rebinding) is refused.
    expect((await rawRequest(separate, { headers: { host: `evil.example:${port}` } })).status).toBe(421);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(404);
  });

  it('counts a failed login, and times requests by route template, never by raw path', async () => {
    const before = sample(await metrics(), 'relais_login_failures_total') ?? 0;
    const res = await fetch(`${c.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'not the password' }) });
    expect(res.status).toBe(401);
    expect((await fetch(`${c.url}/api/devices/some-device-id-123`, { headers: { cookie } })).status).toBe(404);
    const text = await metrics();
    expect(sample(text, 'relais_login_failures_total')).toBe(before + 1);
    expect(sample(text, 'relais_http_request_duration_seconds_count', { route: '/api/login', method: 'POST', status: '401' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'relais_http_request_duration_seconds_count', { route: '/api/devices/:id', method: 'GET', status: '404' })).toBe(1);
    expect(text).not.toContain('some-device-id-123');
  });

  it('follows a shell: agents, consoles and open shells; bytes each way; a refused message by its code', async () => {
    const link = await createSupportLink(c, cookie);
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithCode(link.code, 'metrics-host'));
    const welcome = await nextOf(agent, 'welcome');
    const console = await connectConsole(c, cookie);
    try {
      const before = await metrics();
      expect(sample(before, 'relais_agents_online', { kind: 'attended' })).toBe(1);
      expect(sample(before, 'relais_agents_online', { kind: 'managed' })).toBe(0);
      expect(sample(before, 'relais_consoles')).toBe(1);
      expect(sample(before, 'relais_shells_open')).toBe(0);
      const fromAgent = sample(before, 'relais_relay_bytes_total', { direction: 'agent-to-console' }) ?? 0;
      const toAgent = sample(before, 'relais_relay_bytes_total', { direction: 'console-to-agent' }) ?? 0;

      const channel = await console.requestShell(welcome.deviceId);
      await nextOf(agent, 'shell.open');
      agent.send({ t: 'shell.consent', channel, decision: 'granted' });
      agent.send({ t: 'shell.opened', channel, mode: 'pty', user: 'tester', shell: '/bin/sh' });
      await console.waitFor('shell.opened', (m) => m.channel === channel);
      const output = 'o'.repeat(3000);
      agent.send(Buffer.from(encodeData(channel, Buffer.from(output))));
      await console.waitForOutput(channel, output);
      console.type(channel, 'whoami\n');
      const during = await eventually(metrics, (text) => sample(text, 'relais_relay_bytes_total', { direction: 'console-to-agent' }) === toAgent + 7, 10_000, 'the keystrokes counted');
      expect(sample(during, 'relais_relay_bytes_total', { direction: 'agent-to-console' })).toBe(fromAgent + 3000);
      expect(sample(during, 'relais_shells_open')).toBe(1);

      // A message the schema refuses is answered with its code, and counted under it.
      const refusedBefore = sample(during, 'relais_ws_messages_refused_total', { code: 'PROTO_ERR_INVALID_MESSAGE' }) ?? 0;
      agent.send('{"t":"device.summary","summary":{"hostname":42}}');
      expect(await nextOf(agent, 'error')).toMatchObject({ code: 'PROTO_ERR_INVALID_MESSAGE' });
      const after = await metrics();
      expect(sample(after, 'relais_ws_messages_refused_total', { code: 'PROTO_ERR_INVALID_MESSAGE' })).toBe(refusedBefore + 1);

      agent.ws.close();
      await eventually(metrics, (text) => sample(text, 'relais_shells_open') === 0 && sample(text, 'relais_agents_online', { kind: 'attended' }) === 0, 10_000, 'the shell and agent gone');
    } finally {
      await console.close();
      agent.ws.close();
    }
    await eventually(metrics, (text) => sample(text, 'relais_consoles') === 0, 10_000, 'the console gone');
  });
});

describe('readiness and shutdown', () => {
  it('on SIGTERM readiness answers 503 shutting-down at once while liveness holds, then the controller closes after --drain-seconds', async () => {
    const c = await startController({ args: ['--drain-seconds', '5'] });
    try {
      const ready = await fetch(`${c.url}/api/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true });
      expect(await (await fetch(`${c.url}/api/health/live`)).json()).toEqual({ ok: true });
      expect((await fetch(`${c.url}/api/health`)).status).toBe(200);
      // Without --metrics-token there is no /metrics on this port, token or not.
      expect((await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);

      const exited = new Promise<number | null>((resolve) => c.child.once('exit', (code) => resolve(code)));
      const signalled = Date.now();
      c.child.kill('SIGTERM');
      const draining = await eventually(
        async () => {
          const res = await fetch(`${c.url}/api/health/ready`);
          return { status: res.status, body: (await res.json()) as unknown };
        },
        (answer) => answer.status === 503,
        4_000,
        'readiness to fail',
      );
      expect(draining.body).toEqual({ ready: false, reason: 'shutting-down' });
      expect(Date.now() - signalled).toBeLessThan(5000);
      // Still up and answering while the balancer takes it out of rotation.
      expect((await fetch(`${c.url}/api/health/live`)).status).toBe(200);
      expect(await exited).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(5000);
      expect(c.logs()).toMatch(/"signal":"SIGTERM","drainSeconds":5/);
    } finally {
      await c.stop();
    }
  });
});

describe('secrets never reach the log', () => {
  it('a whole session at trace level: passwords, session cookie, support code, resume token, enrollment, API and metrics tokens', async () => {
    // No RELAIS_ADMIN_PASSWORD: the controller makes one up; with nobody at a terminal it goes to a file, not the log.
    const c = await startController({ env: { RELAIS_ADMIN_PASSWORD: '', RELAIS_METRICS_TOKEN: METRICS_TOKEN }, args: ['--log-level', 'trace', '--trust-proxy'] });
    const secrets: Record<string, string> = { metricsToken: METRICS_TOKEN };
    try {
      const file = join(c.dataDir, 'admin-password');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const adminPassword = readFileSync(file, 'utf8').trim();
      secrets.adminPassword = adminPassword;
      secrets.wrongPassword = 'a-wrong-password-typed-by-someone';
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${c.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: c.url, ...headers }, body: JSON.stringify(body) });

      expect((await post('/api/login', { username: 'admin', password: secrets.wrongPassword })).status).toBe(401);
      const cookie = await login(c, 'admin', adminPassword);
      secrets.sessionCookie = cookie.split('=')[1]!;

      // A support link: its code travels in a path (/s/CODE), a form and an agent's hello.
      const link = await createSupportLink(c, cookie);
      secrets.supportCode = link.code;
      secrets.supportCodeShown = link.codeDisplay;
      expect((await fetch(`${c.url}/s/${link.code}`, { headers: { 'x-request-id': 'req-from-the-proxy-1' } })).status).toBe(200);
      const agent = await connectProtocolAgent(c.url);
      agent.send(helloWithCode(link.code, 'secret-test-host'));
      const welcome = await nextOf(agent, 'welcome');
      secrets.resumeToken = welcome.resumeToken!;
      agent.ws.close();
      await agent.closed;
      const resumed = await connectProtocolAgent(c.url);
      resumed.send({ t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth: { kind: 'resume', token: welcome.resumeToken! }, agent: { version: '0.0.0-test', platform: 'linux', arch: 'x64', hostname: 'secret-test-host' } });
      await nextOf(resumed, 'welcome');
      resumed.ws.close();
      const guess = await connectProtocolAgent(c.url);
      guess.send(helloWithCode('987654321'));
      expect(await nextOf(guess, 'error')).toMatchObject({ code: 'AUTH_ERR_BAD_CODE' });

      // Enrollment: the token in a body, then the device's signed challenge.
      const enrollment = await createEnrollmentToken(c, cookie, { maxUses: 2 });
      secrets.enrollmentToken = enrollment.token;
      const key = testDeviceKey();
      const enrolled = await enrollKey(c, enrollment.token, key.publicKey);
      expect(enrolled.status).toBe(201);
      const { deviceId } = (await enrolled.json()) as { deviceId: string };
      expect((await enrollKey(c, `${enrollment.token.slice(0, -4)}abcd`, testDeviceKey().publicKey)).status).not.toBe(201);
      const device = await connectProtocolAgent(c.url);
      device.send(helloWithDevice(deviceId));
      const challenge = await nextOf(device, 'auth.challenge');
      device.send({ t: 'auth.response', signature: signChallenge(key.privateKey, c.url, deviceId, challenge.nonce) });
      await nextOf(device, 'welcome');
      device.ws.close();

      // An API token, used right and wrong; a password change; the metrics token right and wrong.
      const created = await post('/api/api-tokens', { name: 'ci' }, { cookie });
      const apiToken = ((await created.json()) as { token: string }).token;
      secrets.apiToken = apiToken;
      expect((await fetch(`${c.url}/api/me`, { headers: { authorization: `Bearer ${apiToken}` } })).status).toBe(200);
      secrets.wrongApiToken = `${apiToken.slice(0, -6)}zzzzzz`;
      expect((await fetch(`${c.url}/api/me`, { headers: { authorization: `Bearer ${secrets.wrongApiToken}` } })).status).toBe(401);
      secrets.newPassword = 'the new admin password, long enough';
      expect((await post('/api/me/password', { current: adminPassword, next: secrets.newPassword }, { cookie })).status).toBe(204);
      await login(c, 'admin', secrets.newPassword);
      expect((await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
      secrets.wrongMetricsToken = 'wrong-metrics-token-0123456789abcdef';
      expect((await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${secrets.wrongMetricsToken}` } })).status).toBe(401);
    } finally {
      await c.stop();
    }

    const output = c.logs();
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(20);
    // Every line is a JSON record with its time, level and node: nothing else is written when nobody is at a terminal.
    for (const line of lines) expect(JSON.parse(line), line).toMatchObject({ time: expect.any(String), level: expect.any(String), node: expect.any(String) });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // The support page is logged by its route, with the request id the (trusted) proxy gave.
    expect(records).toContainEqual(expect.objectContaining({ route: '/s/:code', requestId: 'req-from-the-proxy-1', status: 200 }));
    expect(records.some((r) => r.level === 'trace' || r.level === 'debug')).toBe(true);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThanOrEqual(9);
      expect(output.includes(secret), `${name} appears in the log`).toBe(false);
    }
  });
});
