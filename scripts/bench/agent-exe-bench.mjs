// Agent executables benchmark (`npm run bench:agents` builds all four, then runs this):
// 1. start → visible: the Linux executable downloaded from a real controller with its
//    session attached, started with no argument, until a console sees its device online
//    (target < 1 s; median, p95 and the first run), beside the npm bundle under node;
// 2. size of each executable built in dist/agents/, raw and gzip-compressed (what a
//    download costs over a compressing proxy; the controller itself sends it as is).
// Options: --runs=N (default 10), --out=bench-results/agent-exe.json
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { appendFileSync, copyFileSync, createReadStream, chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import WebSocket from 'ws';
import { runBench } from './bench-main.mjs';
import { startController } from './controller.mjs';
import { createSupportLink, login } from './console.mjs';
import { onCleanup, stopChild } from './cleanup.mjs';
import { machine, writeJson } from './report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const agentsDir = join(root, 'dist', 'agents');
const PLATFORMS = [
  ['linux-x64', 'relais-agent-linux-x64'],
  ['win-x64', 'relais-agent-win-x64.exe'],
  ['darwin-x64', 'relais-agent-darwin-x64'],
  ['darwin-arm64', 'relais-agent-darwin-arm64'],
];
const TARGET_MS = 1000;
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

function parseOptions(argv) {
  const options = { runs: 10, out: 'bench-results/agent-exe.json' };
  for (const arg of argv) {
    const [name, value] = arg.replace(/^--/, '').split('=');
    if (name === 'runs' && /^\d+$/.test(value ?? '') && Number(value) >= 1) options.runs = Number(value);
    else if (name === 'out' && value) options.out = value;
    else throw new Error(`unknown or invalid option ${arg} (--runs=N, --out=FILE)`);
  }
  return options;
}

/** protocol/executable (the trailer's format), bundled so this plain script uses the controller's own code. */
async function loadTrailerCode(dir) {
  const outfile = join(dir, 'executable.mjs');
  await build({ entryPoints: [join(root, 'protocol/executable/index.ts')], outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

/** Bytes of a file once gzip-compressed (level 6, as a proxy would), streamed. */
async function gzipSize(path) {
  let bytes = 0;
  await pipeline(createReadStream(path), createGzip(), new Writable({ write(chunk, _encoding, done) { bytes += chunk.length; done(); } }));
  return bytes;
}

/** A console that notes when each device is first seen online. */
async function watchDevices(url, cookie) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/console`, { headers: { cookie, origin: url } });
  onCleanup('console socket', () => ws.close());
  const online = new Map();
  const waiters = new Set();
  ws.on('message', (data, binary) => {
    if (binary) return;
    const message = JSON.parse(String(data));
    if (message.t !== 'device.update' || !message.device.online || online.has(message.device.id)) return;
    online.set(message.device.id, performance.now());
    for (const waiter of waiters) waiter();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ t: 'hello', v: 1, role: 'console' }));
  return {
    /** Resolves with the time the first device not in `known` came online. */
    next(known, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const [id, at] of online) if (!known.has(id)) return finish(id, at);
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error('no device came online within 20 s')); }, timeoutMs);
        const finish = (id, at) => { clearTimeout(timer); waiters.delete(check); resolve({ id, at }); };
        waiters.add(check);
        check();
      });
    },
    known: () => new Set(online.keys()),
  };
}

/** One start: spawn `command`, measure until its device is online in the console, stop it. */
async function startToVisible(console_, command, args, env) {
  const known = console_.known();
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const stop = onCleanup(`agent (pid ${child.pid})`, () => stopChild(child));
  try {
    const { at } = await Promise.race([
      console_.next(known),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`the agent exited (${code}) before it was visible: ${stderr.slice(-500)}`)))),
    ]);
    return at - started;
  } finally {
    await stop();
  }
}

async function measure(options, run) {
  const exe = join(agentsDir, 'relais-agent-linux-x64');
  if (!existsSync(exe)) throw new Error(`${exe} is missing: build it first (npm run build:agents, or node scripts/build-agents.mjs --platform linux-x64)`);
  const work = mkdtempSync(join(tmpdir(), 'relais-bench-exe-'));
  onCleanup(`bench folder ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const controller = await startController({ root });
  const cookie = await login(controller.url, controller.adminPassword);
  const console_ = await watchDevices(controller.url, cookie);
  const env = { ...process.env, HOME: work, RELAIS_AGENT_CACHE: join(work, 'cache'), RELAIS_NO_UPDATE_CHECK: '1' };

  const { encodeTrailerPayload, plainTrailer } = await loadTrailerCode(work);
  const exeTimes = [];
  const downloadTimes = [];
  const bundleTimes = [];
  for (let i = 0; i < options.runs; i++) {
    // Each run starts its own copy for its own code, as each person would: downloaded from the
    // controller (an address may download 5 at once), else the built file with its trailer appended.
    const link = await createSupportLink(controller.url, cookie);
    const code = link.split('/').pop();
    const file = join(work, `agent-${i}`);
    if (i < 4) {
      const downloadStarted = performance.now();
      const res = await fetch(`${controller.url}/download/agent/linux-x64?code=${code}`);
      if (res.status !== 200) throw new Error(`download answered ${res.status}: ${await res.text()}`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      downloadTimes.push(performance.now() - downloadStarted);
    } else {
      copyFileSync(exe, file);
      appendFileSync(file, plainTrailer(encodeTrailerPayload({ v: 1, controller: controller.url, code })));
    }
    chmodSync(file, 0o755);
    exeTimes.push(await startToVisible(console_, file, [], env));
    rmSync(file);
    // The same start with the npm bundle under node, interleaved, for comparison.
    const bundleLink = await createSupportLink(controller.url, cookie);
    bundleTimes.push(await startToVisible(console_, process.execPath, [join(root, 'dist/agent/relais-agent.mjs'), 'join', bundleLink], env));
  }
  await controller.stop();

  const sizes = [];
  for (const [platform, name] of PLATFORMS) {
    const path = join(agentsDir, name);
    if (!existsSync(path)) continue;
    sizes.push({ platform, bytes: statSync(path).size, gzipBytes: await gzipSize(path) });
  }

  const summary = (times) => ({ medianMs: quantile(times, 0.5), p95Ms: quantile(times, 0.95), firstMs: times[0], runs: times.length });
  const report = {
    status: 'ok',
    timestamp: run.startedAt.toISOString(),
    machine: machine(),
    config: run.config,
    startToVisible: { executable: summary(exeTimes), bundleUnderNode: summary(bundleTimes), targetMs: TARGET_MS },
    downloadMs: summary(downloadTimes),
    sizes,
  };
  writeJson(run.outPath, report);

  const ms = (value) => `${value.toFixed(0)} ms`;
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const met = report.startToVisible.executable.medianMs < TARGET_MS;
  console.log('\nagent executables');
  console.log(`${'metric'.padEnd(52)} ${'value'.padEnd(28)} ${'target'.padEnd(10)} result`);
  console.log(`${'-'.repeat(52)} ${'-'.repeat(28)} ${'-'.repeat(10)} ------`);
  const e = report.startToVisible.executable;
  const b = report.startToVisible.bundleUnderNode;
  console.log(`${'linux-x64 start → device visible (median of ' + e.runs + ')'}`.padEnd(52), `${ms(e.medianMs)} (p95 ${ms(e.p95Ms)}, first ${ms(e.firstMs)})`.padEnd(28), `< ${TARGET_MS} ms`.padEnd(10), met ? 'PASS' : 'MISS');
  console.log('  … the npm bundle under node, same runs'.padEnd(52), `${ms(b.medianMs)} (p95 ${ms(b.p95Ms)})`.padEnd(28), '-'.padEnd(10), 'info');
  console.log('  … download with the trailer (loopback)'.padEnd(52), `${ms(report.downloadMs.medianMs)}`.padEnd(28), '-'.padEnd(10), 'info');
  for (const size of sizes) {
    console.log(`${size.platform} size, raw / gzip`.padEnd(52), `${mb(size.bytes)} / ${mb(size.gzipBytes)}`.padEnd(28), '-'.padEnd(10), 'info');
  }
  console.log(`\nraw figures: ${run.outPath}`);
  return met ? 0 : 1;
}

process.exitCode = await runBench({ root, parseOptions, measure });
