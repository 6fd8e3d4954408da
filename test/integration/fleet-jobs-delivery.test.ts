/**
 * Exactly-once delivery of fleet jobs with real processes: a connection cut
 * mid-job (through a real TCP proxy), an agent killed mid-job and started again,
 * a controller restarted mid-job, a device offline when the job is created, a
 * job that expires, the local policy refusing (deny, and ask with nobody at a
 * terminal), and a timeout that kills the script's whole process group. Each
 * script appends a line to a file in the device's own temporary folder, so a
 * second run would show as a second line.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { apiWithToken, createJob, createScript, ledgerEntry, restartAgent, runWithOutput, startFleet, waitForJob, waitOffline, type Api, type FleetDevice } from '../helpers/jobs.js';
import { isAlive, processGroupMembers, waitForExit } from '../helpers/processes.js';
import { until } from '../helpers/until.js';
import { AGENT_BUNDLE, spawnAgent } from '../helpers/agent-process.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/fleet.js';
import { startHostileController } from '../helpers/hostile-controller.js';
import { proxyAllowance, startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/** Appends one line per run to $RELAIS_PARAM_FILE, then works for a while. */
const APPEND_BODY = 'echo "ran $RELAIS_JOB_ID" >> "$RELAIS_PARAM_FILE"\necho "pid $$"\nsleep "$RELAIS_PARAM_NAP"\necho finished\n';

let c: RunningController;
let cookie: string;
let api: Api;
const started: FleetDevice[] = [];
const proxies: TcpProxy[] = [];

let proxyPort: number;

beforeAll(async () => {
  const allowance = await proxyAllowance();
  proxyPort = allowance.port;
  c = await startController({ args: allowance.args });
  cookie = await login(c);
  api = (await apiWithToken(c, cookie)).api;
  await createScript(api, { name: 'append', body: APPEND_BODY, parameters: [{ name: 'FILE', description: 'where to append' }, { name: 'NAP', description: 'seconds', default: '1' }] });
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.agent.stop()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await c?.stop();
});

