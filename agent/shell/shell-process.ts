/**
 * What every kind of local shell offers (pty or pipes), and the pieces they
 * share: killing a whole process tree, draining the end of the output.
 */
import type { AgentToController } from '../../protocol/index.js';

export type ShellMode = Extract<AgentToController, { t: 'shell.opened' }>['mode'];

/** A running shell. Output goes to the `onData` given at spawn time. */
export interface ShellProcess {
  readonly pid: number;
  readonly mode: ShellMode;
  write(bytes: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Stops reading output (flow control); the shell blocks once the OS buffer is full. */
  pause(): void;
  resume(): void;
  /** Hang up (SIGHUP), then SIGKILL whatever is left after the grace time. */
  kill(): void;
  /** Resolves with the exit code (null when killed by a signal) once the end of the output was drained. */
  readonly exited: Promise<number | null>;
}

export interface ShellOptions {
  readonly shell: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cols: number;
  readonly rows: number;
  readonly forcePipes: boolean;
  readonly onData: (bytes: Uint8Array) => void;
}

/** Time a shell gets to exit after SIGHUP before it is killed outright. */
export const KILL_GRACE_MS = 2000;

/** Sends `signal` to a whole process group (led by `pid`); ignores a group already empty. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (process.platform === 'win32') return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already empty.
  }
}

/** Sends `signal` to one process; ignores one already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Hangs up a shell and its process group now, and kills whatever is left after
 * the grace time: a shell that ignores SIGHUP, or a child that outlived it.
 */
export function killShellTree(pid: number, hasExited: () => boolean, hangUp: () => void): void {
  hangUp();
  signalGroup(pid, 'SIGHUP');
  setTimeout(() => {
    // The group id stays reserved while any member lives, so this cannot hit a stranger.
    signalGroup(pid, 'SIGKILL');
    if (!hasExited()) signalProcess(pid, 'SIGKILL');
  }, KILL_GRACE_MS);
}

/**
 * Resolves once output has been quiet for `quietMs` (at most `maxMs`) after exit.
 * A pty can deliver its last bytes after the exit notice; this catches most of them.
 */
export function drainAfterExit(lastDataAt: () => number, quietMs = 50, maxMs = 300): Promise<void> {
  const exitAt = Date.now();
  return new Promise((resolve) => {
    const check = (): void => {
      const now = Date.now();
      if (now - Math.max(lastDataAt(), exitAt) >= quietMs || now - exitAt >= maxMs) resolve();
      else setTimeout(check, 10);
    };
    setTimeout(check, 10);
  });
}
