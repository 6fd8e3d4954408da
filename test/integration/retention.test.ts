/**
 * Retention and throttles on a real controller (issue 8, points 2 and 7): a flood
 * of resumes with one token is refused after a burst and costs a handful of audit
 * rows; a real agent whose network keeps dropping is throttled and still comes
 * back after its backoff; waiting links are capped; snapshots are kept per device
 * with the compared ones pinned; the audit retention setting prunes, audited.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ControllerToAgent, type Snapshot } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { createSupportLink, dropDatabase, login, startController, type RunningController } from '../helpers/controller-process.js';
import { withControllerStore } from '../helpers/controller-store.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';
import { proxyAllowance, startTcpProxy } from '../helpers/tcp-proxy.js';
import { DEADLINE_MS, eventually, until } from '../helpers/until.js';

const agentFacts = { version: '0.0.0-test', platform: 'linux', arch: 'x64', hostname: 'flood-host' };

/** Joins with a fresh support link as a protocol-level agent; returns its welcome (with the resume token). */
async function joinByCode(c: RunningController, cookie: string) {
  const link = await createSupportLink(c, cookie);
  const agent = await connectProtocolAgent(c.url);
  agent.send(helloWithCode(link.code, 'flood-host'));
  const welcome = (await agent.next()) as Extract<ControllerToAgent, { t: 'welcome' }>;
  expect(welcome.t).toBe('welcome');
  return { agent, welcome };
}

/** One resume attempt: welcomed (then closed by us), or the error and close code it was refused with. */
async function resumeOnce(c: RunningController, token: string): Promise<{ welcomed: boolean; code: string | null; close: number }> {
  const agent = await connectProtocolAgent(c.url);
  agent.send({ t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth: { kind: 'resume', token }, agent: agentFacts });
  const first = await agent.next();
  if (first.t === 'welcome') {
    agent.ws.close();
    return { welcomed: true, code: null, close: (await agent.closed).code };
  }
  return { welcomed: false, code: first.t === 'error' ? first.code : first.t, close: (await agent.closed).code };
}

async function auditEntries(c: RunningController, cookie: string): Promise<Array<{ action: string; target: string | null; detail: Record<string, unknown> | null; count: number }>> {
  return ((await (await fetch(`${c.url}/api/audit?limit=1000`, { headers: { cookie } })).json()) as { entries: never[] }).entries;
}

describe('resumes, links and the audit log under load', () => {
  let c: RunningController;
  let cookie: string;
  // The real agent's test goes through a TCP proxy on its own port: the controller must know that name.
  let allowance: { port: number; args: string[] };
  beforeAll(async () => {
    allowance = await proxyAllowance();
    c = await startController({ keepData: true, args: allowance.args });
    cookie = await login(c);
  });
  afterAll(async () => {
    await c?.stop();
    if (c) rmSync(c.dataDir, { recursive: true, force: true });
    if (c) await dropDatabase(c.dataDir);
  });

  it('300 reconnects with one resume token: refused with a catalog close code after a burst, a few audit rows, exact counts', async () => {
    const { agent, welcome } = await joinByCode(c, cookie);
    agent.ws.close();
    await agent.closed;
    const rowsBefore = (await auditEntries(c, cookie)).length;

    const outcomes = [];
    for (let i = 0; i < 300; i++) outcomes.push(await resumeOnce(c, welcome.resumeToken!));
    const welcomed = outcomes.filter((o) => o.welcomed).length;
    const refused = outcomes.filter((o) => !o.welcomed);
    expect(welcomed).toBeGreaterThanOrEqual(10);
    expect(welcomed).toBeLessThanOrEqual(12);
    expect(refused.length).toBe(300 - welcomed);
    expect(refused.every((o) => o.code === 'SESSION_ERR_RESUME_THROTTLED' && o.close === 4430)).toBe(true);

    // Resumed, disconnected and refused: each written 3 times as it came, the rest only counted.
    const rowsAfter = await auditEntries(c, cookie);
    expect(rowsAfter.length - rowsBefore).toBeLessThanOrEqual(9);
    expect((await fetch(`${c.url}/api/health`)).status).toBe(200);

    // Stopping the controller appends the counts still open: every event is accounted for.
    await c.stop();
    await withControllerStore(c, async (db) => {
      const rows = await db.selectFrom('audit_log').select(['action', 'target', 'detail_json', 'count']).execute();
      const sum = (action: string, also: (row: (typeof rows)[number]) => boolean) => rows.filter((r) => r.action === action && also(r)).reduce((n, r) => n + r.count, 0);
      expect(sum('agent.resumed', (r) => r.target === welcome.sessionId)).toBe(welcomed);
      expect(sum('agent.refused', (r) => r.detail_json?.includes('SESSION_ERR_RESUME_THROTTLED') === true)).toBe(refused.length);
      expect(rows.length - rowsBefore).toBeLessThanOrEqual(12);
    });
    const password = c.adminPassword;
    c = await startController({ dataDir: c.dataDir, keepData: true, args: allowance.args });
    cookie = await login(c, 'admin', password);
  });

  it('a real agent whose connection keeps dropping is throttled, and still reconnects after its backoff', async () => {
    const proxy = await startTcpProxy(c.port, allowance.port);
    let agent: RunningAgent | null = null;
    try {
      const link = await createSupportLink(c, cookie);
      agent = spawnAgent(['join', link.url.replace(c.url, proxy.url)]);
      await agent.waitFor(/Connected to|Administrator/, 20_000);
      await until(() => proxy.accepted() >= 1, DEADLINE_MS, 'the agent through the proxy');
      const reconnected = () => (agent!.output().match(/Reconnected\./g) ?? []).length;
      const throttled = () => agent!.output().includes('Too many reconnections');
      for (let i = 0; i < 30 && !throttled(); i++) {
        const before = reconnected();
        proxy.cutAll();
        await until(() => reconnected() > before || throttled(), 20_000, 'a reconnection or a throttled refusal');
      }
      expect(throttled()).toBe(true);
      const before = reconnected();
      await until(() => reconnected() > before, 20_000, 'the agent back after its backoff');
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await agent?.stop();
      await proxy.close();
    }
  });

  it('a technician may have at most 20 support links waiting', async () => {
    const account = await fetch(`${c.url}/api/users`, {
      method: 'POST',
      headers: { cookie, origin: c.url, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'links.tech', name: 'Links Tech', password: 'links password 123', role: 'l1' }),
    });
    expect(account.status).toBe(201);
    const tech = await login(c, 'links.tech', 'links password 123');
    for (let i = 0; i < 20; i++) await createSupportLink(c, tech);
    const over = await fetch(`${c.url}/api/support-links`, { method: 'POST', headers: { cookie: tech, origin: c.url } });
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('LINK_ERR_TOO_MANY_WAITING');
    // The cap is per technician: the admin still creates links.
    await createSupportLink(c, cookie);
  });
});

