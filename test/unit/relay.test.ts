/**
 * The relay on fake websockets: consent before anything flows, channel limits,
 * a shell that outlives its console (grace period, scrollback, credit while detached, reattach),
 * frames checked and forwarded untouched, the high-water mark that stops reading
 * from a fast writer, and every way a channel ends (once).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, AuditLog } from '../../controller/server/audit/audit.js';
import { PeerSocket } from '../../controller/server/hubs/peer-socket.js';
import type { AgentLink, ConsoleLink } from '../../controller/server/relay/links.js';
import { Relay } from '../../controller/server/relay/relay.js';
import type { ShellLog, ShellRecorder, ShellStart } from '../../controller/server/recordings/shell-recorder.js';
import {
  FRAME_HEADER_BYTES, LIMITS, agentToController, consoleToController, encodeAck, encodeData,
} from '../../protocol/index.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

const TECHNICIAN = { id: 1, username: 'sam', name: 'Sam Lee', role: 'l1' } as const;

function agentLink(deviceId = 'dev-1'): AgentLink & { ws: FakeWebSocket } {
  const ws = new FakeWebSocket();
  return { ws, peer: new PeerSocket(ws.asWebSocket, agentToController, '127.0.0.1', 'agent'), deviceId, sessionId: 's-1', channels: new Set() };
}

const COLLEAGUE = { id: 2, username: 'kim', name: 'Kim Roy', role: 'l1' } as const;
const ADMIN = { id: 3, username: 'admin', name: 'Administrator', role: 'admin' } as const;
const GRACE_MS = 120_000;

function consoleLink(account: ConsoleLink['account'] = TECHNICIAN): ConsoleLink & { ws: FakeWebSocket } {
  const ws = new FakeWebSocket();
  return { ws, peer: new PeerSocket(ws.asWebSocket, consoleToController, '127.0.0.1', 'console'), account, channels: new Set() };
}

function setup(options: { scrollbackBytes?: number } = {}) {
  const notes: AuditEntry[] = [];
  const audit = { note: (entry: AuditEntry) => void notes.push(entry) } as unknown as AuditLog;
  const agents = new Map<string, AgentLink>();
  // The registry of agent links, as the hub fills it: a map by device is all the relay reads.
  const relay = new Relay(audit, agents, null, { graceMs: GRACE_MS, ...options });
  const agent = agentLink();
  agents.set(agent.deviceId, agent);
  const tech = consoleLink();
  return { relay, agent, tech, agents, notes };
}

const request = (requestId = 'r1', deviceId = 'dev-1') => ({ requestId, deviceId, cols: 80, rows: 24 });
const last = (ws: FakeWebSocket) => ws.messages().at(-1);

/** Opens a channel and lets the agent grant it and report it open. */
function openChannel(s: ReturnType<typeof setup>, requestId = 'r1'): number {
  s.relay.openShell(s.tech, request(requestId));
  const { channel } = last(s.agent.ws) as unknown as { channel: number };
  s.relay.fromAgent(s.agent, { t: 'shell.consent', channel, decision: 'granted' });
  s.relay.fromAgent(s.agent, { t: 'shell.opened', channel, mode: 'pty', user: 'pat', shell: '/bin/bash' });
  return channel;
}

