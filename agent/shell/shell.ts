/**
 * Starting a local shell, with the platform choice made here: a real terminal
 * through node-pty when it loads, plain pipes otherwise.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { win32 } from 'node:path';
import { spawnPipesShell } from './shell-pipes.js';
import type { ShellOptions, ShellProcess } from './shell-process.js';
import { loadPty, spawnPtyShell } from './shell-pty.js';

export interface StartedShell {
  readonly process: ShellProcess;
  /** Set when the pty was wanted but could not be used: the person and technician are told why. */
  readonly fallbackReason: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Which shell to run: $SHELL, else /bin/bash, else /bin/sh; on Windows PowerShell where it exists, else cmd.exe. */
export function chooseShell(env: Env, platform: NodeJS.Platform, exists: (path: string) => boolean = isFile): string {
  if (platform === 'win32') return windowsShell(env, exists);
  for (const candidate of [env.SHELL, '/bin/bash']) {
    if (candidate && candidate.startsWith('/') && isExecutable(candidate)) return candidate;
  }
  return '/bin/sh';
}

/**
 * Windows PowerShell where Windows keeps it, else PowerShell 7 or Windows PowerShell on
 * the PATH, else the command interpreter (%ComSpec%, else cmd.exe): chosen when the shell
 * starts, since a stripped-down Windows (or Wine) may have no PowerShell at all.
 */
export function windowsShell(env: Env, exists: (path: string) => boolean): string {
  // Windows variables are case-insensitive; a Node env copy keeps their spelling.
  const get = (name: string) => Object.entries(env).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const root = get('SystemRoot');
  const candidates = root ? [win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe')] : [];
  for (const dir of (get('Path') ?? '').split(';').filter((d) => win32.isAbsolute(d))) {
    candidates.push(win32.join(dir, 'pwsh.exe'), win32.join(dir, 'powershell.exe'));
  }
  const found = candidates.find((candidate) => exists(candidate));
  if (found) return found;
  const comspec = get('ComSpec');
  return comspec && win32.isAbsolute(comspec) ? comspec : 'cmd.exe';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
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

