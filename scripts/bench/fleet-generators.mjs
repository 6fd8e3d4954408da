/**
 * The load generators, seen from the bench: forks a few fleet-agents.mjs
 * processes, splits the simulated devices between them, and adds up what they
 * report (online, results, acks) so the bench can wait on a condition.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup, stopChild } from './cleanup.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Forks `processes` generators; resolves with the handle used by the bench. */
export function startGenerators(processes) {
  const children = Array.from({ length: processes }, (_, i) => {
    const child = fork(join(here, 'fleet-agents.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const state = { child, counts: { online: 0, results: 0, acks: 0, runs: 0, lastOnlineAt: 0, refusals: {} }, failure: null, waiters: [] };
    child.on('message', (msg) => {
      if (msg.ev === 'counts') state.counts = msg;
      if (msg.ev === 'failed') state.failure = msg.error;
      for (const w of state.waiters.splice(0)) w(msg);
    });
    // A message to a generator on its way out fails here; its exit is what reports it (waitFor).
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      state.failure ??= `load generator ${i + 1} exited (${signal ?? `code ${code}`})`;
    });
    onCleanup(`load generator ${i + 1} (pid ${child.pid})`, () => stopChild(child));
    return state;
  });

  const nextMessage = (state, ev) =>
    new Promise((resolve, reject) => {
      const wait = (msg) => {
        if (msg.ev === ev) resolve(msg);
        else if (msg.ev === 'failed') reject(new Error(msg.error));
        else state.waiters.push(wait);
      };
      state.waiters.push(wait);
    });

  const total = () => {
    const sum = { online: 0, results: 0, acks: 0, runs: 0, lastOnlineAt: 0, refusals: {} };
    for (const { counts } of children) {
      sum.online += counts.online;
      sum.results += counts.results;
      sum.acks += counts.acks;
      sum.runs += counts.runs;
      sum.lastOnlineAt = Math.max(sum.lastOnlineAt, counts.lastOnlineAt);
      for (const [code, n] of Object.entries(counts.refusals)) sum.refusals[code] = (sum.refusals[code] ?? 0) + n;
    }
    return sum;
  };

  return {
    pids: children.map((c) => c.child.pid),
    /** Enrolls `count` devices split between the generators; the first `jobAgents` carry the tag bench-job. */
    async enroll({ url, token, count, jobAgents }) {
      const share = Math.ceil(count / children.length);
      await Promise.all(children.map((state, i) => {
        const first = i * share;
        const mine = Math.max(0, Math.min(share, count - first));
        const done = nextMessage(state, 'enrolled');
        state.child.send({ cmd: 'enroll', url, token, count: mine, first, jobAgents });
        return done;
      }));
    },
    /** Connects a set ('job': the bench-job devices, 'all'); handshakes in flight are bounded per generator. */
    connect({ set, url, maxInFlight = 200, localAddresses = [] }) {
      // A generator that died is reported by waitFor; sending to it would crash the bench before its cleanup.
      for (const { child } of children) if (child.connected) child.send({ cmd: 'connect', set, url, maxInFlight, localAddresses });
    },
    stop(set) {
      for (const { child } of children) if (child.connected) child.send({ cmd: 'stop', set });
    },
    total,
    /** Resolves with the totals once `predicate(totals)` holds; rejects after `timeoutMs` saying what it waited for. */
    async waitFor(what, predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const failed = children.find((c) => c.failure);
        if (failed) throw new Error(failed.failure);
        const sum = total();
        if (predicate(sum)) return sum;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; now ${JSON.stringify(sum)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async exit() {
      await Promise.all(children.map(({ child }) => {
        if (child.connected) child.send({ cmd: 'exit' });
        return stopChild(child, 'SIGTERM', 3000);
      }));
    },
  };
}
