/**
 * Relay throughput with shell recording on and off, in the same run (issue 10: on must
 * reach ≥ 95 % of off). Two real controllers on 127.0.0.1, one recording every shell
 * (with a size bound large enough that nothing is truncated), one started with
 * --no-recording; each with a real agent (its stdout a pipe) and a console with an open
 * shell. The same `base64` stream runs through each in turn, the order alternating, so
 * drift on the machine hits both alike; the ratio is of the medians. Also the CPU seconds per
 * 100 MB of the controller (whole process and main thread) and of the whole relayed stream
 * (controller, agent, shell, console), and what recording adds to the controller as a share of
 * the whole: on a shared 2-core machine that share, not the noisy ratio, says what recording costs. Prints a table and
 * writes bench-results/recording.json. Exit code 0 when the target was met, 1 when it was missed or
 * it could not run, 2 for a bad option.
 *
 * Usage: node scripts/bench/recording-bench.mjs [--runs=9] [--bytes=50331648] [--stream=base64|yes]
 *        [--out=bench-results/recording.json] [--cpu-prof=DIR]
 * --cpu-prof=DIR writes each controller's CPU profiles (one per thread) to DIR/recording-on and
 * DIR/recording-off when it stops (read them with profile-summary.mjs: where recording costs).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from './agent.mjs';
import { runBench } from './bench-main.mjs';
import { onCleanup } from './cleanup.mjs';
import { connectConsole, createSupportLink, login } from './console.mjs';
import { childPids, mainThreadSeconds, processSeconds, startCpuMeter } from './cpu-usage.mjs';
import { spawnController } from './controller.mjs';
import { loadProtocol } from './protocol-bundle.mjs';
import { measureThroughput } from './relay-throughput.mjs';
import { machine, writeJson } from './report.mjs';
import { expectedOutput, STREAMS } from './streams.mjs';
import { waitForShellReady } from './terminal-io.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET_RATIO = 0.95;
const log = (text) => console.log(`bench: ${text}`);

function parseOptions(argv) {
  const options = { runs: 9, bytes: 48 * 1024 * 1024, warmupBytes: 8 * 1024 * 1024, stream: 'base64', out: 'bench-results/recording.json', cols: 120, rows: 40 };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (match?.[1] === 'out') options.out = match[2];
    else if (match?.[1] === 'cpu-prof') options.cpuProf = resolve(match[2]);
    else if (match?.[1] === 'stream' && STREAMS[match[2]]) options.stream = match[2];
    else if (match && (match[1] === 'runs' || match[1] === 'bytes') && /^[1-9][0-9]*$/.test(match[2])) options[match[1]] = Number(match[2]);
    else throw new Error(`unknown or invalid option ${arg} (see the usage at the top of scripts/bench/recording-bench.mjs)`);
  }
  return options;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A controller (recording on or off) with an agent joined and a shell open through the relay. */
async function side(label, recording, options, proto) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-bench-rec-'));
  onCleanup(`controller data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const env = recording ? { RELAIS_RECORDING_MAX_BYTES: String(64 * 1024 * 1024 * 1024) } : { RELAIS_NO_RECORDING: '1' };
  // One folder per side: the recordings thread writes its own profile beside the main thread's.
  const nodeArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProf, `recording-${recording ? 'on' : 'off'}`)}`] : [];
  const controller = await spawnController({ root, dataDir, adminPassword, env, nodeArgs });
  const cookie = await login(controller.url, adminPassword);
  const technician = await connectConsole(controller.url, cookie, proto);
  const agent = await spawnAgent({ root, link: await createSupportLink(controller.url, cookie), mode: 'pipe' });
  const deviceId = await agent.unlessExited(technician.waitForDevice(30_000, new Set()), 'the device to come online');
  const opening = technician.openShell({ deviceId, cols: options.cols, rows: options.rows, consent: () => agent.answerNextConsent(30_000), timeoutMs: 30_000 });
  const terminal = await agent.unlessExited(opening, 'the shell to open');
  terminal.label = label;
  await waitForShellReady(terminal);
  log(`${label}: controller ${controller.url} (pid ${controller.pid}), agent pid ${agent.pid}, shell open`);
  return { label, recording, controller, agent, dataDir, terminal };
}

