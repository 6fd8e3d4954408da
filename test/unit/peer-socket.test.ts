/**
 * Nothing a peer sends can end the controller (issue 8 point 0): whatever a handler throws,
 * at once or later, is logged without the message and closes that socket only; a message
 * too large to send is logged and skipped, never thrown into the handler that built it.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { LIMITS, consoleToController, type ConsoleToController, type ControllerToConsole } from '../../protocol/index.js';
import { PeerSocket } from '../../controller/server/hubs/peer-socket.js';
import { captureLog } from '../helpers/log-capture.js';

class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  isPaused = false;
  sent: string[] = [];
  closedWith: number | null = null;
  closeReason = '';
  bufferedAmount = 0;
  send(data: string | Buffer, _options?: unknown, done?: () => void) {
    this.sent.push(String(data));
    done?.();
  }
  close(code: number, reason = '') {
    this.closedWith = code;
    this.closeReason = reason;
    this.readyState = 2;
  }
  terminate() {}
  ping() {}
}

function peerWith(onMessage: (m: ConsoleToController) => void | Promise<void>) {
  const ws = new FakeWs();
  const logged = captureLog();
  const refused: string[] = [];
  const peer = new PeerSocket<ConsoleToController, ControllerToConsole>(ws as unknown as WebSocket, consoleToController, '127.0.0.1', 'console', {
    log: logged.log, onRefused: (code) => refused.push(code),
  });
  peer.attach({ onMessage, onBinary: () => { throw new Error('binary handler broke'); }, onClose: () => undefined }, 60_000);
  return { ws, peer, logged, refused };
}

describe('PeerSocket guards every handler', () => {
  it('a handler that throws at once: logged without the message, that socket closed with 1011, nothing thrown to ws', () => {
    const { ws, logged, refused } = peerWith(() => {
      throw new TypeError('boom');
    });
    expect(() => ws.emit('message', Buffer.from('{"t":"job.watch","jobId":"job-with-a-secret-name"}'), false)).not.toThrow();
    expect(ws.closedWith).toBe(1011);
    expect(JSON.parse(ws.sent.at(-1)!)).toMatchObject({ t: 'error', code: 'PROTO_ERR_HANDLER_FAILED' });
    expect(logged.records()).toContainEqual(expect.objectContaining({
      level: 'error', peer: 'console', handling: '"job.watch"', msg: 'websocket: handling a message failed', err: expect.objectContaining({ type: 'TypeError', message: 'boom' }),
    }));
    expect(logged.text()).not.toContain('job-with-a-secret-name');
    expect(refused).toEqual(['PROTO_ERR_HANDLER_FAILED']);
  });

  it('a handler whose promise rejects later: the same, no unhandled rejection', async () => {
    const { ws } = peerWith(async () => {
      await Promise.resolve();
      throw new Error('later');
    });
    ws.emit('message', Buffer.from('{"t":"job.watch","jobId":"j1"}'), false);
    await vi.waitFor(() => expect(ws.closedWith).toBe(1011));
  });

  it('a binary handler that throws closes that socket too', () => {
    const { ws } = peerWith(() => undefined);
    expect(() => ws.emit('message', Buffer.from([1, 0, 0, 0, 1, 65]), true)).not.toThrow();
    expect(ws.closedWith).toBe(1011);
  });

  it('a message too large to send is logged and skipped: send returns false and throws nothing', () => {
    const { ws, peer, logged } = peerWith(() => undefined);
    const before = ws.sent.length;
    expect(peer.send({ t: 'error', code: 'X', message: 'é'.repeat(LIMITS.maxJsonBytes) })).toBe(false);
    expect(ws.sent.length).toBe(before);
    expect(ws.closedWith).toBeNull();
    expect(logged.records()).toContainEqual(expect.objectContaining({ level: 'error', message: 'error', msg: 'websocket: a message was not sent' }));
  });

  it('a peer that stops reading is cut off once its backlog passes the limit, answers and frames alike, and nothing more is queued', () => {
    const { ws, peer, logged } = peerWith(() => undefined);
    ws.bufferedAmount = LIMITS.maxPeerBacklogBytes;
    expect(peer.send({ t: 'shell.list', shells: [] } as unknown as ControllerToConsole)).toBe(true);
    expect(ws.closedWith).toBeNull();
    ws.bufferedAmount = LIMITS.maxPeerBacklogBytes + 1;
    const before = ws.sent.length;
    expect(peer.send({ t: 'shell.list', shells: [] } as unknown as ControllerToConsole)).toBe(false);
    expect(ws.sent.length).toBe(before);
    expect(ws.closedWith).toBe(4408);
    expect(ws.closeReason).toBe('PROTO_ERR_TOO_SLOW');
    expect(logged.records()).toContainEqual(expect.objectContaining({ refusal: 'PROTO_ERR_TOO_SLOW', msg: 'websocket: the peer stopped reading; connection closed' }));
    // A frame after it is not queued either, and its buffer is given back at once.
    let given = false;
    peer.sendBinary(Buffer.alloc(10), () => (given = true));
    expect(given).toBe(true);
    expect(ws.sent.length).toBe(before);
  });

  it('error details quoting the peer are made valid text before they go back', () => {
    const { ws, peer } = peerWith(() => undefined);
    peer.sendError('PROTO_ERR_INVALID_MESSAGE', 'got \u202e\u001b[2J\ud800');
    const sent = JSON.parse(ws.sent.at(-1)!) as { message: string };
    expect(sent.message).not.toMatch(/[\u202e\u001b\ud800]/);
  });
});
