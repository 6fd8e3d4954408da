/**
 * Fleet job test helpers: REST calls with an API token (as the CLI makes them),
 * scripts and jobs, waiting for a job to settle, reading a run's exact output,
 * and a fleet of real enrolled `relais-agent run` processes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Run, Script } from '../../protocol/index.js';
import type { RunningAgent } from './agent-process.js';
import type { ControllerAddress } from './controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent, tempStateDir } from './fleet.js';
import { DEADLINE_MS } from './until.js';

export interface Api {
  (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

/** Creates an API token as the logged-in user and returns a client that authenticates with it (no cookie, no Origin). */
export async function apiWithToken(c: ControllerAddress, cookie: string): Promise<{ api: Api; token: string }> {
  const res = await fetch(`${c.url}/api/api-tokens`, { method: 'POST', headers: { cookie, origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'tests' }) });
  if (res.status !== 201) throw new Error(`creating an API token failed: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const api: Api = async (method, path, body) => {
    const r = await fetch(`${c.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
  return { api, token };
}

export async function createScript(api: Api, script: { name: string; body: string; interpreter?: string; parameters?: Array<{ name: string; description: string; default?: string }>; timeoutSeconds?: number }): Promise<Script> {
  const res = await api('POST', '/scripts', { title: script.name, description: 'test script', interpreter: 'sh', parameters: [], ...script });
  if (res.status !== 201) throw new Error(`creating a script failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.script as Script;
}

export async function createJob(api: Api, body: Record<string, unknown>): Promise<Job> {
  const res = await api('POST', '/jobs', body);
  if (res.status !== 201) throw new Error(`creating a job failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.job as Job;
}

/** Every run of a job, following GET /api/jobs/:id/runs page after page. */
export async function allRuns(api: Api, jobId: string): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | null = null;
  do {
    const res = await api('GET', `/jobs/${jobId}/runs?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) throw new Error(`listing runs failed: ${res.status} ${JSON.stringify(res.json)}`);
    runs.push(...(res.json.runs as Run[]));
    cursor = res.json.nextCursor as string | null;
  } while (cursor !== null);
  return runs;
}

/** Polls GET /api/jobs/:id (and its runs) until the predicate holds. */
export async function waitForJob(api: Api, jobId: string, done: (job: Job, runs: Run[]) => boolean = (job) => job.status !== 'running', timeoutMs = DEADLINE_MS): Promise<{ job: Job; runs: Run[] }> {
  const deadline = Date.now() + timeoutMs;
  let last: { job: Job; runs: Run[] } | null = null;
  while (Date.now() < deadline) {
    const res = await api('GET', `/jobs/${jobId}`);
    last = { job: res.json.job as Job, runs: await allRuns(api, jobId) };
    if (done(last.job, last.runs)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(last?.job)} ${JSON.stringify(last?.runs.map((r) => [r.deviceId, r.status, r.reason]))}`);
}

/**
 * Waits until the controller itself sees the device offline. An agent process that
 * has exited is not enough: its connection's close may reach the controller after
 * the next request does, and the controller would still dispatch to it.
 */
export async function waitOffline(api: Api, deviceId: string, timeoutMs = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/devices/${deviceId}`);
    if (res.status === 200 && res.json.device.online === false) return;
    if (Date.now() > deadline) throw new Error(`device ${deviceId} still online for the controller after ${timeoutMs} ms: ${JSON.stringify(res.json)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One device's run with its output decoded to bytes. */
export async function runWithOutput(api: Api, jobId: string, deviceId: string): Promise<Run & { out: Buffer; err: Buffer }> {
  const res = await api('GET', `/jobs/${jobId}/runs/${deviceId}`);
  if (res.status !== 200) throw new Error(`reading a run failed: ${res.status} ${JSON.stringify(res.json)}`);
  const run = res.json.run as Run;
  return { ...run, out: Buffer.from(run.stdout ?? '', 'base64'), err: Buffer.from(run.stderr ?? '', 'base64') };
}

export interface FleetDevice {
  deviceId: string;
  stateDir: string;
  agent: RunningAgent;
}

/** Enrolls `count` real agents (the given enroll args, e.g. --policy-script allow --tag lab) and runs them until each is connected. */
export async function startFleet(c: ControllerAddress, cookie: string, count: number, enrollArgs: string[], opts: { url?: string; group?: string } = {}): Promise<FleetDevice[]> {
  const { token } = await createEnrollmentToken(c, cookie, { group: opts.group ?? 'lab', maxUses: count });
  const target = opts.url ? { ...c, url: opts.url } : c;
  const enrolled = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const result = await enrollAgent(target, token, ['--name', `dev-${i}`, ...enrollArgs], tempStateDir());
      if (result.exitCode !== 0 || !result.device) throw new Error(`enroll failed: ${result.agent.output()}`);
      return result;
    }),
  );
  const agents = enrolled.map((e) => runAgent(e.stateDir));
  try {
    await Promise.all(agents.map((agent) => agent.waitFor(/Connected to/, 30_000)));
  } catch (error) {
    // One did not connect: the others would outlive the test, since the caller never gets them.
    await Promise.all(agents.map((agent) => agent.stop()));
    throw error;
  }
  const fleet = enrolled.map((e, i) => ({ deviceId: e.device!.deviceId, stateDir: e.stateDir, agent: agents[i]! }));
  // Each agent's first diagnostics take seconds of CPU; twenty at once on two cores hold every
  // agent back for half a minute. The tests are about jobs: they start once the fleet is idle.
  const snapshotIn = async (deviceId: string) =>
    (await fetch(`${target.url}/api/devices/${deviceId}/snapshots/latest`, { headers: { cookie } })).status === 200;
  const deadline = Date.now() + 3 * DEADLINE_MS;
  for (const { deviceId } of fleet) {
    while (!(await snapshotIn(deviceId))) {
      if (Date.now() > deadline) throw new Error(`device ${deviceId} sent no diagnostics within ${3 * DEADLINE_MS} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return fleet;
}

/** Restarts an enrolled device's agent process. */
export async function restartAgent(device: FleetDevice): Promise<void> {
  device.agent = runAgent(device.stateDir);
  await device.agent.waitFor(/Connected to/, 30_000);
}

/** The ledger entry the agent keeps for a job. */
export function ledgerEntry(device: FleetDevice, jobId: string): { state: string; result: { status: string } | null; group?: { pid: number } } {
  return JSON.parse(readFileSync(join(device.stateDir, 'jobs', `${jobId}.json`), 'utf8'));
}

/** The most runs that overlapped at any moment, from the agents' start and finish times. */
export function maxOverlap(runs: Run[]): number {
  let most = 0;
  for (const run of runs) {
    const at = run.startedAt!;
    most = Math.max(most, runs.filter((r) => r.startedAt! <= at && at < r.finishedAt!).length);
  }
  return most;
}
