/** Turns the raw figures into the printed table and the JSON file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { median, summarizeLatency } from './stats.mjs';

export const TARGETS = Object.freeze({
  /** The relay should keep at least this share of node-pty's own throughput. */
  throughputRatio: 0.8,
  /** The relay should add less than this to the p99 keystroke echo, on loopback. */
  addedP99Ms: 2,
});

/** Derives medians, percentiles, differences and verdicts from the raw runs. */
export function analyse({ throughputRuns, latencySamples }) {
  const relayMBps = median(throughputRuns.relay.map((r) => r.mbPerSecond));
  const ptyMBps = median(throughputRuns.nodePty.map((r) => r.mbPerSecond));
  const ratio = relayMBps / ptyMBps;
  const relay = summarizeLatency(latencySamples.relay);
  const nodePty = summarizeLatency(latencySamples.nodePty);
  const addedP50Ms = relay.p50 - nodePty.p50;
  const addedP99Ms = relay.p99 - nodePty.p99;
  return {
    throughput: {
      unit: 'MB/s (10^6 bytes per second)',
      relay: { runs: throughputRuns.relay, medianMBps: relayMBps },
      nodePty: { runs: throughputRuns.nodePty, medianMBps: ptyMBps },
      ratio,
      target: `relay >= ${TARGETS.throughputRatio * 100} % of node-pty alone`,
      pass: ratio >= TARGETS.throughputRatio,
    },
    latency: {
      unit: 'ms',
      relay: { ...relay, samplesMs: latencySamples.relay },
      nodePty: { ...nodePty, samplesMs: latencySamples.nodePty },
      addedP50Ms,
      addedP99Ms,
      addedMaxMs: relay.max - nodePty.max,
      target: `added p99 < ${TARGETS.addedP99Ms} ms`,
      pass: addedP99Ms < TARGETS.addedP99Ms,
    },
  };
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

const COLUMNS = [
  ['metric', 28],
  ['relay', 14],
  ['node-pty alone', 16],
  ['ratio/added', 13],
  ['target', 16],
  ['result', 6],
];

const row = (cells) => cells.map((cell, i) => String(cell).padEnd(COLUMNS[i][1])).join(' ').trimEnd();
const mbps = (v) => `${v.toFixed(1)} MB/s`;
const ms = (v) => `${v.toFixed(3)} ms`;
const plusMs = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(3)} ms`;
const verdict = (pass) => (pass ? 'PASS' : 'FAIL');

/** The readable table: one line per figure, with the individual runs below. */
export function formatTable(analysis, config, backgroundLoad = {}) {
  const { throughput: t, latency: l } = analysis;
  const lines = [
    row(COLUMNS.map(([title]) => title)),
    row(COLUMNS.map(([, width]) => '-'.repeat(width))),
    row([`throughput (median of ${config.runs})`, mbps(t.relay.medianMBps), mbps(t.nodePty.medianMBps), `${(t.ratio * 100).toFixed(1)} %`, `>= ${TARGETS.throughputRatio * 100} %`, verdict(t.pass)]),
    row([`echo latency p50 (n=${l.relay.count})`, ms(l.relay.p50), ms(l.nodePty.p50), plusMs(l.addedP50Ms), '-', 'info']),
    row([`echo latency p99 (n=${l.relay.count})`, ms(l.relay.p99), ms(l.nodePty.p99), plusMs(l.addedP99Ms), `< +${TARGETS.addedP99Ms} ms`, verdict(l.pass)]),
    row(['echo latency max', ms(l.relay.max), ms(l.nodePty.max), plusMs(l.addedMaxMs), '-', 'info']),
    '',
    `throughput runs, relay:          ${t.relay.runs.map((r) => r.mbPerSecond.toFixed(1)).join(', ')} MB/s`,
    `throughput runs, node-pty alone: ${t.nodePty.runs.map((r) => r.mbPerSecond.toFixed(1)).join(', ')} MB/s`,
    ...cpuLines(t),
    `background load (CPUs busy elsewhere while the bench idled 1 s): ${Object.entries(backgroundLoad).map(([when, cpus]) => `${when} ${cpus === null ? '?' : cpus.toFixed(2)}`).join(', ')}`,
    `(${(config.bytes / 1024 / 1024).toFixed(0)} MiB written per run, ${config.cols}x${config.rows} terminal; latency: ${config.warmup} warm-up + ${config.samples} samples each, relay and node-pty taking turns, ${config.gapMs} ms apart)`,
  ];
  return lines.join('\n');
}

/** CPU seconds per run (medians), to see what a throughput run is bound by. */
function cpuLines(t) {
  const med = (runs, key) => median(runs.map((r) => r.cpuSeconds?.[key]).filter((v) => typeof v === 'number'));
  const seconds = (v) => (Number.isNaN(v) ? '?' : `${v.toFixed(2)} s`);
  const relaySeconds = med(t.relay.runs, 'seconds') || median(t.relay.runs.map((r) => r.seconds));
  const ptySeconds = median(t.nodePty.runs.map((r) => r.seconds));
  return [
    `CPU per relay run (median, run takes ${seconds(relaySeconds)}): agent ${seconds(med(t.relay.runs, 'agent'))}, controller ${seconds(med(t.relay.runs, 'controller'))}, ` +
      `console (bench) ${seconds(med(t.relay.runs, 'bench'))}, whole machine ${med(t.relay.runs, 'machineBusyCpus').toFixed(2)} CPUs busy`,
    `CPU per node-pty run (median, run takes ${seconds(ptySeconds)}): reader (bench) ${seconds(med(t.nodePty.runs, 'bench'))}, whole machine ${med(t.nodePty.runs, 'machineBusyCpus').toFixed(2)} CPUs busy`,
  ];
}

/** Writes the JSON report, creating its folder. */
export function writeJson(path, report) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
