/** Looking at real processes on Linux through /proc: what a process spawned, and whether one still lives. */
import { readdirSync, readFileSync } from 'node:fs';
import { DEADLINE_MS } from './until.js';

/** Direct children of a process (every thread's children), from /proc. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) children.push(...text.split(/\s+/).map(Number));
    } catch {
      // the thread ended while we looked
    }
  }
  return children;
}

/** True while a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Waits until the process is gone; throws after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The command name of a process ('' when it is gone). */
export function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The arguments a process was started with ([] when it is gone). */
export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Children of pid that are interactive shells (what a remote shell spawns). `sh -c …`
 * children are left out: the diagnostics probes run short commands that way. So are
 * children exiting or exited (a zombie keeps its name but shows no command line, and a
 * probe's `sh -c` would pass for a shell).
 */
export function shellChildren(pid: number): number[] {
  return childrenOf(pid).filter((child) => {
    if (!/^(bash|sh|dash|zsh|fish)$/.test(commandName(child))) return false;
    const args = commandLine(child);
    return args.length > 0 && !args.includes('-c') && isAlive(child);
  });
}

/** Live (non-zombie) processes whose process group is `pgid`, from /proc. */
export function processGroupMembers(pgid: number): number[] {
  return liveWhere((fields) => Number(fields[2]) === pgid);
}

/** Live (non-zombie) processes of the session `sid` leads (a shell on a pty), from /proc. */
export function processesInSession(sid: number): number[] {
  return liveWhere((fields) => Number(fields[3]) === sid);
}

/** Live processes whose /proc stat fields (after the command name: state, ppid, pgrp, session…) pass `test`. */
function liveWhere(test: (fields: string[]) => boolean): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && test(fields)) members.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return members;
}