async function device(args: string[] = ['--policy-script', 'allow'], url?: string): Promise<FleetDevice> {
  const [d] = await startFleet(c, cookie, 1, args, { url });
  started.push(d!);
  return d!;
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const markerFile = () => join(mkdtempSync(join(tmpdir(), 'relais-device-tmp-')), 'runs.txt');

/** The state of a job in a device's ledger ('' while it has none, or while it is being replaced). */
function ledgerState(d: FleetDevice, jobId: string): string {
  try {
    return ledgerEntry(d, jobId).state;
  } catch {
    return '';
  }
}

/** Waits until the device's ledger holds the job in `state`: the agent has durably done that much. */
const ledgerReaches = (d: FleetDevice, jobId: string, state: 'finished' | 'acked', timeoutMs = 20_000) =>
  until(() => ledgerState(d, jobId) === state || (state === 'finished' && ledgerState(d, jobId) === 'acked'), timeoutMs, `job ${jobId} ${state} in the ledger of ${d.deviceId}`);

describe('exactly once', () => {
  it('a connection dropped mid-job (and down when the script ends) still delivers the result once, with no second run', async () => {
    const proxy = await startTcpProxy(c.port, proxyPort);
    proxies.push(proxy);
    const d = await device(['--policy-script', 'allow'], proxy.url);
    const file = markerFile();
    const job = await createJob(api, { scriptName: 'append', target: { deviceIds: [d.deviceId] }, params: { FILE: file, NAP: '1' } });
    await waitForJob(api, job.id, (_j, runs) => runs.some((r) => r.status === 'running'), 10_000);
    // The network is down until the script has finished on the device (its result is in the ledger, not acknowledged).
    proxy.setDown(true);
    await ledgerReaches(d, job.id, 'finished');
    expect(ledgerState(d, job.id)).toBe('finished');
    proxy.setDown(false);
    const { job: done } = await waitForJob(api, job.id, undefined, 30_000);
    expect(done.status).toBe('completed');
    const run = await runWithOutput(api, job.id, d.deviceId);
    expect(run.status).toBe('succeeded');
    expect(run.out.toString()).toMatch(/^pid \d+\nfinished\n$/);
    expect(proxy.accepted()).toBeGreaterThan(1);
    await d.agent.waitFor(/Reconnected/);
    await ledgerReaches(d, job.id, 'acked');
    expect(lines(file)).toEqual([`ran ${job.id}`]);
  });

  it('an agent killed mid-job and started again does not run it twice, and reports what happened', async () => {
    const d = await device();
    const file = markerFile();
    const job = await createJob(api, { scriptName: 'append', target: { deviceIds: [d.deviceId] }, params: { FILE: file, NAP: '1' } });
    await waitForJob(api, job.id, (_j, runs) => runs.some((r) => r.status === 'running'), 10_000);
    d.agent.child.kill('SIGKILL');
    await d.agent.exited;
    await restartAgent(d);
    const { runs } = await waitForJob(api, job.id, undefined, 20_000);
    expect(runs[0]).toMatchObject({ status: 'error' });
    expect(runs[0]!.reason).toMatch(/not run again/);
    await ledgerReaches(d, job.id, 'acked');
    expect(lines(file)).toEqual([`ran ${job.id}`]);
  });

  it('what a script left running when its agent was killed is ended at the next start', async () => {
    const d = await device();
    const file = markerFile();
    await createScript(api, { name: 'linger', body: 'echo $$ > "$RELAIS_PARAM_FILE"\nsleep 60\n', parameters: [{ name: 'FILE', description: 'where the pid goes' }] });
    const job = await createJob(api, { scriptName: 'linger', target: { deviceIds: [d.deviceId] }, params: { FILE: file } });
    await until(() => lines(file).length === 1, 10_000, 'the script to start');
    const scriptPid = Number(lines(file)[0]);
    // The script can write its pid before the agent has fsynced its process group to the ledger;
    // killed in between, the agent could not know what to end. Kill it once the ledger holds it.
    await until(() => {
      try {
        return ledgerEntry(d, job.id).group?.pid === scriptPid;
      } catch {
        return false;
      }
    }, 10_000, 'the script\'s process group in the ledger');
    d.agent.child.kill('SIGKILL');
    await d.agent.exited;
    expect(isAlive(scriptPid)).toBe(true); // the orphan exists until the agent comes back
    await restartAgent(d);
    await waitForExit(scriptPid, 10_000);
    const { runs } = await waitForJob(api, job.id, undefined, 20_000);
    expect(runs[0]).toMatchObject({ status: 'error' });
  });

  it('a controller restart mid-job resumes: the result finished meanwhile is delivered, nothing runs twice', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'relais-restart-'));
    let c2 = await startController({ dataDir, args: ['--port', String(port)] });
    const password = c2.adminPassword;
    try {
      const cookie2 = await login(c2);
      const api2 = (await apiWithToken(c2, cookie2)).api;
      await createScript(api2, { name: 'append', body: APPEND_BODY, parameters: [{ name: 'FILE', description: 'f' }, { name: 'NAP', description: 'n' }] });
      const fleet = await startFleet(c2, cookie2, 2, ['--policy-script', 'allow']).then((f) => (started.push(...f), f));
      // Both devices append to the same file: one line each, never more.
      const file = markerFile();
      const job = await createJob(api2, { scriptName: 'append', target: { group: 'lab' }, params: { FILE: file, NAP: '1.5' }, concurrency: 1 });
      const { runs: before } = await waitForJob(api2, job.id, (_j, runs) => runs.some((r) => r.status === 'running'), 10_000);
      const d = fleet.find((x) => x.deviceId === before.find((r) => r.status === 'running')!.deviceId)!;
      await c2.stop();
      await ledgerReaches(d, job.id, 'finished'); // the first script finishes while the controller is down
      c2 = await startController({ dataDir, args: ['--port', String(port)] });
      const api3 = (await apiWithToken(c2, await login(c2, 'admin', password))).api;
      const { job: done, runs } = await waitForJob(api3, job.id, undefined, 60_000);
      expect(done.status).toBe('completed');
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      for (const x of fleet) await ledgerReaches(x, job.id, 'acked');
      expect(lines(file)).toEqual([`ran ${job.id}`, `ran ${job.id}`]);
      const first = await runWithOutput(api3, job.id, d.deviceId);
      expect(first.out.toString()).toMatch(/^pid \d+\nfinished\n$/);
    } finally {
      await Promise.all(started.splice(0).map((x) => x.agent.stop()));
      await c2.stop();
    }
  });
});

