/**
 * Nothing a peer sends can end the controller (issue 8 point 0): whatever a handler throws,
 * at once or later, is logged without the message and closes that socket only; a message
 * too large to send is logged and skipped, never thrown into the handler that built it.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { LIMITS, consoleToController, type ConsoleToController, type ControllerToConsole } from '../../protocol/index.js';
import { PeerSocket } from '../../controller/server/hubs/peer-socket.js';

class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  isPaused = false;
  sent: string[] = [];
  closedWith: number | null = null;
  send(data: string) {
    this.sent.push(data);
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 2;
  }
  terminate() {}
  ping() {}
}

function peerWith(onMessage: (m: ConsoleToController) => void | Promise<void>) {
  const ws = new FakeWs();
  const peer = new PeerSocket<ConsoleToController, ControllerToConsole>(ws as unknown as WebSocket, consoleToController, '127.0.0.1', 'console');
  peer.attach({ onMessage, onBinary: () => { throw new Error('binary handler broke'); }, onClose: () => undefined }, 60_000);
  return { ws, peer };
}

const errors = () => vi.spyOn(console, 'error').mockImplementation(() => undefined);
afterEach(() => vi.restoreAllMocks());

describe('PeerSocket guards every handler', () => {
  it('a handler that throws at once: logged, that socket closed with 1011, nothing thrown to ws', () => {
    const log = errors();
    const { ws } = peerWith(() => {
      throw new TypeError('boom secret-token-123');
    });
    expect(() => ws.emit('message', Buffer.from('{"t":"job.watch","jobId":"j1"}'), false)).not.toThrow();
    expect(ws.closedWith).toBe(1011);
    expect(JSON.parse(ws.sent.at(-1)!)).toMatchObject({ t: 'error', code: 'PROTO_ERR_HANDLER_FAILED' });
    expect(log.mock.calls.flat().join(' ')).toMatch(/handling "job.watch" failed: TypeError/);
  });

  it('a handler whose promise rejects later: the same, no unhandled rejection', async () => {
    errors();
    const { ws } = peerWith(async () => {
      await Promise.resolve();
      throw new Error('later');
    });
    ws.emit('message', Buffer.from('{"t":"job.watch","jobId":"j1"}'), false);
    await vi.waitFor(() => expect(ws.closedWith).toBe(1011));
  });

  it('a binary handler that throws closes that socket too', () => {
    errors();
    const { ws } = peerWith(() => undefined);
    expect(() => ws.emit('message', Buffer.from([1, 0, 0, 0, 1, 65]), true)).not.toThrow();
    expect(ws.closedWith).toBe(1011);
  });

  it('a message too large to send is logged and skipped: send returns false and throws nothing', () => {
    const log = errors();
    const { ws, peer } = peerWith(() => undefined);
    const before = ws.sent.length;
    expect(peer.send({ t: 'error', code: 'X', message: 'é'.repeat(LIMITS.maxJsonBytes) })).toBe(false);
    expect(ws.sent.length).toBe(before);
    expect(ws.closedWith).toBeNull();
    expect(log.mock.calls.flat().join(' ')).toMatch(/"error" not sent/);
  });

  it('error details quoting the peer are made valid text before they go back', () => {
    const { ws, peer } = peerWith(() => undefined);
    peer.sendError('PROTO_ERR_INVALID_MESSAGE', 'got \u202e\u001b[2J\ud800');
    const sent = JSON.parse(ws.sent.at(-1)!) as { message: string };
    expect(sent.message).not.toMatch(/[\u202e\u001b\ud800]/);
  });
});
