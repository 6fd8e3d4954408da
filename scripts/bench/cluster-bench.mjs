/**
 * Cluster benchmarks (issue 14): --nodes controller processes on one PostgreSQL
 * database and Redis with HAProxy in front (scripts/cluster/cluster.mjs), on this
 * machine, beside a single controller for comparison:
 *   relay: shell throughput from a console on node1 to a real agent joined to node2,
 *          against the same on a single controller, interleaved (byte-exact, sha256),
 *          and keystroke echo back to back, the two taking turns: the p99 added;
 *   job:   a job on --agents simulated managed agents (fleet-sim-agent.mjs: the real
 *          protocol and Ed25519 challenge) connected through HAProxy: every result stored;
 *   kill:  --kill-agents agents through HAProxy, a job in flight, kill -9 of the node
 *          holding the most: time until all are online again on the others, results lost,
 *          runs twice; --kill-runs times (the node restarted and the agents spread again
 *          between runs).
 * Prints a table and writes bench-results/cluster.json. Exit code 0 when every target was
 * met, 1 when one was missed or the bench could not run, 2 for a bad option.
 *
 * Usage: node scripts/bench/cluster-bench.mjs [--nodes=3] [--agents=1000] [--kill-agents=3000]
 *        [--kill-runs=2] [--runs=5] [--bytes=67108864] [--streams=base64,yes] [--samples=3000]
 *        [--warmup=30] [--generators=2] [--concurrency=100] [--source-addresses=1] [--phases=relay,job,kill]
 *        [--database-url=postgres://…] [--redis-url=redis://…] [--out=bench-results/cluster.json]
 *        [--cpu-prof=DIR] (each node writes a --cpu-prof profile there when it stops; profile-summary.mjs reads it)
 * --source-addresses=N spreads the agents' sockets over 127.0.0.1 … 127.0.0.N (HAProxy passes each
 * on in X-Forwarded-For): a fleet seen from many addresses rather than one, as throttles count per address.
 * A quick check: --agents=100 --kill-agents=300 --kill-runs=1 --runs=1 --bytes=8388608 --samples=50 --warmup=5
 * The database URL names a PostgreSQL server where the bench may create (and then drops) a
 * database of its own; default RELAIS_BENCH_DATABASE_URL, RELAIS_TEST_DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/test. Redis: RELAIS_BENCH_REDIS_URL or redis://127.0.0.1:6379,
 * under a key prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startCluster } from '../cluster/cluster.mjs';
import { spawnAgent } from './agent.mjs';
import { runBench } from './bench-main.mjs';
import { onCleanup } from './cleanup.mjs';
import { startCpuMeter, waitForQuietMachine } from './cpu-usage.mjs';
import { CLUSTER_TARGETS, formatClusterTable } from './cluster-report.mjs';
import { connectConsole, createSupportLink, login } from './console.mjs';
import { startController } from './controller.mjs';
import { measureEchoLatency } from './echo-latency.mjs';
import { createEnrollmentToken, createJob, getJob, onlineDevices } from './fleet-api.mjs';
import { startGenerators } from './fleet-generators.mjs';
import { loadProtocol } from './protocol-bundle.mjs';
import { measureThroughput } from './relay-throughput.mjs';
import { machine, writeJson } from './report.mjs';
import { median, summarizeLatency } from './stats.mjs';
import { expectedOutput, STREAMS } from './streams.mjs';
import { waitForShellReady } from './terminal-io.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PHASES = ['relay', 'job', 'kill'];
const DEFAULTS = Object.freeze({
  nodes: 3, agents: 1000, killAgents: 3000, killRuns: 2, runs: 5, bytes: 64 * 1024 * 1024, warmupBytes: 8 * 1024 * 1024, streams: ['base64', 'yes'],
  // 3,000: the p99 is then the 30th-worst keystroke, not the 10th (see the README's cluster figures).
  samples: 3000, warmup: 30, generators: 2, concurrency: 100, sourceAddresses: 1, phases: PHASES,
  databaseUrl: process.env.RELAIS_BENCH_DATABASE_URL || process.env.RELAIS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.RELAIS_BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  out: 'bench-results/cluster.json',
});
const NUMBERS = { nodes: 'nodes', agents: 'agents', 'kill-agents': 'killAgents', 'kill-runs': 'killRuns', runs: 'runs', bytes: 'bytes', samples: 'samples', warmup: 'warmup', generators: 'generators', concurrency: 'concurrency', 'source-addresses': 'sourceAddresses' };

function parseOptions(argv) {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`unknown argument ${argv[i]} (see the usage at the top of scripts/bench/cluster-bench.mjs)`);
    const name = match[1];
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name === 'out') options.out = value;
    else if (name === 'database-url') options.databaseUrl = value;
    else if (name === 'redis-url') options.redisUrl = value;
    else if (name === 'cpu-prof') options.cpuProf = resolve(value);
    else if (name === 'phases' || name === 'streams') {
      const known = name === 'phases' ? PHASES : Object.keys(STREAMS);
      const list = value.split(',');
      const wrong = list.find((v) => !known.includes(v));
      if (wrong) throw new Error(`--${name}: "${wrong}" is not one of ${known.join(', ')}`);
      options[name] = list;
    } else if (NUMBERS[name]) {
      const number = Number(value);
      if (!(Number.isInteger(number) && number >= 0)) throw new Error(`--${name}: a whole number is needed`);
      options[NUMBERS[name]] = number;
    } else throw new Error(`unknown option --${name} (see the usage at the top of scripts/bench/cluster-bench.mjs)`);
  }
  if (options.nodes < 2) throw new Error('--nodes must be at least 2 (a console on one node, an agent on another)');
  if (options.runs < 1 || options.generators < 1) throw new Error('--runs and --generators must be at least 1');
  options.warmupBytes = Math.min(options.warmupBytes, options.bytes);
  if (options.sourceAddresses < 1 || options.sourceAddresses > 254) throw new Error('--source-addresses must be from 1 to 254');
  options.localAddresses = options.sourceAddresses > 1 ? Array.from({ length: options.sourceAddresses }, (_, i) => `127.0.0.${i + 1}`) : [];
  return options;
}

const log = (text) => console.log(`bench: ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A database of the bench's own on the server, dropped at the end (and on Ctrl-C). */
async function createBenchDatabase(adminUrl) {
  const name = `relais_bench_${randomBytes(4).toString('hex')}`;
  const run = async (statement) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  onCleanup(`bench database ${name}`, () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs a phase; a failure is recorded with its reason and the next phase still runs. */
async function phase(name, work) {
  try {
    return await work();
  } catch (error) {
    log(`${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A real agent (stdout a pipe) joined straight to `joinUrl` with a link made on `consoleUrl`, and a shell on it from `technician`. */
async function remoteShell({ consoleUrl, joinUrl, cookie, technician, label }) {
  const link = new URL(await createSupportLink(consoleUrl, cookie));
  const agent = await spawnAgent({ root, link: `${joinUrl}${link.pathname}`, mode: 'pipe' });
  const deviceId = await agent.unlessExited(technician.waitForDevice(60_000), `the ${label} agent to come online`);
  const remote = await agent.unlessExited(
    technician.openShell({ deviceId, cols: 120, rows: 40, consent: () => agent.answerNextConsent(30_000), timeoutMs: 30_000 }),
    `the ${label} shell to open`,
  );
  remote.label = label;
  await waitForShellReady(remote);
  log(`${label}: shell open on channel ${remote.channel} (agent pid ${agent.pid})`);
  return { agent, remote };
}

async function relayPhase(cluster, options) {
  const proto = await loadProtocol(root);
  const single = await startController({ root });
  log(`single controller on ${single.url} (pid ${single.pid}, SQLite)`);
  const singleCookie = await login(single.url, single.adminPassword);
  const singleConsole = await connectConsole(single.url, singleCookie, proto);
  const [node1, node2] = cluster.nodes;
  const cookie = await login(node1.url, cluster.adminPassword);
  const technician = await connectConsole(node1.url, cookie, proto);
  const sides = {
    single: await remoteShell({ consoleUrl: single.url, joinUrl: single.url, cookie: singleCookie, technician: singleConsole, label: 'single controller' }),
    cluster: await remoteShell({ consoleUrl: node1.url, joinUrl: node2.url, cookie, technician, label: `cluster (console on ${node1.id}, agent on ${node2.id})` }),
  };
  // Whose CPU each side's stream costs: the relay's processes (the shell and this console are alike on both sides).
  const processes = {
    single: { controller: single.pid, agent: sides.single.agent.pid },
    cluster: { [node1.id]: node1.pid, [node2.id]: node2.pid, agent: sides.cluster.agent.pid },
  };
  // The agents' first diagnostics run niced commands for seconds after they join: measured beside them, the first runs were slower on both sides.
  const quiet = await waitForQuietMachine();
  log(`machine quiet after ${(quiet.waitedMs / 1000).toFixed(1)} s (${quiet.busyCpus} CPUs busy in the last second)`);
  // What each process spends with shells open and nothing flowing: a cost per second, not per byte.
  const idleMeter = startCpuMeter({ ...processes.single, ...Object.fromEntries(cluster.nodes.map((node) => [node.id, node.pid])), clusterAgent: sides.cluster.agent.pid });
  await sleep(5000);
  const idle = Object.fromEntries(Object.entries(idleMeter()).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, k === 'machineBusyCpus' ? v : v / 5]));
  log(`idle, CPU-s per second: ${Object.entries(idle).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  const throughput = {};
  let runs = 0;
  let exact = 0;
  for (const stream of options.streams) {
    const expected = await expectedOutput(stream, options.bytes);
    for (const side of Object.values(sides)) await measureThroughput(side.remote, { stream, bytes: options.warmupBytes, timeoutMs: 300_000 });
    const mbps = { single: [], cluster: [] };
    const cpu = { single: [], cluster: [] };
    for (let i = 0; i < options.runs; i += 1) {
      // The order alternates, so drift on the machine hits both alike.
      for (const side of i % 2 === 0 ? ['cluster', 'single'] : ['single', 'cluster']) {
        const meter = startCpuMeter(processes[side]);
        const run = await measureThroughput(sides[side].remote, { stream, bytes: options.bytes, expected, timeoutMs: 300_000 });
        cpu[side].push(perHundredMB(meter(), run.bytesReceived));
        mbps[side].push(run.mbPerSecond);
        runs += 1;
        if (run.exact) exact += 1;
      }
      log(`${stream} run ${i + 1}/${options.runs}: cluster ${mbps.cluster.at(-1).toFixed(1)} MB/s, single ${mbps.single.at(-1).toFixed(1)} MB/s`);
    }
    const ratio = median(mbps.cluster) / median(mbps.single);
    const cpuMedians = Object.fromEntries(Object.entries(cpu).map(([side, list]) => [side, Object.fromEntries(Object.keys(list[0] ?? {}).map((name) => [name, median(list.map((r) => r[name]))]))]));
    log(`${stream} CPU-s per 100 MB (median): ${Object.entries(cpuMedians).map(([side, figures]) => `${side}: ${Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`).join('; ')}`);
    throughput[stream] = { cluster: median(mbps.cluster), single: median(mbps.single), samples: mbps, ratio, pass: ratio >= CLUSTER_TARGETS.throughputRatio, cpuSecondsPer100MB: cpuMedians, cpuSamples: cpu };
  }
  let latency = null;
  if (options.samples > 0) {
    log(`echo latency, back to back, cluster and single controller taking turns (${options.warmup} + ${options.samples} keystrokes each)`);
    const [clusterMs, singleMs] = await measureEchoLatency([sides.cluster.remote, sides.single.remote], { warmup: options.warmup, samples: options.samples, timeoutMs: 5000 });
    const c = summarizeLatency(clusterMs);
    const s = summarizeLatency(singleMs);
    // The samples in the order taken (the two sides alternate), for whoever looks at where the slow ones fall.
    latency = { cluster: c, single: s, addedP50Ms: c.p50 - s.p50, addedP99Ms: c.p99 - s.p99, pass: c.p99 - s.p99 < CLUSTER_TARGETS.echoAddedP99Ms, samplesMs: { cluster: clusterMs, single: singleMs } };
    log(`echo p99: cluster ${c.p99.toFixed(3)} ms, single ${s.p99.toFixed(3)} ms`);
  }
  for (const side of Object.values(sides)) {
    await side.remote.close();
    await side.agent.stop();
  }
  await technician.close();
  await singleConsole.close();
  await single.stop();
  return { throughput, latency, runs, exact, idleCpuSecondsPerSecond: idle };
}

/** A CPU meter's reading per 100 MB of `bytes`, the machine's busy CPUs as they were. */
function perHundredMB(reading, bytes) {
  return Object.fromEntries(Object.entries(reading).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, k === 'machineBusyCpus' ? v : (v * 1e8) / bytes]));
}

/** Runs with a result stored, whatever it says. */
const storedOf = (counts) => counts.succeeded + counts.failed + counts.refused + counts.timedOut + counts.cancelled + counts.expired;

/** Polls the job until `count` results are stored; resolves with the ms since `started` and the counts. */
async function storedWithin(url, cookie, jobId, count, started, timeoutMs) {
  for (;;) {
    const { counts } = await getJob(url, cookie, jobId);
    const stored = storedOf(counts);
    if (stored >= count) return { ms: Date.now() - started, stored, counts };
    if (Date.now() - started > timeoutMs) throw new Error(`only ${stored} of ${count} results stored within ${timeoutMs / 1000} s: ${JSON.stringify(counts)}`);
    await sleep(20);
  }
}

const spreadOf = async (cluster) => (await cluster.haproxy.servers()).map((s) => `${s.name} ${s.sessions}`);

async function jobPhase(cluster, gens, cookie, options) {
  let started = Date.now();
  gens.connect({ set: 'job', url: cluster.url, localAddresses: options.localAddresses });
  await gens.waitFor(`${options.agents} agents online`, (t) => t.online >= options.agents, 300_000);
  const connectMs = Date.now() - started;
  const spread = await spreadOf(cluster);
  log(`${options.agents} agents online through HAProxy in ${connectMs} ms (${spread.join(', ')})`);
  const before = gens.total();
  started = Date.now();
  const job = await createJob(cluster.url, cookie, { scriptName: 'disk-usage', target: { tag: 'bench-job' }, concurrency: options.concurrency, timeoutSeconds: 60 });
  try {
    const { ms, stored } = await storedWithin(cluster.url, cookie, job.id, options.agents, started, 120_000);
    const acked = await gens.waitFor('every job.ack', (t) => t.acks - before.acks >= options.agents, 60_000);
    log(`job ${job.id}: ${stored} results stored in ${ms} ms`);
    return { agents: options.agents, concurrency: options.concurrency, jobId: job.id, connectMs, spread, storedMs: ms, stored, runsPerDevice: (acked.runs - before.runs) / options.agents, pass: ms <= CLUSTER_TARGETS.jobStoredMs };
  } finally {
    gens.stop('job');
    await gens.waitFor('the job agents offline', (t) => t.online === 0, 60_000);
  }
}

async function killOnce(cluster, gens, cookie, options, run) {
  const agents = options.killAgents;
  // A node that died by itself since (its log was printed) is started again, and the table says so.
  const died = cluster.nodes.filter((n) => !n.alive).map((n) => n.id);
  for (const id of died) await cluster.node(id).restart();
  if (died.length > 0) {
    await cluster.haproxy.waitUntil(cluster.nodes.map((n) => n.id), 60_000);
    log(`kill run ${run}: ${died.join(', ')} had died by itself; started again`);
  }
  gens.connect({ set: 'all', url: cluster.url, localAddresses: options.localAddresses });
  try {
    return await killWithAgents(cluster, gens, cookie, options, run, died);
  } finally {
    // Whatever happened, the next run starts from no agent connected (a second connect would double them).
    gens.stop('all');
    await gens.waitFor('every agent offline', (t) => t.online === 0, 60_000).catch(() => undefined);
  }
}

async function killWithAgents(cluster, gens, cookie, options, run, died) {
  const agents = options.killAgents;
  await gens.waitFor(`${agents} agents online`, (t) => t.online >= agents, 180_000);
  log(`kill run ${run}: ${agents} agents online (${(await spreadOf(cluster)).join(', ')}); the cluster counts ${await onlineDevices(cluster.url, cookie)}`);
  const before = gens.total();
  const started = Date.now();
  // A job in flight on every device when the node dies.
  const job = await createJob(cluster.url, cookie, { scriptName: 'disk-usage', target: { tag: 'bench' }, concurrency: options.concurrency, timeoutSeconds: 60 });
  await gens.waitFor('a tenth of the results', (t) => t.results - before.results >= agents / 10, 120_000);
  const servers = await cluster.haproxy.servers();
  const victim = [...servers].sort((a, b) => b.sessions - a.sessions)[0];
  const killedAt = Date.now();
  await cluster.node(victim.name).kill();
  log(`kill run ${run}: kill -9 ${victim.name} (${victim.sessions} sessions), ${gens.total().results - before.results} results in`);
  await gens.waitFor('the agents to notice', (t) => t.online < agents, 30_000);
  const back = await gens.waitFor(`${agents} agents online again`, (t) => t.online >= agents, 120_000);
  const backOnlineMs = back.lastOnlineAt - killedAt;
  // The device list is written in batches behind the connections: ask until it counts them all (or 30 s went by).
  let seenByCluster = await onlineDevices(cluster.url, cookie);
  while (seenByCluster < agents && Date.now() - killedAt < 30_000) {
    await sleep(100);
    seenByCluster = await onlineDevices(cluster.url, cookie);
  }
  const countedMs = Date.now() - killedAt;
  log(`kill run ${run}: all ${agents} back online ${backOnlineMs} ms after the kill; the cluster counts ${seenByCluster} online ${countedMs} ms after it`);
  let stored = 0;
  let ranTwice = null;
  try {
    ({ stored } = await storedWithin(cluster.url, cookie, job.id, agents, started, 120_000));
    const acked = await gens.waitFor('every job.ack', (t) => t.acks - before.acks >= agents, 60_000);
    // Each simulated agent keeps a ledger like the real one: a run it executed twice would count twice here.
    ranTwice = acked.runs - before.runs - agents;
  } catch (error) {
    log(`kill run ${run}: ${error.message}`);
    stored = storedOf((await getJob(cluster.url, cookie, job.id)).counts);
  }
  const restarted = await cluster.node(victim.name).restart();
  await cluster.haproxy.waitUntil(cluster.nodes.map((n) => n.id), 60_000);
  log(`kill run ${run}: ${victim.name} started again (pid ${restarted.pid})`);
  return { node: victim.name, held: victim.sessions, agents, backOnlineMs, seenByCluster, countedMs, jobId: job.id, stored, lost: agents - stored, ranTwice, diedBefore: died };
}

async function measure(options, { outPath, startedAt, config }) {
  for (const file of ['dist/controller/main.mjs', 'dist/agent/relais-agent.mjs']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: build first (npm run bench:cluster builds, then runs this).`);
  }
  const results = { machine: machine() };
  const databaseUrl = await createBenchDatabase(options.databaseUrl);
  const nodeArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : [];
  const cluster = await startCluster({ root, size: options.nodes, databaseUrl, redisUrl: options.redisUrl, nodeArgs });
  log(`${options.nodes} nodes behind HAProxy at ${cluster.url} (${cluster.nodes.map((n) => `${n.id} pid ${n.pid}`).join(', ')}; Redis prefix ${cluster.redisPrefix})`);
  if (options.phases.includes('relay')) results.relay = await phase('relay', () => relayPhase(cluster, options));
  if (options.phases.includes('job') || options.phases.includes('kill')) {
    const cookie = await login(cluster.url, cluster.adminPassword);
    const devices = Math.max(options.phases.includes('job') ? options.agents : 0, options.phases.includes('kill') ? options.killAgents : 0);
    const gens = startGenerators(options.generators);
    const enrolled = await phase('enrollment', async () => {
      const { token } = await createEnrollmentToken(cluster.url, cookie, devices);
      const started = Date.now();
      await gens.enroll({ url: cluster.url, token, count: devices, jobAgents: options.agents });
      log(`enrolled ${devices} devices through HAProxy in ${Date.now() - started} ms`);
      return { devices, ms: Date.now() - started };
    });
    results.enrollment = enrolled;
    if (!enrolled.error) {
      if (options.phases.includes('job')) results.job = await phase('job', () => jobPhase(cluster, gens, cookie, options));
      if (options.phases.includes('kill')) {
        results.kill = { runs: [] };
        for (let run = 1; run <= options.killRuns; run += 1) results.kill.runs.push(await phase(`kill run ${run}`, () => killOnce(cluster, gens, cookie, options, run)));
      }
    }
    await gens.exit();
  }
  await cluster.stop();
  const { table, met } = formatClusterTable(results, options);
  console.log(`\n${table}\n`);
  writeJson(outPath, { status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), config: { ...config, databaseUrl: undefined, redisUrl: undefined }, targets: CLUSTER_TARGETS, ...results });
  log(`figures written to ${outPath}`);
  return met ? 0 : 1;
}

process.exitCode = await runBench({ root, parseOptions, measure });
