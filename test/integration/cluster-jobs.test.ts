/**
 * A fleet job across three controller nodes on one PostgreSQL database and Redis:
 * managed agents enrolled and connected on each node, the job created on one node, every
 * node dispatches it to the devices it holds. Each run appends a line to a shared file,
 * so a run sent twice would show as a second line.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterNodes, type ClusterNodes } from '../helpers/cluster-nodes.js';
import { connectConsole, type ConsoleClient } from '../helpers/console-client.js';
import { login, type RunningController } from '../helpers/controller-process.js';
import { allRuns, apiWithToken, createJob, createScript, maxOverlap, startFleet, waitForJob, type Api, type FleetDevice } from '../helpers/jobs.js';

const PER_NODE = 2;

describe('jobs across cluster nodes', () => {
  let cluster: ClusterNodes;
  let api: Api;
  let watcher: ConsoleClient;
  const fleet: FleetDevice[] = [];

  beforeAll(async () => {
    cluster = await startClusterNodes(3);
    const [a, , c] = cluster.nodes as [RunningController, RunningController, RunningController];
    api = (await apiWithToken(a, await login(a))).api;
    await createScript(api, { name: 'append', body: 'echo "ran $RELAIS_JOB_ID" >> "$RELAIS_PARAM_FILE"\nsleep 0.5\necho done\n', parameters: [{ name: 'FILE', description: 'where to append' }] });
    // Each node enrolls and holds its own devices.
    for (const node of cluster.nodes) fleet.push(...(await startFleet(node, await login(node), PER_NODE, ['--policy-script', 'allow', '--tag', 'spread'])));
    watcher = await connectConsole(c, await login(c));
  }, 180_000);
  afterAll(async () => {
    await Promise.all(fleet.map((d) => d.agent.stop()));
    await watcher?.close();
    await cluster?.stop();
  });

  it('a job created on one node runs exactly once on every device, whichever node holds it; a console on a third node sees it end', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'relais-cluster-jobs-')), 'runs.log');
    const job = await createJob(api, { scriptName: 'append', target: { tag: 'spread' }, params: { FILE: file }, concurrency: 2 });
    expect(job.deviceCount).toBe(PER_NODE * 3);
    const { job: done, runs } = await waitForJob(api, job.id, undefined, 90_000);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ succeeded: PER_NODE * 3, pending: 0, running: 0, failed: 0 });
    expect(new Set(runs.map((r) => r.deviceId))).toEqual(new Set(fleet.map((d) => d.deviceId)));
    expect(runs.every((r) => r.status === 'succeeded' && r.exitCode === 0)).toBe(true);
    // The concurrency holds across the nodes (claims are counted in the store, under the job's lock).
    expect(maxOverlap(runs)).toBeLessThanOrEqual(2);
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    expect(lines).toEqual(Array.from({ length: PER_NODE * 3 }, () => `ran ${job.id}`));
    await watcher.waitFor('job.update', (m) => m.job.id === job.id && m.job.status === 'completed', 30_000);
  });

  it('revoking on node A a device that node B holds, while its script runs, settles the run and refuses the agent there', async () => {
    const device = fleet[PER_NODE]!; // enrolled on, and held by, node B
    await createScript(api, { name: 'slow', body: 'echo started; sleep 30; echo late' });
    const job = await createJob(api, { scriptName: 'slow', target: { deviceIds: [device.deviceId] } });
    await waitForJob(api, job.id, (_job, runs) => runs[0]?.status === 'running', 30_000);
    expect((await api('POST', `/devices/${device.deviceId}/revoke`)).status).toBe(204);
    expect((await allRuns(api, job.id))[0]).toMatchObject({ status: 'cancelled', reason: 'the device was revoked by an administrator' });
    // Node B closed its connection: the agent is refused for good and stops (status 78).
    expect(await device.agent.exited).toBe(78);
    await watcher.waitFor('device.update', (m) => m.device.id === device.deviceId && m.device.revoked === true && !m.device.online, 30_000);
  });
});
