/**
 * The fallback shell when no pty is available: stdin/stdout/stderr pipes.
 * Started detached so it leads its own process group, which is killed whole.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { endShellSession, killShellTree, signalProcess, type ShellOptions, type ShellProcess } from './shell-process.js';

/** How long after exit the pipes may stay open (a background child holding them) before we stop waiting. */
const PIPES_DRAIN_MAX_MS = 300;

/** Spawns the shell with pipes; rejects when it cannot be started at all. */
export async function spawnPipesShell(options: ShellOptions): Promise<ShellProcess> {
  // Without a terminal, sh and bash only print prompts when told they are interactive.
  const args = /^(ba|da|k|z)?sh$/.test(basename(options.shell)) ? ['-i'] : [];
  const [program, programArgs] = oneOutputPipe(options.shell, args);
  const child = spawn(program, programArgs, {
    cwd: options.cwd,
    env: { ...options.env, TERM: 'xterm-256color' },
    detached: process.platform !== 'win32',
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const { stdin, stdout, stderr } = child;
  stdin.on('error', () => undefined);
  stdout.on('data', (chunk: Buffer) => options.onData(chunk));
  stderr.on('data', (chunk: Buffer) => options.onData(chunk));
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      hasExited = true;
      if (child.pid !== undefined) endShellSession(child.pid);
      // 'close' means every pipe is drained; do not wait forever for a grandchild that holds one open.
      const cap = setTimeout(() => resolve(code), PIPES_DRAIN_MAX_MS);
      child.once('close', () => {
        clearTimeout(cap);
        resolve(code);
      });
    });
  });
  const pid = child.pid as number;
  return {
    pid,
    mode: 'pipes',
    exited,
    write: (bytes) => {
      if (stdin.writable) stdin.write(bytes);
    },
    resize: () => undefined,
    pause: () => {
      stdout.pause();
      stderr.pause();
    },
    resume: () => {
      stdout.resume();
      stderr.resume();
    },
    kill: () => {
      if (hasExited) return;
      killShellTree(pid, () => hasExited, () => signalProcess(pid, 'SIGHUP'));
    },
  };
}

/**
 * On POSIX the shell writes its errors, prompts and echo into the same pipe as its output,
 * as it would into a terminal: two pipes are read in whichever order the event loop sees
 * them, and a prompt could land in the middle of a command's output. A /bin/sh wrapper
 * sets 2>&1 and execs the shell, so the process keeps its pid and its session.
 * Windows keeps two pipes (no such wrapper there); on POSIX the stderr pipe stays empty.
 */
function oneOutputPipe(shell: string, args: string[]): [string, string[]] {
  if (process.platform === 'win32') return [shell, args];
  // The wrapper always starts; check the shell first so a missing one still rejects.
  if (isAbsolute(shell)) accessSync(shell, constants.X_OK);
  return ['/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', shell, ...args]];
}
