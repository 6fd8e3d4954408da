/**
 * Node links and the routing on each side of them, on fake sockets: frames tagged with
 * their device arrive whole; on the holder node, an agent's answers on another node's
 * channels go to that node, reading pauses while a link has too much queued, and what a
 * closed link had open is closed on the agent; on the other node, a remote device is
 * reached through a RemoteAgentLink that ends when the presence moves or the link closes.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { FrameKind, LIMITS, encodeAck, encodeData, type ControllerToAgent } from '../../protocol/index.js';
import { shellChannels } from '../../controller/server/cluster/channel-slots.js';
import { ClusterAgentLinks } from '../../controller/server/cluster/cluster-agent-links.js';
import { HeldAgents } from '../../controller/server/cluster/held-agents.js';
import { FRAMING_HANDSHAKE, FrameDirection, NodeLink, framingOf, type NodeFraming, type NodeLinkHandlers, type NodeMessage } from '../../controller/server/cluster/node-link.js';
import { ClusterPresence } from '../../controller/server/cluster/presence.js';
import { quietLog } from '../../controller/server/observability/logger.js';
import { AgentLinks } from '../../controller/server/relay/agent-links.js';
import type { AgentLink } from '../../controller/server/relay/links.js';
import { FakeClusterStore } from '../helpers/fake-cluster-store.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';

interface Heard {
  messages: NodeMessage[];
  frames: Array<{ direction: FrameDirection; deviceId: string; frame: Buffer }>;
  closed: number;
}

function nodeLink(peerNode: string, framing: NodeFraming = 'tagged'): { link: NodeLink; ws: FakeWebSocket; heard: Heard } {
  const ws = new FakeWebSocket();
  const heard: Heard = { messages: [], frames: [], closed: 0 };
  const handlers: NodeLinkHandlers = {
    message: (_l, message) => heard.messages.push(message),
    frame: (_l, direction, deviceId, frame) => heard.frames.push({ direction, deviceId, frame: Buffer.from(frame) }),
    closed: () => heard.closed++,
  };
  return { link: new NodeLink(ws as unknown as WebSocket, peerNode, handlers, quietLog, framing), ws, heard };
}

/** A local agent link on a fake socket (what the hub makes), with what was sent to it. */
function localAgent(deviceId: string): { link: AgentLink; ws: FakeWebSocket; sent: ControllerToAgent[]; frames: Buffer[]; setPending(bytes: number): void } {
  const ws = new FakeWebSocket();
  const sent: ControllerToAgent[] = [];
  const frames: Buffer[] = [];
  let pending = 0;
  const drained: Array<() => void> = [];
  const peer = {
    ws, closed: false, logger: quietLog,
    get pendingBytes() {
      return pending;
    },
    send: (m: ControllerToAgent) => (sent.push(m), true),
    sendBinary: (f: Buffer) => void frames.push(Buffer.from(f)),
    whenDrained: (cb: () => void) => void (pending <= LIMITS.relayHighWaterBytes / 2 ? cb() : drained.push(cb)),
    sendError: () => undefined, violation: () => undefined, fail: () => undefined, close: () => undefined,
  };
  return {
    link: { peer: peer as unknown as AgentLink['peer'], deviceId, sessionId: 'sess-1', channels: new Set() }, ws, sent, frames,
    setPending: (bytes) => {
      pending = bytes;
      if (pending <= LIMITS.relayHighWaterBytes / 2) for (const cb of drained.splice(0)) cb();
    },
  };
}

