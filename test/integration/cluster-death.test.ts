/**
 * A node killed with SIGKILL (no goodbye): the other node notices within the registry's
 * TTL, ends the shells relayed through it (agent-offline), shows its devices offline, and
 * a managed agent that reconnects to the surviving node (a TCP proxy turned to it, as a
 * balancer would) delivers its job's result there: stored once, run once.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { startClusterNodes, type ClusterNodes } from '../helpers/cluster-nodes.js';
import { connectConsole, stopAll, type ConsoleClient } from '../helpers/console-client.js';
import { createSupportLink, login, type RunningController } from '../helpers/controller-process.js';
import { apiWithToken, createJob, createScript, startFleet, waitForJob, type Api, type FleetDevice } from '../helpers/jobs.js';
import { proxyAllowance, startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';


describe('a cluster node killed', () => {
  let cluster: ClusterNodes;
  let a: RunningController;
  let b: RunningController;
  let proxy: TcpProxy;
  let console: ConsoleClient;
  let api: Api;
  const agents: RunningAgent[] = [];
  const fleet: FleetDevice[] = [];

  beforeAll(async () => {
    const allowance = await proxyAllowance();
    cluster = await startClusterNodes(2, { args: allowance.args });
    [a, b] = cluster.nodes as [RunningController, RunningController];
    // Managed agents reach the cluster through this proxy, which sends them to node B first.
    proxy = await startTcpProxy(b.port, allowance.port);
    console = await connectConsole(a, await login(a));
    api = (await apiWithToken(a, await login(a))).api;
  }, 120_000);
  afterAll(async () => {
    await stopAll(agents);
    await Promise.all(fleet.map((d) => d.agent.stop()));
    await console?.close();
    await proxy?.close();
    await cluster?.stop();
  });

  it('ends the shells through it, shows its devices offline, and a job in flight there completes once on the other node', async () => {
    // An attended agent on B with a shell opened from A.
    const link = await createSupportLink(b, await login(b));
    const agent = spawnAgent(['join', link.url]);
    agents.push(agent);
    const attended = (await console.waitFor('device.update', (m) => m.device.online, 30_000)).device.id;
    const channel = await console.requestShell(attended, 80, 24);
    await agent.waitFor(/\[y\/N\]/i);
    agent.answer('y');
    await console.waitFor('shell.opened', (m) => m.channel === channel, 30_000);

    // A managed device on B (through the proxy) running a job created on A.
    const [device] = await startFleet(b, await login(b), 1, ['--policy-script', 'allow'], { url: proxy.url });
    fleet.push(device!);
    const file = join(mkdtempSync(join(tmpdir(), 'relais-cluster-death-')), 'runs.log');
    await createScript(api, { name: 'slow-append', body: 'echo "ran $RELAIS_JOB_ID" >> "$RELAIS_PARAM_FILE"\nsleep 3\necho done\n', parameters: [{ name: 'FILE', description: 'where to append' }] });
    const job = await createJob(api, { scriptName: 'slow-append', target: { deviceIds: [device!.deviceId] }, params: { FILE: file } });
    await waitForJob(api, job.id, (_job, runs) => runs.some((r) => r.status === 'running'), 30_000);

    const killedAt = Date.now();
    proxy.retarget(a.port);
    b.child.kill('SIGKILL');
    expect((await console.waitFor('shell.closed', (m) => m.channel === channel, 20_000)).reason).toBe('agent-offline');
    await console.waitFor('device.update', (m) => m.device.id === attended && !m.device.online, 20_000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);

    const { job: done, runs } = await waitForJob(api, job.id, undefined, 60_000);
    expect(done.status).toBe('completed');
    expect(runs[0]).toMatchObject({ status: 'succeeded', exitCode: 0 });
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    expect(lines).toEqual([`ran ${job.id}`]);

    // The shared device list (what pages and counts read) agrees: the managed device online
    // again, now on A, and the attended one, whose node died, offline.
    const cookie = await login(a);
    const onlineIds = async () => {
      const res = await fetch(`${a.url}/api/devices?online=true&limit=50`, { headers: { cookie } });
      return ((await res.json()) as { devices: Array<{ id: string }> }).devices.map((d) => d.id);
    };
    await expect.poll(onlineIds, { timeout: 15_000 }).toEqual([device!.deviceId]);
  });

  it('a node stopped by SIGTERM leaves at once: its devices show offline on the others, whose shells through it end', async () => {
    const c = await cluster.add();
    const link = await createSupportLink(c, await login(c));
    const agent = spawnAgent(['join', link.url]);
    agents.push(agent);
    const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' && m.device.online ? [m.device.id] : [])));
    const deviceId = (await console.waitFor('device.update', (m) => m.device.online && !known.has(m.device.id), 30_000)).device.id;
    const channel = await console.requestShell(deviceId, 80, 24);
    await agent.waitFor(/\[y\/N\]/i);
    agent.answer('y');
    await console.waitFor('shell.opened', (m) => m.channel === channel, 30_000);
    await c.stop();
    await console.waitFor('shell.closed', (m) => m.channel === channel, 20_000);
    await console.waitFor('device.update', (m) => m.device.id === deviceId && !m.device.online, 20_000);
  });
});
