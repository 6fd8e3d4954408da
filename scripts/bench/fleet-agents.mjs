/**
 * A load-generator process (forked by fleet-generators.mjs): enrolls its share
 * of simulated devices through the REST API with fresh Ed25519 keys, then holds
 * their websockets (fleet-sim-agent.mjs) and reports counts over IPC. Several of
 * these share the sockets, so no single process holds them all.
 *
 * IPC in:  {cmd:'enroll', url, token, count, first, jobAgents} | {cmd:'connect', set, url, maxInFlight}
 *          | {cmd:'stop', set} | {cmd:'exit'}
 * IPC out: {ev:'enrolled', count} | {ev:'counts', online, results, acks, runs, lastOnlineAt, refusals} | {ev:'failed', error}
 */
import { generateKeyPairSync } from 'node:crypto';
import { SimAgent } from './fleet-sim-agent.mjs';

const ENROLL_IN_FLIGHT = 16;
const COUNTS_EVERY_MS = 50;

/** @type {SimAgent[]} */
const agents = [];
const counts = { online: 0, results: 0, acks: 0, runs: 0, lastOnlineAt: 0, refusals: {} };
let dirty = false;
let inFlight = 0;
const queue = [];

const reply = (message) => process.send?.(message);

setInterval(() => {
  if (!dirty) return;
  dirty = false;
  counts.runs = agents.reduce((sum, a) => sum + a.runs, 0);
  reply({ ev: 'counts', ...counts });
}, COUNTS_EVERY_MS).unref();

const events = {
  online(agent) {
    counts.online++;
    counts.lastOnlineAt = Date.now();
    dirty = true;
    settle(agent);
  },
  offline() {
    counts.online--;
    dirty = true;
  },
  result() {
    counts.results++;
    dirty = true;
  },
  acked() {
    counts.acks++;
    dirty = true;
  },
  refused(agent, code) {
    counts.refusals[code] = (counts.refusals[code] ?? 0) + 1;
    dirty = true;
    settle(agent);
  },
};

/** A first connection finished its handshake (or failed): let the next one start. */
function settle(agent) {
  if (!agent.pendingStart) return;
  agent.pendingStart = false;
  inFlight--;
  pump();
}

function pump() {
  while (inFlight < (pump.max ?? 200) && queue.length > 0) {
    const agent = queue.shift();
    agent.pendingStart = true;
    inFlight++;
    agent.start();
    // A handshake that never completes must not block the queue: it retries on its own backoff.
    setTimeout(() => settle(agent), 5000).unref();
  }
}

async function enroll({ url, token, count, first, jobAgents }) {
  let next = 0;
  const one = async () => {
    while (next < count) {
      const index = first + next++;
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const hostname = `bench-${String(index).padStart(5, '0')}`;
      const tags = index < jobAgents ? ['bench', 'bench-job'] : ['bench'];
      const res = await fetch(`${url}/api/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, publicKey: publicKey.export({ format: 'jwk' }).x, name: hostname, tags, hostname, platform: 'linux', policy: { script: 'allow', shell: 'deny' } }),
      });
      // Read as text first: a proxy in front (the cluster bench's HAProxy) answers errors in HTML.
      const text = await res.text();
      if (res.status !== 201) throw new Error(`enrolling ${hostname} failed: HTTP ${res.status} ${text.slice(0, 300)}`);
      const body = JSON.parse(text);
      agents.push(Object.assign(new SimAgent({ deviceId: body.deviceId, origin: body.controller.url, privateKey, hostname }, { wsUrl: '', events }), { index, isJobAgent: index < jobAgents }));
    }
  };
  await Promise.all(Array.from({ length: ENROLL_IN_FLIGHT }, one));
  agents.sort((a, b) => a.index - b.index);
  reply({ ev: 'enrolled', count: agents.length });
}

const inSet = (set) => (agent) => set === 'all' || (set === 'job' && agent.isJobAgent);

process.on('message', async (msg) => {
  try {
    switch (msg.cmd) {
      case 'enroll':
        return await enroll(msg);
      case 'connect': {
        pump.max = msg.maxInFlight;
        const wsUrl = `${msg.url.replace(/^http/, 'ws')}/ws/agent`;
        for (const agent of agents.filter(inSet(msg.set))) {
          agent.options.wsUrl = wsUrl;
          if (msg.localAddresses?.length) agent.options.localAddress = msg.localAddresses[agent.index % msg.localAddresses.length];
          queue.push(agent);
        }
        return pump();
      }
      case 'stop':
        for (const agent of agents.filter(inSet(msg.set))) agent.stop();
        queue.length = 0;
        dirty = true;
        return;
      case 'exit':
        for (const agent of agents) agent.stop();
        return setTimeout(() => process.exit(0), 100);
    }
  } catch (error) {
    reply({ ev: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
