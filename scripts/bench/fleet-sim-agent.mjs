/**
 * One simulated managed agent, speaking the real protocol on a real websocket:
 * hello with its device id, the Ed25519 answer to auth.challenge
 * (protocol/fleet.ts deviceAuthMessage), device.summary, then jobs exactly like
 * agent/ does on the wire: job.run → job.started, one job.output, job.result;
 * an in-memory ledger so a job id is never run twice (a repeated job.run gets the
 * stored result again); unacknowledged output and results re-sent after a
 * reconnect, forgotten on job.ack. Reconnects with the agent's backoff
 * (agent/link/backoff.ts: 0.5 s doubling to 15 s, ±30 % jitter). ws answers the
 * controller's heartbeat pings by itself, as in the real agent.
 */
import { sign } from 'node:crypto';
import WebSocket from 'ws';

const PROTOCOL_VERSION = 1;
const MAX_FRAME_BYTES = 256 * 1024;
const BACKOFF = Object.freeze({ initialMs: 500, maxMs: 15_000, jitter: 0.3 });

/** Mirrors agent/link/backoff.ts. */
export function backoffDelay(attempt) {
  const base = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(0, Math.round(base * (1 + BACKOFF.jitter * (2 * Math.random() - 1))));
}

/** The fixed summary each simulated device reports: about the size of a real one. */
function summaryFor(hostname) {
  return {
    hostname,
    user: 'bench',
    os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-bench', arch: 'x64' },
    cpu: { brand: 'Simulated CPU', cores: 4 },
    memory: { totalBytes: 8 * 1024 ** 3, availableBytes: 6 * 1024 ** 3 },
    disks: [{ mount: '/', fs: 'ext4', sizeBytes: 256 * 1024 ** 3, usedBytes: 64 * 1024 ** 3 }],
    addresses: [{ iface: 'eth0', address: '10.0.0.2', family: 'IPv4' }],
    uptimeSeconds: 3600,
    agentVersion: '0.0.0-bench',
  };
}

export class SimAgent {
  /**
   * @param {{deviceId: string, origin: string, privateKey: import('node:crypto').KeyObject, hostname: string}} identity
   * @param {{wsUrl: string, localAddress?: string, events: {online(a: SimAgent): void, offline(a: SimAgent): void, result(a: SimAgent, jobId: string): void, acked(a: SimAgent, jobId: string): void, refused(a: SimAgent, code: string): void}}} options
   */
  constructor(identity, options) {
    this.identity = identity;
    this.options = options;
    this.ws = null;
    this.online = false;
    this.stopped = true;
    this.attempt = 0;
    this.timer = null;
    /** jobId → the messages that report it (output + result), kept until job.ack. */
    this.unacked = new Map();
    /** Every job id ever seen: never run twice. */
    this.ledger = new Map();
    this.runs = 0;
    this.connectedAt = 0;
  }

  /** Starts connecting (and reconnecting) until stop(). */
  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.terminate();
  }

  connect() {
    const ws = new WebSocket(this.options.wsUrl, { perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES, ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}) });
    this.ws = ws;
    ws.on('open', () => {
      this.send({
        t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth: { kind: 'device', deviceId: this.identity.deviceId },
        agent: { version: '0.0.0-bench', platform: 'linux', arch: 'x64', hostname: this.identity.hostname },
        policy: { script: 'allow', shell: 'deny' },
      });
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(data.toString());
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.online) {
        this.online = false;
        this.options.events.offline(this);
      }
      if (!this.stopped) this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
    });
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  receive(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    switch (m.t) {
      case 'auth.challenge': {
        const message = `relais-device-auth-v1\n${this.identity.origin}\n${this.identity.deviceId}\n${m.nonce}`;
        return this.send({ t: 'auth.response', signature: sign(null, Buffer.from(message, 'utf8'), this.identity.privateKey).toString('base64url') });
      }
      case 'welcome':
        this.attempt = 0;
        this.online = true;
        this.connectedAt = Date.now();
        this.send({ t: 'device.summary', summary: summaryFor(this.identity.hostname) });
        // Results that finished while the link was down go out again, same seq.
        for (const messages of this.unacked.values()) for (const msg of messages) this.send(msg);
        return this.options.events.online(this);
      case 'job.run':
        return this.runJob(m);
      case 'job.ack':
        if (this.unacked.delete(m.jobId)) this.options.events.acked(this, m.jobId);
        return;
      case 'job.cancel':
        return; // every simulated run finishes at once: there is never anything to stop
      case 'error':
        return this.options.events.refused(this, String(m.code));
      default:
        return;
    }
  }

  /** Runs a job once: a second job.run for a known id gets the stored result again. */
  runJob(m) {
    const known = this.ledger.get(m.jobId);
    if (known) {
      for (const msg of this.unacked.get(m.jobId) ?? [known]) this.send(msg);
      return;
    }
    this.runs++;
    const startedAt = Date.now();
    this.send({ t: 'job.started', jobId: m.jobId, startedAt });
    const out = Buffer.from(`${m.script.name} done on ${this.identity.hostname}\n`);
    const output = { t: 'job.output', jobId: m.jobId, stream: 'stdout', seq: 0, data: out.toString('base64') };
    const result = {
      t: 'job.result', jobId: m.jobId, status: 'succeeded', exitCode: 0, signal: null, startedAt, finishedAt: Date.now(),
      stdoutBytes: out.byteLength, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: 0, reason: null,
    };
    this.ledger.set(m.jobId, result);
    this.unacked.set(m.jobId, [output, result]);
    this.send(output);
    this.send(result);
    this.options.events.result(this, m.jobId);
  }
}
