/**
 * Starting a local shell, with the platform choice made here: a real terminal
 * through node-pty when it loads, plain pipes otherwise.
 */
import { accessSync, constants } from 'node:fs';
import { spawnPipesShell } from './shell-pipes.js';
import type { ShellOptions, ShellProcess } from './shell-process.js';
import { loadPty, spawnPtyShell } from './shell-pty.js';

export interface StartedShell {
  readonly process: ShellProcess;
  /** Set when the pty was wanted but could not be used: the person and technician are told why. */
  readonly fallbackReason: string | null;
}

/** Which shell to run: $SHELL, else /bin/bash, else /bin/sh; PowerShell on Windows. */
export function chooseShell(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'powershell.exe';
  for (const candidate of [env.SHELL, '/bin/bash']) {
    if (candidate && candidate.startsWith('/') && isExecutable(candidate)) return candidate;
  }
  return '/bin/sh';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Starts the shell with a pty when possible, with pipes otherwise. */
export async function startShell(options: ShellOptions): Promise<StartedShell> {
  if (options.forcePipes) return { process: await spawnPipesShell(options), fallbackReason: null };
  const pty = await loadPty();
  if (pty.ok) return { process: spawnPtyShell(pty.module, options), fallbackReason: null };
  return { process: await spawnPipesShell(options), fallbackReason: pty.reason };
}

