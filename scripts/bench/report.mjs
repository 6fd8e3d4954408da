/** Turns the raw figures into the printed tables and the JSON file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { median, summarizeLatency } from './stats.mjs';

/** ttyd's figures from issue 16 (quiet 2-core machine): it cannot be measured here (not packaged in Debian). */
export const TTYD = Object.freeze({
  ratioOfNodePty: '76–81 %',
  cpuSecondsPer100MB: 3 / 2.87,
  echoAddedP50Ms: '0.042–0.060',
});

export const TARGETS = Object.freeze({
  /** Relay ÷ node-pty alone with the agent in a terminal (mirror on a pty). */
  terminalRatio: 0.9,
  /** Relay ÷ node-pty alone with the agent's stdout a pipe. */
  pipeRatio: 0.95,
  /** Agent CPU per 100 MB relayed: no more than ttyd's whole process. */
  agentCpuPer100MB: TTYD.cpuSecondsPer100MB,
  /** Controller CPU per 100 MB: half of that. */
  controllerCpuPer100MB: TTYD.cpuSecondsPer100MB / 2,
  addedP50Ms: 0.15,
  addedP99Ms: 0.4,
  /** Agent resident memory after 30 s idle, bytes (50 MB). */
  idleRssBytes: 50e6,
});

export const SIDES = Object.freeze({
  terminal: 'relay, agent in a terminal',
  pipe: 'relay, agent stdout a pipe',
  nodePty: 'node-pty alone',
  bareTerminal: 'bare relay, agent in a terminal',
  barePipe: 'bare relay, agent stdout a pipe',
});

/** CPU seconds per 100 MB received, per process, for one run. */
function per100MB(run) {
  const scale = 1e8 / run.bytesReceived;
  return Object.fromEntries(Object.entries(run.cpuSeconds).filter(([k, v]) => k !== 'machineBusyCpus' && typeof v === 'number').map(([k, v]) => [k, v * scale]));
}

/** Derives medians, ratios, per-100 MB CPU and verdicts from the raw runs. */
export function analyse({ throughputRuns, latencySamples, idleMemory }) {
  const throughput = {};
  for (const [stream, bySide] of Object.entries(throughputRuns)) {
    const sides = {};
    for (const [side, runs] of Object.entries(bySide)) {
      if (runs.length === 0) continue;
      const cpu = runs.map(per100MB);
      const keys = [...new Set(cpu.flatMap(Object.keys))];
      sides[side] = {
        runs,
        medianMBps: median(runs.map((r) => r.mbPerSecond)),
        cpuSecondsPer100MB: Object.fromEntries(keys.map((k) => [k, median(cpu.map((c) => c[k]).filter((v) => v !== undefined))])),
        machineBusyCpus: median(runs.map((r) => r.cpuSeconds.machineBusyCpus).filter((v) => typeof v === 'number')),
      };
    }
    const base = sides.nodePty?.medianMBps;
    for (const side of ['terminal', 'pipe', 'bareTerminal', 'barePipe']) if (sides[side] && base) sides[side].ratio = sides[side].medianMBps / base;
    throughput[stream] = sides;
  }
  const allRuns = Object.values(throughputRuns).flatMap((bySide) => Object.values(bySide).flat());
  const content = { runs: allRuns.length, exact: allRuns.filter((r) => r.exact === true).length };
  let latency = null;
  if (latencySamples) {
    const relay = summarizeLatency(latencySamples.relay);
    const nodePty = summarizeLatency(latencySamples.nodePty);
    latency = {
      unit: 'ms',
      relay: { ...relay, samplesMs: latencySamples.relay },
      nodePty: { ...nodePty, samplesMs: latencySamples.nodePty },
      addedP50Ms: relay.p50 - nodePty.p50,
      addedP99Ms: relay.p99 - nodePty.p99,
    };
    if (latencySamples.bare) {
      const bare = summarizeLatency(latencySamples.bare);
      latency.bare = { ...bare, samplesMs: latencySamples.bare, addedP50Ms: bare.p50 - nodePty.p50, addedP99Ms: bare.p99 - nodePty.p99 };
    }
  }
  return { throughput, content, latency, idleMemory };
}

/** The targets, each with its value and verdict (null value: not measured in this run). */
export function verdicts(analysis) {
  const rows = [];
  const add = (metric, value, shown, target, pass) => rows.push({ metric, value, shown, target, pass: value === null || value === undefined || Number.isNaN(value) ? null : pass });
  for (const [stream, sides] of Object.entries(analysis.throughput)) {
    const t = sides.terminal?.ratio;
    const p = sides.pipe?.ratio;
    add(`${stream}: relay (agent in a terminal) / node-pty`, t, pct(t), `>= ${TARGETS.terminalRatio * 100} %`, t >= TARGETS.terminalRatio);
    add(`${stream}: relay (agent's stdout a pipe) / node-pty`, p, pct(p), `>= ${TARGETS.pipeRatio * 100} %`, p >= TARGETS.pipeRatio);
  }
  const main = analysis.throughput.base64?.terminal ?? Object.values(analysis.throughput)[0]?.terminal;
  const stream = analysis.throughput.base64?.terminal ? 'base64' : Object.keys(analysis.throughput)[0];
  if (main) {
    const agent = main.cpuSecondsPer100MB.agent;
    const controller = main.cpuSecondsPer100MB.controller;
    add(`${stream}, terminal: agent CPU-s per 100 MB`, agent, num(agent), `<= ${TARGETS.agentCpuPer100MB.toFixed(2)} (ttyd)`, agent <= TARGETS.agentCpuPer100MB);
    add(`${stream}, terminal: controller CPU-s per 100 MB`, controller, num(controller), `<= ${TARGETS.controllerCpuPer100MB.toFixed(2)}`, controller <= TARGETS.controllerCpuPer100MB);
  }
  const l = analysis.latency;
  if (l) {
    add('echo added p50 (relay − node-pty, back to back)', l.addedP50Ms, plusMs(l.addedP50Ms), `<= +${TARGETS.addedP50Ms} ms`, l.addedP50Ms <= TARGETS.addedP50Ms);
    add('echo added p99', l.addedP99Ms, plusMs(l.addedP99Ms), `<= +${TARGETS.addedP99Ms} ms`, l.addedP99Ms <= TARGETS.addedP99Ms);
  }
  const rss = analysis.idleMemory?.terminal?.rss;
  if (analysis.idleMemory) add(`agent idle RSS after ${analysis.idleMemory.seconds} s (terminal)`, rss, mb(rss), `<= ${TARGETS.idleRssBytes / 1e6} MB`, rss <= TARGETS.idleRssBytes);
  const c = analysis.content;
  add('content check (sha256 between markers, every run)', c.runs, `${c.exact}/${c.runs} exact`, 'all', c.exact === c.runs);
  return rows;
}

