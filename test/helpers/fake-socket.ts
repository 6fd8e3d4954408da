/**
 * A stand-in for a `ws` WebSocket, for unit tests of what sits on one (PeerSocket,
 * the relay): it records what is sent, holds each send's completion until the test
 * flushes it (so "bytes still queued" is in the test's hands), and lets the test
 * play the peer (messages, pongs, the closing handshake).
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

export interface SentFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

export class FakeWebSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  isPaused = false;
  readonly sent: SentFrame[] = [];
  pings = 0;
  /** Bytes "queued" for the peer, as `ws` counts them; the test sets it to play a peer that does not read. */
  bufferedAmount = 0;
  closedWith: { code: number; reason: string } | null = null;
  terminated = false;
  /** Completions of binary sends not yet written "to the kernel". */
  private readonly unflushed: Array<() => void> = [];

  send(data: string | Buffer | Uint8Array, options?: { binary?: boolean } | ((err?: Error) => void), callback?: (err?: Error) => void): void {
    const done = typeof options === 'function' ? options : callback;
    const binary = typeof options === 'object' && options.binary === true;
    this.sent.push({ data: typeof data === 'string' ? data : Buffer.from(data), binary });
    if (done) this.unflushed.push(() => done());
  }

  /** Completes every send so far, as the kernel taking the bytes would. */
  flush(): void {
    for (const done of this.unflushed.splice(0)) done();
  }

  ping(): void {
    this.pings += 1;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  terminate(): void {
    this.terminated = true;
    this.peerClosed(1006);
  }

  /** The peer sends a text (JSON) message. */
  receiveText(message: unknown): void {
    this.emit('message', Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)), false);
  }

  /** The peer sends a binary message. */
  receiveBinary(bytes: Uint8Array): void {
    this.emit('message', Buffer.from(bytes), true);
  }

  /** The connection is gone (handshake completed, or cut). */
  peerClosed(code = 1000): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', code, Buffer.alloc(0));
  }

  /** The control messages sent, decoded. */
  messages(): Array<{ t: string } & Record<string, unknown>> {
    return this.sent.filter((f) => !f.binary).map((f) => JSON.parse(String(f.data)));
  }

  /** The binary frames sent. */
  frames(): Buffer[] {
    return this.sent.filter((f) => f.binary).map((f) => f.data as Buffer);
  }

  /** Typed for constructors that take a `ws` WebSocket. */
  get asWebSocket(): WebSocket {
    return this as unknown as WebSocket;
  }
}