describe('asking for a shell', () => {
  it('tells the console it waits, asks the agent with the initial window, and audits the question', () => {
    const s = setup();
    s.relay.openShell(s.tech, request());
    expect(s.tech.ws.messages()).toEqual([{ t: 'shell.pending', requestId: 'r1', channel: 1, deviceId: 'dev-1' }]);
    expect(s.agent.ws.messages()).toEqual([
      { t: 'shell.open', channel: 1, cols: 80, rows: 24, requestedBy: { username: 'sam', name: 'Sam Lee' }, window: LIMITS.initialWindowBytes, recorded: false },
    ]);
    expect(s.notes).toEqual([{ actor: 'sam', action: 'consent.asked', target: 'dev-1', detail: { channel: 1, action: 'shell' } }]);
    expect(s.relay.size).toBe(1);
  });

  it('an offline device is an error for that request', () => {
    const s = setup();
    s.relay.openShell(s.tech, request('r9', 'elsewhere'));
    expect(s.tech.ws.messages()).toEqual([expect.objectContaining({ t: 'error', code: 'SHELL_ERR_DEVICE_OFFLINE', requestId: 'r9' })]);
    expect(s.relay.size).toBe(0);
  });

  it('refuses a channel beyond the limit, on the console side and on the agent side', () => {
    const s = setup();
    for (let i = 0; i < LIMITS.maxChannelsPerConnection; i++) s.relay.openShell(s.tech, request(`r${i}`));
    s.relay.openShell(s.tech, request('one-more'));
    expect(last(s.tech.ws)).toMatchObject({ t: 'error', code: 'PROTO_ERR_TOO_MANY_CHANNELS', requestId: 'one-more' });
    // Another technician asking the same (full) agent is refused too.
    const other = consoleLink();
    s.relay.openShell(other, request('from-other'));
    expect(last(other.ws)).toMatchObject({ t: 'error', code: 'PROTO_ERR_TOO_MANY_CHANNELS', requestId: 'from-other' });
    expect(s.relay.size).toBe(LIMITS.maxChannelsPerConnection);
    // Ending one makes room.
    s.relay.closeByConsole(s.tech, 1);
    s.relay.openShell(other, request('now'));
    expect(last(other.ws)).toMatchObject({ t: 'shell.pending', requestId: 'now' });
  });
});

describe('the agent answers', () => {
  it.each([
    ['declined', 'declined'],
    ['timeout', 'timeout'],
    ['refused-by-policy', 'declined'],
  ] as const)('%s: the console hears it and the channel ends with reason %s', (decision, reason) => {
    const s = setup();
    s.relay.openShell(s.tech, request());
    s.relay.fromAgent(s.agent, { t: 'shell.consent', channel: 1, decision });
    expect(s.tech.ws.messages().slice(1)).toEqual([
      { t: 'shell.consent', channel: 1, decision },
      { t: 'shell.closed', channel: 1, reason, exitCode: null },
    ]);
    expect(s.notes.at(-1)).toMatchObject({ action: 'consent.answered', detail: { channel: 1, decision } });
    expect(s.relay.size).toBe(0);
    expect(s.agent.channels.size + s.tech.channels.size).toBe(0);
  });

  it('ignores reports about a channel from an agent that does not own it', () => {
    const s = setup();
    const intruder = agentLink('dev-2');
    s.agents.set('dev-2', intruder);
    s.relay.openShell(s.tech, request());
    s.relay.fromAgent(intruder, { t: 'shell.consent', channel: 1, decision: 'granted' });
    s.relay.fromAgent(intruder, { t: 'shell.opened', channel: 1, mode: 'pty', user: 'root', shell: '/bin/sh' });
    s.relay.fromAgent(intruder, { t: 'shell.closed', channel: 1, reason: 'exit', exitCode: 0 });
    expect(s.tech.ws.messages().map((m) => m.t)).toEqual(['shell.pending']);
    expect(s.relay.size).toBe(1);
  });

  it('opens once: shell.opened goes to the console with the window; a repeated one is ignored', () => {
    const s = setup();
    const channel = openChannel(s);
    s.relay.fromAgent(s.agent, { t: 'shell.opened', channel, mode: 'pipes', user: 'x', shell: 'y' });
    s.relay.fromAgent(s.agent, { t: 'shell.consent', channel, decision: 'declined' });
    expect(s.tech.ws.messages().map((m) => m.t)).toEqual(['shell.pending', 'shell.consent', 'shell.opened']);
    expect(s.tech.ws.messages()[2]).toEqual({ t: 'shell.opened', channel, mode: 'pty', user: 'pat', shell: '/bin/bash', window: LIMITS.initialWindowBytes });
    expect(s.relay.size).toBe(1);
  });
});

