/**
 * Relay benchmarks: throughput and keystroke echo latency of a remote shell
 * through a real controller and a real agent on 127.0.0.1, each beside the same
 * measurement on node-pty alone. Prints a table and writes
 * bench-results/relay.json. Exit code 0 when the bench ran (whether or not a
 * target was met), 1 when it could not run, 2 for a bad option.
 *
 * Usage: node scripts/bench/run.mjs [--runs=3] [--bytes=209715200] [--samples=500]
 *        [--warmup=50] [--gap-ms=5] [--cpu-prof] [--out=bench-results/relay.json]
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from './agent.mjs';
import { cleanupAll, cleanUpOnSignals } from './cleanup.mjs';
import { measureBackgroundLoad, startCpuMeter } from './cpu-usage.mjs';
import { connectConsole, createSupportLink, login } from './console.mjs';
import { startController } from './controller.mjs';
import { measureEchoLatency } from './echo-latency.mjs';
import { spawnLocalShell } from './local-pty.mjs';
import { measureThroughput } from './relay-throughput.mjs';
import { analyse, formatTable, machine, writeJson } from './report.mjs';
import { waitForShellReady } from './terminal-io.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const DEFAULTS = Object.freeze({
  runs: 3,
  bytes: 200 * 1024 * 1024,
  warmupBytes: 16 * 1024 * 1024,
  samples: 500,
  warmup: 50,
  gapMs: 5,
  cols: 120,
  rows: 40,
  cpuProf: false,
  out: 'bench-results/relay.json',
});

function parseOptions(argv) {
  const options = { ...DEFAULTS };
  const names = { runs: 'runs', bytes: 'bytes', samples: 'samples', warmup: 'warmup', 'gap-ms': 'gapMs', out: 'out' };
  for (const arg of argv) {
    if (arg === '--cpu-prof') {
      options.cpuProf = true;
      continue;
    }
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    const key = match && names[match[1]];
    if (!key) throw new Error(`unknown option ${arg} (see the usage at the top of scripts/bench/run.mjs)`);
    options[key] = key === 'out' ? match[2] : Number(match[2]);
    if (key !== 'out' && !(Number.isInteger(options[key]) && options[key] >= 0)) throw new Error(`${arg}: a whole number is needed`);
  }
  if (options.runs < 1 || options.samples < 1) throw new Error('--runs and --samples must be at least 1');
  return options;
}

const log = (text) => console.log(`bench: ${text}`);

/** Starts controller, console and agent, opens the remote shell and a local pty; returns both terminals. */
async function setUp(options, diagnostics) {
  for (const file of ['dist/controller/main.mjs', 'dist/agent/relais-agent.mjs']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: build first (npm run bench builds, then runs this).`);
  }
  const nodeArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench-results', 'profiles')}`] : [];
  const controller = await startController({ root, nodeArgs });
  diagnostics.controller = controller;
  log(`controller on ${controller.url} (pid ${controller.pid})`);
  const cookie = await login(controller.url, controller.adminPassword);
  const link = await createSupportLink(controller.url, cookie);
  const technician = await connectConsole(controller.url, cookie);
  const agent = spawnAgent({ root, link, nodeArgs });
  diagnostics.agent = agent;
  log(`agent started (pid ${agent.pid}), waiting for it to join`);
  const deviceId = await agent.unlessExited(technician.waitForDevice(30_000), 'the device to come online');
  const opening = technician.openShell({
    deviceId,
    cols: options.cols,
    rows: options.rows,
    consent: () => agent.answerNextConsent(30_000),
    timeoutMs: 30_000,
  });
  const remote = await agent.unlessExited(opening, 'the shell to open');
  log(`remote shell open on channel ${remote.channel} (${remote.mode}, window ${remote.window} bytes)`);
  if (remote.mode !== 'pty') throw new Error(`the agent opened the shell with ${remote.mode}, not a pty: the comparison with node-pty would be meaningless`);
  const local = spawnLocalShell({ cols: options.cols, rows: options.rows });
  log(`local node-pty shell ${local.shell} (pid ${local.pid})`);
  const [remoteReadyMs, localReadyMs] = await Promise.all([waitForShellReady(remote), waitForShellReady(local)]);
  const slowest = Math.max(remoteReadyMs, localReadyMs);
  if (slowest > 5000) log(`the shells took ${(slowest / 1000).toFixed(1)} s to start (the user's rc files: check ~/.bashrc, e.g. a stale pyenv lock)`);
  return { remote, local, controller, agent, technician };
}

