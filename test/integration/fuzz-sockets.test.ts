/**
 * Issue 8 point 0: nothing a peer sends can end the controller. A real controller takes
 * at least 100,000 seeded, mutated frames (helpers/fuzz-frames.ts) on authenticated agent
 * and console sockets and on unauthenticated ones, while it keeps answering /api/health
 * and its memory stays flat (resident size from /proc, and a capped V8 heap so a leak
 * would end it). Replay a failure with RELAIS_FUZZ_SEED=<seed printed in the failure>.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, PROTOCOL_VERSION, encodeControl } from '../../protocol/index.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { AGENT_TYPES, CONSOLE_TYPES, FrameFuzzer, agentCorpus, consoleCorpus, seededRandom, type Frame } from '../helpers/fuzz-frames.js';
import { helloWithCode } from '../helpers/protocol-agent.js';

const SEED = Number(process.env.RELAIS_FUZZ_SEED ?? 0x8f00d);
const FRAMES = Number(process.env.RELAIS_FUZZ_FRAMES ?? 100_000);
/** Frames per batch, after which the socket is pinged: the pong proves the controller handled them all. */
const BATCH = 50;

let c: RunningController;
let cookie: string;
const fuzz = new FrameFuzzer(seededRandom(SEED));
const sent = { agent: 0, console: 0, unauthenticated: 0, sockets: 0 };
const total = () => sent.agent + sent.console + sent.unauthenticated;

beforeAll(async () => {
  // A capped heap: a leak ends the process, and the health checks below see it.
  c = await startController({ env: { NODE_OPTIONS: '--max-old-space-size=256', RELAIS_HEARTBEAT_MS: '60000' } });
  cookie = await login(c);
});
afterAll(async () => c?.stop());

/** The controller's CPU time so far (user + system), from /proc. */
const cpuSeconds = () => {
  const stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8'))![1]);

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket | null> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) {
    throw new Error(`seed ${SEED}: the controller exited after ${total()} frames:\n${c.logs().slice(-3000)}`);
  }
  const ws = new WebSocket(c.url.replace(/^http/, 'ws') + path, { headers, maxPayload: 16 * 1024 * 1024 });
  ws.on('error', () => undefined);
  sent.sockets += 1;
  return new Promise((resolve) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', () => resolve(null));
    ws.once('close', () => resolve(null));
  });
}

/** Sends frames until the batch is done or the controller closed the socket; resolves once it has handled them (pong). */
async function sendBatch(ws: WebSocket, frames: () => Frame, count: number, counter: 'agent' | 'console' | 'unauthenticated'): Promise<boolean> {
  for (let i = 0; i < count && ws.readyState === WebSocket.OPEN; i++) {
    const frame = frames();
    ws.send(frame, { binary: typeof frame !== 'string' });
    sent[counter] += 1;
  }
  if (ws.readyState !== WebSocket.OPEN) return false;
  return new Promise((resolve) => {
    const done = (alive: boolean) => {
      ws.off('pong', onPong);
      ws.off('close', onClose);
      resolve(alive);
    };
    const onPong = () => done(true);
    const onClose = () => done(false);
    ws.once('pong', onPong);
    ws.once('close', onClose);
    ws.ping();
  });
}

/** Valid messages as JSON text, built once per channel: most frames are these, and building them must not be the bottleneck. */
const validText = new Map<string, string[]>();
function validFrames(key: string, corpus: () => unknown[]): string[] {
  let frames = validText.get(key);
  if (!frames) validText.set(key, (frames = corpus().map((m) => JSON.stringify(m))));
  return frames;
}
// Valid frames that cost the controller little; summaries and snapshots (a write and a broadcast each) come with the hostile ones.
const quiet = new Set(['shell.consent', 'shell.opened', 'shell.closed', 'shell.consent', 'error']);
const attendedCorpus = (channel: number) => agentCorpus(channel).filter((m) => quiet.has((m as { t: string }).t));

/**
 * Frames for one socket's life: LIFE frames of which HOSTILE (at random places) are hostile.
 * The controller closes a socket after more invalid messages than it tolerates, and frames
 * sent after that are never read; so each socket carries as many hostile frames as it will
 * take, then a fresh one follows, and every frame counted is one the controller handled.
 */
const LIFE = 150;
const HOSTILE = LIMITS.maxViolations;
function lifePlan(): (index: number) => boolean {
  const hostile = new Set(Array.from({ length: HOSTILE }, () => fuzz.int(LIFE)));
  return (index) => hostile.has(index);
}

async function live(ws: WebSocket, frame: (hostile: boolean) => Frame, budget: number, counter: 'agent' | 'console'): Promise<void> {
  const hostileAt = lifePlan();
  let index = 0;
  const next = () => frame(hostileAt(index++));
  while (index < LIFE && sent[counter] < budget && (await sendBatch(ws, next, Math.min(BATCH, LIFE - index), counter)));
  ws.terminate();
}

/**
 * An attended agent: joins with a code and comes back with its resume token (so the device
 * list stays short); valid frames are shell messages for its channels and others' in any
 * order, and data or acks on its own channels.
 */