describe('stream frames', () => {
  it('forward nothing before the shell is open, then forward frames untouched both ways', () => {
    const s = setup();
    s.relay.openShell(s.tech, request());
    s.relay.agentBinary(s.agent, Buffer.from(encodeData(1, Buffer.from('early'))));
    s.relay.consoleBinary(s.tech, Buffer.from(encodeData(1, Buffer.from('ls\r'))));
    expect(s.tech.ws.frames().length + s.agent.ws.frames().length).toBe(0);
    s.relay.fromAgent(s.agent, { t: 'shell.consent', channel: 1, decision: 'granted' });
    s.relay.fromAgent(s.agent, { t: 'shell.opened', channel: 1, mode: 'pty', user: 'pat', shell: '/bin/bash' });
    const out = Buffer.from(encodeData(1, Buffer.from('hello')));
    const keys = Buffer.from(encodeData(1, Buffer.from('ls\r')));
    const ack = Buffer.from(encodeAck(1, 5));
    s.relay.agentBinary(s.agent, out);
    s.relay.consoleBinary(s.tech, keys);
    s.relay.consoleBinary(s.tech, ack);
    expect(s.tech.ws.frames()).toEqual([out]);
    expect(s.agent.ws.frames()).toEqual([keys, ack]);
    // An ACK from the agent is not output: it is not forwarded.
    s.relay.agentBinary(s.agent, Buffer.from(encodeAck(1, 5)));
    expect(s.tech.ws.frames()).toHaveLength(1);
  });

  it('a console cannot write into a channel it does not own', () => {
    const s = setup();
    const channel = openChannel(s);
    const other = consoleLink();
    s.relay.consoleBinary(other, Buffer.from(encodeData(channel, Buffer.from('rm -rf ~\r'))));
    expect(s.agent.ws.frames()).toEqual([]);
  });

  it('an ACK granting no credit at all is a malformed frame, not a silent no-op', () => {
    const s = setup();
    const channel = openChannel(s);
    const zero = Buffer.from(encodeAck(channel, 1));
    zero.writeUInt32BE(0, FRAME_HEADER_BYTES);
    s.relay.consoleBinary(s.tech, zero);
    expect(s.tech.ws.messages().filter((m) => m.t === 'error').map((m) => m.code)).toEqual(['PROTO_ERR_BAD_FRAME']);
    expect(s.agent.ws.frames()).toEqual([]);
  });

  it('counts malformed frames and frames for channels never opened as violations; late frames for a closed channel are dropped quietly', () => {
    const s = setup();
    const channel = openChannel(s);
    const violations = () => s.tech.ws.messages().filter((m) => m.t === 'error').map((m) => m.code);
    s.relay.consoleBinary(s.tech, Buffer.from([1, 0, 0]));
    s.relay.consoleBinary(s.tech, Buffer.from([7, 0, 0, 0, channel]));
    s.relay.consoleBinary(s.tech, Buffer.concat([Buffer.from(encodeAck(channel, 1)), Buffer.from([0])]));
    const oversized = Buffer.alloc(FRAME_HEADER_BYTES + LIMITS.maxChunkBytes + 1);
    oversized.set([1, 0, 0, 0, channel]);
    s.relay.consoleBinary(s.tech, oversized);
    s.relay.consoleBinary(s.tech, Buffer.from(encodeData(99, Buffer.from('x'))));
    expect(violations()).toEqual(['PROTO_ERR_BAD_FRAME', 'PROTO_ERR_BAD_FRAME', 'PROTO_ERR_BAD_FRAME', 'PROTO_ERR_BAD_FRAME', 'PROTO_ERR_UNKNOWN_CHANNEL']);
    s.relay.closeByConsole(s.tech, channel);
    s.relay.consoleBinary(s.tech, Buffer.from(encodeAck(channel, 10)));
    expect(violations()).toHaveLength(5);
    expect(s.agent.ws.frames()).toEqual([]);
  });

  it('stops reading from the agent while the console has more than the high-water mark queued, and reads again once it drained', () => {
    const s = setup();
    const channel = openChannel(s);
    const chunk = Buffer.from(encodeData(channel, Buffer.alloc(LIMITS.maxChunkBytes)));
    const toHighWater = Math.floor(LIMITS.relayHighWaterBytes / chunk.byteLength);
    for (let i = 0; i < toHighWater; i++) s.relay.agentBinary(s.agent, chunk);
    expect(s.agent.ws.isPaused).toBe(false);
    s.relay.agentBinary(s.agent, chunk);
    expect(s.agent.ws.isPaused).toBe(true);
    // Frames already read are still forwarded (the relay never drops output).
    s.relay.agentBinary(s.agent, chunk);
    expect(s.tech.ws.frames()).toHaveLength(toHighWater + 2);
    s.tech.ws.flush();
    expect(s.agent.ws.isPaused).toBe(false);
  });

  it('does the same for a console that types faster than the agent reads, and does not resume a socket that closed meanwhile', () => {
    const s = setup();
    const channel = openChannel(s);
    const chunk = Buffer.from(encodeData(channel, Buffer.alloc(LIMITS.maxChunkBytes)));
    for (let i = 0; i <= LIMITS.relayHighWaterBytes / chunk.byteLength; i++) s.relay.consoleBinary(s.tech, chunk);
    expect(s.tech.ws.isPaused).toBe(true);
    s.tech.ws.peerClosed(1001);
    s.agent.ws.flush();
    expect(s.tech.ws.isPaused).toBe(true);
  });
});

