/** Looking at real processes on Linux through /proc: what a process spawned, and whether one still lives. */
import { readdirSync, readFileSync } from 'node:fs';

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
export async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
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

/** Children of pid that are shells (what a remote shell would spawn). */
export function shellChildren(pid: number): number[] {
  return childrenOf(pid).filter((child) => /^(bash|sh|dash|zsh|fish)$/.test(commandName(child)));
}
