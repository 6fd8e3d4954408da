/**
 * Relay benchmarks, measured as a person runs Relais: a real controller and real
 * agents on 127.0.0.1, one agent in a terminal (a pseudo-terminal, its mirror read
 * like a terminal emulator would) and one with its stdout a pipe, each beside the
 * same shell on node-pty alone, interleaved. Throughput of `base64` and `yes`
 * streams (byte-exact, sha256), CPU seconds of every process per 100 MB, keystroke
 * echo back to back, and the agent's idle memory. Beside them, the same shape with
 * nothing of Relais in it (bare-relay.mjs), as the ceiling of what a relay of that
 * shape reaches on this machine. Prints tables and writes
 * bench-results/relay.json. Exit code 0 when every target was met, 1 when one was
 * missed or the bench could not run, 2 for a bad option.
 *
 * Usage: node scripts/bench/run.mjs [--runs=3] [--bytes=209715200] [--streams=base64,yes]
 *        [--sides=terminal,pipe,nodePty,bareTerminal,barePipe] [--samples=500] [--warmup=50] [--idle-seconds=30]
 *        [--cpu-prof] [--out=bench-results/relay.json]
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from './agent.mjs';
import { startBareRelay } from './bare-relay.mjs';
import { runBench } from './bench-main.mjs';
import { childPids, measureBackgroundLoad, residentMemory, startCpuMeter } from './cpu-usage.mjs';
import { connectConsole, createSupportLink, login } from './console.mjs';
import { startController } from './controller.mjs';
import { measureEchoLatency } from './echo-latency.mjs';
import { spawnLocalShell } from './local-pty.mjs';
import { loadProtocol } from './protocol-bundle.mjs';
import { measureThroughput } from './relay-throughput.mjs';
import { analyse, formatTable, machine, verdicts, writeJson } from './report.mjs';
import { expectedOutput, STREAMS } from './streams.mjs';
import { waitForShellReady } from './terminal-io.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ALL_SIDES = ['terminal', 'pipe', 'nodePty', 'bareTerminal', 'barePipe'];
const BARE_SIDES = Object.freeze({ bareTerminal: 'terminal', barePipe: 'pipe' });

const DEFAULTS = Object.freeze({
  runs: 3,
  bytes: 200 * 1024 * 1024,
  warmupBytes: 16 * 1024 * 1024,
  streams: ['base64', 'yes'],
  sides: ALL_SIDES,
  samples: 500,
  warmup: 50,
  idleSeconds: 30,
  cols: 120,
  rows: 40,
  cpuProf: false,
  out: 'bench-results/relay.json',
});

function parseOptions(argv) {
  const options = { ...DEFAULTS };
  const numbers = { runs: 'runs', bytes: 'bytes', samples: 'samples', warmup: 'warmup', 'idle-seconds': 'idleSeconds' };
  for (const arg of argv) {
    if (arg === '--cpu-prof') {
      options.cpuProf = true;
      continue;
    }
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (match?.[1] === 'out') options.out = match[2];
    else if (match?.[1] === 'streams' || match?.[1] === 'sides') {
      const list = match[2].split(',');
      const known = match[1] === 'streams' ? Object.keys(STREAMS) : ALL_SIDES;
      const wrong = list.find((v) => !known.includes(v));
      if (wrong) throw new Error(`${arg}: "${wrong}" is not one of ${known.join(', ')}`);
      options[match[1]] = list;
    } else if (match && numbers[match[1]]) {
      const value = Number(match[2]);
      if (!(Number.isInteger(value) && value >= 0)) throw new Error(`${arg}: a whole number is needed`);
      options[numbers[match[1]]] = value;
    } else throw new Error(`unknown option ${arg} (see the usage at the top of scripts/bench/run.mjs)`);
  }
  if (options.runs < 1) throw new Error('--runs must be at least 1');
  return options;
}

const log = (text) => console.log(`bench: ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts an agent in `mode` from a fresh support link; resolves once its device is online with a summary. */
async function joinAgent({ controller, cookie, technician, mode, nodeArgs, known }) {
  const link = await createSupportLink(controller.url, cookie);
  const agent = await spawnAgent({ root, link, mode, nodeArgs });
  log(`${mode} agent started (pid ${agent.pid}, its terminal pid ${agent.sidePid}), waiting for it to join`);
  const deviceId = await agent.unlessExited(technician.waitForDevice(30_000, known), 'the device to come online');
  return { agent, deviceId, joinedAt: Date.now() };
}