/** Alternates relay and node-pty runs, so drift on the machine hits both alike. */
async function throughputBench({ remote, local, controller, agent }, options) {
  const timeoutMs = 120_000;
  log(`throughput warm-up (${options.warmupBytes / 1024 / 1024} MiB each)`);
  await measureThroughput(remote, { bytes: options.warmupBytes, timeoutMs });
  await measureThroughput(local, { bytes: options.warmupBytes, timeoutMs });
  const runs = { relay: [], nodePty: [] };
  for (let i = 1; i <= options.runs; i += 1) {
    let meter = startCpuMeter({ controller: controller.pid, agent: agent.pid });
    const relay = await measureThroughput(remote, { bytes: options.bytes, timeoutMs });
    runs.relay.push({ ...relay, cpuSeconds: meter() });
    meter = startCpuMeter({});
    const pty = await measureThroughput(local, { bytes: options.bytes, timeoutMs });
    runs.nodePty.push({ ...pty, cpuSeconds: meter() });
    log(`throughput run ${i}/${options.runs}: relay ${relay.mbPerSecond.toFixed(1)} MB/s, node-pty alone ${pty.mbPerSecond.toFixed(1)} MB/s`);
  }
  return runs;
}

async function latencyBench({ remote, local }, options) {
  const settings = { warmup: options.warmup, samples: options.samples, gapMs: options.gapMs, timeoutMs: 5000 };
  log(`echo latency, relay and node-pty alone taking turns (${options.warmup} + ${options.samples} keystrokes each)`);
  const [relay, nodePty] = await measureEchoLatency([remote, local], settings);
  return { relay, nodePty };
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${error.message}`);
    return 2;
  }
  cleanUpOnSignals();
  const diagnostics = {};
  const startedAt = new Date();
  const outPath = resolve(root, options.out);
  const config = { ...options, out: undefined };
  const loadAtStart = loadavg();
  try {
    const parts = await setUp(options, diagnostics);
    const backgroundLoad = { beforeThroughput: await measureBackgroundLoad() };
    const throughputRuns = await throughputBench(parts, options);
    backgroundLoad.beforeLatency = await measureBackgroundLoad();
    const latencySamples = await latencyBench(parts, options);
    backgroundLoad.afterLatency = await measureBackgroundLoad();
    const busiest = Math.max(...Object.values(backgroundLoad).filter((v) => typeof v === 'number'));
    if (busiest > 0.2) log(`note: other processes kept up to ${busiest.toFixed(2)} CPUs busy while the bench was idle; figures are noisier`);
    const relayStats = parts.remote.stats();
    await parts.remote.close();
    await parts.local.close();
    const analysis = analyse({ throughputRuns, latencySamples });
    console.log(`\n${formatTable(analysis, options, backgroundLoad)}\n`);
    writeJson(outPath, { status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), machine: machine(), loadAverage: { start: loadAtStart, end: loadavg() }, backgroundLoadCpus: backgroundLoad, config, relayConsole: relayStats, ...analysis });
    log(`raw figures written to ${outPath}`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\nbench: FAILED — ${message}`);
    if (diagnostics.controller) console.error(`\n--- controller output (tail) ---\n${diagnostics.controller.logs().slice(-3000)}`);
    if (diagnostics.agent) console.error(`\n--- agent output (tail) ---\n${diagnostics.agent.output().slice(-3000)}`);
    writeJson(outPath, { status: 'failed', error: message, timestamp: startedAt.toISOString(), machine: machine(), config });
    return 1;
  } finally {
    await cleanupAll();
  }
}

process.exitCode = await main();
