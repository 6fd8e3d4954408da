/**
 * A real controller for the fleet bench, restartable: it can be killed and
 * started again on the same data folder and port (the restart measurement), and
 * read from /proc for its resident memory.
 */
import { readFileSync } from 'node:fs';
import { spawnController } from './controller.mjs';

/** Starts dist/controller/main.mjs; resolves once it listens with `{url, port, pid, logs(), stop(signal)}`. */
export function startFleetController({ root, dataDir, port = 0, adminPassword, env = {} }) {
  return spawnController({ root, dataDir, port, adminPassword, env });
}

/** Resident memory of a process in bytes (VmRSS), or null when it cannot be read. */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
