/**
 * The shell on a real pseudo-terminal through node-pty, which is optional and
 * native: it is loaded at run time, and its absence is a reason, not a crash.
 */
import type * as NodePty from 'node-pty';
import { PtyWriter } from './pty-writer.js';
import { drainAfterExit, endShellSession, killShellTree, type ShellOptions, type ShellProcess } from './shell-process.js';
import { words } from '../person/person-words.js';

export type PtyModule = typeof NodePty;
export type PtyLoad = { ok: true; module: PtyModule } | { ok: false; reason: string };

let loading: Promise<PtyLoad> | null = null;
let source: () => Promise<unknown> = () => import('node-pty');

/**
 * Where node-pty comes from: the installed package, unless the composition root says
 * otherwise at start (the single executable loads the copy it wrote out of its assets).
 */
export function setPtySource(load: () => Promise<unknown>): void {
  source = load;
  loading = null;
}

/** Loads node-pty once; later calls reuse the outcome. */
export function loadPty(): Promise<PtyLoad> {
  loading ??= source().then(
    (loaded) => {
      const module = loaded as PtyModule & { default?: PtyModule };
      return { ok: true as const, module: typeof module.spawn === 'function' ? module : (module.default as PtyModule) };
    },
    (error: unknown) => ({ ok: false as const, reason: words('ptyNotLoaded', { error: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error) }) }),
  );
  return loading;
}

/** Spawns the shell on a pty of the requested size, in the home folder. */
export function spawnPtyShell(pty: PtyModule, options: ShellOptions): ShellProcess {
  const env = { ...options.env, TERM: 'xterm-256color' };
  // encoding null asks for raw Buffers: bytes go to the wire untouched (no UTF-8 round trip).
  const term = pty.spawn(options.shell, [], { name: 'xterm-256color', cols: options.cols, rows: options.rows, cwd: options.cwd, env, encoding: null });
  let lastDataAt = Date.now();
  let hasExited = false;
  term.onData((data: string | Buffer) => {
    lastDataAt = Date.now();
    options.onData(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  });
  const isWindows = process.platform === 'win32';
  // node-pty's master side on POSIX: a non-blocking descriptor we write to ourselves while
  // the stream that owns it is open (pty-writer.ts); otherwise node-pty's own writes.
  const { fd, _socket: owner } = term as { fd?: unknown; _socket?: { destroyed?: unknown } };
  const writer = !isWindows && typeof fd === 'number' && typeof owner?.destroyed === 'boolean' ? new PtyWriter(fd, () => owner.destroyed === false) : null;
  const exited = new Promise<number | null>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      hasExited = true;
      writer?.close();
      if (!isWindows) endShellSession(term.pid);
      void drainAfterExit(() => lastDataAt).then(() => resolve(signal ? null : exitCode));
    });
  });
  return {
    pid: term.pid,
    mode: 'pty',
    exited,
    write: (bytes) => (writer ? writer.write(bytes) : term.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))),
    resize: (cols, rows) => {
      if (!hasExited) term.resize(cols, rows);
    },
    pause: () => term.pause(),
    resume: () => term.resume(),
    kill: () => {
      if (hasExited) return;
      if (isWindows) return term.kill();
      // The pty's shell leads its own session and process group: hang up the whole group.
      killShellTree(term.pid, () => hasExited, () => term.kill('SIGHUP'));
    },
  };
}
