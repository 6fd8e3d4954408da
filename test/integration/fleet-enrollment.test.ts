/**
 * Fleet enrollment end to end: tokens through the REST API, real `relais-agent
 * enroll` and `run` processes (empty HOME, temporary state folder), the device
 * online in a real console, reconnecting by key after a restart, revocation, and
 * every way a token can be refused. Real controller processes on 127.0.0.1.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, type DeviceListItem, type DeviceView } from '../../protocol/index.js';
import type { RunningAgent } from '../helpers/agent-process.js';
import { connectConsole, startWithConsole, stopAll, type ConsoleClient, type ControllerWithConsole } from '../helpers/console-client.js';
import { dropDatabase, login, startController, type RunningController } from '../helpers/controller-process.js';
import { withControllerStore } from '../helpers/controller-store.js';
import { createEnrollmentToken, enrollAgent, enrollKey, runAgent, testDeviceKey } from '../helpers/fleet.js';
import { proxyAllowance, startTcpProxy } from '../helpers/tcp-proxy.js';
import { eventually, eventuallyDefined, until } from '../helpers/until.js';

let suite: ControllerWithConsole;
let c: RunningController;
let cookie: string;
let console: ConsoleClient;
const agents: RunningAgent[] = [];

let proxyPort: number;

beforeAll(async () => {
  const allowance = await proxyAllowance();
  proxyPort = allowance.port;
  suite = await startWithConsole({ args: allowance.args });
  ({ controller: c, cookie, console } = suite);
});
afterEach(() => stopAll(agents));
afterAll(() => suite?.stop());

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${c.url}/api${path}`, { ...init, headers: { cookie, origin: c.url, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

async function audit(): Promise<Array<{ action: string; target: string | null; detail: Record<string, unknown> | null; actor: string }>> {
  return ((await (await api('/audit?limit=500')).json()) as { entries: never[] }).entries;
}

/** Waits until the console has seen the device in a state matching `match`. */
function deviceUpdate(id: string, match: (d: DeviceListItem) => boolean, timeoutMs = 15_000): Promise<DeviceListItem> {
  return console.waitFor('device.update', (m) => m.device.id === id && match(m.device), timeoutMs).then((m) => m.device);
}