/**
 * The agent's shells: its children named like a shell (their `head | base64` are counted once
 * waited for). Read before each run, so a probe the agent ran at join (`sh -c …`) is gone.
 */
function shellsOf(agentPid) {
  return childPids(agentPid).filter((pid) => {
    try {
      return /sh$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      return false;
    }
  });
}

/** Bytes of the .cast files a side wrote. */
function castBytes(dataDir) {
  const folder = join(dataDir, 'recordings');
  try {
    return readdirSync(folder).reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);
  } catch {
    return 0;
  }
}

/** Whether a recording of the side stopped at a truncation marker (size bound, or its thread fell behind). */
function castTruncated(dataDir) {
  const folder = join(dataDir, 'recordings');
  try {
    return readdirSync(folder).some((f) => {
      const path = join(folder, f);
      const size = statSync(path).size;
      const fd = openSync(path, 'r');
      try {
        const tail = Buffer.alloc(Math.min(4096, size));
        readSync(fd, tail, 0, tail.length, size - tail.length);
        return tail.toString('utf8').includes('"m","truncated"');
      } finally {
        closeSync(fd);
      }
    });
  } catch {
    return false;
  }
}

async function measure(options, { outPath, startedAt, config }) {
  const proto = await loadProtocol(root);
  const sides = [await side('recording on', true, options, proto), await side('recording off', false, options, proto)];
  const expected = await expectedOutput(options.stream, options.bytes);
  const timeoutMs = 300_000;
  for (const s of sides) await measureThroughput(s.terminal, { stream: options.stream, bytes: options.warmupBytes, timeoutMs });
  const runs = { on: [], off: [] };
  // The controller's CPU seconds per 100 MB relayed: steadier than throughput on a shared machine.
  const cpu = { on: [], off: [] };
  // The same for its main thread alone: the relay's event loop (recordings are written on another thread).
  const mainCpu = { on: [], off: [] };
  // CPU seconds per 100 MB of the whole relayed stream: controller, agent, shell and its producer, and
  // this process (the console; the other side's sits idle meanwhile). The recording's share of it is the target's meaning.
  const streamCpu = { on: [], off: [] };
  for (let i = 0; i < options.runs; i += 1) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    const line = [];
    for (const s of order) {
      const cpuBefore = processSeconds(s.controller.pid);
      const mainBefore = mainThreadSeconds(s.controller.pid);
      const meter = startCpuMeter({ controller: s.controller.pid, agent: s.agent.pid, ...Object.fromEntries(shellsOf(s.agent.pid).map((pid) => [`shell${pid}`, { pid, children: true }])) });
      const run = await measureThroughput(s.terminal, { stream: options.stream, bytes: options.bytes, expected, timeoutMs });
      const cpuAfter = processSeconds(s.controller.pid);
      const mainAfter = mainThreadSeconds(s.controller.pid);
      const used = meter();
      const parts = Object.entries(used).filter(([name]) => name !== 'machineBusyCpus').map(([, v]) => v);
      if (parts.every((v) => v !== null)) streamCpu[s.recording ? 'on' : 'off'].push((parts.reduce((a, b) => a + b, 0) * 100e6) / options.bytes);
      if (mainBefore !== null && mainAfter !== null) mainCpu[s.recording ? 'on' : 'off'].push(((mainAfter - mainBefore) * 100e6) / options.bytes);
      runs[s.recording ? 'on' : 'off'].push(run.mbPerSecond);
      if (cpuBefore !== null && cpuAfter !== null) cpu[s.recording ? 'on' : 'off'].push(((cpuAfter - cpuBefore) * 100e6) / options.bytes);
      line.push(`${s.label} ${run.mbPerSecond.toFixed(1)} MB/s`);
    }
    log(`run ${i + 1}/${options.runs}: ${line.join(', ')}`);
  }
  const on = median(runs.on);
  const off = median(runs.off);
  const ratio = on / off;
  const cpuOn = cpu.on.length ? median(cpu.on) : null;
  const cpuOff = cpu.off.length ? median(cpu.off) : null;
  const mainOn = mainCpu.on.length ? median(mainCpu.on) : null;
  const mainOff = mainCpu.off.length ? median(mainCpu.off) : null;
  const streamOn = streamCpu.on.length ? median(streamCpu.on) : null;
  const streamOff = streamCpu.off.length ? median(streamCpu.off) : null;
  /** What recording adds to the controller, as a share of the whole stream's CPU with recording on. */
  const recordingShare = cpuOn !== null && cpuOff !== null && streamOn ? (cpuOn - cpuOff) / streamOn : null;
  const recorded = castBytes(sides[0].dataDir);
  const offFiles = castBytes(sides[1].dataDir);
  const truncated = castTruncated(sides[0].dataDir);
  // A recording that stopped early did less work: the ratio then says nothing.
  const met = ratio >= TARGET_RATIO && !truncated;
  const table = [
    `Relay throughput, ${options.stream} stream, ${(options.bytes / 1024 / 1024).toFixed(0)} MiB × ${options.runs} runs each (median MB/s)`,
    `  recording on   ${on.toFixed(1).padStart(8)}   (runs: ${runs.on.map((v) => v.toFixed(1)).join(', ')})`,
    `  recording off  ${off.toFixed(1).padStart(8)}   (runs: ${runs.off.map((v) => v.toFixed(1)).join(', ')})`,
    `  ratio on/off   ${(ratio * 100).toFixed(1).padStart(7)} %   target ≥ ${TARGET_RATIO * 100} % with every byte recorded: ${met ? 'met' : 'NOT met'}`,
    `  controller CPU ${cpuOn === null ? '       -' : cpuOn.toFixed(2).padStart(8)} s per 100 MB with recording on, ${cpuOff === null ? '-' : cpuOff.toFixed(2)} off (median)`,
    `  … main thread  ${mainOn === null ? '       -' : mainOn.toFixed(2).padStart(8)} s per 100 MB with recording on, ${mainOff === null ? '-' : mainOff.toFixed(2)} off (the relay's event loop)`,
    `  whole stream   ${streamOn === null ? '       -' : streamOn.toFixed(2).padStart(8)} s per 100 MB with recording on, ${streamOff === null ? '-' : streamOff.toFixed(2)} off (controller, agent, shell, console); recording's share ${recordingShare === null ? '-' : `${(recordingShare * 100).toFixed(1)} %`}`,
    `  recorded       ${(recorded / 1e6).toFixed(1).padStart(8)} MB of .cast (recording off wrote ${offFiles} bytes)${truncated ? ', TRUNCATED: the recordings thread fell behind' : ', complete'}`,
    `  load average   ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end (a busy machine makes throughput noisy)`,
  ].join('\n');
  console.log(`\n${table}\n`);
  const report = {
    status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), machine: machine(), config,
    mbPerSecond: { on: runs.on, off: runs.off }, median: { on, off }, ratio,
    controllerCpuSecondsPer100MB: { on: cpu.on, off: cpu.off, medianOn: cpuOn, medianOff: cpuOff },
    controllerMainThreadCpuSecondsPer100MB: { on: mainCpu.on, off: mainCpu.off, medianOn: mainOn, medianOff: mainOff },
    streamCpuSecondsPer100MB: { on: streamCpu.on, off: streamCpu.off, medianOn: streamOn, medianOff: streamOff }, recordingShareOfStreamCpu: recordingShare, loadAverage: loadavg(), target: { ratio: TARGET_RATIO, met }, castBytes: { on: recorded, off: offFiles }, castTruncated: truncated,
  };
  writeJson(outPath, report);
  console.log(JSON.stringify({ ratio, median: report.median, met: report.target.met }));
  log(`raw figures written to ${outPath}`);
  for (const s of sides) await s.terminal.close();
  return met ? 0 : 1;
}

process.exitCode = await runBench({ root, parseOptions, measure });
