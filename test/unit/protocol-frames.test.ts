import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, FrameKind, LIMITS, decodeFrame, encodeAck, encodeData, peekHeader } from '../../protocol/index.js';

describe('binary frames', () => {
  it('a data frame round-trips byte for byte, payload viewed not copied', () => {
    const payload = new Uint8Array([0, 1, 2, 0xff, 0x1b, 0x5b]);
    const frame = encodeData(0x01020304, payload);
    expect([...frame.subarray(0, FRAME_HEADER_BYTES)]).toEqual([FrameKind.data, 1, 2, 3, 4]);
    const decoded = decodeFrame(frame);
    expect(decoded.ok).toBe(true);
    if (decoded.ok && decoded.frame.kind === FrameKind.data) {
      expect(decoded.frame.channel).toBe(0x01020304);
      expect([...decoded.frame.payload]).toEqual([...payload]);
      expect(decoded.frame.payload.buffer).toBe(frame.buffer);
    }
  });

  it('an empty data frame is valid', () => {
    expect(decodeFrame(encodeData(1, new Uint8Array(0)))).toMatchObject({ ok: true, frame: { kind: FrameKind.data, channel: 1 } });
  });

  it('an ack frame round-trips', () => {
    expect(decodeFrame(encodeAck(9, 65536))).toEqual({ ok: true, frame: { kind: FrameKind.ack, channel: 9, credit: 65536 } });
    expect(decodeFrame(encodeAck(0xffffffff, 0xffffffff))).toMatchObject({ ok: true, frame: { credit: 0xffffffff } });
  });

  it('works on a view into a larger buffer (as Node hands frames over)', () => {
    const big = new Uint8Array(100);
    big.set(encodeAck(5, 1234), 37);
    expect(decodeFrame(big.subarray(37, 37 + FRAME_HEADER_BYTES + 4))).toEqual({ ok: true, frame: { kind: FrameKind.ack, channel: 5, credit: 1234 } });
  });

  it.each([
    ['empty', []],
    ['short header', [1, 0, 0, 1]],
    ['unknown kind', [9, 0, 0, 0, 1]],
    ['kind zero', [0, 0, 0, 0, 1, 65]],
    ['channel zero', [1, 0, 0, 0, 0, 65]],
    ['short ack', [2, 0, 0, 0, 1, 0, 0, 1]],
    ['long ack', [2, 0, 0, 0, 1, 0, 0, 0, 1, 0]],
    ['zero credit', [2, 0, 0, 0, 1, 0, 0, 0, 0]],
  ])('rejects a malformed frame: %s', (_name, bytes) => {
    const decoded = decodeFrame(new Uint8Array(bytes));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason.length).toBeGreaterThan(5);
  });

  it('rejects a payload over the chunk limit on both ends', () => {
    expect(() => encodeData(1, new Uint8Array(LIMITS.maxChunkBytes + 1))).toThrow(RangeError);
    const oversized = new Uint8Array(FRAME_HEADER_BYTES + LIMITS.maxChunkBytes + 1);
    oversized.set([FrameKind.data, 0, 0, 0, 1]);
    expect(decodeFrame(oversized).ok).toBe(false);
    expect(decodeFrame(encodeData(1, new Uint8Array(LIMITS.maxChunkBytes))).ok).toBe(true);
  });

  it('refuses to build frames with invalid channels or credits', () => {
    expect(() => encodeData(0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => encodeData(2 ** 32, new Uint8Array(1))).toThrow(RangeError);
    expect(() => encodeAck(1, 0)).toThrow(RangeError);
    expect(() => encodeAck(1, 1.5)).toThrow(RangeError);
  });

  it('peekHeader routes without decoding the payload', () => {
    expect(peekHeader(encodeData(77, new Uint8Array(1000)))).toEqual({ kind: FrameKind.data, channel: 77 });
    expect(peekHeader(new Uint8Array([3, 0, 0, 0, 1]))).toBeNull();
  });
});
