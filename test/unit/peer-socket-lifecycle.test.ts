/** PeerSocket's life on a fake websocket with fake timers: validation, violations, heartbeats, the hello deadline, queued bytes and closing. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerSocket, type PeerHandlers } from '../../controller/server/hubs/peer-socket.js';
import {
  CLOSE_CODES, LIMITS, PROTOCOL_VERSION, consoleToController, type ConsoleToController, type ControllerToConsole,
} from '../../protocol/index.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';

type Peer = PeerSocket<ConsoleToController, ControllerToConsole>;

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function peer(closeGraceMs = 2000): { ws: FakeWebSocket; peer: Peer } {
  const ws = new FakeWebSocket();
  return { ws, peer: new PeerSocket(ws.asWebSocket, consoleToController, '127.0.0.1', 'console', { closeGraceMs }) };
}

function recorder(onMessage: PeerHandlers<ConsoleToController>['onMessage'] = () => undefined) {
  const seen = { messages: [] as ConsoleToController[], binary: [] as Buffer[], closes: [] as number[] };
  const handlers: PeerHandlers<ConsoleToController> = {
    onMessage: (m) => {
      seen.messages.push(m);
      return onMessage(m);
    },
    onBinary: (frame) => void seen.binary.push(frame),
    onClose: (code) => void seen.closes.push(code),
  };
  return { seen, handlers };
}

const errors = (ws: FakeWebSocket) => ws.messages().filter((m) => m.t === 'error').map((m) => m.code);

describe('messages in', () => {
  it('hands valid messages to the handler and binary frames untouched; nothing before attach', () => {
    const { ws, peer: p } = peer();
    const { seen, handlers } = recorder();
    ws.receiveText({ t: 'shell.close', channel: 1 });
    expect(seen.messages).toEqual([]);
    p.attach(handlers, 15_000);
    ws.receiveText({ t: 'shell.close', channel: 2 });
    const frame = Buffer.from([1, 0, 0, 0, 2, 0xff, 0x00]);
    ws.receiveBinary(frame);
    expect(seen.messages).toEqual([{ t: 'shell.close', channel: 2 }]);
    expect(seen.binary).toEqual([frame]);
    expect(ws.sent).toEqual([]);
  });

  it('answers each invalid message with its code, and closes after more than maxViolations', () => {
    const { ws, peer: p } = peer();
    const { seen, handlers } = recorder();
    p.attach(handlers, 15_000);
    ws.receiveText('not json');
    ws.receiveText({ t: 'shell.explode' });
    ws.receiveText({ t: 'shell.close', channel: 0 });
    expect(errors(ws)).toEqual(['PROTO_ERR_BAD_JSON', 'PROTO_ERR_UNKNOWN_TYPE', 'PROTO_ERR_INVALID_MESSAGE']);
    expect(ws.closedWith).toBeNull();
    for (let i = 3; i < LIMITS.maxViolations; i++) ws.receiveText('{');
    expect(ws.closedWith).toBeNull();
    ws.receiveText('{');
    expect(errors(ws).at(-1)).toBe('PROTO_ERR_TOO_MANY_VIOLATIONS');
    expect(ws.closedWith?.code).toBe(CLOSE_CODES.protocolViolation);
    expect(seen.messages).toEqual([]);
    // Once closed, nothing more reaches the handler.
    ws.receiveText({ t: 'shell.close', channel: 1 });
    expect(seen.messages).toEqual([]);
  });

  it('closes at once (1009) on a message over the JSON limit', () => {
    const { ws, peer: p } = peer();
    p.attach(recorder().handlers, 15_000);
    ws.receiveText(JSON.stringify({ t: 'shell.close', pad: 'x'.repeat(LIMITS.maxJsonBytes) }));
    expect(errors(ws)).toEqual(['PROTO_ERR_MESSAGE_TOO_LARGE']);
    expect(ws.closedWith?.code).toBe(1009);
  });
  // A handler that fails: test/unit/peer-socket.test.ts.
});

describe('heartbeats', () => {
  it('pings every interval; a peer that answers stays, one that misses a round is closed with the heartbeat code', () => {
    const { ws, peer: p } = peer();
    const { seen, handlers } = recorder();
    p.attach(handlers, 1000);
    vi.advanceTimersByTime(999);
    expect(ws.pings).toBe(0);
    vi.advanceTimersByTime(1);
    expect(ws.pings).toBe(1);
    ws.emit('pong');
    vi.advanceTimersByTime(1000);
    expect(ws.pings).toBe(2);
    expect(ws.closedWith).toBeNull();
    // No pong for the second ping: the third round closes.
    vi.advanceTimersByTime(1000);
    expect(errors(ws)).toEqual(['PROTO_ERR_HEARTBEAT_TIMEOUT']);
    expect(ws.closedWith?.code).toBe(CLOSE_CODES.heartbeatTimeout);
    ws.peerClosed(CLOSE_CODES.heartbeatTimeout);
    expect(seen.closes).toEqual([CLOSE_CODES.heartbeatTimeout]);
    // The heartbeat stops with the socket.
    vi.advanceTimersByTime(10_000);
    expect(ws.pings).toBe(2);
  });
});

describe('the first message', () => {
  const hello = { t: 'hello', v: PROTOCOL_VERSION, role: 'console' };

  it('resolves with a valid hello', async () => {
    const { ws, peer: p } = peer();
    const waiting = p.awaitHello(10_000);
    ws.receiveText(hello);
    await expect(waiting).resolves.toEqual(hello);
  });

  it('rejects when nothing comes in time, and only then', async () => {
    const { peer: p } = peer();
    const waiting = p.awaitHello(10_000);
    let settled = false;
    waiting.catch(() => undefined).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(waiting).rejects.toMatchObject({ code: 'PROTO_ERR_HELLO_REQUIRED', detail: 'No hello arrived in time.' });
  });

  it('rejects another message, a binary frame, an oversized one, or a close before it', async () => {
    const cases: Array<[(ws: FakeWebSocket) => void, string]> = [
      [(ws) => ws.receiveText({ t: 'shell.close', channel: 1 }), 'PROTO_ERR_HELLO_REQUIRED'],
      [(ws) => ws.receiveBinary(Buffer.from([1, 0, 0, 0, 1])), 'PROTO_ERR_HELLO_REQUIRED'],
      [(ws) => ws.receiveText(JSON.stringify({ ...hello, pad: 'x'.repeat(LIMITS.maxJsonBytes) })), 'PROTO_ERR_MESSAGE_TOO_LARGE'],
      [(ws) => ws.peerClosed(1001), 'PROTO_ERR_HELLO_REQUIRED'],
    ];
    for (const [act, code] of cases) {
      const { ws, peer: p } = peer();
      const waiting = p.awaitHello(10_000);
      act(ws);
      await expect(waiting).rejects.toMatchObject({ code });
      // The listener is gone: a later hello is no longer taken for the first message.
      expect(ws.listenerCount('message')).toBe(1);
    }
  });
});

describe('bytes queued for the peer', () => {
  it('counts binary bytes until written, and calls drain waiters below half the high-water mark', () => {
    const { ws, peer: p } = peer();
    const chunk = Buffer.alloc(LIMITS.relayHighWaterBytes / 4);
    for (let i = 0; i < 3; i++) p.sendBinary(chunk);
    expect(p.pendingBytes).toBe(3 * chunk.byteLength);
    let drained = 0;
    p.whenDrained(() => (drained += 1));
    expect(drained).toBe(0);
    ws.flush();
    expect(p.pendingBytes).toBe(0);
    expect(drained).toBe(1);
    // Already below the mark: at once.
    p.whenDrained(() => (drained += 1));
    expect(drained).toBe(2);
  });

  it('a socket that closes releases its drain waiters, and sends nothing more', () => {
    const { ws, peer: p } = peer();
    p.sendBinary(Buffer.alloc(LIMITS.relayHighWaterBytes));
    let drained = false;
    p.whenDrained(() => (drained = true));
    ws.peerClosed(1006);
    expect(drained).toBe(true);
    expect(p.closed).toBe(true);
    const before = ws.sent.length;
    p.send({ t: 'shell.closed', channel: 1, reason: 'exit', exitCode: 0 });
    p.sendBinary(Buffer.alloc(10));
    expect(ws.sent.length).toBe(before);
  });
});

describe('closing', () => {
  it('cuts off a peer that does not complete the closing handshake, after the grace time', () => {
    const { ws, peer: p } = peer(500);
    p.close(CLOSE_CODES.serverShutdown, 'SERVER_ERR_SHUTDOWN');
    expect(ws.closedWith).toEqual({ code: CLOSE_CODES.serverShutdown, reason: 'SERVER_ERR_SHUTDOWN' });
    vi.advanceTimersByTime(499);
    expect(ws.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(ws.terminated).toBe(true);
  });

  it('fail() sends the error, and closes only for a closing error; twice is once', () => {
    const { ws, peer: p } = peer();
    p.fail('PROTO_ERR_UNKNOWN_CHANNEL', 'channel 9');
    expect(ws.closedWith).toBeNull();
    p.fail('AUTH_ERR_THROTTLED');
    p.fail('AUTH_ERR_THROTTLED');
    expect(errors(ws)).toEqual(['PROTO_ERR_UNKNOWN_CHANNEL', 'AUTH_ERR_THROTTLED']);
    expect(ws.messages()[0]).toMatchObject({ message: 'No open channel has that number. channel 9' });
    expect(ws.closedWith?.code).toBe(CLOSE_CODES.throttled);
  });
});
