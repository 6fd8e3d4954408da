/** Runs the bundled `relais` CLI (dist/cli/relais.mjs) to completion, with a clean environment and optional stdin. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export const RELAIS_CLI = join(repoRoot, 'dist', 'cli', 'relais.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Killed after `killAfterMs` (which then fails the test's expectations on the exit code). */
export function runRelais(args: string[], options: { env?: Record<string, string>; stdin?: string; killAfterMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [RELAIS_CLI, ...args], {
    env: { ...process.env, RELAIS_TOKEN: '', RELAIS_CONTROLLER: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8', ...options.env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}
