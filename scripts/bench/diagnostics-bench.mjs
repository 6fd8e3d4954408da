// Diagnostics benchmark: how long a full snapshot takes (10 runs: median, p95, the
// three slowest probes), and how soon after an agent connects its first summary
// reaches the controller (measured at a console: "online" → "summary arrived"), and the
// longest pause of the agent's event loop while a snapshot is taken (what a keystroke or a
// heartbeat waits for then; systeminformation's execSync runs in a worker thread).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { systemInfoWorkerDefine } from '../agents/system-info-worker.mjs';
import { startController } from './controller.mjs';
import { cleanupAll, cleanUpOnSignals } from './cleanup.mjs';
import { cleanHome } from './clean-home.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const median = (values) => quantile(values, 0.5);

/** Bundles the agent's collector so this plain script can call it, with its worker as the agent has it. */
async function loadCollector(dir) {
  const outfile = join(dir, 'collect.mjs');
  await build({
    entryPoints: [join(root, 'agent/diagnostics/collect.ts')],
    outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'error',
    define: await systemInfoWorkerDefine(),
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  return import(pathToFileURL(outfile).href);
}

export async function benchSnapshot(runs = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'relais-bench-diag-'));
  try {
    const { collectSnapshot } = await loadCollector(dir);
    const durations = [];
    const pauses = [];
    const probeTimes = {};
    for (let i = 0; i < runs; i++) {
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const started = performance.now();
      const snapshot = await collectSnapshot({ controllerUrl: null, resolveNames: ['localhost'] });
      durations.push(performance.now() - started);
      loop.disable();
      pauses.push(loop.max / 1e6);
      for (const [name, outcome] of Object.entries(snapshot.probes)) (probeTimes[name] ??= []).push(outcome.durationMs);
    }
    const slowest = Object.entries(probeTimes)
      .map(([name, times]) => ({ probe: name, medianMs: median(times) }))
      .sort((a, b) => b.medianMs - a.medianMs)
      .slice(0, 3);
    return { runs, medianMs: median(durations), p95Ms: quantile(durations, 0.95), firstRunMs: durations[0], slowestProbes: slowest, loopPauseMedianMs: median(pauses), loopPauseMaxMs: Math.max(...pauses) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFirstSummary(samples = 5) {
  const controller = await startController({ root });
  const { url, adminPassword: password } = controller;
  const agents = [];
  try {
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws/console', { headers: { cookie, origin: url } });
    const seen = new Map();
    const waiters = [];
    ws.on('message', (data, binary) => {
      if (binary) return;
      const m = JSON.parse(String(data));
      if (m.t !== 'device.update') return;
      const now = performance.now();
      const entry = seen.get(m.device.id) ?? {};
      if (m.device.online && entry.online === undefined) entry.online = now;
      if (m.device.brief && entry.summary === undefined) entry.summary = now;
      seen.set(m.device.id, entry);
      waiters.splice(0).forEach((w) => w());
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'hello', v: 1, role: 'console' }));
    const latencies = [];
    for (let i = 0; i < samples; i++) {
      const link = await (await fetch(`${url}/api/support-links`, { method: 'POST', headers: { cookie, origin: url } })).json();
      const before = new Set(seen.keys());
      const agent = spawn(process.execPath, [join(root, 'dist/agent/relais-agent.mjs'), 'join', link.url], { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, HOME: cleanHome() } });
      agents.push(agent);
      const entry = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no summary within 15 s')), 15000);
        const check = () => {
          const id = [...seen.keys()].find((k) => !before.has(k));
          const e = id && seen.get(id);
          if (e && e.online !== undefined && e.summary !== undefined) { clearTimeout(timer); resolve(e); } else waiters.push(check);
        };
        check();
      });
      latencies.push(entry.summary - entry.online);
      agent.kill('SIGTERM');
    }
    ws.close();
    return { samples, medianMs: median(latencies), maxMs: Math.max(...latencies), all: latencies.map((l) => Math.round(l)) };
  } finally {
    for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
    await controller.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  cleanUpOnSignals();
  const snapshot = await benchSnapshot();
  const summary = await benchFirstSummary().finally(() => cleanupAll());
  const rows = [
    ['full snapshot, median', `${snapshot.medianMs.toFixed(0)} ms`, '< 2000 ms', snapshot.medianMs < 2000],
    ['full snapshot, p95', `${snapshot.p95Ms.toFixed(0)} ms`, '', true],
    ['longest event-loop pause, median', `${snapshot.loopPauseMedianMs.toFixed(0)} ms`, '< 100 ms', snapshot.loopPauseMedianMs < 100],
    ['longest event-loop pause, max', `${snapshot.loopPauseMaxMs.toFixed(0)} ms`, '', true],
    ['slowest probes (median)', snapshot.slowestProbes.map((p) => `${p.probe} ${p.medianMs} ms`).join(', '), '', true],
    ['first summary after connect, median', `${summary.medianMs.toFixed(0)} ms`, '< 300 ms', summary.medianMs < 300],
    ['first summary after connect, max', `${summary.maxMs.toFixed(0)} ms`, '< 300 ms', summary.maxMs < 300],
  ];
  console.log(`${'metric'.padEnd(38)} ${'value'.padEnd(44)} ${'target'.padEnd(10)} result`);
  for (const [metric, value, target, ok] of rows) console.log(`${metric.padEnd(38)} ${value.padEnd(44)} ${target.padEnd(10)} ${target ? (ok ? 'PASS' : 'MISS') : ''}`);
  const out = join(root, 'bench-results', 'diagnostics.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ timestamp: new Date().toISOString(), node: process.version, snapshot, summary }, null, 2) + '\n');
  console.log(`\nbench: raw figures written to ${out}`);
  process.exitCode = rows.every(([, , , ok]) => ok) ? 0 : 1;
}
