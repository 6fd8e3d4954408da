/**
 * What every kind of local shell offers (pty or pipes), and the pieces they
 * share: killing a whole process tree, draining the end of the output.
 */
import { readdirSync, readFileSync } from 'node:fs';
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
 * The processes of the session `sid` leads (a shell spawned on a pty or detached leads
 * its own): bash puts each background job in a process group of its own, so the shell's
 * group alone misses them; the session holds them all, `nohup` ones included, unless
 * one left it on purpose (setsid). Linux reads /proc; elsewhere the group is all we know.
 */
export function sessionMembers(sid: number): number[] {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name (which may hold spaces): state, ppid, pgrp, session.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sid) members.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return members;
}

/** Sends `signal` to the shell's process group and to every process of its session. */
function signalSession(sid: number, signal: NodeJS.Signals): void {
  signalGroup(sid, signal);
  for (const pid of sessionMembers(sid)) signalProcess(pid, signal);
}

/** Sessions hung up whose grace time is not over: if the agent exits first, they are killed on the way out. */
const unswept = new Set<number>();
let sweepOnExit = false;

/** Kills what is left of a hung-up session now. The session id stays reserved while any member lives, so this cannot hit a stranger. */
function sweep(sid: number): void {
  unswept.delete(sid);
  signalSession(sid, 'SIGKILL');
}

/**
 * Hangs up a shell's whole session now (the shell, its jobs, what they started) and
 * kills whatever is left after the grace time: a shell that ignores SIGHUP, a `nohup`
 * job, a child that outlived it. Nothing started from the remote shell outlives it —
 * the agent tells the person so — also when the agent exits before the grace is over.
 */
export function killShellTree(pid: number, hasExited: () => boolean, hangUp: () => void): void {
  hangUp();
  endSession(pid, () => {
    if (!hasExited()) signalProcess(pid, 'SIGKILL');
  });
}

/** The shell ended by itself (`exit`): what it left running in its session goes too, after the grace time. */
export function endShellSession(pid: number): void {
  if (process.platform === 'win32') return;
  endSession(pid, () => undefined);
}

function endSession(sid: number, thenKill: () => void): void {
  signalSession(sid, 'SIGHUP');
  unswept.add(sid);
  if (!sweepOnExit) {
    sweepOnExit = true;
    process.once('exit', () => {
      for (const left of [...unswept]) sweep(left);
    });
  }
  setTimeout(() => {
    sweep(sid);
    thenKill();
  }, KILL_GRACE_MS).unref();
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
