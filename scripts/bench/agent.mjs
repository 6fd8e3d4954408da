/**
 * Runs the real agent (dist/agent/relais-agent.mjs join <link>) the way a person
 * would: in a terminal (`mode: 'terminal'`, a pseudo-terminal) or with its output
 * going to a pipe (`mode: 'pipe'`), through person-side.mjs in a process of its own.
 * Everything the agent mirrors from the remote shell is read and dropped there.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.mjs';
import { cleanHome } from './clean-home.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Spawns the agent for `link` (or `program` with `args`: the bare relay's agent);
 * resolves with `{ pid, sidePid, mode, output(), unlessExited, answerNextConsent, stop }`.
 */
export async function spawnAgent({ root, link, mode, nodeArgs = [], program = join(root, 'dist/agent/relais-agent.mjs'), args }) {
  const options = { mode, agent: program, link, args, nodeArgs, cwd: root, env: { ...process.env, HOME: cleanHome(), SHELL: '/bin/bash' } };
  const side = fork(join(here, 'person-side.mjs'), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let lastTail = { text: '', bytes: 0 };
  let exitInfo = null;
  let announceExit = () => undefined;
  const exited = new Promise((resolve) => (announceExit = resolve));
  const listeners = new Set();
  side.on('message', (message) => {
    if (message.t === 'tail') lastTail = message;
    if (message.t === 'exit') {
      exitInfo = message.how;
      announceExit(exitInfo);
    }
    for (const listener of [...listeners]) listener(message);
  });
  side.once('exit', () => {
    exitInfo ??= 'the person-side process ended';
    announceExit(exitInfo);
  });
  const next = (t) => new Promise((resolve) => {
    const listener = (message) => {
      if (message.t !== t) return;
      listeners.delete(listener);
      resolve(message);
    };
    listeners.add(listener);
  });
  const { pid } = await next('started');
  const stop = onCleanup(`agent (pid ${pid}) and its terminal (pid ${side.pid})`, async () => {
    if (exitInfo === null) {
      side.send({ t: 'stop' });
      const killer = setTimeout(() => side.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(killer);
    }
  });
  const output = () => lastTail.text;
  return {
    pid,
    sidePid: side.pid,
    mode,
    output,
    /** Asks for the agent's latest output (a tail) and how many bytes it printed in all. */
    async refresh() {
      if (exitInfo !== null) return lastTail;
      const answer = next('tail');
      side.send({ t: 'tail' });
      return answer;
    },
    /** Resolves `promise`, or rejects as soon as the agent exits first. */
    unlessExited(promise, what) {
      const died = exited.then((how) => {
        throw new Error(`the ${mode} agent exited (${how}) while waiting for ${what}. Its output:\n${output()}`);
      });
      return Promise.race([promise, died]);
    },
    /** Waits for the next consent question and answers yes. Call it before the shell is requested. */
    answerNextConsent(timeoutMs) {
      const asked = next('asked');
      side.send({ t: 'consent' });
      let timer;
      const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the ${mode} agent did not ask for consent within ${timeoutMs} ms`)), timeoutMs)));
      return Promise.race([asked, late]).finally(() => clearTimeout(timer));
    },
    stop,
  };
}
