/**
 * Runs the real agent bundle (dist/agent/relais-agent.mjs) as a child process
 * with piped stdin, the way a person runs it from a terminal, minus the TTY:
 * the agent then reads whole lines ("y", "n", "end", "quit").
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { DEADLINE_MS } from './until.js';

export const AGENT_BUNDLE = join(repoRoot, 'dist', 'agent', 'relais-agent.mjs');

export interface RunningAgent {
  pid: number;
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr interleaved as they arrived (the last `keepOutputChars` of it). */
  output(): string;
  /** Characters printed so far, including those no longer kept. */
  outputLength(): number;
  /** Waits until the output matches; resolves with the matched text. Rejects on timeout or exit. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Types a line (the person answering or giving a command). */
  answer(line: string): void;
  /** Ends the agent (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Resolves with the exit code once the agent has exited (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `node dist/agent/relais-agent.mjs ...args`. The bundle must be built (test/global-setup.ts does it).
 * The agent gets an empty HOME and bash unless told otherwise, so the shells it opens do not
 * depend on this machine's dotfiles (a slow ~/.bashrc would make every test wait for it).
 */
export function spawnAgent(args: string[], opts: { env?: Record<string, string>; keepOutputChars?: number } = {}): RunningAgent {
  if (!existsSync(AGENT_BUNDLE)) {
    throw new Error(`${AGENT_BUNDLE} is missing: run "node scripts/build.mjs --agent-only" first`);
  }
  const child = spawn(process.execPath, [AGENT_BUNDLE, ...args], {
    cwd: repoRoot,
    env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'relais-home-')), SHELL: '/bin/bash', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  let printed = 0;
  const keep = opts.keepOutputChars ?? Infinity;
  const add = (chunk: Buffer): void => {
    const piece = chunk.toString('utf8');
    printed += piece.length;
    text += piece;
    if (text.length > keep) text = text.slice(-keep);
    notify();
  };
  let exitCode: number | null | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((listener) => listener());
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      notify();
      resolve(code);
    });
  });

  const waitFor = (pattern: RegExp | string, timeoutMs = DEADLINE_MS): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = typeof pattern === 'string' ? (text.includes(pattern) ? pattern : null) : (pattern.exec(text)?.[0] ?? null);
        if (found !== null) return done(() => resolve(found));
        if (exitCode !== undefined) return done(() => reject(new Error(`agent exited (${exitCode}) before printing ${String(pattern)}; output:\n${text}`)));
        return false;
      };
      const done = (settle: () => void): true => {
        clearTimeout(timer);
        listeners.delete(listener);
        settle();
        return true;
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => done(() => reject(new Error(`agent did not print ${String(pattern)} within ${timeoutMs} ms; output:\n${text}`))), timeoutMs);
      listeners.add(listener);
      check();
    });

  return {
    pid: child.pid as number,
    child,
    output: () => text,
    outputLength: () => printed,
    waitFor,
    answer: (line) => void child.stdin.write(`${line}\n`),
    exited,
    stop: async () => {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
}
