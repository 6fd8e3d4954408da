/**
 * What nodes tell each other besides shells, with two real controller nodes: a console
 * on node A refreshes the diagnostics of an agent held by node B (a flood of asks joins the
 * one collection under way there), chats with its person
 * (a console on B sees the message too), ends its support session; login failures on one
 * node count on the other; a node link without the cluster secret is refused and audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { WebSocket, WebSocketServer } from 'ws';
import { NODE_HEADERS, signNodeHandshake } from '../../controller/server/cluster/node-auth.js';
import { MAX_JOINED_REFRESHES } from '../../controller/server/hubs/agent-hub.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { TEST_REDIS_URL, startClusterNodes, type ClusterNodes } from '../helpers/cluster-nodes.js';
import { connectConsole, stopAll, type ConsoleClient } from '../helpers/console-client.js';
import { createSupportLink, login, type RunningController } from '../helpers/controller-process.js';
import { eventually } from '../helpers/until.js';


describe('live events across cluster nodes', () => {
  let cluster: ClusterNodes;
  let a: RunningController;
  let b: RunningController;
  let onA: ConsoleClient;
  let onB: ConsoleClient;
  let cookieA: string;
  const agents: RunningAgent[] = [];

  beforeAll(async () => {
    cluster = await startClusterNodes(2);
    [a, b] = cluster.nodes as [RunningController, RunningController];
    cookieA = await login(a);
    onA = await connectConsole(a, cookieA);
    onB = await connectConsole(b, await login(b));
  });
  afterAll(async () => {
    await stopAll(agents);
    await onA?.close();
    await onB?.close();
    await cluster?.stop();
  });

  async function joinB(): Promise<{ agent: RunningAgent; deviceId: string }> {
    const known = new Set(onA.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
    const link = await createSupportLink(b, await login(b));
    const agent = spawnAgent(['join', link.url]);
    agents.push(agent);
    const update = await onA.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
    return { agent, deviceId: update.device.id };
  }

  it('diagnostics refreshed and a chat message from node A reach the agent on node B; both nodes\' consoles see the chat; ending the session there ends the agent', async () => {
    const { agent, deviceId } = await joinB();
    onA.send({ t: 'diagnostics.refresh', requestId: 'refresh-1', deviceId });
    await onA.waitFor('diagnostics.pending', (m) => m.requestId === 'refresh-1');
    await onA.waitFor('device.diagnostics', (m) => m.requestId === 'refresh-1' && m.deviceId === deviceId, 60_000);

    onA.send({ t: 'chat.send', deviceId, text: 'bonjour from node A' });
    await agent.waitFor('bonjour from node A', 30_000);
    await onB.waitFor('chat.message', (m) => m.deviceId === deviceId && m.text === 'bonjour from node A' && m.side === 'technician', 30_000);

    const ended = await fetch(`${a.url}/api/devices/${deviceId}/end-session`, { method: 'POST', headers: { cookie: cookieA, origin: a.url } });
    expect(ended.status).toBe(204);
    await agent.exited;
    await onA.waitFor('device.update', (m) => m.device.id === deviceId && !m.device.online && m.device.sessionStatus === 'ended', 30_000);
  });

  it('diagnostics asked from node A for an agent on node B join the collection under way there: each answered, one snapshot stored', async () => {
    const { deviceId } = await joinB();
    const snapshots = async () => ((await (await fetch(`${a.url}/api/devices/${deviceId}/snapshots`, { headers: { cookie: cookieA } })).json()) as { snapshots: unknown[] }).snapshots.length;
    // The join's own snapshot first, so that it is not counted as an answer.
    const before = await eventually(snapshots, (n) => n >= 1, 60_000, 'the join snapshot');
    const ids = Array.from({ length: 1 + MAX_JOINED_REFRESHES + 5 }, (_, i) => `remote-flood-${i}`);
    for (const requestId of ids) onA.send({ t: 'diagnostics.refresh', requestId, deviceId });
    // Node B takes the first and lets the next ones join it; those past the bound are dropped there.
    for (const requestId of ids.slice(0, 1 + MAX_JOINED_REFRESHES)) await onA.waitFor('device.diagnostics', (m) => m.requestId === requestId && m.deviceId === deviceId, 60_000);
    // A later ask starts a collection of its own, so every earlier one has been stored by the time it is answered.
    onA.send({ t: 'diagnostics.refresh', requestId: 'remote-after', deviceId });
    await onA.waitFor('device.diagnostics', (m) => m.requestId === 'remote-after', 60_000);
    expect(await snapshots()).toBe(before + 2);
  });

  it('refuses a node link that does not prove the cluster secret (another secret, no handshake, a browser Origin), and audits it', async () => {
    const status = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${a.url.replace(/^http/, 'ws')}/ws/node`, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', reject);
    });
    expect(await status(signNodeHandshake('not-the-cluster-secret-at-all-0123456789', 'intruder'))).toBe(403);
    expect(await status({})).toBe(403);
    const signedElsewhere = { ...signNodeHandshake('x'.repeat(40), 'intruder'), origin: a.url };
    expect(await status(signedElsewhere)).toBe(403);
    // The audit entry is written after the refusal is answered (audit.note does not wait): awaited, not read once.
    const audited = async () => await fetch(`${a.url}/api/audit?action=node.refused&limit=10`, { headers: { cookie: cookieA } }).then((r) => r.json()) as { entries: Array<{ detail: { reason: string } }> };
    await expect.poll(async () => (await audited()).entries.map((e) => e.detail.reason).sort(), { timeout: 15_000 }).toEqual(['bad-mac', 'missing']);
    expect(JSON.stringify(await audited())).not.toContain(NODE_HEADERS.mac);
  });

  it('a node link to an address that cannot prove the cluster secret is dropped before anything is sent on it', async () => {
    // Someone registers a "node" in Redis (or took over a node's address) and claims a device.
    const impostor = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const received: string[] = [];
    let upgraded = 0;
    impostor.on('connection', (ws) => {
      upgraded++;
      ws.on('message', (data) => received.push(String(data)));
    });
    await new Promise((resolve) => impostor.once('listening', resolve));
    const url = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = (name: string) => `relais:${cluster.prefix}:${name}`;
      const holder = { node: 'impostor', sessionId: null, since: Date.now() };
      await redis.set(key('node:impostor'), JSON.stringify({ url, slot: 63, startedAt: Date.now() }), 'PX', 120_000);
      await redis.sadd(key('nodes'), 'impostor');
      await redis.hset(key('presence'), 'claimed-device', JSON.stringify(holder));
      await redis.publish(key('events'), JSON.stringify({ from: 'impostor', event: { t: 'presence', deviceId: 'claimed-device', holder } }));
      // Once node A knows the "node" (its next registry refresh), a shell on the claimed device goes nowhere.
      await expect.poll(async () => {
        onA.send({ t: 'shell.open', requestId: `probe-${Date.now()}`, deviceId: 'claimed-device', cols: 80, rows: 24 });
        return (await onA.waitFor('shell.closed', () => true, 3000).catch(() => null))?.reason ?? null;
      }, { timeout: 20_000 }).toBe('agent-offline');
      expect(upgraded).toBeGreaterThan(0);
      expect(received).toEqual([]);
    } finally {
      await redis.del(`relais:${cluster.prefix}:node:impostor`);
      redis.disconnect();
      impostor.close();
    }
  });

  it('login failures on node A count on node B: the right password is then refused there too', async () => {
    // 20 failures from one address (many accounts) throttle the address; run last: it locks this cluster's logins out.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${a.url}/api/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `guess-${i}`, password: 'not-the-password' }),
      });
      expect(res.status).toBe(401);
    }
    // The right password adds no failure: until node B heard of A's, it logs in; then it is refused.
    const right = () => fetch(`${b.url}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: b.adminPassword }),
    }).then((r) => r.status);
    await expect.poll(right, { timeout: 15_000 }).toBe(429);
  });
});
