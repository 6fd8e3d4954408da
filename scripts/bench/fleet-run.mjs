/**
 * Fleet load benchmarks: simulated managed agents (real websockets, the real
 * protocol, Ed25519 challenge–response) against a real controller on 127.0.0.1.
 *   (a) a job dispatched to --agents devices: time until every result is stored;
 *   (c) the same agents after the controller is killed and started again on the
 *       same data folder and port: time until all are online again;
 *   (b) --idle-agents idle devices: the controller's memory per agent and its CPU
 *       at idle heartbeats (on a freshly started controller, so enrollment and
 *       the earlier phases do not count);
 *   (d) paging, with those devices online: a console connecting to its first page
 *       of devices, and the Fleet page in Chromium (first page, search, show more).
 * Prints a table and writes bench-results/fleet.json. Exit code 0 when it ran
 * (targets met or not), 1 when it could not run, 2 for a bad option.
 *
 * Usage: node scripts/bench/fleet-run.mjs [--agents=1000] [--idle-agents=10000]
 *        [--idle-seconds=30] [--generators=2] [--concurrency=100] [--heartbeat-ms=N]
 *        [--source-addresses=N] [--phases=job,restart,idle,paging] [--out=bench-results/fleet.json]
 * --source-addresses=N spreads the agents' sockets over 127.0.0.1 … 127.0.0.N, for when
 * one address runs out of ephemeral ports (about 28,000 on Linux by default).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, cleanUpOnSignals, onCleanup } from './cleanup.mjs';
import { login } from './console.mjs';
import { startCpuMeter } from './cpu-usage.mjs';
import { createEnrollmentToken, createJob, getJob, jobsApiExists, onlineDevices } from './fleet-api.mjs';
import { rssBytes, startFleetController } from './fleet-controller.mjs';
import { startGenerators } from './fleet-generators.mjs';
import { measurePaging } from './fleet-paging.mjs';
import { FLEET_TARGETS, formatFleetTable } from './fleet-report.mjs';
import { machine, writeJson } from './report.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULTS = Object.freeze({ agents: 1000, idleAgents: 10_000, idleSeconds: 30, generators: 2, concurrency: 100, heartbeatMs: 0, sourceAddresses: 1, phases: 'job,restart,idle,paging', out: 'bench-results/fleet.json' });
const NAMES = { agents: 'agents', 'idle-agents': 'idleAgents', 'idle-seconds': 'idleSeconds', generators: 'generators', concurrency: 'concurrency', 'heartbeat-ms': 'heartbeatMs', 'source-addresses': 'sourceAddresses', phases: 'phases', out: 'out' };

function parseOptions(argv) {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    const key = match && NAMES[match[1]];
    if (!key) throw new UsageError(`unknown option ${argv[i]} (see the usage at the top of scripts/bench/fleet-run.mjs)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`${argv[i - 1]} needs a value`);
    if (key === 'out' || key === 'phases') options[key] = value;
    else if (!(Number.isInteger((options[key] = Number(value))) && options[key] >= 0)) throw new UsageError(`--${match[1]}: a whole number is needed`);
  }
  options.phases = new Set(options.phases.split(','));
  for (const p of options.phases) if (!['job', 'restart', 'idle', 'paging'].includes(p)) throw new UsageError(`--phases: unknown phase ${p}`);
  if (options.generators < 1) throw new UsageError('--generators must be at least 1');
  if (options.sourceAddresses < 1 || options.sourceAddresses > 254) throw new UsageError('--source-addresses must be from 1 to 254');
  options.localAddresses = options.sourceAddresses > 1 ? Array.from({ length: options.sourceAddresses }, (_, i) => `127.0.0.${i + 1}`) : [];
  return options;
}

class UsageError extends Error {}
const log = (text) => console.log(`bench: ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fdLimit() {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

async function main(options) {
  if (!existsSync(join(root, 'dist/controller/main.mjs'))) throw new Error('dist/controller/main.mjs is missing: build first (npm run bench:fleet builds, then runs this).');
  const limit = fdLimit();
  const needed = Math.ceil(options.idleAgents / options.generators) + 200;
  if (limit !== null && (limit < options.idleAgents + 200 || limit < needed)) throw new Error(`the file-descriptor limit (ulimit -n ${limit}) is too low for ${options.idleAgents} sockets in the controller; raise it (ulimit -n ${options.idleAgents + 1000}) or lower --idle-agents`);
  const results = { machine: machine(), fdLimit: limit, startedAt: new Date().toISOString() };
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-fleet-bench-'));
  onCleanup(`controller data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const env = options.heartbeatMs ? { RELAIS_HEARTBEAT_MS: String(options.heartbeatMs) } : {};
  const heartbeatMs = options.heartbeatMs || 15_000;

  let controller = await startFleetController({ root, dataDir, adminPassword, env });
  const port = controller.port;
  log(`controller on ${controller.url} (pid ${controller.pid})`);
  let cookie = await login(controller.url, adminPassword);
  const devices = Math.max(options.phases.has('job') || options.phases.has('restart') ? options.agents : 0, options.phases.has('idle') || options.phases.has('paging') ? options.idleAgents : 0);
  const { token } = await createEnrollmentToken(controller.url, cookie, Math.max(1, devices));
  const gens = startGenerators(options.generators);
  onCleanup('load generators', () => gens.exit());

  let started = Date.now();
  await gens.enroll({ url: controller.url, token, count: devices, jobAgents: options.agents });
  results.enrollment = { devices, ms: Date.now() - started, perSecond: devices / ((Date.now() - started) / 1000) };
  log(`enrolled ${devices} devices in ${results.enrollment.ms} ms`);

  if (options.phases.has('job') || options.phases.has('restart')) {
    started = Date.now();
    gens.connect({ set: 'job', url: controller.url, localAddresses: options.localAddresses });
    await gens.waitFor(`${options.agents} agents online`, (t) => t.online >= options.agents, 120_000);
    const connectMs = Date.now() - started;
    log(`${options.agents} agents online in ${connectMs} ms`);

    if (options.phases.has('job')) results.job = await measureJob({ controller, cookie, gens, options, connectMs });
    if (options.phases.has('restart')) {
      const restarted = await measureRestart({ controller, port, dataDir, adminPassword, env, gens, options });
      controller = restarted.controller;
      results.restart = restarted.figures;
      cookie = await login(controller.url, adminPassword);
    }
    gens.stop('job');
    await gens.waitFor('every agent offline', (t) => t.online === 0, 30_000);
  }

  if (options.phases.has('idle') || options.phases.has('paging')) {
    // A fresh controller process on the same data: its memory holds only what the idle agents cost.
    await controller.stop();
    controller = await startFleetController({ root, dataDir, port, adminPassword, env });
    if (options.phases.has('idle')) results.idle = await measureIdle({ controller, adminPassword, gens, options, heartbeatMs });
    else {
      gens.connect({ set: 'all', url: controller.url, localAddresses: options.localAddresses });
      await gens.waitFor(`${options.idleAgents} agents online`, (t) => t.online >= options.idleAgents, 600_000);
    }
    if (options.phases.has('paging')) {
      log(`paging: a console's first page and the Fleet page in Chromium, ${options.idleAgents} devices online`);
      results.paging = await measurePaging({
        root, controller, cookie: await login(controller.url, adminPassword), devices: options.idleAgents, screenshot: resolve(root, 'bench-results/fleet-page.png'),
      });
      results.paging.pass = results.paging.firstPageP50Ms < FLEET_TARGETS.consoleFirstPageMs && results.paging.consoleStillOpen;
    }
  }
  await gens.exit();
  await controller.stop();
  return results;
}

async function measureJob({ controller, cookie, gens, options, connectMs }) {
  if (!(await jobsApiExists(controller.url, cookie))) return { skipped: 'the controller has no /api/jobs yet' };
  const before = gens.total();
  const started = Date.now();
  const job = await createJob(controller.url, cookie, { scriptName: 'disk-usage', target: { tag: 'bench-job' }, concurrency: options.concurrency, timeoutSeconds: 60 });
  let storedMs = null;
  while (storedMs === null) {
    const { counts } = await getJob(controller.url, cookie, job.id);
    const stored = counts.succeeded + counts.failed + counts.refused + counts.timedOut + counts.cancelled + counts.expired;
    if (stored >= options.agents) storedMs = Date.now() - started;
    else if (Date.now() - started > 120_000) throw new Error(`the job's results were not all stored within 120 s: ${JSON.stringify(counts)}`);
    else await sleep(20);
  }
  const acked = await gens.waitFor('every job.ack', (t) => t.acks - before.acks >= options.agents, 60_000);
  const ackedMs = Date.now() - started;
  log(`job ${job.id}: ${options.agents} results stored in ${storedMs} ms`);
  return { agents: options.agents, concurrency: options.concurrency, jobId: job.id, connectMs, storedMs, ackedMs, runsPerDevice: (acked.runs - before.runs) / options.agents, pass: storedMs <= FLEET_TARGETS.jobStoredMs };
}

async function measureRestart({ controller, port, dataDir, adminPassword, env, gens, options }) {
  const killedAt = Date.now();
  await controller.stop('SIGKILL');
  await gens.waitFor('the agents to notice the controller is gone', (t) => t.online === 0, 30_000);
  const next = await startFleetController({ root, dataDir, port, adminPassword, env });
  const listeningAt = Date.now();
  log(`controller restarted on the same port (pid ${next.pid}) ${listeningAt - killedAt} ms after the kill`);
  const back = await gens.waitFor(`${options.agents} agents online again`, (t) => t.online >= options.agents, 120_000);
  const cookie = await login(next.url, adminPassword);
  const seenByController = await onlineDevices(next.url, cookie);
  log(`${options.agents} agents online again ${back.lastOnlineAt - killedAt} ms after the kill (the controller counts ${seenByController})`);
  return {
    controller: next,
    figures: { agents: options.agents, signal: 'SIGKILL', downMs: listeningAt - killedAt, fromKillMs: back.lastOnlineAt - killedAt, fromListeningMs: back.lastOnlineAt - listeningAt, seenByController },
  };
}

async function measureIdle({ controller, adminPassword, gens, options, heartbeatMs }) {
  await sleep(2000);
  const rssBeforeBytes = rssBytes(controller.pid);
  const started = Date.now();
  gens.connect({ set: 'all', url: controller.url, localAddresses: options.localAddresses });
  await gens.waitFor(`${options.idleAgents} idle agents online`, (t) => t.online >= options.idleAgents, 600_000);
  const connectMs = Date.now() - started;
  log(`${options.idleAgents} idle agents online in ${connectMs} ms; settling, then ${options.idleSeconds} s of idle heartbeats`);
  await sleep(5000);
  const meter = startCpuMeter({ controller: controller.pid, ...Object.fromEntries(gens.pids.map((pid, i) => [`generator${i + 1}`, pid])) });
  await sleep(options.idleSeconds * 1000);
  const cpu = meter();
  const rssAfterBytes = rssBytes(controller.pid);
  const cookie = await login(controller.url, adminPassword);
  const seenByController = await onlineDevices(controller.url, cookie);
  const stillOnline = gens.total().online;
  return {
    agents: options.idleAgents, connectMs, rssBeforeBytes, rssAfterBytes, perAgentBytes: (rssAfterBytes - rssBeforeBytes) / options.idleAgents,
    heartbeatMs, seconds: options.idleSeconds, cpuSeconds: cpu, controllerCpuShare: cpu.controller / options.idleSeconds,
    seenByController, stillOnline, pass: rssAfterBytes < FLEET_TARGETS.idleRssBytes && stillOnline >= options.idleAgents,
  };
}

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(2);
}
cleanUpOnSignals();
const out = resolve(root, options.out);
try {
  const results = await main(options);
  const report = { status: 'ok', options: { ...options, phases: [...options.phases] }, targets: FLEET_TARGETS, ...results, finishedAt: new Date().toISOString() };
  console.log(`\n${formatFleetTable(results, options)}\n`);
  writeJson(out, report);
  console.log(`bench: figures written to ${options.out}`);
} catch (error) {
  console.error(`bench: failed: ${error instanceof Error ? error.stack : String(error)}`);
  writeJson(out, { status: 'failed', error: String(error instanceof Error ? error.message : error), options: { ...options, phases: [...options.phases] }, at: new Date().toISOString() });
  await cleanupAll();
  process.exit(1);
}
await cleanupAll();