describe('enrollment tokens', () => {
  it('are created for a group, shown once, listed without the secret, revocable, and stored hashed', async () => {
    const created = await createEnrollmentToken(c, cookie, { group: 'Front desk', expiresInHours: 2, maxUses: 3 });
    expect(created).toMatchObject({ group: 'Front desk', maxUses: 3 });
    expect(Buffer.from(created.token, 'base64url').byteLength).toBeGreaterThanOrEqual(16);
    expect(created.expiresAt).toBeGreaterThan(Date.now() + 2 * 3600_000 - 60_000);

    const listed = ((await (await api('/enrollment-tokens')).json()) as { tokens: Array<Record<string, unknown>> }).tokens.find((t) => t.id === created.id)!;
    expect(listed).toMatchObject({ group: 'Front desk', maxUses: 3, uses: 0, status: 'active', createdBy: { username: 'admin' } });
    expect(JSON.stringify(listed)).not.toContain(created.token);

    expect((await api(`/enrollment-tokens/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api('/enrollment-tokens/nope', { method: 'DELETE' })).status).toBe(404);
    const after = ((await (await api('/enrollment-tokens')).json()) as { tokens: Array<Record<string, unknown>> }).tokens.find((t) => t.id === created.id)!;
    expect(after.status).toBe('revoked');

    const entries = await audit();
    expect(entries.some((e) => e.action === 'enrollment-token.created' && e.target === created.id)).toBe(true);
    expect(entries.some((e) => e.action === 'enrollment-token.revoked' && e.target === created.id)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(created.token);
    const row = await withControllerStore(c, (db) => db.selectFrom('enrollment_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow());
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(row.token_hash).toEqual(expect.any(String));
  });

  it('need a session, our own origin and a valid body', async () => {
    const body = JSON.stringify({ group: 'lab', expiresInHours: 1, maxUses: 1 });
    expect((await fetch(`${c.url}/api/enrollment-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    expect((await fetch(`${c.url}/api/enrollment-tokens`)).status).toBe(401);
    expect((await api('/enrollment-tokens', { method: 'POST', body, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    for (const bad of [{}, { group: '', expiresInHours: 1, maxUses: 1 }, { group: 'lab', expiresInHours: 0, maxUses: 1 }, { group: 'lab', expiresInHours: 1, maxUses: 0 }]) {
      const res = await api('/enrollment-tokens', { method: 'POST', body: JSON.stringify(bad) });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('HTTP_ERR_BAD_REQUEST');
    }
  });
});

describe('enroll, then run', () => {
  it('enrolls with a private key file, connects by key, and shows online with its group, tags and policy', async () => {
    const { token, id: tokenId } = await createEnrollmentToken(c, cookie, { group: 'lab' });
    const enrolled = await enrollAgent(c, token, ['--name', 'Reception PC', '--tag', 'lab', '--tag', 'floor-2', '--policy-script', 'allow', '--policy-shell', 'deny']);
    expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
    expect(enrolled.agent.output()).not.toContain(token);
    const device = enrolled.device!;
    expect(device).toMatchObject({ version: 1, controllerUrl: c.url, name: 'Reception PC', group: 'lab', insecure: false });

    // The key is private, the folder too; the token is stored nowhere.
    expect(statSync(join(enrolled.stateDir, 'device.key')).mode & 0o777).toBe(0o600);
    expect(statSync(enrolled.stateDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(enrolled.stateDir, 'device.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(JSON.parse(readFileSync(join(enrolled.stateDir, 'policy.json'), 'utf8'))).toEqual({ version: 1, script: 'allow', shell: 'deny', files: 'ask' });
    for (const file of readdirSync(enrolled.stateDir)) expect(readFileSync(join(enrolled.stateDir, file), 'utf8'), file).not.toContain(token);

    const offline = await deviceUpdate(device.deviceId, () => true);
    expect(offline).toMatchObject({ kind: 'managed', name: 'Reception PC', group: 'lab', tags: ['lab', 'floor-2'], online: false, revoked: false, sessionId: null, technician: null });

    const agent = runAgent(enrolled.stateDir);
    agents.push(agent);
    const online = await deviceUpdate(device.deviceId, (d) => d.online && d.brief !== null);
    expect(online.policy).toEqual({ script: 'allow', shell: 'deny', files: 'ask' });
    expect(online.hostname.length).toBeGreaterThan(0);
    await agent.waitFor(/Connected to .*Local policy .*scripts allow, shells deny/);

    const { device: fromApi } = (await (await api(`/devices/${device.deviceId}`)).json()) as { device: DeviceView };
    expect(fromApi).toMatchObject({ kind: 'managed', online: true, group: 'lab', tags: ['lab', 'floor-2'], policy: { script: 'allow', shell: 'deny' } });
    const token0 = ((await (await api('/enrollment-tokens')).json()) as { tokens: Array<Record<string, unknown>> }).tokens.find((t) => t.id === tokenId)!;
    expect(token0).toMatchObject({ uses: 1, status: 'used-up' });

    const entries = await audit();
    expect(entries.find((e) => e.action === 'device.enrolled' && e.target === device.deviceId)?.detail).toMatchObject({ group: 'lab', tags: ['lab', 'floor-2'], tokenId });
    expect(entries.some((e) => e.action === 'device.connected' && e.target === device.deviceId)).toBe(true);
    expect(agent.output()).not.toMatch(/PRIVATE KEY/);
  });

  it('reconnects by key after the agent restarts', async () => {
    const { token } = await createEnrollmentToken(c, cookie);
    const enrolled = await enrollAgent(c, token, ['--tag', 'restart']);
    const id = enrolled.device!.deviceId;
    const first = runAgent(enrolled.stateDir);
    agents.push(first);
    await deviceUpdate(id, (d) => d.online);
    await first.stop();
    expect(await first.exited).toBe(0);
    const stoppedAt = Date.now();
    await deviceUpdate(id, (d) => !d.online && d.lastSeen >= stoppedAt - 1000);
    const second = runAgent(enrolled.stateDir);
    agents.push(second);
    await second.waitFor(/Connected to/);
    const back = await deviceUpdate(id, (d) => d.online && d.connectedAt !== null && d.connectedAt >= stoppedAt);
    expect(back.tags).toEqual(['restart']);
    const connections = (await audit()).filter((e) => e.action === 'device.connected' && e.target === id);
    expect(connections.length).toBeGreaterThanOrEqual(2);
  });

  it('a dropped connection is re-established by key, again and again (it is a service)', async () => {
    const proxy = await startTcpProxy(c.port, proxyPort);
    try {
      const { token } = await createEnrollmentToken(c, cookie);
      // Enrolled through the proxy: that is the controller address the device knows and signs for.
      const enrolled = await enrollAgent({ ...c, url: proxy.url }, token);
      expect(enrolled.device!.controllerUrl).toBe(proxy.url);
      const id = enrolled.device!.deviceId;
      const agent = runAgent(enrolled.stateDir);
      agents.push(agent);
      const count = (pattern: RegExp) => (agent.output().match(pattern) ?? []).length;
      await agent.waitFor(/Connected to/);
      for (let round = 1; round <= 2; round++) {
        const cutAt = Date.now();
        proxy.cutAll();
        await until(() => count(/Connection lost/g) === round, 10_000, `loss #${round}`);
        await until(() => count(/Reconnected to/g) === round, 15_000, `reconnection #${round}`);
        await deviceUpdate(id, (d) => d.online && d.connectedAt !== null && d.connectedAt >= cutAt);
      }
      // The enrollment, the first connection and two reconnections (at least).
      expect(proxy.accepted()).toBeGreaterThanOrEqual(4);
    } finally {
      await proxy.close();
    }
  });

  it('after a controller restart the device is still listed, and reconnects by key on its own', async () => {
    const first = await startController({ keepData: true });
    let second: RunningController | null = null;
    try {
      const session = await login(first);
      const { token } = await createEnrollmentToken(first, session);
      const enrolled = await enrollAgent(first, token, ['--tag', 'survivor']);
      const id = enrolled.device!.deviceId;
      const agent = runAgent(enrolled.stateDir);
      agents.push(agent);
      await agent.waitFor(/Connected to/);
      await first.stop();
      await agent.waitFor(/Connection lost/);
      second = await startController({ dataDir: first.dataDir, args: ['--port', String(first.port)], env: { RELAIS_ADMIN_PASSWORD: first.adminPassword } });
      const cookie2 = await login(second, 'admin', first.adminPassword);
      const listedDevice = async () => {
        const res = await fetch(`${second!.url}/api/devices?kind=managed`, { headers: { cookie: cookie2 } });
        return ((await res.json()) as { devices: DeviceListItem[] }).devices.find((d) => d.id === id);
      };
      // No list on the socket any more: the restarted controller pages it over REST. The agent may
      // reconnect before or after any console connects, so its return is read from the list, not awaited as an event.
      expect(await listedDevice()).toMatchObject({ kind: 'managed', tags: ['survivor'], group: 'lab' });
      await agent.waitFor(/Reconnected to/, 20_000);
      await eventually(listedDevice, (d) => d?.online === true, 10_000, 'the device listed online again');
    } finally {
      await second?.stop();
      await first.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
      await dropDatabase(first.dataDir);
    }
  });

  it('a revoked device is disconnected at once, stops, and is refused from then on', async () => {
    const { token } = await createEnrollmentToken(c, cookie);
    const enrolled = await enrollAgent(c, token);
    const id = enrolled.device!.deviceId;
    const agent = runAgent(enrolled.stateDir);
    agents.push(agent);
    await deviceUpdate(id, (d) => d.online);
    expect((await api(`/devices/${id}/revoke`, { method: 'POST' })).status).toBe(204);
    // 78 (EX_CONFIG): the systemd unit does not restart a device the controller refused for good.
    expect(await agent.exited).toBe(78);
    expect(agent.output()).toContain(ERRORS.AUTH_ERR_DEVICE_REVOKED.message);
    await deviceUpdate(id, (d) => d.revoked === true && !d.online);

    const again = runAgent(enrolled.stateDir);
    agents.push(again);
    expect(await again.exited).toBe(78);
    expect(again.output()).toContain(ERRORS.AUTH_ERR_DEVICE_REVOKED.message);
    const entries = await audit();
    expect(entries.some((e) => e.action === 'device.revoked' && e.target === id && e.actor === 'admin')).toBe(true);
    expect(entries.find((e) => e.action === 'agent.refused' && e.target === id)?.detail).toMatchObject({ reason: 'AUTH_ERR_DEVICE_REVOKED', auth: 'device' });
    // Only enrolled devices can be revoked; unknown ones are not found.
    expect((await api('/devices/nope/revoke', { method: 'POST' })).status).toBe(404);
  });
});

describe('refused tokens', () => {
  it('an expired token enrolls nothing and leaves no key behind', async () => {
    const { id, token } = await createEnrollmentToken(c, cookie, { expiresInHours: 0.0003 }); // about a second
    await eventuallyDefined(async () => {
      const { tokens } = (await (await api('/enrollment-tokens')).json()) as { tokens: Array<{ id: string; status: string }> };
      return tokens.find((t) => t.id === id && t.status === 'expired');
    }, 10_000, 'the token to expire');
    const refused = await enrollAgent(c, token);
    expect(refused.exitCode).toBe(1);
    expect(refused.agent.output()).toContain(ERRORS.AUTH_ERR_ENROLLMENT_TOKEN_EXPIRED.message);
    expect(refused.agent.output()).not.toContain(token);
    expect(readdirSync(refused.stateDir)).toEqual([]);
    const entry = (await audit()).find((e) => e.action === 'enrollment.refused' && e.detail?.reason === 'AUTH_ERR_ENROLLMENT_TOKEN_EXPIRED');
    expect(entry).toBeDefined();
  });

  it('a used-up token is refused for the next machine', async () => {
    const { token } = await createEnrollmentToken(c, cookie, { maxUses: 1 });
    expect((await enrollAgent(c, token)).exitCode).toBe(0);
    const second = await enrollAgent(c, token);
    expect(second.exitCode).toBe(1);
    expect(second.agent.output()).toContain(ERRORS.AUTH_ERR_ENROLLMENT_TOKEN_USED_UP.message);
  });

  it('a revoked or unknown token is refused; the API answers with the catalog codes', async () => {
    const revoked = await createEnrollmentToken(c, cookie, { maxUses: 5 });
    await api(`/enrollment-tokens/${revoked.id}`, { method: 'DELETE' });
    const viaAgent = await enrollAgent(c, revoked.token);
    expect(viaAgent.exitCode).toBe(1);
    expect(viaAgent.agent.output()).toContain(ERRORS.AUTH_ERR_ENROLLMENT_TOKEN_REVOKED.message);
    const unknown = await enrollKey(c, 'x'.repeat(43), testDeviceKey().publicKey);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: { code: 'AUTH_ERR_BAD_ENROLLMENT_TOKEN', message: ERRORS.AUTH_ERR_BAD_ENROLLMENT_TOKEN.message } });
    // A key that is not an Ed25519 point is a bad request, and uses nothing up.
    const good = await createEnrollmentToken(c, cookie);
    expect((await enrollKey(c, good.token, 'not-a-key')).status).toBe(400);
    expect((await enrollKey(c, good.token, testDeviceKey().publicKey)).status).toBe(201);
  });

  it('the same key cannot be enrolled twice', async () => {
    const key = testDeviceKey();
    const { token } = await createEnrollmentToken(c, cookie, { maxUses: 2 });
    expect((await enrollKey(c, token, key.publicKey)).status).toBe(201);
    const twice = await enrollKey(c, token, key.publicKey);
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe('AUTH_ERR_KEY_ALREADY_ENROLLED');
  });

  it('enrollment attempts are throttled per address', async () => {
    const fresh = await startController();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await enrollKey(fresh, `wrong-token-${i}-${'y'.repeat(20)}`, testDeviceKey().publicKey)).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses[10]).toBe(429);
      const { token } = await createEnrollmentToken(fresh, await login(fresh));
      const blocked = await enrollKey(fresh, token, testDeviceKey().publicKey);
      expect(blocked.status).toBe(429);
      expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('AUTH_ERR_THROTTLED');
    } finally {
      await fresh.stop();
    }
  });
});
