/**
 * Revoking a device mid-job (issue 8, point 10): its open runs are settled at once
 * as cancelled with the reason, so the job finishes when the other devices do and
 * `relais fleet run` returns instead of waiting for the job to expire.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Run } from '../../protocol/index.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollKey, testDeviceKey } from '../helpers/fleet.js';
import { allRuns, apiWithToken, createJob, createScript, startFleet, waitForJob, type Api, type FleetDevice } from '../helpers/jobs.js';
import { repoRoot } from '../helpers/paths.js';
import { eventually } from '../helpers/until.js';

let c: RunningController;
let cookie: string;
let api: Api;
let token: string;
const fleet: FleetDevice[] = [];

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
  ({ api, token } = await apiWithToken(c, cookie));
});
afterEach(async () => {
  await Promise.all(fleet.splice(0).map((d) => d.agent.stop()));
});
afterAll(() => c?.stop());

async function revoke(deviceId: string): Promise<number> {
  return (await fetch(`${c.url}/api/devices/${deviceId}/revoke`, { method: 'POST', headers: { cookie, origin: c.url } })).status;
}

/** Enrolls a key that never connects: a machine switched off for good. */
async function offlineDevice(tag: string): Promise<string> {
  const { token: enrollment } = await createEnrollmentToken(c, cookie, { group: 'lab' });
  const res = await enrollKey(c, enrollment, testDeviceKey().publicKey, { name: `off-${tag}`, tags: [tag] });
  expect(res.status).toBe(201);
  return ((await res.json()) as { deviceId: string }).deviceId;
}

describe('revoking a device during a job', () => {
  it('an offline device revoked mid-job is settled at once, and `relais fleet run` returns when the online one is done', async () => {
    fleet.push(...(await startFleet(c, cookie, 1, ['--policy-script', 'allow', '--tag', 'revoke-lab'])));
    const offline = await offlineDevice('revoke-lab');
    await createScript(api, { name: 'revoke-hello', body: 'echo hello' });

    const cli = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'relais.mjs'), 'fleet', 'run', '--tag', 'revoke-lab', '--script', 'revoke-hello', '--json'], {
      env: { ...process.env, RELAIS_CONTROLLER: c.url, RELAIS_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    try {
      const job = (await eventually(async () => ((await api('GET', '/jobs')).json as { jobs: Job[] }).jobs[0], (j) => j?.scriptName === 'revoke-hello', 10_000, 'the job'))!;
      const done = await waitForJob(api, job.id, (_job, runs) => runs.some((r) => r.deviceId === fleet[0]!.deviceId && r.status === 'succeeded'), 20_000);
      expect(done.job.status).toBe('running');
      expect(done.runs.find((r) => r.deviceId === offline)?.status).toBe('pending');
      expect(cli.exitCode).toBeNull();

      const revokedAt = Date.now();
      expect(await revoke(offline)).toBe(204);
      const after = { job: (await api('GET', `/jobs/${job.id}`)).json.job as Job, runs: await allRuns(api, job.id) };
      expect(after.job.status).toBe('completed');
      expect(after.runs.find((r) => r.deviceId === offline)).toMatchObject({ status: 'cancelled', reason: 'the device was revoked by an administrator' });

      // The command line sees the job finished at its next poll: exit 1, a device was cancelled.
      expect(await exited).toBe(1);
      expect(Date.now() - revokedAt).toBeLessThan(10_000);
      const report = JSON.parse(stdout) as { job: Job; runs: Run[] };
      expect(report.job.counts).toMatchObject({ succeeded: 1, cancelled: 1 });
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });

  it('a device revoked while its script runs is told to stop, and its run is settled at once', async () => {
    fleet.push(...(await startFleet(c, cookie, 1, ['--policy-script', 'allow', '--tag', 'revoke-busy'])));
    const device = fleet[0]!;
    await createScript(api, { name: 'revoke-slow', body: 'echo started; sleep 30; echo late' });
    const job = await createJob(api, { scriptName: 'revoke-slow', target: { tag: 'revoke-busy' } });
    await waitForJob(api, job.id, (_job, runs) => runs[0]?.status === 'running', 20_000);

    expect(await revoke(device.deviceId)).toBe(204);
    const settled = (await api('GET', `/jobs/${job.id}`)).json.job as Job;
    const runs = await allRuns(api, job.id);
    expect(settled.status).not.toBe('running');
    expect(runs[0]).toMatchObject({ status: 'cancelled', reason: 'the device was revoked by an administrator' });
    // The agent is refused for good and stops (status 78: not restarted by its service).
    expect(await device.agent.exited).toBe(78);
  });
});