async function agentWorker(budget: number): Promise<void> {
  let resumeToken: string | null = null;
  while (sent.agent < budget) {
    const link = resumeToken ? null : await createSupportLink(c, cookie);
    const ws = await open('/ws/agent');
    if (!ws) continue;
    const channels: number[] = [];
    let welcomed = false;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as { t: string; channel?: number; resumeToken?: string };
      if (m.t === 'shell.open' && m.channel) channels.push(m.channel);
      if (m.t === 'welcome') [welcomed, resumeToken] = [true, m.resumeToken ?? null];
      // A resume refused (the session ended, or resumes are throttled): the next connection joins with a new code.
      if (m.t === 'error' && !welcomed) resumeToken = null;
    });
    const hello = helloWithCode(link?.code ?? '000000000', 'fuzz-agent');
    ws.send(encodeControl(link ? hello : { ...hello, auth: { kind: 'resume', token: resumeToken! } }));
    await live(ws, (hostile) => {
      const channel = channels.length && fuzz.chance(0.7) ? fuzz.pick(channels) : 1 + fuzz.int(9);
      if (hostile) return fuzz.chance(0.2) ? fuzz.binary(channels) : fuzz.mutate(fuzz.pick(agentCorpus(channel)), AGENT_TYPES, 0);
      if (channels.length && fuzz.chance(0.25)) return fuzz.validBinary(fuzz.pick(channels));
      return fuzz.pick(validFrames(`agent:${channel}`, () => attendedCorpus(channel)));
    }, budget, 'agent');
  }
}

// What a console may send without it counting as a violation (a resize names a channel it owns).
const consoleValid = (device: string, channel: number) => consoleCorpus(device, channel).filter((m) => !['shell.resize', 'hello'].includes((m as { t: string }).t));

/** A logged-in console: asks the fuzz agents for shells and diagnostics, among hostile frames. */
async function consoleWorker(budget: number, deviceIds: () => string[]): Promise<void> {
  while (sent.console < budget) {
    const ws = await open('/ws/console', { cookie, origin: c.url });
    if (!ws) continue;
    ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, role: 'console' }));
    await live(ws, (hostile) => {
      const ids = deviceIds();
      const device = ids.length ? fuzz.pick(ids) : 'none';
      const channel = 1 + fuzz.int(64);
      if (hostile) return fuzz.chance(0.2) ? fuzz.binary() : fuzz.mutate(fuzz.pick(consoleCorpus(device, channel)), CONSOLE_TYPES, 0);
      return fuzz.pick(validFrames(`console:${device}:${channel}`, () => consoleValid(device, channel)));
    }, budget, 'console');
  }
}

/** Strangers: agent sockets whose first frame is anything but a valid hello, and consoles with no session. */
async function strangerWorker(budget: number): Promise<void> {
  // A well-formed hello with a wrong code would count against this address's throttle and lock the fuzz agents out.
  const notHello = agentCorpus(1).filter((m) => (m as { t: string }).t !== 'hello');
  while (sent.unauthenticated < budget) {
    if (fuzz.chance(0.05)) {
      expect(await open('/ws/console', fuzz.chance(0.5) ? { origin: c.url } : { cookie, origin: 'http://evil.example' })).toBeNull();
      continue;
    }
    const ws = await open('/ws/agent');
    if (!ws) continue;
    const frames = () => (fuzz.chance(0.2) ? fuzz.binary() : fuzz.mutate(fuzz.pick(notHello), AGENT_TYPES.filter((t) => t !== 'hello')));
    // The first frame decides (closed unless a valid hello); the rest arrive before the close and must be ignored safely.
    await sendBatch(ws, frames, 1 + fuzz.int(40), 'unauthenticated');
    ws.terminate();
  }
}

describe('the controller under fuzzed frames', () => {
  it(`takes ${FRAMES} mutated frames on agent and console sockets, answering health throughout with flat memory (seed ${SEED})`, async () => {
    const started = Date.now();
    const failures: string[] = [];
    let running = true;
    const watcher = (async () => {
      while (running) {
        const res = await fetch(`${c.url}/api/health`, { signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
        if (res instanceof Error || res.status !== 200) failures.push(`${Date.now() - started} ms after ${total()} frames: ${res instanceof Error ? res.message : res.status}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const deviceIds = async () => ((await (await fetch(`${c.url}/api/devices`, { headers: { cookie } })).json()) as { devices: Array<{ id: string }> }).devices.map((d) => d.id);
    let known: string[] = [];
    const refresh = setInterval(() => void deviceIds().then((ids) => (known = ids.slice(0, 50)), () => undefined), 1000);

    const share = { agent: Math.ceil(FRAMES * 0.5), console: Math.ceil(FRAMES * 0.42), unauthenticated: Math.ceil(FRAMES * 0.08) };
    // Warm-up: a tenth of the traffic, then the resident size is the baseline.
    await Promise.all([agentWorker(share.agent / 10), consoleWorker(share.console / 10, () => known), strangerWorker(share.unauthenticated / 10)]);
    const baseline = rssKiB();
    await Promise.all([
      ...Array.from({ length: 4 }, () => agentWorker(share.agent)),
      ...Array.from({ length: 2 }, () => consoleWorker(share.console, () => known)),
      strangerWorker(share.unauthenticated),
    ]);
    clearInterval(refresh);
    running = false;
    await watcher;
    const after = rssKiB();
    const summary = `seed ${SEED}: ${JSON.stringify(sent)} in ${Date.now() - started} ms, controller CPU ${cpuSeconds()} s, RSS ${Math.round(baseline / 1024)} → ${Math.round(after / 1024)} MiB`;
    console.info(summary);

    expect(failures, summary).toEqual([]);
    expect(c.child.exitCode, `${summary}\n${c.logs().slice(-2000)}`).toBeNull();
    expect(total()).toBeGreaterThanOrEqual(FRAMES);
    expect((await fetch(`${c.url}/api/health`)).status).toBe(200);
    // Flat: what the warm-up settled at, plus slack for V8's own growth; a leak of a few hundred bytes a frame shows.
    expect(after - baseline, summary).toBeLessThan(96 * 1024);
    // Every failure was a refusal, never a crash of a handler.
    expect(c.logs(), summary).not.toMatch(/handling .* failed|not sent|TypeError|RangeError|ReferenceError/);
  }, 240_000);
});