async function openRemoteShell({ technician, agent, deviceId }, options) {
  const opening = technician.openShell({ deviceId, cols: options.cols, rows: options.rows, consent: () => agent.answerNextConsent(30_000), timeoutMs: 30_000 });
  const remote = await agent.unlessExited(opening, 'the shell to open');
  if (remote.mode !== 'pty') throw new Error(`the ${agent.mode} agent opened the shell with ${remote.mode}, not a pty: the comparison with node-pty would be meaningless`);
  remote.label = `relay (${agent.mode})`;
  // The shell is the agent's child that is not a diagnostics probe: the newest one.
  remote.shellPid = Math.max(...childPids(agent.pid));
  log(`${remote.label}: shell open on channel ${remote.channel} (window ${remote.window} bytes, shell pid ${remote.shellPid})`);
  return remote;
}

/** Starts everything; measures the agents' idle memory before any shell opens. */
async function setUp(options, diagnostics) {
  for (const file of ['dist/controller/main.mjs', 'dist/agent/relais-agent.mjs']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: build first (npm run bench builds, then runs this).`);
  }
  const proto = await loadProtocol(root);
  const profileDir = join(root, 'bench-results', 'profiles');
  const nodeArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const controller = await startController({ root, nodeArgs });
  diagnostics.controller = controller;
  log(`controller on ${controller.url} (pid ${controller.pid})`);
  const cookie = await login(controller.url, controller.adminPassword);
  const technician = await connectConsole(controller.url, cookie, proto);
  const known = new Set();
  const agents = {};
  for (const mode of ['terminal', 'pipe'].filter((m) => options.sides.includes(m))) {
    agents[mode] = await joinAgent({ controller, cookie, technician, mode, nodeArgs, known });
    diagnostics[`${mode} agent`] = agents[mode].agent;
    known.add(agents[mode].deviceId);
  }
  // Started before the idle wait, so their agents' memory is read beside the real ones'.
  const bare = {};
  for (const [side, mode] of Object.entries(BARE_SIDES).filter(([side]) => options.sides.includes(side))) {
    bare[side] = await startBareRelay({ root, mode, cols: options.cols, rows: options.rows });
    log(`${bare[side].label}: agent pid ${bare[side].agentPid}, middle pid ${bare[side].middlePid}`);
  }
  log(`computing the expected output of each stream (${options.streams.join(', ')})`);
  const expected = {};
  for (const stream of options.streams) expected[stream] = await expectedOutput(stream, options.bytes);
  let idleMemory = null;
  if (options.idleSeconds > 0 && Object.keys(agents).length > 0) {
    const last = Math.max(...Object.values(agents).map((a) => a.joinedAt));
    const wait = last + options.idleSeconds * 1000 - Date.now();
    if (wait > 0) log(`letting the agents idle ${options.idleSeconds} s after joining (${(wait / 1000).toFixed(0)} s left)`);
    await sleep(Math.max(0, wait));
    idleMemory = { seconds: options.idleSeconds };
    for (const [mode, { agent }] of Object.entries(agents)) idleMemory[mode] = residentMemory(agent.pid);
    for (const [side, relay] of Object.entries(bare)) idleMemory[side] = residentMemory(relay.agentPid);
  }
  const remotes = {};
  for (const [mode, joined] of Object.entries(agents)) remotes[mode] = await openRemoteShell({ technician, ...joined }, options);
  const local = options.sides.includes('nodePty') ? spawnLocalShell({ cols: options.cols, rows: options.rows }) : null;
  if (local) log(`local node-pty shell ${local.shell} (pid ${local.pid})`);
  const terminals = [...Object.values(remotes), ...(local ? [local] : []), ...Object.values(bare)];
  const ready = await Promise.all(terminals.map((t) => waitForShellReady(t)));
  if (Math.max(...ready) > 5000) log(`the shells took ${(Math.max(...ready) / 1000).toFixed(1)} s to start`);
  return { controller, agents, remotes, local, bare, expected, idleMemory };
}

/** The processes whose CPU counts for a run on `side`. */
function meteredProcesses(parts, side) {
  if (side === 'nodePty') return { shell: { pid: parts.local.pid, children: true } };
  const bare = parts.bare[side];
  // The bare relay's middle process stands where the controller does.
  if (bare) return { agent: bare.agentPid, controller: bare.middlePid, terminal: bare.terminalPid, shell: { pid: bare.shellPid, children: true } };
  const { agent } = parts.agents[side];
  return { agent: agent.pid, controller: parts.controller.pid, terminal: agent.sidePid, shell: { pid: parts.remotes[side].shellPid, children: true } };
}

/** Relay and node-pty runs interleaved (the order rotating), so drift on the machine hits every side alike. */
async function throughputBench(parts, options) {
  const timeoutMs = 300_000;
  const terminalOf = (side) => (side === 'nodePty' ? parts.local : parts.bare[side] ?? parts.remotes[side]);
  const runs = {};
  for (const stream of options.streams) {
    log(`${stream}: warm-up (${options.warmupBytes / 1024 / 1024} MiB each)`);
    for (const side of options.sides) await measureThroughput(terminalOf(side), { stream, bytes: options.warmupBytes, timeoutMs });
    runs[stream] = Object.fromEntries(options.sides.map((side) => [side, []]));
    for (let i = 0; i < options.runs; i += 1) {
      const order = options.sides.map((_, k) => options.sides[(k + i) % options.sides.length]);
      const line = [];
      for (const side of order) {
        const meter = startCpuMeter(meteredProcesses(parts, side));
        const run = await measureThroughput(terminalOf(side), { stream, bytes: options.bytes, expected: parts.expected[stream], timeoutMs });
        runs[stream][side].push({ ...run, cpuSeconds: meter() });
        line.push(`${side} ${run.mbPerSecond.toFixed(1)} MB/s`);
      }
      log(`${stream} run ${i + 1}/${options.runs}: ${line.join(', ')}`);
    }
  }
  return runs;
}

async function latencyBench(parts, options) {
  const relay = parts.remotes.terminal ?? parts.remotes.pipe;
  if (!relay || !parts.local || options.samples === 0) return null;
  const bare = parts.bare.bareTerminal ?? parts.bare.barePipe;
  const terminals = [relay, parts.local, ...(bare ? [bare] : [])];
  log(`echo latency, back to back, ${terminals.map((t) => t.label).join(', ')} taking turns (${options.warmup} + ${options.samples} keystrokes each)`);
  const [relaySamples, nodePty, bareSamples] = await measureEchoLatency(terminals, { warmup: options.warmup, samples: options.samples, timeoutMs: 5000 });
  return { relay: relaySamples, nodePty, ...(bareSamples ? { bare: bareSamples } : {}) };
}

/** What the failure report prints of the processes that were started (filled as they start). */
const diagnostics = {};

async function measure(options, { outPath, startedAt, config }) {
  const loadAtStart = loadavg();
  const parts = await setUp(options, diagnostics);
  const backgroundLoad = { beforeThroughput: await measureBackgroundLoad() };
  const throughputRuns = await throughputBench(parts, options);
  backgroundLoad.beforeLatency = await measureBackgroundLoad();
  const latencySamples = await latencyBench(parts, options);
  backgroundLoad.afterLatency = await measureBackgroundLoad();
  const busiest = Math.max(...Object.values(backgroundLoad).filter((v) => typeof v === 'number'));
  if (busiest > 0.2) log(`note: other processes kept up to ${busiest.toFixed(2)} CPUs busy while the bench was idle: a busy machine, figures are noisier`);
  const mirrored = {};
  for (const [mode, { agent }] of Object.entries(parts.agents)) mirrored[mode] = (await agent.refresh()).bytes;
  const consoleStats = Object.fromEntries(Object.entries(parts.remotes).map(([mode, remote]) => [mode, remote.stats()]));
  for (const remote of Object.values(parts.remotes)) await remote.close();
  await parts.local?.close();
  for (const bare of Object.values(parts.bare)) await bare.close();
  const analysis = analyse({ throughputRuns, latencySamples, idleMemory: parts.idleMemory });
  console.log(`\n${formatTable(analysis, options, backgroundLoad)}\n`);
  writeJson(outPath, {
    status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), machine: machine(),
    loadAverage: { start: loadAtStart, end: loadavg() }, backgroundLoadCpus: backgroundLoad, busyMachine: busiest > 0.2, config,
    ttyd: 'not measured: not packaged in Debian here (see TTYD in report.mjs for the issue\'s figures)',
    expected: parts.expected, mirroredBytes: mirrored, console: consoleStats, targets: verdicts(analysis), ...analysis,
  });
  log(`raw figures written to ${outPath}`);
  return verdicts(analysis).every((row) => row.pass !== false) ? 0 : 1;
}

/** On failure: the end of what the controller and each agent printed. */
async function showOutputs() {
  if (diagnostics.controller) console.error(`\n--- controller output (tail) ---\n${diagnostics.controller.logs().slice(-3000)}`);
  for (const mode of ['terminal', 'pipe']) {
    const agent = diagnostics[`${mode} agent`];
    if (agent) console.error(`\n--- ${mode} agent output (tail) ---\n${(await agent.refresh().catch(() => ({ text: agent.output() }))).text.slice(-3000)}`);
  }
}

process.exitCode = await runBench({ root, parseOptions, measure, onFailure: showOutputs });