describe('a node link', () => {
  it('carries frames tagged with their device, whole, and checked control messages; drops what is malformed', () => {
    const a = nodeLink('node-b');
    const b = nodeLink('node-a');
    const frame = Buffer.from(encodeData(42, Buffer.from('hello bytes')));
    a.link.sendFrame(FrameDirection.toAgent, 'dev-1', frame);
    a.link.sendToAgent('dev-1', { t: 'shell.resize', channel: 42, cols: 80, rows: 24 });
    for (const sent of a.ws.sent) (sent.binary ? b.ws.receiveBinary(sent.data as Buffer) : b.ws.receiveText(String(sent.data)));
    expect(b.heard.frames).toEqual([{ direction: FrameDirection.toAgent, deviceId: 'dev-1', frame }]);
    expect(b.heard.messages).toEqual([{ t: 'to-agent', deviceId: 'dev-1', message: { t: 'shell.resize', channel: 42, cols: 80, rows: 24 } }]);

    b.ws.receiveText({ t: 'to-agent', deviceId: 'dev-1', message: { t: 'shell.open' } });
    b.ws.receiveText('not json');
    b.ws.receiveBinary(Buffer.from([9, 1, 65, 0, 0, 0, 0, 0]));
    b.ws.receiveBinary(Buffer.from([1, 200, 65]));
    expect(b.heard.messages).toHaveLength(1);
    expect(b.heard.frames).toHaveLength(1);
  });

  it('routed: frames cross as they came, a route message only when the device or direction changes', () => {
    const a = nodeLink('node-b', 'routed');
    const b = nodeLink('node-a', 'routed');
    const frames = [1, 2, 3, 4, 5].map((n) => Buffer.from(encodeData(40 + n, Buffer.from(`bytes ${n}`))));
    const plan: Array<[FrameDirection, string]> = [[FrameDirection.toAgent, 'dev-1'], [FrameDirection.toAgent, 'dev-1'], [FrameDirection.fromAgent, 'dev-1'], [FrameDirection.fromAgent, 'dev-é2'], [FrameDirection.fromAgent, 'dev-é2']];
    plan.forEach(([direction, deviceId], i) => a.link.sendFrame(direction, deviceId, frames[i] as Buffer));
    a.link.sendToAgent('dev-1', { t: 'shell.resize', channel: 42, cols: 80, rows: 24 });
    // Three routes (dev-1 to the agent, dev-1 from it, dev-é2 from it), and each frame byte for byte as given.
    expect(a.ws.sent.filter((m) => m.binary)).toHaveLength(3 + frames.length);
    expect(a.ws.sent.filter((m) => m.binary && frames.some((f) => f.equals(m.data as Buffer)))).toHaveLength(frames.length);
    for (const sent of a.ws.sent) (sent.binary ? b.ws.receiveBinary(sent.data as Buffer) : b.ws.receiveText(String(sent.data)));
    expect(b.heard.frames).toEqual(plan.map(([direction, deviceId], i) => ({ direction, deviceId, frame: frames[i] })));
    expect(b.heard.messages).toHaveLength(1);
  });

  it('routed: drops a frame before any route, and a route that is not one', () => {
    const b = nodeLink('node-a', 'routed');
    const frame = Buffer.from(encodeData(7, Buffer.from('x')));
    b.ws.receiveBinary(frame);
    b.ws.receiveBinary(Buffer.from([0xff, 9, 1, 65]));
    b.ws.receiveBinary(Buffer.from([0xff, 1, 3, 65]));
    b.ws.receiveBinary(Buffer.from([0xff, 1, 0]));
    b.ws.receiveBinary(frame);
    expect(b.heard.frames).toEqual([]);
    b.ws.receiveBinary(Buffer.from([0xff, 2, 1, 65]));
    b.ws.receiveBinary(Buffer.from([1, 0, 0]));
    b.ws.receiveBinary(frame);
    expect(b.heard.frames).toEqual([{ direction: FrameDirection.fromAgent, deviceId: 'A', frame }]);
  });

  it('frames sent while the link opens wait, then go in the framing the answer agreed', () => {
    const a = nodeLink('node-b');
    const ws = a.ws as unknown as { CONNECTING: number; readyState: number };
    ws.CONNECTING = 0;
    ws.readyState = 0;
    const frame = Buffer.from(encodeData(9, Buffer.from('early')));
    a.link.sendFrame(FrameDirection.toAgent, 'dev-1', frame);
    a.link.sendToAgent('dev-1', { t: 'shell.resize', channel: 9, cols: 80, rows: 24 });
    expect(a.ws.sent).toHaveLength(0);
    expect(a.link.pendingBytes).toBeGreaterThan(frame.byteLength);
    a.link.agree(framingOf({ ...FRAMING_HANDSHAKE }));
    ws.readyState = 1;
    a.ws.emit('open');
    const b = nodeLink('node-a', 'routed');
    for (const sent of a.ws.sent) (sent.binary ? b.ws.receiveBinary(sent.data as Buffer) : b.ws.receiveText(String(sent.data)));
    expect(b.heard.frames).toEqual([{ direction: FrameDirection.toAgent, deviceId: 'dev-1', frame }]);
    expect(b.heard.messages).toHaveLength(1);
    // A node that does not announce it (an earlier version) gets tagged frames.
    expect(framingOf({})).toBe('tagged');
  });

  it('counts bytes queued until written, and says when they drained', () => {
    const a = nodeLink('node-b');
    const big = Buffer.alloc(LIMITS.relayHighWaterBytes + 10);
    a.link.sendFrame(FrameDirection.fromAgent, 'dev-1', big);
    expect(a.link.pendingBytes).toBeGreaterThan(LIMITS.relayHighWaterBytes);
    let drained = false;
    a.link.whenDrained(() => (drained = true));
    expect(drained).toBe(false);
    a.ws.flush();
    expect(a.link.pendingBytes).toBe(0);
    expect(drained).toBe(true);
  });
});