/** The machine the figures come from. */
export function machine() {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    platform: process.platform,
    kernel: release(),
    arch: process.arch,
    node: process.version,
  };
}

const pct = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '-');
const num = (v) => (typeof v === 'number' && !Number.isNaN(v) ? v.toFixed(2) : '-');
const mb = (v) => (typeof v === 'number' ? `${(v / 1e6).toFixed(1)} MB` : '-');
const ms = (v) => `${v.toFixed(3)} ms`;
const plusMs = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(3)} ms`;
const verdict = (pass) => (pass === null ? 'n/a' : pass ? 'PASS' : 'FAIL');
const table = (widths, rows) => rows.map((cells) => cells.map((cell, i) => String(cell).padEnd(widths[i] ?? 0)).join(' ').trimEnd()).join('\n');

/** The readable report: targets first, then the figures behind them. */
export function formatTable(analysis, config, backgroundLoad = {}) {
  const rows = verdicts(analysis);
  const widths = [56, 18, 20, 6];
  const parts = [table(widths, [['metric', 'value', 'target', 'result'], widths.map((w) => '-'.repeat(w)), ...rows.map((r) => [r.metric, r.shown, r.target, verdict(r.pass)])])];

  const cpuWidths = [8, 28, 16, 8, 44];
  const cpuRows = [['stream', 'side', 'MB/s (median)', 'ratio', 'CPU-s per 100 MB (median): per process']];
  for (const [stream, sides] of Object.entries(analysis.throughput)) {
    for (const [side, s] of Object.entries(sides)) {
      const cpu = Object.entries(s.cpuSecondsPer100MB).map(([k, v]) => `${k} ${num(v)}`).join(', ');
      cpuRows.push([stream, SIDES[side], `${s.medianMBps.toFixed(1)} (${s.runs.map((r) => r.mbPerSecond.toFixed(1)).join(', ')})`, s.ratio ? pct(s.ratio) : '-', cpu]);
    }
  }
  parts.push('', table(cpuWidths, cpuRows));
  parts.push(
    '(agent: the agent process; controller; terminal: the person\'s terminal reading the mirror (pty or pipe); bench: this process, the console ' +
      'or the node-pty reader; shell: the shell with the producer pipeline it waited for. A bare relay is the same shape with nothing of Relais ' +
      'in it, plain sockets piped through a middle process (counted as its controller): the ceiling of a relay of that shape here, bare-relay.mjs)',
  );
  const l = analysis.latency;
  if (l) {
    parts.push('', `echo, back to back (n=${l.relay.count} each, taking turns): relay p50 ${ms(l.relay.p50)}, p99 ${ms(l.relay.p99)}, max ${ms(l.relay.max)}; ` +
      `node-pty alone p50 ${ms(l.nodePty.p50)}, p99 ${ms(l.nodePty.p99)}, max ${ms(l.nodePty.max)}` +
      (l.bare ? `; bare relay p50 ${ms(l.bare.p50)}, p99 ${ms(l.bare.p99)}, max ${ms(l.bare.max)} (adds ${plusMs(l.bare.addedP50Ms)} / ${plusMs(l.bare.addedP99Ms)})` : ''));
  }
  if (analysis.idleMemory) {
    const m = analysis.idleMemory;
    parts.push(`agent resident memory ${m.seconds} s after joining, idle: ` +
      Object.entries(m).filter(([k]) => k !== 'seconds').map(([k, v]) => `${k} ${mb(v?.rss)} (anonymous ${mb(v?.anon)}, file-backed ${mb(v?.file)})`).join('; '));
  }
  parts.push(`ttyd: not measured here (not in this machine's Debian packages); issue 16 measured it at ${TTYD.ratioOfNodePty} of node-pty, ` +
    `${TTYD.cpuSecondsPer100MB.toFixed(2)} CPU-s per 100 MB for its whole process, echo +${TTYD.echoAddedP50Ms} ms at p50.`);
  parts.push(`background load (CPUs busy elsewhere while the bench idled 1 s): ${Object.entries(backgroundLoad).map(([when, c]) => `${when} ${c === null ? '?' : c.toFixed(2)}`).join(', ')}`);
  parts.push(`(${(config.bytes / 1024 / 1024).toFixed(0)} MiB of source per run, ${config.runs} runs per side interleaved, ${config.cols}x${config.rows} terminals)`);
  return parts.join('\n');
}

/** Writes the JSON report, creating its folder. */
export function writeJson(path, report) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
