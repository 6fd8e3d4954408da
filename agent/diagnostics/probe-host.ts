/**
 * What the helpdesk probes may ask of the machine — run a command, read a file,
 * connect to a port — behind one small interface, so their parsing is tested on
 * recorded outputs (test/fixtures/diagnostics/) and the real host is used only here.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { constants } from 'node:fs';
import { access, open, readdir, readlink } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

/** A command's outcome; `missing`: the program does not exist here (a valid state: no CUPS, no ufw). */
export type CommandOutcome =
  | { readonly kind: 'done'; readonly code: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly error: string };

/** A TCP connect: `answered` also when refused (a reset is an answer: the host is there). */
export type ConnectOutcome = { readonly answered: boolean; readonly open: boolean; readonly ms: number; readonly error: string | null };

export interface ProbeHost {
  readonly platform: NodeJS.Platform;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): number;
  /** `lowPriority`: the command yields the processor to everything else (slow background checks). */
  run(file: string, args: readonly string[], timeoutMs: number, options?: { lowPriority?: boolean }): Promise<CommandOutcome>;
  /** The file's first `maxBytes` as text, or null when it cannot be read. */
  readText(path: string, maxBytes?: number): Promise<string | null>;
  exists(path: string): Promise<boolean>;
  list(dir: string): Promise<string[]>;
  /** Where /proc/<pid>/exe points (Linux), or null. */
  executableOf(pid: number): Promise<string | null>;
  lookup(name: string, timeoutMs: number): Promise<{ addresses: string[]; error: string | null }>;
  connect(host: string, port: number, timeoutMs: number): Promise<ConnectOutcome>;
}

const MAX_OUTPUT = 1024 * 1024;
const found = new Map<string, Promise<boolean>>();

/**
 * Whether `file` exists on PATH (or as given). Most probed tools are absent on any one
 * machine (no CUPS, no firewalld, no dnf on Debian): a look in PATH costs far less than
 * starting a process only to hear ENOENT, which matters while every probe runs at once.
 */
function onPath(file: string): Promise<boolean> {
  // Windows resolves extensions (PATHEXT) itself: let it try.
  if (process.platform === 'win32') return Promise.resolve(true);
  let known = found.get(file);
  if (!known) {
    const candidates = isAbsolute(file) ? [file] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, file));
    known = Promise.all(candidates.map((c) => access(c, constants.X_OK).then(() => true, () => false))).then((r) => r.some(Boolean));
    found.set(file, known);
  }
  return known;
}

/**
 * Probe commands still running. A probe's command must not outlive the agent (apt's
 * simulation can take seconds): whatever is left is killed when the agent exits.
 */
const running = new Set<ChildProcess>();
let killOnExit = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!killOnExit) {
    killOnExit = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

async function runCommand(file: string, args: readonly string[], timeoutMs: number, options: { lowPriority?: boolean } = {}): Promise<CommandOutcome> {
  if (!(await onPath(file))) return { kind: 'missing' };
  return new Promise((resolve) => {
    // C locale: parsers read English words and dates whatever the machine's language.
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    const child = execFile(file, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, env, windowsHide: true, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ kind: 'done', code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
      if (e.code === 'ENOENT') return resolve({ kind: 'missing' });
      if (e.killed) return resolve({ kind: 'failed', error: probeWords('noAnswerWithin', { ms: String(timeoutMs) }) });
      if (typeof e.code === 'number') return resolve({ kind: 'done', code: e.code, stdout, stderr });
      resolve({ kind: 'failed', error: String(e.code ?? e.message) });
    });
    track(child);
    if (options.lowPriority && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, os.constants.priority.PRIORITY_LOW);
      } catch {
        // Not allowed here: it runs at normal priority.
      }
    }
  });
}

async function readText(path: string, maxBytes = 256 * 1024): Promise<string | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes);
      const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host, port });
    const done = (answered: boolean, openNow: boolean, error: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answered, open: openNow, ms: Math.round((performance.now() - started) * 10) / 10, error });
    };
    const timer = setTimeout(() => done(false, false, probeWords('noAnswerWithin', { ms: String(timeoutMs) })), timeoutMs);
    socket.once('connect', () => done(true, true, null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED', false, err.code ?? err.message));
  });
}

/** The real machine. */
export const realHost: ProbeHost = {
  platform: process.platform,
  home: os.homedir(),
  env: process.env,
  now: () => Date.now(),
  run: runCommand,
  readText,
  exists: (path) => access(path).then(() => true, () => false),
  list: (dir) => readdir(dir).catch(() => []),
  executableOf: (pid) => readlink(`/proc/${pid}/exe`).catch(() => null),
  async lookup(name, timeoutMs) {
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(probeWords('noAnswerWithin', { ms: String(timeoutMs) }))), timeoutMs)));
      const answers = await Promise.race([dns.lookup(name, { all: true }), late]);
      return { addresses: answers.map((a) => a.address), error: null };
    } catch (err) {
      return { addresses: [], error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  },
  connect: tcpConnect,
};