describe('snapshot history through the API', () => {
  let c: RunningController;
  let cookie: string;
  beforeAll(async () => {
    c = await startController({ args: ['--snapshots-per-device', '3'] });
    cookie = await login(c);
  });
  afterAll(() => c?.stop());

  const snap = (takenAt: number): Snapshot => ({ takenAt, durationMs: 5, probes: {} });
  const get = async (path: string) => fetch(`${c.url}/api${path}`, { headers: { cookie } });

  it('each device keeps its own last N; the join snapshot and a comparison the technician made stay readable', async () => {
    const quiet = await joinByCode(c, cookie);
    const busy = await joinByCode(c, cookie);
    const listed = async (deviceId: string) => ((await (await get(`/devices/${deviceId}/snapshots?limit=200`)).json()) as { snapshots: Array<{ id: number }> }).snapshots.map((s) => s.id);
    const sendAndWait = async (who: typeof quiet, takenAt: number): Promise<number> => {
      const before = new Set(await listed(who.welcome.deviceId));
      who.agent.send({ t: 'diagnostics.snapshot', requestId: null, snapshot: snap(takenAt) });
      const ids = await eventually(() => listed(who.welcome.deviceId), (list) => list.some((id) => !before.has(id)), DEADLINE_MS, 'the snapshot stored');
      return ids.find((id) => !before.has(id))!;
    };

    const join = await sendAndWait(quiet, 1);
    const before = await sendAndWait(quiet, 2);
    const after = await sendAndWait(quiet, 3);
    expect((await get(`/devices/${quiet.welcome.deviceId}/compare?before=${before}&after=${after}`)).status).toBe(200);
    for (let i = 0; i < 10; i++) await sendAndWait(busy, 10 + i);
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await sendAndWait(quiet, 20 + i));

    const kept = await listed(quiet.welcome.deviceId);
    expect(kept).toEqual([...later.slice(-3).reverse(), after, before, join]);
    expect((await get(`/devices/${quiet.welcome.deviceId}/compare?before=${before}&after=${after}`)).status).toBe(200);
    expect((await get(`/devices/${quiet.welcome.deviceId}/snapshots/${later[0]}`)).status).toBe(404);
    expect(await listed(busy.welcome.deviceId)).toHaveLength(4);
  });
});

describe('audit retention', () => {
  it('--audit-retention-days prunes older entries on its schedule and records that it did', async () => {
    const first = await startController({ keepData: true });
    const dataDir = first.dataDir;
    await first.stop();
    const old = Date.now() - 40 * 24 * 60 * 60 * 1000;
    await withControllerStore(first, (db) =>
      db.insertInto('audit_log').values(Array.from({ length: 5 }, (_, i) => ({ at: old + i, actor: 'old.tech', action: 'login.ok', target: null, detail_json: null, ip: '10.0.0.1', last_at: null }))).execute(),
    );

    const c = await startController({ dataDir, args: ['--audit-retention-days', '30'] });
    try {
      const cookie = await login(c, 'admin', first.adminPassword);
      // The first retention run comes a few seconds after start.
      const entries = await eventually(() => auditEntries(c, cookie), (list) => list.some((e) => e.action === 'audit.pruned'), 20_000, 'audit.pruned');
      const pruned = entries.find((e) => e.action === 'audit.pruned');
      expect(pruned?.detail).toMatchObject({ retentionDays: 30, deleted: 5 });
      expect(entries.some((e) => (e as { actor?: string }).actor === 'old.tech')).toBe(false);
      expect(entries.some((e) => e.action === 'login.ok')).toBe(true);
    } finally {
      await c.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(dataDir);
    }
  });
});