describe('on the node holding the agent', () => {
  function setup() {
    const links = new AgentLinks();
    const agent = localAgent('dev-1');
    links.add(agent.link);
    const toA = nodeLink('node-a');
    // This node has slot 1; node-a numbers its channels in slot 0.
    const held = new HeldAgents({
      links, nodeLinks: { to: (node) => (node === 'node-a' ? toA.link : null), existing: (node) => (node === 'node-a' ? toA.link : null) },
      slot: () => 1, nodeWithSlot: (slot) => (slot === 0 ? 'node-a' : null), log: quietLog,
    });
    return { held, agent, toA };
  }
  const aChannel = shellChannels(0).first + 4;
  const ownChannel = shellChannels(1).first;
  const goneChannel = shellChannels(5).first;

  it('hands another node\'s messages and frames to the agent, and sends the agent\'s answers on that node\'s channels back', () => {
    const { held, agent, toA } = setup();
    held.toAgent(toA.link, 'dev-1', { t: 'shell.open', channel: aChannel, cols: 80, rows: 24, requestedBy: { username: 'sam', name: 'Sam' }, window: 1 << 20, recorded: true });
    held.toAgentFrame(toA.link, 'dev-1', Buffer.from(encodeAck(aChannel, 100)));
    expect(agent.sent.map((m) => m.t)).toEqual(['shell.open']);
    expect(agent.frames).toHaveLength(1);

    expect(held.fromAgent(agent.link, { t: 'shell.opened', channel: aChannel, mode: 'pty', user: 'u', shell: 'bash' })).toBe(true);
    expect(held.fromAgent(agent.link, { t: 'shell.opened', channel: ownChannel, mode: 'pty', user: 'u', shell: 'bash' })).toBe(false);
    expect(held.fromAgent(agent.link, { t: 'device.summary', summary: {} as never })).toBe(false);
    // A channel of a node that is gone: taken (not this node's), sent nowhere.
    expect(held.fromAgent(agent.link, { t: 'shell.closed', channel: goneChannel, reason: 'exit', exitCode: 0 })).toBe(true);
    expect(held.fromAgentFrame(agent.link, Buffer.from(encodeData(aChannel, Buffer.from('out'))))).toBe(true);
    expect(held.fromAgentFrame(agent.link, Buffer.from(encodeData(ownChannel, Buffer.from('mine'))))).toBe(false);
    const sentToA = toA.ws.messages();
    expect(sentToA).toEqual([{ t: 'from-agent', deviceId: 'dev-1', message: { t: 'shell.opened', channel: aChannel, mode: 'pty', user: 'u', shell: 'bash' } }]);
    expect(toA.ws.sent.filter((s) => s.binary)).toHaveLength(1);
  });

  it('stops reading from the agent while the link to the other node has too much queued', () => {
    const { held, agent, toA } = setup();
    const chunk = Buffer.from(encodeData(aChannel, Buffer.alloc(LIMITS.maxChunkBytes)));
    while (toA.link.pendingBytes <= LIMITS.relayHighWaterBytes) held.fromAgentFrame(agent.link, chunk);
    expect(agent.ws.isPaused).toBe(true);
    toA.ws.flush();
    expect(agent.ws.isPaused).toBe(false);
  });

  it('stops reading from the link while the agent has too much queued', () => {
    const { held, agent, toA } = setup();
    agent.setPending(LIMITS.relayHighWaterBytes + 1);
    held.toAgentFrame(toA.link, 'dev-1', Buffer.from(encodeData(aChannel, Buffer.from('x'))));
    expect(toA.ws.isPaused).toBe(true);
    agent.setPending(0);
    expect(toA.ws.isPaused).toBe(false);
  });

  it('closes on the agent what a node had open when its link closes, and tells the node when the agent goes', () => {
    const { held, agent, toA } = setup();
    held.toAgent(toA.link, 'dev-1', { t: 'shell.open', channel: aChannel, cols: 80, rows: 24, requestedBy: { username: 'sam', name: 'Sam' }, window: 1 << 20, recorded: true });
    held.agentGone(agent.link);
    expect(toA.ws.messages()).toEqual([{ t: 'agent-gone', deviceId: 'dev-1' }]);
    held.toAgent(toA.link, 'dev-1', { t: 'shell.open', channel: aChannel + 1, cols: 80, rows: 24, requestedBy: { username: 'sam', name: 'Sam' }, window: 1 << 20, recorded: true });
    held.linkClosed(toA.link);
    expect(agent.sent.filter((m) => m.t === 'shell.close')).toEqual([{ t: 'shell.close', channel: aChannel + 1, reason: 'console-gone' }]);
  });
});

