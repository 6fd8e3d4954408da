/**
 * Runs the real agent (dist/agent/relais-agent.mjs join <link>) the way a
 * person would, with its terminal replaced by pipes: we read what it prints
 * and type `y` when it asks for consent. Everything it mirrors from the remote
 * shell (hundreds of megabytes in the throughput run) is read and dropped, as
 * a terminal would consume it; only a short tail is kept for diagnostics.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { onCleanup, stopChild } from './cleanup.mjs';
import { cleanHome } from './clean-home.mjs';

const TAIL_BYTES = 16 * 1024;
const CONSENT_PROMPT = '[y/N]';

/** Spawns the agent for `link`; returns `{ pid, output(), answerNextConsent(timeoutMs), stop() }`. */
export function spawnAgent({ root, link, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/agent/relais-agent.mjs'), 'join', link], {
    cwd: root,
    env: { ...process.env, HOME: cleanHome(), SHELL: '/bin/bash' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stop = onCleanup(`agent (pid ${child.pid})`, () => stopChild(child, 'SIGTERM', 6000));
  // The last chunks as received, decoded only when shown: decoding all the mirrored output would load the bench.
  const tailChunks = [];
  let tailBytes = 0;
  let errors = '';
  /** Text printed since someone started waiting for a consent question. */
  let watched = null;
  let onWatched = () => undefined;
  child.stdout.on('data', (chunk) => {
    tailChunks.push(chunk);
    tailBytes += chunk.length;
    while (tailBytes - tailChunks[0].length >= TAIL_BYTES) tailBytes -= tailChunks.shift().length;
    if (watched !== null) {
      watched = (watched + chunk.subarray(-256).toString('utf8')).slice(-256);
      onWatched();
    }
  });
  child.stderr.on('data', (chunk) => (errors = (errors + chunk.toString()).slice(-TAIL_BYTES)));
  let exitInfo = null;
  let announceExit = () => undefined;
  const exited = new Promise((resolve) => (announceExit = resolve));
  child.once('exit', (code, signal) => {
    exitInfo = signal ?? `code ${code}`;
    announceExit(exitInfo);
    onWatched();
  });
  child.once('error', (error) => {
    exitInfo = `could not start: ${error.message}`;
    announceExit(exitInfo);
    onWatched();
  });

  const output = () => `${Buffer.concat(tailChunks).subarray(-TAIL_BYTES).toString('utf8')}${errors ? `\n[stderr]\n${errors}` : ''}`;
  return {
    pid: child.pid,
    output,
    /** Resolves `promise`, or rejects as soon as the agent exits first (no point waiting for a dead agent). */
    unlessExited(promise, what) {
      const died = exited.then((how) => {
        throw new Error(`the agent exited (${how}) while waiting for ${what}. Its output:\n${output()}`);
      });
      return Promise.race([promise, died]);
    },
    /**
     * Waits for the next consent question (printed after this call) and answers yes.
     * Call it before the shell is requested, so the question cannot be missed.
     */
    answerNextConsent(timeoutMs) {
      watched = '';
      return new Promise((resolve, reject) => {
        const finish = (error) => {
          clearTimeout(timer);
          watched = null;
          onWatched = () => undefined;
          if (error) reject(error);
          else resolve();
        };
        const timer = setTimeout(() => finish(new Error(`the agent did not ask for consent within ${timeoutMs} ms. Its output:\n${output()}`)), timeoutMs);
        onWatched = () => {
          if (exitInfo) return finish(new Error(`the agent exited (${exitInfo}). Its output:\n${output()}`));
          if (!watched.includes(CONSENT_PROMPT)) return;
          child.stdin.write('y\n');
          finish();
        };
      });
    },
    stop,
  };
}
