/**
 * Starts a real controller process on 127.0.0.1 with its own data folder, for integration and
 * e2e tests; in the `postgres` test project, with its own PostgreSQL database as well
 * (test-database.ts), kept with the data folder for a restart on it and dropped with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { createTestDatabase, testEngine, type TestDatabase } from './test-database.js';

export interface RunningController {
  url: string;
  port: number;
  dataDir: string;
  /** The controller's PostgreSQL database (postgres test project), null on SQLite. */
  databaseUrl: string | null;
  adminPassword: string;
  pid: number;
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  env?: Record<string, string>;
  args?: string[];
  dataDir?: string;
  /** Keep the data folder after stop (for restart tests). */
  keepData?: boolean;
}

/** The database of each data folder a controller ran on (postgres test project), until its data is dropped. */
const databases = new Map<string, TestDatabase>();

export async function startController(opts: ControllerOptions = {}): Promise<RunningController> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'relais-test-'));
  const adminPassword = 'test-password-' + Math.random().toString(36).slice(2);
  let database = databases.get(dataDir) ?? null;
  if (database === null && testEngine() === 'postgres') {
    database = await createTestDatabase();
    databases.set(dataDir, database);
  }
  const child = spawn(process.execPath, [join(repoRoot, 'dist/controller/main.mjs'), '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, RELAIS_ADMIN_PASSWORD: adminPassword, ...(database ? { RELAIS_DATABASE_URL: database.url } : {}), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // A controller that did not start in time is killed: nothing else would stop it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`controller did not start in 60 s:\n${output}`));
    }, 60_000);
    const check = () => {
      const match = /listening on (https?:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`controller exited with ${code}:\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!opts.keepData && !opts.dataDir) {
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(dataDir);
    }
  };
  return { url, port: Number(new URL(url).port), dataDir, databaseUrl: database?.url ?? null, adminPassword, pid: child.pid!, child, logs: () => output, stop };
}

/** Drops the PostgreSQL database of a data folder kept by `keepData` once the test is done with it (no-op on SQLite). */
export async function dropDatabase(dataDir: string): Promise<void> {
  const database = databases.get(dataDir);
  databases.delete(dataDir);
  await database?.drop();
}

/** What the REST helpers below need: where the controller answers (one process, or a cluster's balancer) and the admin's password. */
export type ControllerAddress = Pick<RunningController, 'url' | 'adminPassword'>;

/** Logs in through the REST API and returns the Cookie header value. */
export async function login(c: ControllerAddress, username = 'admin', password = c.adminPassword): Promise<string> {
  const res = await fetch(`${c.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0]!;
}

export interface SupportLink {
  id: string;
  code: string;
  codeDisplay: string;
  url: string;
  command: string;
  expiresAt: number;
}

export async function createSupportLink(c: ControllerAddress, cookie: string): Promise<SupportLink> {
  const res = await fetch(`${c.url}/api/support-links`, { method: 'POST', headers: { cookie, origin: c.url } });
  if (res.status !== 201) throw new Error(`creating a link failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as SupportLink;
}

/** The password createTechnician gives an account. */
export const technicianPassword = (username: string): string => `pw-${username}-long-enough`;

/** Creates a technician account (as the admin whose cookie is given) and returns its own login cookie. */
export async function createTechnician(c: ControllerAddress, adminCookie: string, username: string, name: string, role: 'technician' | 'admin' = 'technician'): Promise<string> {
  const password = technicianPassword(username);
  const res = await fetch(`${c.url}/api/users`, {
    method: 'POST',
    headers: { cookie: adminCookie, origin: c.url, 'content-type': 'application/json' },
    body: JSON.stringify({ username, name, password, role }),
  });
  if (res.status !== 201) throw new Error(`creating ${username} failed: ${res.status} ${await res.text()}`);
  return login(c, username, password);
}
