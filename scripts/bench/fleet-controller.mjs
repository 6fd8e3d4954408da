/**
 * A real controller for the fleet bench, restartable: it can be killed and
 * started again on the same data folder and port (the restart measurement), and
 * read from /proc for its resident memory.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup, stopChild } from './cleanup.mjs';

const START_TIMEOUT_MS = 30_000;
const LOG_LIMIT = 64 * 1024;

/** Starts dist/controller/main.mjs; resolves once it listens with `{url, port, pid, logs(), stop(signal)}`. */
export async function startFleetController({ root, dataDir, port = 0, adminPassword, env = {} }) {
  const child = spawn(process.execPath, [join(root, 'dist/controller/main.mjs'), '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, RELAIS_ADMIN_PASSWORD: adminPassword, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopEarly = onCleanup(`controller (pid ${child.pid})`, () => stopChild(child));
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the controller did not start within ${START_TIMEOUT_MS} ms. Its output:\n${output}`)), START_TIMEOUT_MS);
    const check = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(match[1]);
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the controller exited (${signal ?? `code ${code}`}) before listening. Its output:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid,
    logs: () => output,
    /** SIGTERM: a clean shutdown; SIGKILL: a crash (what the restart measurement uses). */
    async stop(signal = 'SIGTERM') {
      if (signal === 'SIGKILL') {
        await stopChild(child, 'SIGKILL', 0);
      }
      await stopEarly();
    },
  };
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