describe('endings', () => {
  it('resize goes to the agent of the channel; an unknown or foreign channel is a violation', () => {
    const s = setup();
    const channel = openChannel(s);
    s.relay.resize(s.tech, { channel, cols: 120, rows: 40 });
    expect(last(s.agent.ws)).toEqual({ t: 'shell.resize', channel, cols: 120, rows: 40 });
    const other = consoleLink(COLLEAGUE);
    s.relay.resize(other, { channel, cols: 1, rows: 1 });
    s.relay.resize(s.tech, { channel: 42, cols: 1, rows: 1 });
    expect(last(other.ws)).toMatchObject({ code: 'PROTO_ERR_UNKNOWN_CHANNEL' });
    expect(last(s.tech.ws)).toMatchObject({ code: 'PROTO_ERR_UNKNOWN_CHANNEL' });
  });

  it('the technician closes: the agent is told, the console hears it once, and the audit has the duration', () => {
    const s = setup();
    const channel = openChannel(s);
    vi.advanceTimersByTime(1500);
    s.relay.closeByConsole(s.tech, channel);
    s.relay.closeByConsole(s.tech, channel);
    s.relay.fromAgent(s.agent, { t: 'shell.closed', channel, reason: 'technician', exitCode: null });
    expect(last(s.agent.ws)).toEqual({ t: 'shell.close', channel, reason: 'technician' });
    expect(s.tech.ws.messages().filter((m) => m.t === 'shell.closed')).toEqual([{ t: 'shell.closed', channel, reason: 'technician', exitCode: null }]);
    expect(s.notes.at(-1)).toEqual({ actor: 'sam', action: 'shell.closed', target: 'dev-1', detail: { channel, reason: 'technician', exitCode: null, durationMs: 1500 } });
  });

  it('the shell exits on the agent: the console gets its code; the agent is not told to close it', () => {
    const s = setup();
    const channel = openChannel(s);
    const sentToAgent = s.agent.ws.sent.length;
    s.relay.fromAgent(s.agent, { t: 'shell.closed', channel, reason: 'exit', exitCode: 3 });
    expect(last(s.tech.ws)).toEqual({ t: 'shell.closed', channel, reason: 'exit', exitCode: 3 });
    expect(s.agent.ws.sent.length).toBe(sentToAgent);
  });

  it('an agent gone ends its channels (still waiting or open) as agent-offline, detached ones included', () => {
    const s = setup();
    const open = openChannel(s, 'a');
    s.relay.openShell(s.tech, request('b'));
    s.relay.agentGone(s.agent);
    expect(s.tech.ws.messages().filter((m) => m.t === 'shell.closed').map((m) => [m.channel, m.reason])).toEqual([[open, 'agent-offline'], [2, 'agent-offline']]);
    expect(s.relay.size).toBe(0);

    const again = setup();
    openChannel(again);
    again.relay.consoleGone(again.tech);
    again.relay.agentGone(again.agent);
    expect(again.relay.size).toBe(0);
    // The grace timer was cleared: nothing more is sent later.
    const sent = again.agent.ws.sent.length;
    vi.advanceTimersByTime(GRACE_MS * 2);
    expect(again.agent.ws.sent.length).toBe(sent);
  });

  it('a console gone while the person is still asked withdraws the request at once', () => {
    const s = setup();
    s.relay.openShell(s.tech, request());
    s.relay.consoleGone(s.tech);
    expect(last(s.agent.ws)).toEqual({ t: 'shell.close', channel: 1, reason: 'console-gone' });
    expect(s.relay.size).toBe(0);
  });

  it('a refusal is not audited as a shell that closed (it never opened)', () => {
    const s = setup();
    s.relay.openShell(s.tech, request());
    s.relay.fromAgent(s.agent, { t: 'shell.consent', channel: 1, decision: 'declined' });
    expect(s.notes.map((n) => n.action)).toEqual(['consent.asked', 'consent.answered']);
  });
});

