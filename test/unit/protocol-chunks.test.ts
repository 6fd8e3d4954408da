/** The one chunking rule: stream bytes of any length become DATA frames within the chunk limit, in order. */
import { describe, expect, it } from 'vitest';
import { FrameKind, LIMITS, decodeFrame, sendDataChunks } from '../../protocol/index.js';

function chunks(channel: number, length: number): Uint8Array[] {
  const bytes = Uint8Array.from({ length }, (_, i) => i % 251);
  const frames: Uint8Array[] = [];
  sendDataChunks(channel, bytes, (frame) => frames.push(frame));
  return frames.map((frame) => {
    const decoded = decodeFrame(frame);
    if (!decoded.ok || decoded.frame.kind !== FrameKind.data) throw new Error('not a valid DATA frame');
    expect(decoded.frame.channel).toBe(channel);
    return decoded.frame.payload;
  });
}

describe('sendDataChunks', () => {
  it('sends nothing for no bytes, one frame up to the limit', () => {
    expect(chunks(1, 0)).toEqual([]);
    expect(chunks(7, 1).map((p) => p.byteLength)).toEqual([1]);
    expect(chunks(7, LIMITS.maxChunkBytes).map((p) => p.byteLength)).toEqual([LIMITS.maxChunkBytes]);
  });

  it('splits beyond the limit, every frame valid, the bytes unchanged and in order', () => {
    const max = LIMITS.maxChunkBytes;
    expect(chunks(3, max + 1).map((p) => p.byteLength)).toEqual([max, 1]);
    const payloads = chunks(0xffff_ffff, 3 * max + 123);
    expect(payloads.map((p) => p.byteLength)).toEqual([max, max, max, 123]);
    const joined = new Uint8Array(payloads.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const p of payloads) {
      joined.set(p, offset);
      offset += p.byteLength;
    }
    // Compared as one buffer: an element-by-element diff of 200 KB would take seconds.
    expect(Buffer.from(joined).equals(Buffer.from(Uint8Array.from({ length: 3 * max + 123 }, (_, i) => i % 251)))).toBe(true);
  });

  it('refuses a channel the frame codec refuses, before sending anything', () => {
    const sent: Uint8Array[] = [];
    expect(() => sendDataChunks(0, new Uint8Array(10), (f) => sent.push(f))).toThrow(RangeError);
    expect(sent).toEqual([]);
  });
});
