/**
 * A script's process group outlives an agent that was killed outright (SIGKILL,
 * power loss of the agent only). The ledger records the group and its leader's
 * start time; at the next start the group is ended — but only when the leader is
 * provably the same process (Linux /proc start time), never a reused pid.
 */
import { readFileSync } from 'node:fs';

export interface GroupRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; null where unknown. */
  readonly startTime: string | null;
}

/** The start time of a process, or null where /proc is not available. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Ends a recorded group if its leader is still the same process; says what happened, in words. */
export function endOrphanGroup(group: GroupRecord): 'ended' | 'gone' | 'unverifiable' {
  if (group.startTime === null) return 'unverifiable';
  const now = processStartTime(group.pid);
  if (now === null || now !== group.startTime) return 'gone';
  try {
    process.kill(-group.pid, 'SIGKILL');
    return 'ended';
  } catch {
    return 'gone';
  }
}