describe('recording', () => {
  /** A recorder that notes what the relay hands it. */
  function recorder() {
    const seen: { starts: ShellStart[]; output: string[]; resizes: string[]; closes: string[] } = { starts: [], output: [], resizes: [], closes: [] };
    const fake = {
      recording: true,
      opened(start: ShellStart): ShellLog {
        seen.starts.push(start);
        return {
          recordingId: 'rec-1',
          output: (payload: Uint8Array) => void seen.output.push(Buffer.from(payload).toString()),
          resize: (cols: number, rows: number) => void seen.resizes.push(`${cols}x${rows}`),
          close: async (reason: string, exitCode: number | null) => void seen.closes.push(`${reason}:${exitCode}`),
        } as unknown as ShellLog;
      },
    } as unknown as ShellRecorder;
    return { fake, seen };
  }

  it('asks with recorded: true, records the output (not the keystrokes) from the opening with the latest size, the resizes, and the end once', () => {
    const s = setup();
    const r = recorder();
    const relay = new Relay({ note: () => undefined } as unknown as AuditLog, s.agents, r.fake);
    relay.openShell(s.tech, request());
    expect(last(s.agent.ws)).toMatchObject({ t: 'shell.open', recorded: true });
    relay.resize(s.tech, { channel: 1, cols: 100, rows: 30 });
    relay.fromAgent(s.agent, { t: 'shell.consent', channel: 1, decision: 'granted' });
    relay.fromAgent(s.agent, { t: 'shell.opened', channel: 1, mode: 'pty', user: 'pat', shell: '/bin/bash' });
    expect(r.seen.starts).toEqual([
      { deviceId: 'dev-1', channel: 1, sessionId: 's-1', technician: 'sam', technicianLanguage: null, cols: 100, rows: 30, shell: '/bin/bash', user: 'pat' },
    ]);
    relay.agentBinary(s.agent, Buffer.from(encodeData(1, Buffer.from('hello'))));
    relay.consoleBinary(s.tech, Buffer.from(encodeData(1, Buffer.from('secret\r'))));
    relay.agentBinary(s.agent, Buffer.from(encodeAck(1, 5)));
    relay.resize(s.tech, { channel: 1, cols: 90, rows: 20 });
    relay.closeByConsole(s.tech, 1);
    relay.fromAgent(s.agent, { t: 'shell.closed', channel: 1, reason: 'exit', exitCode: 0 });
    expect(r.seen.output).toEqual(['hello']);
    expect(r.seen.resizes).toEqual(['90x20']);
    expect(r.seen.closes).toEqual(['technician:null']);
  });

  it('a refused shell starts no recording', () => {
    const s = setup();
    const r = recorder();
    const relay = new Relay({ note: () => undefined } as unknown as AuditLog, s.agents, r.fake);
    relay.openShell(s.tech, request());
    relay.fromAgent(s.agent, { t: 'shell.consent', channel: 1, decision: 'declined' });
    expect(r.seen.starts).toEqual([]);
  });
});