describe('offline devices and expiry', () => {
  it('a device offline when the job is created gets it when it comes back', async () => {
    const d = await device();
    await d.agent.stop();
    await waitOffline(api, d.deviceId);
    const file = markerFile();
    const job = await createJob(api, { scriptName: 'append', target: { deviceIds: [d.deviceId] }, params: { FILE: file, NAP: '0' }, expiresInMinutes: 5 });
    // The job is dispatched to online devices before its creation is answered: this one is not.
    expect((await api('GET', `/jobs/${job.id}/runs`)).json.runs[0].status).toBe('pending');
    await restartAgent(d);
    const { runs } = await waitForJob(api, job.id);
    expect(runs[0]!.status).toBe('succeeded');
    expect(lines(file)).toEqual([`ran ${job.id}`]);
  });

  it('a job expires for devices that did not come back in time', async () => {
    const d = await device();
    await d.agent.stop();
    await waitOffline(api, d.deviceId);
    const job = await createJob(api, { scriptName: 'append', target: { deviceIds: [d.deviceId] }, params: { FILE: markerFile(), NAP: '0' }, expiresInMinutes: 1 / 60 });
    const { job: done, runs } = await waitForJob(api, job.id, undefined, 15_000);
    expect(done.status).toBe('expired');
    expect(done.counts.expired).toBe(1);
    expect(runs[0]).toMatchObject({ status: 'expired' });
    // Coming back later runs nothing. A job created afterwards reaches the device after anything
    // sent at its reconnection (one connection, in order): once it is done, the expired one never came.
    await restartAgent(d);
    const next = await createJob(api, { scriptName: 'append', target: { deviceIds: [d.deviceId] }, params: { FILE: markerFile(), NAP: '0' } });
    expect((await waitForJob(api, next.id)).job.status).toBe('completed');
    expect(existsSync(join(d.stateDir, 'jobs', `${job.id}.json`))).toBe(false);
  });
});

