/**
 * Starts a real controller (dist/controller/main.mjs) on 127.0.0.1 with a
 * throw-away data folder and admin password, and stops it again.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup, stopChild } from './cleanup.mjs';

const START_TIMEOUT_MS = 15_000;
const LOG_LIMIT = 64 * 1024;

/** Starts the controller; resolves with `{ url, pid, adminPassword, logs(), stop() }` once it listens. */
export async function startController({ root, nodeArgs = [] }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-bench-'));
  const removeDataDir = onCleanup(`controller data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/controller/main.mjs'), '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, RELAIS_ADMIN_PASSWORD: adminPassword },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopProcess = onCleanup(`controller (pid ${child.pid})`, () => stopChild(child));
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
    child.once('error', reject);
  });
  return {
    url,
    pid: child.pid,
    adminPassword,
    logs: () => output,
    /** Stops the controller (SIGTERM, so it shuts down cleanly) and removes its data folder. */
    async stop() {
      await stopProcess();
      await removeDataDir();
    },
  };
}