describe('on the node of the console', () => {
  it('reaches a device another node holds through a remote link, which ends when the device moves or the link closes', () => {
    const store = new FakeClusterStore();
    const presence = new ClusterPresence(store, { publish: () => undefined }, 'node-a', quietLog);
    const toB = nodeLink('node-b');
    const links = new ClusterAgentLinks(new AgentLinks(), presence, { to: (node) => (node === 'node-b' ? toB.link : null) }, quietLog);
    const gone: string[] = [];
    const frames: Buffer[] = [];
    links.onRemote({ message: () => undefined, frame: (_l, f) => void frames.push(f), gone: (l) => void gone.push(l.deviceId) });

    expect(links.get('dev-1')).toBeUndefined();
    presence.apply({ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-b', sessionId: 'sess-1', consentTimeoutMs: 30_000, since: 1 } }, 'node-b');
    const remote = links.get('dev-1')!;
    expect(remote).toMatchObject({ deviceId: 'dev-1', sessionId: 'sess-1', consentTimeoutMs: 30_000 });
    expect(links.get('dev-1')).toBe(remote);
    expect(links.isOnline('dev-1')).toBe(true);
    expect(links.send('dev-1', { t: 'shell.close', channel: 7, reason: 'technician' })).toBe(true);
    remote.peer.sendBinary(Buffer.from(encodeAck(7, 10)));
    expect(toB.ws.messages()).toEqual([{ t: 'to-agent', deviceId: 'dev-1', message: { t: 'shell.close', channel: 7, reason: 'technician' } }]);
    expect((toB.ws.sent.find((s) => s.binary)!.data as Buffer)[2 + 'dev-1'.length]).toBe(FrameKind.ack);
    links.fromAgentFrame('dev-1', Buffer.from(encodeData(7, Buffer.from('x'))));
    expect(frames).toHaveLength(1);

    // The device moved to node C: this link ends (the relay hears "gone").
    presence.apply({ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-c', sessionId: 'sess-1', since: 2 } }, 'node-c');
    expect(gone).toEqual(['dev-1']);
    expect(remote.peer.closed).toBe(true);

    // Back on B; the link to B closes: gone again.
    presence.apply({ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-b', sessionId: 'sess-1', since: 3 } }, 'node-b');
    expect(links.get('dev-1')).toBeDefined();
    links.linkClosed(toB.link);
    expect(gone).toEqual(['dev-1', 'dev-1']);
  });
});