describe('the local policy and the timeout', () => {
  it('policy deny and ask-without-a-person are refused with the reason, audited, and nothing runs', async () => {
    const denied = await device(['--policy-script', 'deny']);
    const asked = await device([]);
    const files = { [denied.deviceId]: markerFile(), [asked.deviceId]: markerFile() };
    for (const d of [denied, asked]) {
      const job = await createJob(api, { scriptName: 'append', target: { deviceIds: [d.deviceId] }, params: { FILE: files[d.deviceId]!, NAP: '0' } });
      const { job: done, runs } = await waitForJob(api, job.id);
      expect(done.counts.refused).toBe(1);
      expect(runs[0]!.status).toBe('refused');
      expect(runs[0]!.reason).toBe(d === denied ? 'refused by policy (script: deny)' : 'refused by policy (script: ask, and nobody is at a terminal to answer)');
      expect(lines(files[d.deviceId]!)).toEqual([]);
      const audit = (await api('GET', '/audit?limit=200')).json as { entries: Array<{ action: string; target: string }> };
      expect(audit.entries.some((e) => e.action === 'job.refused' && e.target === job.id)).toBe(true);
    }
    await denied.agent.waitFor(/Refused job \S+ \(script "append"\): the local policy denies scripts \(script: deny\)/);
    await asked.agent.waitFor(/the local policy says ask \(script: ask\), and nobody is at a terminal to answer/);
  });

  it('a timeout gives timed-out and kills the whole process group', async () => {
    const d = await device();
    await createScript(api, { name: 'hang', body: 'echo "pid $$"\nsleep 60 &\nsleep 60\n', timeoutSeconds: 1 });
    const job = await createJob(api, { scriptName: 'hang', target: { deviceIds: [d.deviceId] } });
    const { runs } = await waitForJob(api, job.id, undefined, 15_000);
    expect(runs[0]).toMatchObject({ status: 'timed-out' });
    const run = await runWithOutput(api, job.id, d.deviceId);
    const pid = Number(/pid (\d+)/.exec(run.out.toString())![1]);
    await waitForExit(pid);
    await until(() => processGroupMembers(pid).length === 0, 10_000, `the script's process group ${pid} to be empty`);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('policy ask with a person at the terminal', () => {
  it('asks on the agent\'s own terminal (a real pty); yes runs the job once, no refuses it', async () => {
    const pty = await import('node-pty');
    const { token } = await createEnrollmentToken(c, cookie, { group: 'tty' });
    const enrolled = await enrollAgent(c, token, ['--name', 'tty-device']);
    expect(enrolled.exitCode).toBe(0);
    const home = mkdtempSync(join(tmpdir(), 'relais-home-'));
    const term = pty.spawn(process.execPath, [AGENT_BUNDLE, 'run', '--state-dir', enrolled.stateDir], { cols: 120, rows: 40, env: { ...process.env, HOME: home } as Record<string, string> });
    let screen = '';
    term.onData((d) => (screen += d));
    const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
    const waitScreen = (pattern: RegExp, after = 0) => until(() => pattern.test(screen.slice(after)), 15_000, () => `the terminal to show ${pattern}:\n${screen}`);
    try {
      await waitScreen(/Connected to/);
      const deviceId = enrolled.device!.deviceId;
      for (const answer of ['y', 'n']) {
        const file = markerFile();
        const mark = screen.length;
        const job = await createJob(api, { scriptName: 'append', target: { deviceIds: [deviceId] }, params: { FILE: file, NAP: '0' } });
        await waitScreen(/RUN THE SCRIPT "append" \(sh\)[\s\S]*Allow\? \[y\/N\]/, mark);
        term.write(answer);
        const { runs } = await waitForJob(api, job.id);
        if (answer === 'y') {
          expect(runs[0]!.status).toBe('succeeded');
          expect(lines(file)).toEqual([`ran ${job.id}`]);
        } else {
          expect(runs[0]).toMatchObject({ status: 'refused', reason: 'refused by the person at the device (declined)' });
          expect(lines(file)).toEqual([]);
        }
      }
    } finally {
      term.kill('SIGTERM');
      await exited;
    }
  });
});

describe('an attended agent', () => {
  it('refuses a job with a clear error and runs nothing, whatever a controller sends', async () => {
    const hc = await startHostileController();
    const agent = spawnAgent(['join', `${hc.url}/s/482193557`]);
    try {
      const conn = await hc.connection(0);
      await conn.waitFor('device.summary');
      const file = markerFile();
      conn.send({ t: 'job.run', jobId: 'forged-job', script: { name: 'append', interpreter: 'sh', body: APPEND_BODY, timeoutSeconds: 10 }, params: { FILE: file, NAP: '0' }, expiresAt: Date.now() + 60_000 });
      const error = await conn.waitFor('error', (m) => m.code === 'JOB_ERR_NOT_MANAGED');
      expect(error.message).toContain('fleet jobs run only on enrolled (managed) devices');
      // The refusal is the agent's answer to job.run: it was handled, and nothing ran.
      expect(lines(file)).toEqual([]);
      expect(conn.messages.some((m) => m.t === 'job.started' || m.t === 'job.result')).toBe(false);
    } finally {
      await agent.stop();
      await hc.close();
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
