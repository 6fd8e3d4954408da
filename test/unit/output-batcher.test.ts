/** The pty batcher: one frame per turn when quiet (no timer), a 1 ms budget while streaming, full frames at once, bytes exact. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutputBatcher, STREAM_BUDGET_MS, STREAMING_FRAME_BYTES } from '../../agent/shell/output-batcher.js';
import { decodeFrame, FrameKind, LIMITS } from '../../protocol/index.js';

function collect(maxPayload?: number) {
  const frames: Uint8Array[] = [];
  const batcher = new OutputBatcher(7, (frame, payload) => {
    const decoded = decodeFrame(frame);
    expect(decoded.ok && decoded.frame.kind === FrameKind.data && decoded.frame.channel === 7).toBe(true);
    expect(Buffer.from(payload).equals(Buffer.from(frame.subarray(5)))).toBe(true);
    frames.push(Buffer.from(payload));
  }, undefined, maxPayload);
  return { batcher, frames, all: () => Buffer.concat(frames) };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('OutputBatcher', () => {
  it('sends reads of one turn as one frame, at the end of that turn, with no timer', () => {
    const { batcher, frames } = collect();
    batcher.push(Buffer.from('ab'));
    batcher.push(Buffer.from('cd'));
    expect(frames).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(1);
    vi.runOnlyPendingTimers(); // the setImmediate that ends the turn
    expect(frames.map(String)).toEqual(['abcd']);
  });

  it('a keystroke echo after idle leaves in the same turn even right after another echo', () => {
    const { batcher, frames } = collect();
    for (const key of ['a', 'b', 'c']) {
      batcher.push(Buffer.from(key));
      // Only setImmediate is pending: advancing the clock by 0 ms runs it.
      vi.advanceTimersByTime(0);
      expect(frames.at(-1)?.toString()).toBe(key);
    }
  });

  it('while streaming, waits up to the budget to fill a frame', () => {
    const { batcher, frames } = collect();
    batcher.push(Buffer.alloc(STREAMING_FRAME_BYTES, 1));
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(1);
    // The last frame was large and recent: the next reads are gathered for the budget.
    batcher.push(Buffer.alloc(100, 2));
    vi.advanceTimersByTime(0);
    batcher.push(Buffer.alloc(100, 3));
    expect(frames).toHaveLength(1);
    vi.advanceTimersByTime(STREAM_BUDGET_MS);
    expect(frames).toHaveLength(2);
    expect(frames[1]!.byteLength).toBe(200);
  });

  it('goes back to immediate frames once the stream stopped', () => {
    const { batcher, frames } = collect();
    batcher.push(Buffer.alloc(STREAMING_FRAME_BYTES, 1));
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(50);
    batcher.push(Buffer.from('x'));
    vi.advanceTimersByTime(0);
    expect(frames.at(-1)?.toString()).toBe('x');
  });

  it('sends full frames at once and splits reads across frames without losing or reordering a byte', () => {
    const { batcher, frames, all } = collect(10);
    const input = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    batcher.push(input.subarray(0, 7));
    batcher.push(input.subarray(7, 25));
    expect(frames.map(String)).toEqual(['0123456789', 'abcdefghij']);
    batcher.push(input.subarray(25));
    batcher.flush();
    expect(frames.every((f) => f.byteLength <= 10)).toBe(true);
    expect(all().equals(input)).toBe(true);
  });

  it('never exceeds the protocol chunk limit, and copies: later changes to a read do not change a frame', () => {
    const { batcher, frames, all } = collect();
    const big = Buffer.alloc(LIMITS.maxChunkBytes * 2 + 123, 0x41);
    batcher.push(big);
    batcher.flush();
    expect(frames.map((f) => f.byteLength)).toEqual([LIMITS.maxChunkBytes, LIMITS.maxChunkBytes, 123]);
    expect(all().equals(Buffer.alloc(big.byteLength, 0x41))).toBe(true);
    const read = Buffer.from('xyz');
    batcher.push(read);
    batcher.flush();
    read.fill(0);
    expect(frames.at(-1)?.toString()).toBe('xyz');
  });

  it('flush sends what is pending now, once', () => {
    const { batcher, frames } = collect();
    batcher.push(Buffer.from('end'));
    batcher.flush();
    expect(frames.map(String)).toEqual(['end']);
    vi.runAllTimers();
    expect(frames).toHaveLength(1);
    expect(batcher.buffered).toBe(0);
  });
});
