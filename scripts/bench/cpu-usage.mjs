/**
 * Where the CPU goes during a run: CPU seconds of the processes we know by pid
 * (controller, agent, this bench process) and how busy the whole machine was,
 * from /proc. Linux only; elsewhere every figure is null.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux we run on

/** user + system CPU seconds of a process, or null when it cannot be read. */
function processSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state: utime is 14th overall, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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

/** Starts measuring; `stop()` returns CPU seconds per named pid and the machine's busy share (0–1 per CPU summed, so up to the CPU count). */
export function startCpuMeter(pids) {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processSeconds(pid)]));
  const self = process.cpuUsage();
  const machine = machineTicks();
  return () => {
    const result = {};
    for (const [name, pid] of Object.entries(pids)) {
      const now = processSeconds(pid);
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
