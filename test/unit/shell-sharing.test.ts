/**
 * Two technicians on one shell, on fakes: the seats' state machine (holder, driver,
 * observers, one take-over at a time), and the relay around it — an observer gets
 * the scrollback and live output at its own pace without pacing the shell, its
 * keystrokes and resizes are refused, the agent and every console following the
 * device are told who is on it, and the keyboard changes hands only on the agent's
 * report of the person's yes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, AuditLog } from '../../controller/server/audit/audit.js';
import { PeerSocket } from '../../controller/server/hubs/peer-socket.js';
import type { AgentLink, ConsoleLink } from '../../controller/server/relay/links.js';
import { OutputRing } from '../../controller/server/relay/output-ring.js';
import { ObserverFeed } from '../../controller/server/relay/observer-feed.js';
import { Relay } from '../../controller/server/relay/relay.js';
import { ShellSeats } from '../../controller/server/relay/shell-seats.js';
import { FRAME_HEADER_BYTES, FrameKind, LIMITS, MAX_OBSERVERS_PER_SHELL, agentToController, consoleToController, encodeAck, encodeData } from '../../protocol/index.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

const SAM = { id: 1, username: 'sam', name: 'Sam Lee', role: 'l1' } as const;
const KIM = { id: 2, username: 'kim', name: 'Kim Roy', role: 'l1' } as const;
const ADMIN = { id: 3, username: 'admin', name: 'Administrator', role: 'admin' } as const;
const person = (a: { username: string; name: string }) => ({ username: a.username, name: a.name });

describe('the seats of one shell', () => {
  it('observers come and go, one take-over waits at a time, and yes swaps the driver into an observer', () => {
    const seats = new ShellSeats<string>(person(SAM), 'sam-tab', 2);
    expect(seats.observe('kim-tab', person(KIM))).toBe('observer');
    expect(seats.observe('kim-tab', person(KIM))).toBe('already');
    expect(seats.observe('admin-tab', person(ADMIN))).toBe('observer');
    expect(seats.observe('third', { username: 'lou', name: 'Lou' })).toBe('full');
    expect(seats.view()).toEqual({ holder: person(SAM), holderHere: true, observers: [person(KIM), person(ADMIN)] });

    expect(seats.ask('sam-tab', 'r0', 't0')).toBe('not-observer');
    expect(seats.ask('kim-tab', 'r1', 't1')).toBe('asked');
    expect(seats.ask('admin-tab', 'r2', 't2')).toBe('pending');
    // A late or forged answer for another request changes nothing.
    expect(seats.answer('t-old', 'granted')).toEqual({ kind: 'stale' });
    expect(seats.answer('t1', 'granted')).toMatchObject({ kind: 'granted', previous: 'sam-tab', takeover: { by: 'kim-tab', requestId: 'r1' } });
    expect(seats.holder).toEqual(person(KIM));
    expect(seats.roleOf('kim-tab')).toBe('driver');
    expect(seats.roleOf('sam-tab')).toBe('observer');
    expect(seats.view().observers).toEqual([person(ADMIN), person(SAM)]);
    // Answered once: the same answer again is stale.
    expect(seats.answer('t1', 'granted')).toEqual({ kind: 'stale' });
  });

  it('no leaves everything as it was; a requester who leaves withdraws its request', () => {
    const seats = new ShellSeats<string>(person(SAM), 'sam-tab');
    seats.observe('kim-tab', person(KIM));
    seats.ask('kim-tab', 'r1', 't1');
    expect(seats.answer('t1', 'declined')).toMatchObject({ kind: 'refused', decision: 'declined' });
    expect(seats.view()).toEqual({ holder: person(SAM), holderHere: true, observers: [person(KIM)] });
    seats.ask('kim-tab', 'r2', 't2');
    expect(seats.leave('kim-tab')).toMatchObject({ was: 'observer', withdrawn: { ticket: 't2' } });
    expect(seats.takeover).toBeNull();
    expect(seats.answer('t2', 'granted')).toEqual({ kind: 'stale' });
  });

  it('a yes for an observer who left meanwhile hands nothing over', () => {
    const seats = new ShellSeats<string>(person(SAM), null);
    seats.observe('kim-tab', person(KIM));
    seats.ask('kim-tab', 'r1', 't1');
    seats.leave('kim-tab');
    expect(seats.answer('t1', 'granted')).toEqual({ kind: 'stale' });
    expect(seats.holder).toEqual(person(SAM));
  });
});

describe('an observer feed', () => {
  const socket = () => {
    const sent: Buffer[] = [];
    let drained: (() => void) | null = null;
    return {
      sent, pendingBytes: 0, closed: false,
      sendBinary: (frame: Buffer) => void sent.push(frame),
      whenDrained: (callback: () => void) => void (drained = callback),
      drain: () => drained?.(),
      text: () => Buffer.concat(sent.map((f) => f.subarray(FRAME_HEADER_BYTES))).toString(),
    };
  };

  it('sends the scrollback then live output, waits for acknowledgements past its window, and skips what the ring lost', () => {
    const ring = new OutputRing(100);
    ring.push(Buffer.from('0123456789'));
    const s = socket();
    const skipped: number[] = [];
    const feed = new ObserverFeed(7, ring, s, (n) => skipped.push(n), { windowBytes: 64 * 1024 });
    feed.pump();
    expect(s.text()).toBe('0123456789');
    ring.push(Buffer.from('abc'));
    feed.pump();
    expect(s.text()).toBe('0123456789abc');
    expect(feed.unacked).toBe(13);
    feed.ack(1000);
    expect(feed.unacked).toBe(0);
  });

  it('a slow observer never slows the ring and learns how much it missed', () => {
    const ring = new OutputRing(LIMITS.maxChunkBytes);
    const s = socket();
    const skipped: number[] = [];
    const feed = new ObserverFeed(7, ring, s, (n) => skipped.push(n), { windowBytes: LIMITS.maxChunkBytes });
    ring.push(Buffer.alloc(LIMITS.maxChunkBytes, 0x61));
    feed.pump();
    expect(feed.unacked).toBe(LIMITS.maxChunkBytes);
    // No acknowledgement: the window is spent, output goes on into the ring only.
    for (let i = 0; i < 3; i++) {
      ring.push(Buffer.alloc(LIMITS.maxChunkBytes / 2, 0x62 + i));
      feed.pump();
    }
    expect(s.sent).toHaveLength(1);
    expect(feed.behind).toBe(LIMITS.maxChunkBytes * 1.5);
    feed.ack(LIMITS.maxChunkBytes);
    expect(skipped).toEqual([LIMITS.maxChunkBytes / 2]);
    expect(feed.behind).toBe(0);
    expect(s.sent.at(-1)!.subarray(FRAME_HEADER_BYTES).toString()).toBe('c'.repeat(LIMITS.maxChunkBytes / 2) + 'd'.repeat(LIMITS.maxChunkBytes / 2));
  });

  it('waits while its socket is backed up, then goes on', () => {
    const ring = new OutputRing(1024);
    const s = socket();
    const feed = new ObserverFeed(7, ring, s, () => undefined, { highWaterBytes: 10 });
    s.pendingBytes = 11;
    ring.push(Buffer.from('hello'));
    feed.pump();
    expect(s.sent).toHaveLength(0);
    s.pendingBytes = 0;
    s.drain();
    expect(s.text()).toBe('hello');
  });
});

function agentLink(): AgentLink & { ws: FakeWebSocket } {
  const ws = new FakeWebSocket();
  return { ws, peer: new PeerSocket(ws.asWebSocket, agentToController, '127.0.0.1', 'agent'), deviceId: 'dev-1', sessionId: 's-1', channels: new Set(), consentTimeoutMs: 60_000 };
}

function consoleLink(account: ConsoleLink['account']): ConsoleLink & { ws: FakeWebSocket } {
  const ws = new FakeWebSocket();
  return { ws, peer: new PeerSocket(ws.asWebSocket, consoleToController, '127.0.0.1', 'console'), account, channels: new Set() };
}

function setup() {
  const notes: AuditEntry[] = [];
  const audit = { note: (entry: AuditEntry) => void notes.push(entry) } as unknown as AuditLog;
  const agent = agentLink();
  const relay = new Relay(audit, new Map([[agent.deviceId, agent]]), null, { graceMs: 120_000 });
  const sam = consoleLink(SAM);
  const kim = consoleLink(KIM);
  relay.openShell(sam, { requestId: 'r1', deviceId: 'dev-1', cols: 100, rows: 30 });
  const channel = 1;
  relay.fromAgent(agent, { t: 'shell.consent', channel, decision: 'granted' });
  relay.fromAgent(agent, { t: 'shell.opened', channel, mode: 'pty', user: 'pat', shell: '/bin/bash' });
  const out = (text: string) => relay.agentBinary(agent, Buffer.from(encodeData(channel, Buffer.from(text))));
  const keys = (from: ConsoleLink, text: string) => relay.consoleBinary(from, Buffer.from(encodeData(channel, Buffer.from(text))));
  const received = (ws: FakeWebSocket) => Buffer.concat(ws.frames().filter((f) => f[0] === FrameKind.data).map((f) => f.subarray(FRAME_HEADER_BYTES))).toString();
  const agentKeys = () => received(agent.ws);
  const ofType = (ws: FakeWebSocket, t: string) => ws.messages().filter((m) => m.t === t);
  return { relay, agent, sam, kim, channel, notes, out, keys, received, agentKeys, ofType };
}

describe('a second technician on a live shell', () => {
  it('watches: scrollback then live output, told to the agent, to the device page and audited', () => {
    const s = setup();
    s.out('before ');
    const page = consoleLink(ADMIN);
    s.relay.watchPresence(page, 'dev-1');
    expect(s.ofType(page.ws, 'device.presence').at(-1)).toMatchObject({ shells: [{ channel: s.channel, holder: person(SAM), holderHere: true, observers: [], cols: 100, rows: 30 }] });

    s.relay.observe(s.kim, { requestId: 'o1', channel: s.channel });
    expect(s.ofType(s.kim.ws, 'shell.attached')).toEqual([expect.objectContaining({ requestId: 'o1', role: 'observer', cols: 100, rows: 30, scrollbackBytes: 7 })]);
    s.out('after');
    expect(s.received(s.kim.ws)).toBe('before after');
    expect(s.received(s.sam.ws)).toBe('before after');
    expect(s.ofType(s.agent.ws, 'shell.viewers').at(-1)).toEqual({ t: 'shell.viewers', channel: s.channel, holder: person(SAM), observers: [person(KIM)] });
    expect(s.ofType(page.ws, 'device.presence').at(-1)).toMatchObject({ shells: [{ holder: person(SAM), observers: [person(KIM)] }] });
    expect(s.notes).toContainEqual(expect.objectContaining({ actor: 'kim', action: 'shell.observe', detail: expect.objectContaining({ phase: 'started', holder: 'sam' }) }));

    // The observer's acknowledgements never reach the agent: only the driver's credit paces the shell.
    const agentFramesBefore = s.agent.ws.frames().length;
    s.relay.consoleBinary(s.kim, Buffer.from(encodeAck(s.channel, 12)));
    expect(s.agent.ws.frames()).toHaveLength(agentFramesBefore);

    s.relay.detach(s.kim, s.channel);
    expect(s.ofType(s.agent.ws, 'shell.viewers').at(-1)).toMatchObject({ observers: [] });
    expect(s.notes.at(-1)).toMatchObject({ actor: 'kim', action: 'shell.observe', detail: { phase: 'stopped' } });
  });

  it('refuses the observer\'s keystrokes and resizes (said once), while the driver types', () => {
    const s = setup();
    s.relay.observe(s.kim, { requestId: 'o1', channel: s.channel });
    s.keys(s.kim, 'rm -rf ~\r');
    s.keys(s.kim, 'again\r');
    s.relay.resize(s.kim, { channel: s.channel, cols: 40, rows: 10 });
    expect(s.agentKeys()).toBe('');
    expect(s.ofType(s.agent.ws, 'shell.resize')).toEqual([]);
    expect(s.ofType(s.kim.ws, 'error').map((m) => m.code)).toEqual(['SHELL_ERR_READ_ONLY', 'SHELL_ERR_READ_ONLY']);
    s.keys(s.sam, 'ls\r');
    expect(s.agentKeys()).toBe('ls\r');
    // Neither may the observer take the shell as its driver.
    s.relay.attach(s.kim, { requestId: 'a1', channel: s.channel, cols: 80, rows: 24 });
    expect(s.ofType(s.kim.ws, 'error').at(-1)).toMatchObject({ code: 'PROTO_ERR_UNKNOWN_CHANNEL' });
    expect(s.ofType(s.sam.ws, 'shell.detached')).toEqual([]);
  });

  it('takes the keyboard on the person\'s yes: roles swap, both are told, the agent and the audit too', () => {
    const s = setup();
    s.relay.observe(s.kim, { requestId: 'o1', channel: s.channel });
    s.relay.takeover(s.kim, { requestId: 'k1', channel: s.channel });
    expect(s.ofType(s.kim.ws, 'shell.takeover.pending')).toEqual([{ t: 'shell.takeover.pending', requestId: 'k1', channel: s.channel, timeoutMs: 60_000 }]);
    const asked = s.ofType(s.agent.ws, 'shell.takeover')[0] as unknown as { requestId: string };
    expect(asked).toMatchObject({ channel: s.channel, requestedBy: person(KIM), holder: person(SAM) });
    // A second request while the person is asked is refused.
    const admin = consoleLink(ADMIN);
    s.relay.observe(admin, { requestId: 'o2', channel: s.channel });
    s.relay.takeover(admin, { requestId: 'k2', channel: s.channel });
    expect(s.ofType(admin.ws, 'error').at(-1)).toMatchObject({ code: 'SHELL_ERR_TAKEOVER_PENDING', requestId: 'k2' });
    // Nothing changes before the answer.
    s.keys(s.kim, 'x');
    expect(s.agentKeys()).toBe('');

    s.relay.fromAgent(s.agent, { t: 'shell.takeover.answer', channel: s.channel, requestId: asked.requestId, decision: 'granted' });
    expect(s.ofType(s.kim.ws, 'shell.takeover.result')).toEqual([{ t: 'shell.takeover.result', requestId: 'k1', channel: s.channel, decision: 'granted' }]);
    expect(s.ofType(s.kim.ws, 'shell.role').at(-1)).toMatchObject({ role: 'driver' });
    expect(s.ofType(s.sam.ws, 'shell.role').at(-1)).toMatchObject({ role: 'observer', holder: person(KIM) });
    s.keys(s.kim, 'whoami\r');
    s.keys(s.sam, 'nope');
    expect(s.agentKeys()).toBe('whoami\r');
    expect(s.ofType(s.sam.ws, 'error').at(-1)).toMatchObject({ code: 'SHELL_ERR_READ_ONLY' });
    s.out('pat\r\n');
    expect(s.received(s.kim.ws)).toBe('pat\r\n');
    expect(s.received(s.sam.ws)).toBe('pat\r\n');
    expect(s.ofType(s.agent.ws, 'shell.viewers').at(-1)).toMatchObject({ holder: person(KIM), observers: [person(ADMIN), person(SAM)] });
    expect(s.notes.filter((n) => n.action === 'shell.takeover').map((n) => (n.detail as { phase: string }).phase)).toEqual(['asked', 'granted']);
    // The former holder may no longer bring the shell back to drive it; the new holder may.
    const samOtherTab = consoleLink(SAM);
    s.relay.attach(samOtherTab, { requestId: 'a1', channel: s.channel, cols: 80, rows: 24 });
    expect(s.ofType(samOtherTab.ws, 'error').at(-1)).toMatchObject({ code: 'PROTO_ERR_UNKNOWN_CHANNEL' });
  });

  it('no (or no answer) keeps everything as it was and tells the one who asked', () => {
    const s = setup();
    s.relay.observe(s.kim, { requestId: 'o1', channel: s.channel });
    for (const decision of ['declined', 'timeout'] as const) {
      s.relay.takeover(s.kim, { requestId: `k-${decision}`, channel: s.channel });
      const asked = s.ofType(s.agent.ws, 'shell.takeover').at(-1) as unknown as { requestId: string };
      s.relay.fromAgent(s.agent, { t: 'shell.takeover.answer', channel: s.channel, requestId: asked.requestId, decision });
      expect(s.ofType(s.kim.ws, 'shell.takeover.result').at(-1)).toEqual({ t: 'shell.takeover.result', requestId: `k-${decision}`, channel: s.channel, decision });
    }
    expect(s.ofType(s.kim.ws, 'shell.role')).toEqual([]);
    s.keys(s.kim, 'x');
    s.keys(s.sam, 'y');
    expect(s.agentKeys()).toBe('y');
    expect(s.notes.filter((n) => n.action === 'shell.takeover').map((n) => (n.detail as { phase: string }).phase)).toEqual(['asked', 'refused', 'asked', 'refused']);
  });

  it('an observer who leaves withdraws its request from the person; a closed shell tells every observer', () => {
    const s = setup();
    s.relay.observe(s.kim, { requestId: 'o1', channel: s.channel });
    s.relay.takeover(s.kim, { requestId: 'k1', channel: s.channel });
    const asked = s.ofType(s.agent.ws, 'shell.takeover').at(-1) as unknown as { requestId: string };
    s.relay.consoleGone(s.kim);
    expect(s.ofType(s.agent.ws, 'shell.takeover.cancel')).toEqual([{ t: 'shell.takeover.cancel', channel: s.channel, requestId: asked.requestId }]);
    // The answer that comes anyway is stale.
    s.relay.fromAgent(s.agent, { t: 'shell.takeover.answer', channel: s.channel, requestId: asked.requestId, decision: 'granted' });
    s.keys(s.sam, 'still mine');
    expect(s.agentKeys()).toBe('still mine');

    const admin = consoleLink(ADMIN);
    s.relay.observe(admin, { requestId: 'o2', channel: s.channel });
    s.relay.fromAgent(s.agent, { t: 'shell.closed', channel: s.channel, reason: 'exit', exitCode: 0 });
    expect(s.ofType(admin.ws, 'shell.closed')).toEqual([{ t: 'shell.closed', channel: s.channel, reason: 'exit', exitCode: 0 }]);
    expect(admin.channels.size).toBe(0);
  });

  it('the holder asking to watch its own shell brings it over instead; a shell has room for a bounded number of observers', () => {
    const s = setup();
    const samOtherTab = consoleLink(SAM);
    s.relay.observe(samOtherTab, { requestId: 'o1', channel: s.channel });
    expect(s.ofType(samOtherTab.ws, 'shell.attached').at(-1)).not.toHaveProperty('role');
    expect(s.ofType(s.sam.ws, 'shell.detached')).toHaveLength(1);
    for (let i = 0; i < MAX_OBSERVERS_PER_SHELL; i++) s.relay.observe(consoleLink({ id: 10 + i, username: `t${i}`, name: `T ${i}`, role: 'l1' }), { requestId: 'o', channel: s.channel });
    const late = consoleLink(KIM);
    s.relay.observe(late, { requestId: 'o9', channel: s.channel });
    expect(s.ofType(late.ws, 'error').at(-1)).toMatchObject({ code: 'SHELL_ERR_TOO_MANY_OBSERVERS', requestId: 'o9' });
  });

  it('a console that follows the device hears each change, and stops when it unwatches or goes', () => {
    const s = setup();
    const page = consoleLink(KIM);
    s.relay.watchPresence(page, 'dev-1');
    s.relay.resize(s.sam, { channel: s.channel, cols: 120, rows: 40 });
    s.relay.observe(s.kim, { requestId: 'o1', channel: s.channel });
    expect(s.ofType(page.ws, 'device.presence').at(-1)).toMatchObject({ shells: [{ cols: 120, rows: 40, observers: [person(KIM)] }] });
    s.relay.consoleGone(s.sam);
    expect(s.ofType(page.ws, 'device.presence').at(-1)).toMatchObject({ shells: [{ holder: person(SAM), holderHere: false }] });
    s.relay.unwatchPresence(page, 'dev-1');
    const count = s.ofType(page.ws, 'device.presence').length;
    s.relay.detach(s.kim, s.channel);
    expect(s.ofType(page.ws, 'device.presence')).toHaveLength(count);
  });
});
