/**
 * Starts a real controller (dist/controller/main.mjs) on 127.0.0.1 and stops it
 * again: `spawnController` for a given data folder and port (the fleet bench
 * restarts on the same ones), `startController` with a throw-away folder.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup, stopChild } from './cleanup.mjs';

const START_TIMEOUT_MS = 30_000;
const LOG_LIMIT = 64 * 1024;

/** Spawns the controller; resolves once it listens with `{ url, port, pid, logs(), stop(signal) }`. */
export async function spawnController({ root, dataDir, port = 0, adminPassword, env = {}, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/controller/main.mjs'), '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, RELAIS_ADMIN_PASSWORD: adminPassword, ...env },
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
    port: Number(new URL(url).port),
    pid: child.pid,
    logs: () => output,
    /** Resolves with how the process ended (`{ code, signal }`), whoever ended it. */
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    /** SIGTERM: a clean shutdown; SIGKILL: a crash (what the restart measurement uses). */
    async stop(signal = 'SIGTERM') {
      if (signal === 'SIGKILL') await stopChild(child, 'SIGKILL', 0);
      await stopProcess();
    },
  };
}

/** Starts the controller with a throw-away data folder and admin password; `stop()` removes the folder too. */
export async function startController({ root, nodeArgs = [] }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-bench-'));
  const removeDataDir = onCleanup(`controller data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const controller = await spawnController({ root, dataDir, adminPassword, nodeArgs });
  return {
    ...controller,
    adminPassword,
    async stop() {
      await controller.stop();
      await removeDataDir();
    },
  };
}
