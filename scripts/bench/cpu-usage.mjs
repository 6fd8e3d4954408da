/**
 * Where the CPU goes during a run: CPU seconds of the processes we know by pid
 * (controller, agent, this bench process) and how busy the whole machine was,
 * from /proc. Linux only; elsewhere every figure is null.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux we run on

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces), from `state` on. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * user + system CPU seconds of a process, or null when it cannot be read. With
 * `children`, also those of its children that have exited and been waited for
 * (a shell's `head` and `base64` once the pipeline is over).
 */
export function processSeconds(pid, { children = false } = {}) {
  const fields = statFields(pid);
  if (!fields) return null;
  // utime is the 14th field overall, stime 15th, cutime 16th, cstime 17th.
  const own = Number(fields[11]) + Number(fields[12]);
  return (own + (children ? Number(fields[13]) + Number(fields[14]) : 0)) / TICKS_PER_SECOND;
}

/** user + system CPU seconds of a process's main thread alone (its event loop), or null. */
export function mainThreadSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Pids whose parent is `pid` (from /proc). */
export function childPids(pid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[1]) === pid) found.push(Number(entry));
  }
  return found;
}

/** Resident memory of a process from /proc/<pid>/status, in bytes: total, anonymous and file-backed. */
export function residentMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile') };
  } catch {
    return null;
  }
}

/** Busy and total jiffies of all CPUs together. */
function machineTicks() {
  try {
    const values = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = values[3] + (values[4] ?? 0); // idle + iowait
    const total = values.reduce((sum, v) => sum + v, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Starts measuring; `stop()` returns CPU seconds per named process and the machine's
 * busy share (0–1 per CPU summed, so up to the CPU count). A process is a pid, or
 * `{ pid, children: true }` to count its waited-for children too.
 */
export function startCpuMeter(pids) {
  const read = (spec) => (typeof spec === 'number' ? processSeconds(spec) : processSeconds(spec.pid, spec));
  const before = Object.fromEntries(Object.entries(pids).map(([name, spec]) => [name, read(spec)]));
  const self = process.cpuUsage();
  const machine = machineTicks();
  return () => {
    const result = {};
    for (const [name, spec] of Object.entries(pids)) {
      const now = read(spec);
      result[name] = now === null || before[name] === null ? null : round(now - before[name]);
    }
    const used = process.cpuUsage(self);
    result.bench = round((used.user + used.system) / 1e6);
    const after = machineTicks();
    result.machineBusyCpus = machine && after ? round(((after.busy - machine.busy) / (after.total - machine.total)) * cpuCount()) : null;
    return result;
  };
}

function cpuCount() {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n').filter((line) => /^cpu\d+ /.test(line)).length;
  } catch {
    return 1;
  }
}

const round = (v) => Math.round(v * 1000) / 1000;

/** How many CPUs the rest of the machine keeps busy while the bench sits idle for `ms`: the noise under the figures. */
export async function measureBackgroundLoad(ms = 1000) {
  const meter = startCpuMeter({});
  await new Promise((resolve) => setTimeout(resolve, ms));
  return meter().machineBusyCpus;
}

/**
 * Waits until the machine is quiet: a second in which fewer than `busyCpus` CPUs were
 * busy (an agent that just joined is still running its first diagnostics, niced
 * commands that belong to no process the bench watches). Gives up after `timeoutMs`
 * and says how busy it still was.
 */
export async function waitForQuietMachine({ busyCpus = 0.15, timeoutMs = 60_000 } = {}) {
  const started = Date.now();
  let busy = await measureBackgroundLoad(1000);
  while (busy !== null && busy >= busyCpus && Date.now() - started < timeoutMs) busy = await measureBackgroundLoad(1000);
  return { busyCpus: busy, waitedMs: Date.now() - started };
}
