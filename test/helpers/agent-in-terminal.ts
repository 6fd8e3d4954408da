/**
 * Runs the real agent bundle in a real terminal (a pseudo-terminal from node-pty),
 * as a person does, and plays that terminal: it can stop reading (frozen, like a
 * terminal held with Ctrl+S or too busy to draw), read slowly, or read at full speed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { AGENT_BUNDLE } from './agent-process.js';
import { repoRoot } from './paths.js';
import { DEADLINE_MS, until } from './until.js';

export interface AgentInTerminal {
  readonly pid: number;
  /** Everything the terminal has read so far (bytes as the agent wrote them, after the pty's onlcr). */
  screen(): Buffer;
  /** Types keys. */
  type(text: string): void;
  /** Stops reading the terminal; the agent's writes pile up in the pty, then block. */
  freeze(): void;
  /** Reads again, at full speed or `bytesPerTick` every `tickMs`. */
  thaw(slow?: { bytesPerTick: number; tickMs: number }): void;
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Closes the terminal, as the person closing its window: resolves with how the agent ended. */
  hangUp(): Promise<{ exitCode: number; signal: number }>;
  stop(): Promise<void>;
}

/** Starts the agent bundle under node, or `program` (an agent executable) itself, in a fresh terminal. */
export function startAgentInTerminal(args: string[], extraEnv: Record<string, string> = {}, program?: string): AgentInTerminal {
  const term = pty.spawn(program ?? process.execPath, program ? args : [AGENT_BUNDLE, ...args], {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    cwd: repoRoot,
    env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'relais-home-')), SHELL: '/bin/bash', ...extraEnv } as Record<string, string>,
    encoding: null,
  } as pty.IPtyForkOptions);
  const chunks: Buffer[] = [];
  let exited = false;
  let ended: { exitCode: number; signal: number } | null = null;
  let slow: { bytesPerTick: number; tickMs: number } | null = null;
  let readThisTick = 0;
  let ticker: NodeJS.Timeout | null = null;
  term.onExit((how) => {
    exited = true;
    ended = { exitCode: how.exitCode, signal: how.signal ?? 0 };
  });
  term.onData((data: string | Buffer) => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    chunks.push(bytes);
    if (!slow) return;
    readThisTick += bytes.length;
    if (readThisTick >= slow.bytesPerTick) term.pause();
  });
  const stopTicker = (): void => {
    if (ticker) clearInterval(ticker);
    ticker = null;
  };
  return {
    pid: term.pid,
    screen: () => Buffer.concat(chunks),
    type: (text) => term.write(text),
    freeze: () => {
      stopTicker();
      slow = null;
      term.pause();
    },
    thaw: (pace) => {
      stopTicker();
      slow = pace ?? null;
      readThisTick = 0;
      if (pace) {
        ticker = setInterval(() => {
          readThisTick = 0;
          term.resume();
        }, pace.tickMs);
      }
      term.resume();
    },
    waitFor: (text, timeoutMs = DEADLINE_MS) => until(() => Buffer.concat(chunks).includes(text), timeoutMs, `"${text}" on the agent's terminal`),
    hangUp: async () => {
      stopTicker();
      // The master side closes, then the terminal's session is hung up: node-pty's destroy(),
      // which its Unix terminal has and its typings do not declare.
      (term as pty.IPty & { destroy(): void }).destroy();
      await until(() => ended !== null, 15_000, 'the agent to end after its terminal closed');
      return ended!;
    },
    stop: async () => {
      stopTicker();
      term.resume();
      if (exited) return;
      term.kill('SIGTERM');
      await until(() => exited, 8000, 'the agent to exit').catch(() => term.kill('SIGKILL'));
    },
  };
}
