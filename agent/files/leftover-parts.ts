/**
 * The temporary files of transfers that never finished because their agent was killed
 * (kill -9, a crash, a power cut): hidden `.relais-<pid>-<random>.part` files beside
 * the destination, each up to the size limit. Nothing else would ever delete them, so
 * before a file is written into a folder the ones left there are: those of a process
 * that no longer runs, and any nobody has written to for ten minutes (the pid may have
 * been reused; a live transfer that moves no byte for a minute is stopped and deletes
 * its own, FILE_LIMITS.stallTimeoutMs). A transfer of another agent running on this
 * machine (the fleet service beside an attended agent) is left alone.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** `.relais-<pid>-<12 hex>.part`, or the name before the pid was in it (`.relais-<12 hex>.part`). */
const PART_NAME = /^\.relais-(?:(\d{1,10})-)?[0-9a-f]{12}\.part$/;

/** Untouched this long, a temporary file belongs to no transfer, whatever its pid says. */
export const ABANDONED_AFTER_MS = 10 * 60_000;

/** The temporary file's name for a transfer of this process. */
export function partName(random: string, pid = process.pid): string {
  return `.relais-${pid}-${random}.part`;
}

export interface SweepOptions {
  readonly now?: number;
  readonly ownPid?: number;
  /** Whether a process with this id runs (fakes in tests). */
  readonly isAlive?: (pid: number) => boolean;
}

/** Whether a process runs: signal 0 tests without sending; EPERM means it runs as someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the abandoned temporary files in `folder`; resolves with their names. Never fails: a folder it cannot read is left as it is. */
export async function sweepLeftoverParts(folder: string, options: SweepOptions = {}): Promise<string[]> {
  const { now = Date.now(), ownPid = process.pid, isAlive = processAlive } = options;
  const names = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = PART_NAME.exec(name);
    if (!match) continue;
    const file = path.join(folder, name);
    const info = await lstat(file).catch(() => null);
    // Only plain files: never through a link, never a folder someone named like one.
    if (!info?.isFile()) continue;
    const pid = match[1] === undefined ? null : Number(match[1]);
    const old = now - info.mtimeMs > ABANDONED_AFTER_MS;
    const orphan = pid !== null && pid !== ownPid && !isAlive(pid);
    if (!old && !orphan) continue;
    if (await unlink(file).then(() => true, () => false)) removed.push(name);
  }
  return removed;
}
