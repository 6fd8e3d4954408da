import { isUtf8 } from 'node:buffer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { castEncoderThread, type EncoderReply, type EncoderRequest } from '../../controller/server/recordings/cast-encoder-thread.js';
import { createJsonEscaper, ESCAPE_WASM } from '../../controller/server/recordings/cast-escape.js';

/**
 * The writing thread's function run in this thread, on fake timers and a fake file system
 * that records each write and completes it when the test says: when writes start is then
 * fully determined by the messages, the bytes waiting and the clock.
 */
function harness() {
  const writes: Buffer[] = [];
  const inFlight: Array<() => void> = [];
  const replies: EncoderReply[] = [];
  let handler: ((m: EncoderRequest) => void) | null = null;
  const fs = {
    open: (_path: string, _flags: string, _mode: number, cb: (err: Error | null, fd: number) => void) => queueMicrotask(() => cb(null, 7)),
    write: (_fd: number, data: Uint8Array, offset: number, length: number, _position: null, cb: (err: Error | null, n: number) => void) => {
      writes.push(Buffer.from(data.subarray(offset, offset + length)));
      inFlight.push(() => cb(null, length));
    },
    close: (_fd: number, cb: () => void) => queueMicrotask(cb),
  };
  castEncoderThread({
    fs: fs as unknown as typeof import('node:fs'),
    isUtf8,
    escaper: createJsonEscaper(ESCAPE_WASM),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    post: (reply) => replies.push(reply),
    onMessage: (h) => (handler = h),
  });
  /** Lets the thread's promise chain run (no timer moves). */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  const send = async (m: EncoderRequest) => {
    handler!(m);
    await settle();
  };
  /** Completes the writes under way, as the disk would. */
  const complete = async () => {
    while (inFlight.length > 0) inFlight.shift()!();
    await settle();
  };
  const open = () => send({ t: 'open', id: 1, path: '/x.cast', header: '{"version":2}\n', maxBytes: 1 << 30, lines: { size: 'size', behind: 'behind' }, marker: 'truncated' });
  const output = (time: number, text: string | Uint8Array) => send({ t: 'o', id: 1, time, bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text });
  return { writes, inFlight, replies, send, complete, open, output };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('recordings thread: when it writes', () => {
  it('writes what waits 200 ms after its first byte came, in one write, and reports it done with the batch buffers to reuse', async () => {
    const t = harness();
    await t.open();
    await t.output(0.001, 'hello\r\n');
    await vi.advanceTimersByTimeAsync(150);
    await t.output(0.15, 'world');
    await vi.advanceTimersByTimeAsync(49);
    expect(t.writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.writes.map((w) => w.toString())).toEqual(['{"version":2}\n[0.001,"o","hello\\r\\n"]\n[0.15,"o","world"]\n']);
    await t.complete();
    const progress = t.replies.filter((r) => r.t === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: 12, bytes: t.writes[0]!.length, state: 'recording' });
    expect(progress.flatMap((r) => (r.t === 'progress' ? r.spare : []))).toHaveLength(2);
    // Nothing waits: no timer, no write.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.writes).toHaveLength(1);
  });

  it('writes at once when 1 MiB waits, and what comes during a write goes in the next one, whole', async () => {
    const t = harness();
    await t.open();
    const batch = new Uint8Array(256 * 1024).fill(0x41);
    for (let i = 0; i < 4; i++) await t.output(i / 1000, batch.slice());
    expect(t.writes).toHaveLength(1); // 1 MiB and the events' framing: no timer needed
    await t.output(0.01, 'during the write');
    await t.output(0.011, ' and more');
    expect(t.writes).toHaveLength(1); // one write at a time
    await vi.advanceTimersByTimeAsync(200); // its time came while the first write was under way
    expect(t.writes).toHaveLength(1);
    await t.complete();
    expect(t.writes).toHaveLength(2);
    expect(t.writes[1]!.toString()).toBe('[0.01,"o","during the write"]\n[0.011,"o"," and more"]\n');
  });

  it('a flush writes what waits now and answers once it is written', async () => {
    const t = harness();
    await t.open();
    await t.output(0, 'x');
    await t.send({ t: 'flush', id: 1, seq: 5 });
    expect(t.writes).toHaveLength(1);
    expect(t.replies.some((r) => r.t === 'flushed')).toBe(false);
    await t.complete();
    expect(t.replies.filter((r) => r.t === 'flushed')).toEqual([{ t: 'flushed', id: 1, seq: 5 }]);
  });
});