describe('a shell outlives its page', () => {
  const ackCredits = (ws: FakeWebSocket) => ws.frames().filter((f) => f[0] === 2).map((f) => f.readUInt32BE(FRAME_HEADER_BYTES));
  const output = (channel: number, text: string) => Buffer.from(encodeData(channel, Buffer.from(text)));

  it('a console gone leaves the shell open for the grace period, then ends it as console-gone on both sides', () => {
    const s = setup();
    const channel = openChannel(s);
    const sentToAgent = s.agent.ws.messages().length;
    s.relay.consoleGone(s.tech);
    expect(s.agent.ws.messages().length).toBe(sentToAgent);
    expect(s.relay.size).toBe(1);
    expect(s.tech.channels.size).toBe(0);
    expect(s.notes.at(-1)).toMatchObject({ actor: 'sam', action: 'shell.detached', target: 'dev-1', detail: { channel, graceMs: GRACE_MS } });
    vi.advanceTimersByTime(GRACE_MS - 1);
    expect(s.relay.size).toBe(1);
    vi.advanceTimersByTime(1);
    expect(last(s.agent.ws)).toEqual({ t: 'shell.close', channel, reason: 'console-gone' });
    expect(s.relay.size).toBe(0);
    expect(s.notes.at(-1)).toMatchObject({ action: 'shell.closed', detail: { channel, reason: 'console-gone' } });
  });

  it('shell.detach does the same for one channel; a request still waiting for consent is withdrawn instead', () => {
    const s = setup();
    const channel = openChannel(s, 'a');
    s.relay.openShell(s.tech, request('b'));
    s.relay.detach(s.tech, channel);
    s.relay.detach(s.tech, 2);
    expect(s.agent.ws.messages().filter((m) => m.t === 'shell.close')).toEqual([{ t: 'shell.close', channel: 2, reason: 'console-gone' }]);
    expect(s.relay.size).toBe(1);
    // Another technician's console cannot detach (or end) it.
    const other = consoleLink(COLLEAGUE);
    s.relay.closeByConsole(other, channel);
    expect(s.relay.size).toBe(1);
  });

  it('while detached, the relay grants the agent credit for what it keeps, and what the console never acknowledged', () => {
    const s = setup();
    const channel = openChannel(s);
    s.relay.agentBinary(s.agent, output(channel, 'x'.repeat(100)));
    s.relay.consoleBinary(s.tech, Buffer.from(encodeAck(channel, 40)));
    expect(ackCredits(s.agent.ws)).toEqual([40]);
    s.relay.consoleGone(s.tech);
    expect(ackCredits(s.agent.ws)).toEqual([40, 60]);
    s.relay.agentBinary(s.agent, output(channel, 'y'.repeat(7)));
    expect(ackCredits(s.agent.ws)).toEqual([40, 60, 7]);
    expect(s.tech.ws.frames()).toHaveLength(1);
  });

  it('the same technician lists and reattaches: scrollback first, then live output; replay acknowledgements stop at the relay', () => {
    const s = setup();
    const channel = openChannel(s);
    s.relay.agentBinary(s.agent, output(channel, 'before '));
    s.relay.consoleGone(s.tech);
    s.relay.agentBinary(s.agent, output(channel, 'while away'));
    const back = consoleLink();
    s.relay.listShells(back, { requestId: 'l1', deviceId: 'dev-1' });
    expect(last(back.ws)).toEqual({
      t: 'shell.live', requestId: 'l1', deviceId: 'dev-1',
      shells: [{ channel, mode: 'pty', user: 'pat', shell: '/bin/bash', technician: { username: 'sam', name: 'Sam Lee' }, openedAt: expect.any(Number), attached: false }],
    });
    s.relay.attach(back, { requestId: 'a1', channel, cols: 100, rows: 30 });
    expect(back.ws.messages().at(-1)).toEqual({
      t: 'shell.attached', requestId: 'a1', channel, deviceId: 'dev-1', mode: 'pty', user: 'pat', shell: '/bin/bash', window: LIMITS.initialWindowBytes, scrollbackBytes: 17,
    });
    expect(Buffer.concat(back.ws.frames().map((f) => f.subarray(FRAME_HEADER_BYTES))).toString()).toBe('before while away');
    expect(last(s.agent.ws)).toEqual({ t: 'shell.resize', channel, cols: 100, rows: 30 });
    expect(s.notes.at(-1)).toMatchObject({ actor: 'sam', action: 'shell.attached', detail: { channel, scrollbackBytes: 17 } });
    // The grace timer stopped.
    vi.advanceTimersByTime(GRACE_MS * 2);
    expect(s.relay.size).toBe(1);

    const creditsBefore = ackCredits(s.agent.ws).length;
    s.relay.agentBinary(s.agent, output(channel, 'live!'));
    expect(back.ws.frames().at(-1)).toEqual(output(channel, 'live!'));
    // The console acknowledges the 17 replayed bytes, then the 5 live ones: only those reach the agent.
    s.relay.consoleBinary(back, Buffer.from(encodeAck(channel, 10)));
    s.relay.consoleBinary(back, Buffer.from(encodeAck(channel, 12)));
    expect(ackCredits(s.agent.ws).slice(creditsBefore)).toEqual([5]);
    // Keystrokes flow from the new console.
    s.relay.consoleBinary(back, output(channel, 'ls\r'));
    expect(s.agent.ws.frames().at(-1)).toEqual(output(channel, 'ls\r'));
  });

  it('keeps only the last bytes of output, whatever was produced while away', () => {
    const s = setup({ scrollbackBytes: 1024 });
    const channel = openChannel(s);
    s.relay.consoleGone(s.tech);
    for (let i = 0; i < 50; i++) s.relay.agentBinary(s.agent, output(channel, String(i % 10).repeat(100)));
    const back = consoleLink();
    s.relay.attach(back, { requestId: 'a1', channel, cols: 80, rows: 24 });
    const replay = Buffer.concat(back.ws.frames().map((f) => f.subarray(FRAME_HEADER_BYTES))).toString();
    expect(replay).toHaveLength(1024);
    expect(replay.endsWith('9'.repeat(100))).toBe(true);
    expect(back.ws.messages().at(-1)).toMatchObject({ t: 'shell.attached', scrollbackBytes: 1024 });
  });

  it('another technician, an admin too, neither lists nor drives the shell; the holder\'s other tab takes it and the first is told', () => {
    const s = setup();
    const channel = openChannel(s);
    for (const other of [consoleLink(COLLEAGUE), consoleLink(ADMIN)]) {
      s.relay.listShells(other, { requestId: 'l1', deviceId: 'dev-1' });
      expect(last(other.ws)).toMatchObject({ t: 'shell.live', shells: [] });
      s.relay.attach(other, { requestId: 'a1', channel, cols: 80, rows: 24 });
      expect(last(other.ws)).toMatchObject({ t: 'error', code: 'PROTO_ERR_UNKNOWN_CHANNEL', requestId: 'a1' });
    }
    const secondTab = consoleLink();
    s.relay.listShells(secondTab, { requestId: 'l2', deviceId: 'dev-1' });
    expect(last(secondTab.ws)).toMatchObject({ t: 'shell.live', shells: [{ channel, attached: true }] });
    s.relay.attach(secondTab, { requestId: 'a2', channel, cols: 80, rows: 24 });
    expect(last(s.tech.ws)).toEqual({ t: 'shell.detached', channel });
    expect(s.tech.channels.size).toBe(0);
    expect(secondTab.channels.has(channel)).toBe(true);
    // The first tab's keystrokes no longer reach the shell; its going away changes nothing.
    s.relay.consoleBinary(s.tech, output(channel, 'x'));
    s.relay.consoleGone(s.tech);
    expect(s.agent.ws.frames().filter((f) => f[0] === 1)).toEqual([]);
    vi.advanceTimersByTime(GRACE_MS * 2);
    expect(s.relay.size).toBe(1);
  });

  it('a detached shell can be ended by its technician without attaching', () => {
    const s = setup();
    const channel = openChannel(s);
    s.relay.consoleGone(s.tech);
    const back = consoleLink();
    s.relay.closeByConsole(back, channel);
    expect(last(s.agent.ws)).toEqual({ t: 'shell.close', channel, reason: 'technician' });
    expect(s.relay.size).toBe(0);
  });
});
