/**
 * Three controller nodes on one PostgreSQL database and Redis, HAProxy in front, real
 * agents and consoles (test/helpers/cluster.ts): any node serves any console, a shell
 * opened on one node reaches an agent held by another with every byte intact, a job on
 * agents spread over the nodes runs exactly once on each with every result stored, and
 * kill -9 of a node sends its agents to the others while the job in flight finishes once.
 * PostgreSQL project only (a cluster cannot share SQLite).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { hasHaproxy, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { connectConsole, stopAll, type ConsoleClient } from '../helpers/console-client.js';
import { createSupportLink, login } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, tempStateDir } from '../helpers/fleet.js';
import { apiWithToken, allRuns, createJob, createScript, runWithOutput, waitForJob, type Api } from '../helpers/jobs.js';
import { eventually } from '../helpers/until.js';

const haproxy = hasHaproxy();
const QUESTION = /\[y\/N\]/i;
const SPREAD = 6;

describe.skipIf(!haproxy)('three nodes behind HAProxy', () => {
  let cluster: TestCluster;
  let cookie: string;
  let api: Api;
  const consoles: ConsoleClient[] = [];
  const attended: RunningAgent[] = [];
  const managed: Array<{ deviceId: string; agent: RunningAgent; mark: string }> = [];
  /** Every managed device stored `output` for the job, and its script wrote the job's mark once. */
  const expectRanOnceEach = async (jobId: string, output: string) => {
    for (const device of managed) {
      const run = await runWithOutput(api, jobId, device.deviceId);
      expect(run.out.toString('utf8')).toBe(output);
      expect(readFileSync(device.mark, 'utf8').split('\n').filter((line) => line === jobId)).toHaveLength(1);
    }
  };
  let marks: string;

  beforeAll(async () => {
    marks = mkdtempSync(join(tmpdir(), 'relais-cluster-marks-'));
    // A short grace: a shell left without its console ends quickly.
    // Drain 3 s on SIGTERM: three failed checks of HAProxy (inter 1s fall 2) fit in it.
    cluster = await startTestCluster(3, { env: { RELAIS_SHELL_GRACE_MS: '2000', RELAIS_DRAIN_SECONDS: '3' } });
    // Logged in through the balancer: the session is good on every node.
    cookie = await login(cluster.balancer);
    ({ api } = await apiWithToken(cluster.balancer, cookie));
  }, 120_000);
  afterEach(async () => {
    await Promise.all(consoles.splice(0).map((c) => c.close()));
    await stopAll(attended);
  });
  afterAll(async () => {
    await stopAll(managed.map((m) => m.agent));
    await cluster?.stop();
    if (marks) rmSync(marks, { recursive: true, force: true });
  });

  const node = (index: number) => cluster.nodes[index]!;

  /** An attended agent joining from a code straight to one node (not through the balancer), shells on pipes for exact bytes. */
  async function joinOn(index: number, watcher: ConsoleClient): Promise<{ agent: RunningAgent; deviceId: string }> {
    const known = new Set(watcher.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
    const link = await createSupportLink(cluster.balancer, cookie);
    const agent = spawnAgent(['join', link.code, '--controller', node(index).url, '--no-prompt'], { env: { RELAIS_AGENT_SHELL_MODE: 'pipes' } });
    attended.push(agent);
    const update = await watcher.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online, 30_000);
    return { agent, deviceId: update.device.id };
  }

  async function consoleOn(index: number | 'balancer'): Promise<ConsoleClient> {
    const console = await connectConsole(index === 'balancer' ? cluster.balancer : cluster.direct(node(index)), cookie);
    consoles.push(console);
    return console;
  }

  async function online(deviceId: string, via = cluster.balancer.url): Promise<boolean> {
    const res = await fetch(`${via}/api/devices/${deviceId}`, { headers: { cookie } });
    return res.status === 200 && ((await res.json()) as { device: { online: boolean } }).device.online;
  }

  it('any node serves any console: an agent held by node2 is online for consoles on node1 and behind the balancer', async () => {
    const onNode1 = await consoleOn(0);
    const { deviceId } = await joinOn(1, onNode1);
    const behind = await consoleOn('balancer');
    await behind.waitFor('welcome', () => true, 15_000);
    expect(await eventually(() => online(deviceId, node(2).url), Boolean, 15_000, 'node3 to see the device online')).toBe(true);
    expect(await online(deviceId)).toBe(true);
    // The device list of the node that does not hold it lists it too.
    const list = (await (await fetch(`${node(0).url}/api/devices?limit=50`, { headers: { cookie } })).json()) as { devices: Array<{ id: string; online: boolean }> };
    expect(list.devices.find((d) => d.id === deviceId)?.online).toBe(true);
  });

  it('a shell from a console on node1 to an agent on node2: every byte both ways', async () => {
    const console = await consoleOn(0);
    const { agent, deviceId } = await joinOn(1, console);
    const channel = await console.requestShell(deviceId, 100, 30);
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await console.waitFor('shell.consent', (m) => m.channel === channel && m.decision === 'granted', 15_000);
    await console.waitFor('shell.opened', (m) => m.channel === channel, 15_000);
    // Agent → console: 108 KB (several credit windows) arrive in order, whole.
    // The end marker is computed by the shell: the echo of the typed line cannot match it.
    const expected = `${Array.from({ length: 20_000 }, (_, i) => String(i + 1)).join('\n')}\nEND-OF-SEQ-42\n`;
    console.type(channel, 'seq 1 20000; echo END-OF-SEQ-$((6*7))\n');
    await console.waitForOutput(channel, 'END-OF-SEQ-42\n', 30_000);
    expect(console.output(channel)).toContain(expected);
    // Console → agent: 48 KB of keystrokes reach the shell exactly (the shell hashes what it read).
    const payload = randomBytes(36 * 1024).toString('base64');
    const hash = createHash('sha256').update(`${payload}\n`).digest('hex');
    console.type(channel, `read -r line; printf '%s\\n' "$line" | sha256sum\n${payload}\n`);
    await console.waitForOutput(channel, hash, 30_000);
    console.send({ t: 'shell.close', channel });
    await console.waitFor('shell.closed', (m) => m.channel === channel, 15_000);
  });

  it(`a job on ${SPREAD} managed agents spread over the nodes runs exactly once on each, every result stored`, async () => {
    const { token } = await createEnrollmentToken(cluster.balancer, cookie, { maxUses: SPREAD });
    for (let i = 0; i < SPREAD; i += 1) {
      const enrolled = await enrollAgent(cluster.balancer, token, ['--name', `spread-${i}`, '--tag', 'spread', '--policy-script', 'allow'], tempStateDir());
      expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
      const mark = join(marks, `spread-${i}`);
      // Through the balancer: leastconn puts them on every node.
      const agent = spawnAgent(['run', '--state-dir', enrolled.stateDir], { env: { RELAIS_TEST_MARK: mark } });
      managed.push({ deviceId: enrolled.device!.deviceId, agent, mark });
      await agent.waitFor(/Connected to/, 30_000);
    }
    const servers = await cluster.haproxy.servers();
    expect(servers.filter((s) => s.sessions > 0).map((s) => s.name).sort(), JSON.stringify(servers)).toEqual(['node1', 'node2', 'node3']);
    for (const { deviceId } of managed) expect(await eventually(() => online(deviceId), Boolean, 15_000, `${deviceId} online`)).toBe(true);

    await createScript(api, { name: 'once', body: 'echo "$RELAIS_JOB_ID" >> "$RELAIS_TEST_MARK"\nprintf "ran-%s\\n" "$RELAIS_JOB_ID"\n' });
    const job = await createJob(api, { scriptName: 'once', target: { tag: 'spread' }, concurrency: SPREAD });
    expect(job.deviceCount).toBe(SPREAD);
    const { job: done } = await waitForJob(api, job.id, (j) => j.status !== 'running', 60_000);
    expect(done.counts).toMatchObject({ succeeded: SPREAD, failed: 0, pending: 0, running: 0 });
    await expectRanOnceEach(job.id, `ran-${job.id}\n`);
  }, 180_000);

  it('kill -9 of a node: its agents come back on the others, the job in flight finishes once on each, nothing lost', async () => {
    expect(managed).toHaveLength(SPREAD);
    await createScript(api, { name: 'slow-once', body: 'echo "$RELAIS_JOB_ID" >> "$RELAIS_TEST_MARK"\nsleep 4\nprintf "slow-%s\\n" "$RELAIS_JOB_ID"\n' });
    const job = await createJob(api, { scriptName: 'slow-once', target: { tag: 'spread' }, concurrency: SPREAD });
    // Every run started on its device (the mark written) before the node dies.
    await eventually(async () => managed.filter((m) => existsSync(m.mark) && readFileSync(m.mark, 'utf8').includes(job.id)).length, (n) => n === SPREAD, 30_000, 'every run started');
    const before = await cluster.haproxy.servers();
    const victim = [...before].sort((a, b) => b.sessions - a.sessions)[0]!;
    expect(victim.sessions).toBeGreaterThan(0);
    await cluster.node(victim.name)!.kill();
    const survivors = before.map((s) => s.name).filter((name) => name !== victim.name);
    await cluster.haproxy.waitUntil(survivors, 15_000);
    // Its agents reconnect through the balancer to the nodes left.
    for (const { deviceId } of managed) expect(await eventually(() => online(deviceId), Boolean, 30_000, `${deviceId} back online`)).toBe(true);
    const after = await cluster.haproxy.servers();
    expect(after.find((s) => s.name === victim.name)?.sessions).toBe(0);

    const { job: done } = await waitForJob(api, job.id, (j) => j.status !== 'running', 60_000);
    expect(done.counts, JSON.stringify((await allRuns(api, job.id)).map((r) => [r.deviceId, r.status, r.reason]))).toMatchObject({ succeeded: SPREAD, failed: 0, pending: 0, running: 0 });
    // Run once: a second dispatch after the reconnection would have written a second mark.
    await expectRanOnceEach(job.id, `slow-${job.id}\n`);
  }, 180_000);

  it('a rolling upgrade: the killed node starts again, another drains on SIGTERM, its agents move, a job still runs once on each', async () => {
    expect(managed).toHaveLength(SPREAD);
    const dead = cluster.nodes.find((n) => !n.alive)!;
    await dead.restart();
    await cluster.haproxy.waitUntil(cluster.nodes.map((n) => n.id), 30_000);
    // The busiest node drains: readiness fails at once, HAProxy takes it out before its websockets close.
    const servers = await cluster.haproxy.servers();
    const draining = cluster.node([...servers].sort((a, b) => b.sessions - a.sessions)[0]!.name)!;
    const stopped = draining.stop();
    await cluster.haproxy.waitUntil(cluster.nodes.filter((n) => n !== draining).map((n) => n.id), 15_000);
    await stopped;
    for (const { deviceId } of managed) expect(await eventually(() => online(deviceId), Boolean, 30_000, `${deviceId} online after the drain`)).toBe(true);
    expect((await cluster.haproxy.servers()).find((s) => s.name === draining.id)?.sessions).toBe(0);
    const job = await createJob(api, { scriptName: 'once', target: { tag: 'spread' }, concurrency: SPREAD });
    const { job: done } = await waitForJob(api, job.id, (j) => j.status !== 'running', 60_000);
    expect(done.counts).toMatchObject({ succeeded: SPREAD, failed: 0, pending: 0, running: 0 });
    for (const device of managed) expect(readFileSync(device.mark, 'utf8').split('\n').filter((line) => line === job.id)).toHaveLength(1);
  }, 180_000);
});
