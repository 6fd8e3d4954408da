/**
 * Fleet jobs across real agent processes: 20 enrolled `relais-agent run`
 * processes, a real controller, REST with an API token (as the CLI calls it) and
 * a console watching live. Exact output per device, the concurrency limit, output
 * truncation at the bound, cancel, and the REST rules around scripts and jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type ControllerToConsole, type Run } from '../../protocol/index.js';
import { connectConsole, type ConsoleClient } from '../helpers/console-client.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { apiWithToken, createJob, createScript, maxOverlap, runWithOutput, startFleet, waitForJob, type Api, type FleetDevice } from '../helpers/jobs.js';
import { isAlive, processGroupMembers } from '../helpers/processes.js';
import { eventuallyDefined } from '../helpers/until.js';

const FLEET_SIZE = 20;
let c: RunningController;
let cookie: string;
let api: Api;
let token: string;
let fleet: FleetDevice[] = [];
let watcher: ConsoleClient;

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
  ({ api, token } = await apiWithToken(c, cookie));
  fleet = await startFleet(c, cookie, FLEET_SIZE, ['--policy-script', 'allow', '--tag', 'lab']);
  watcher = await connectConsole(c, cookie);
}, 120_000);

afterAll(async () => {
  await watcher?.close();
  await Promise.all(fleet.map((d) => d.agent.stop()));
  await c?.stop();
});


describe('a job across 20 real agents', () => {
  it('runs once on every device, with each device\'s exact output and the parameter from the environment', async () => {
    await createScript(api, {
      name: 'marker',
      // The parameter is never spliced into the body: quotes and $() in it stay text.
      body: 'printf "marker-%s:%s\\n" "$RELAIS_PARAM_X" "$RELAIS_JOB_ID"\nprintf "warn\\000bytes\\n" >&2\n',
      parameters: [{ name: 'X', description: 'a marker' }],
    });
    const x = `v'"$(touch /tmp/relais-injected)"-é`;
    const job = await createJob(api, { scriptName: 'marker', target: { tag: 'lab' }, params: { X: x }, concurrency: 20 });
    expect(job.deviceCount).toBe(FLEET_SIZE);
    const { job: done, runs } = await waitForJob(api, job.id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ succeeded: FLEET_SIZE, pending: 0, running: 0, failed: 0 });
    expect(done.body).toContain('RELAIS_PARAM_X');
    for (const device of fleet) {
      const run = await runWithOutput(api, job.id, device.deviceId);
      expect(run.status).toBe('succeeded');
      expect(run.exitCode).toBe(0);
      expect(run.out.toString('utf8')).toBe(`marker-${x}:${job.id}\n`);
      expect(run.err.equals(Buffer.from('warn\0bytes\n', 'latin1'))).toBe(true);
      expect(run).toMatchObject({ stdoutBytes: run.out.byteLength, stderrBytes: 11, stdoutTruncated: false });
      expect(run.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(runs.every((r) => r.stdout === undefined)).toBe(true);
    const audit = (await api('GET', '/audit?limit=200')).json as { entries: Array<{ action: string; target: string }> };
    expect(audit.entries.some((e) => e.action === 'job.created' && e.target === job.id)).toBe(true);
  });

  it('never has more runs in flight than the concurrency limit (agent timestamps and live run.update events)', async () => {
    await createScript(api, { name: 'nap', body: 'sleep 0.4\necho rested\n' });
    const job = await createJob(api, { scriptName: 'nap', target: { group: 'lab' }, concurrency: 3 });
    watcher.send({ t: 'job.watch', jobId: job.id });
    const { job: done, runs } = await waitForJob(api, job.id, undefined, 60_000);
    expect(done.counts.succeeded).toBe(FLEET_SIZE);
    expect(maxOverlap(runs)).toBeLessThanOrEqual(3);
    expect(maxOverlap(runs)).toBeGreaterThanOrEqual(2);
    // Replay the live events: at no moment more than 3 dispatched or running.
    const state = new Map<string, string>();
    let most = 0;
    for (const m of watcher.messages as ControllerToConsole[]) {
      if (m.t !== 'run.update' || m.jobId !== job.id) continue;
      state.set(m.run.deviceId, m.run.status);
      most = Math.max(most, [...state.values()].filter((s) => s === 'dispatched' || s === 'running').length);
    }
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThanOrEqual(2);
    expect(watcher.messages.some((m) => m.t === 'run.output' && m.jobId === job.id && Buffer.from(m.data, 'base64').toString() === 'rested\n')).toBe(true);
    await watcher.waitFor('job.update', (m) => m.job.id === job.id && m.job.status === 'completed' && m.job.counts.succeeded === FLEET_SIZE);
  });
});

describe('output', () => {
  it('is truncated at LIMITS.maxJobOutputBytes with the flag and the exact total byte count', async () => {
    const extra = 123_457;
    const total = LIMITS.maxJobOutputBytes + extra;
    await createScript(api, { name: 'flood', body: `awk 'BEGIN { for (i = 0; i < 140000; i++) printf "%08d\\n", i }' | head -c ${total}\nprintf 'tail' >&2\n` });
    const device = fleet[0]!;
    const job = await createJob(api, { scriptName: 'flood', target: { deviceIds: [device.deviceId] } });
    await waitForJob(api, job.id);
    const run = await runWithOutput(api, job.id, device.deviceId);
    let expected = '';
    for (let i = 0; expected.length < total; i++) expected += `${String(i).padStart(8, '0')}\n`;
    expect(run.status).toBe('succeeded');
    expect(run.stdoutBytes).toBe(total);
    expect(run.stdoutTruncated).toBe(true);
    expect(run.out.byteLength).toBe(LIMITS.maxJobOutputBytes);
    expect(run.out.toString('latin1')).toBe(expected.slice(0, LIMITS.maxJobOutputBytes));
    expect(run).toMatchObject({ stderrBytes: 4, stderrTruncated: false });
    expect(run.err.toString()).toBe('tail');
  });
});

describe('cancel', () => {
  it('skips pending devices and stops running ones (their process groups are gone)', async () => {
    await createScript(api, { name: 'long', body: 'echo "pid $$"\nsleep 60\n' });
    const targets = fleet.slice(0, 5).map((d) => d.deviceId);
    const job = await createJob(api, { scriptName: 'long', target: { deviceIds: targets }, concurrency: 2 });
    await waitForJob(api, job.id, (j) => j.counts.running === 2, 15_000);
    // The pids the scripts printed: wait until both have said it.
    const pids: number[] = [];
    for (const deviceId of targets) {
      const run = (await api('GET', `/jobs/${job.id}/runs`)).json.runs.find((r: Run) => r.deviceId === deviceId) as Run;
      if (run.status !== 'running' && run.status !== 'dispatched') continue;
      const pid = await eventuallyDefined(async () => {
        const match = /pid (\d+)/.exec((await runWithOutput(api, job.id, deviceId)).out.toString());
        return match ? Number(match[1]) : undefined;
      }, 10_000, `the pid printed by the script on ${deviceId}`);
      pids.push(pid);
    }
    expect(pids).toHaveLength(2);
    const cancelled = await api('POST', `/jobs/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.job.status).toBe('cancelled');
    const { job: done, runs } = await waitForJob(api, job.id, (j) => j.counts.cancelled === 5, 15_000);
    expect(done.status).toBe('cancelled');
    expect(runs.filter((r) => r.startedAt !== null)).toHaveLength(2);
    expect(runs.filter((r) => r.reason === 'the job was cancelled before it ran here')).toHaveLength(3);
    for (const pid of pids) {
      expect(isAlive(pid)).toBe(false);
      expect(processGroupMembers(pid)).toEqual([]);
    }
    const audit = (await api('GET', '/audit?limit=200')).json as { entries: Array<{ action: string; target: string }> };
    expect(audit.entries.some((e) => e.action === 'job.cancelled' && e.target === job.id)).toBe(true);
  });
});

describe('REST', () => {
  it('scripts: starter fixes are seeded, built-ins cannot be deleted, names are unique', async () => {
    const scripts = (await api('GET', '/scripts')).json.scripts as Array<{ id: string; name: string; builtIn: boolean; interpreter: string; description: string }>;
    for (const name of ['flush-dns', 'clear-temp-files', 'restart-networking', 'disk-usage', 'restart-print-spooler', 'test-connectivity']) {
      const s = scripts.find((x) => x.name === name);
      expect(s?.builtIn, name).toBe(true);
      expect(s!.description.length).toBeGreaterThan(40);
    }
    expect(scripts.find((s) => s.name === 'restart-print-spooler')!.interpreter).toBe('powershell');
    const builtIn = scripts.find((s) => s.name === 'flush-dns')!;
    expect((await api('DELETE', `/scripts/${builtIn.id}`)).json.error.code).toBe('SCRIPT_ERR_BUILT_IN');
    const dup = await api('POST', '/scripts', { name: 'flush-dns', title: 'x', interpreter: 'sh', body: 'true' });
    expect(dup.status).toBe(409);
    const mine = await createScript(api, { name: 'temporary', body: 'true\n' });
    const updated = await api('PUT', `/scripts/${mine.id}`, { name: 'temporary', title: 'Changed', interpreter: 'bash', body: 'echo changed\n' });
    expect(updated.json.script).toMatchObject({ title: 'Changed', interpreter: 'bash', builtIn: false });
    expect((await api('DELETE', `/scripts/${mine.id}`)).status).toBe(204);
  });

  it('jobs: no matching device is a 400 with a catalog code; unknown scripts and parameters are refused', async () => {
    const none = await api('POST', '/jobs', { scriptName: 'flush-dns', target: { tag: 'nowhere' } });
    expect(none.status).toBe(400);
    expect(none.json.error.code).toBe('JOB_ERR_NO_DEVICES');
    expect((await api('POST', '/jobs', { scriptName: 'no-such-script', target: { tag: 'lab' } })).json.error.code).toBe('SCRIPT_ERR_NOT_FOUND');
    const badParam = await api('POST', '/jobs', { scriptName: 'flush-dns', target: { tag: 'lab' }, params: { NOPE: '1' } });
    expect(badParam.status).toBe(400);
    expect((await api('GET', '/jobs/nosuchjob')).json.error.code).toBe('JOB_ERR_NOT_FOUND');
    const list = (await api('GET', '/jobs')).json.jobs as Array<{ createdAt: number }>;
    expect(list.length).toBeGreaterThan(0);
    expect([...list].sort((a, b) => b.createdAt - a.createdAt)).toEqual(list);
  });

  it('API tokens: a wrong bearer token is refused, a deleted one stops working, the secret is stored hashed', async () => {
    const wrong = await fetch(`${c.url}/api/jobs`, { headers: { authorization: 'Bearer ' + 'x'.repeat(43) } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('AUTH_ERR_BAD_API_TOKEN');
    const created = await fetch(`${c.url}/api/api-tokens`, { method: 'POST', headers: { cookie, origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'short-lived' }) });
    const { id, token: secret } = (await created.json()) as { id: string; token: string };
    expect((await fetch(`${c.url}/api/scripts`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    const listed = (await api('GET', '/api-tokens')).json.tokens as Array<{ id: string; name: string }>;
    expect(listed.some((t) => t.id === id && t.name === 'short-lived')).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await api('DELETE', `/api-tokens/${id}`)).status).toBe(204);
    expect((await fetch(`${c.url}/api/scripts`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    expect(token).not.toBe(secret);
  });
});
