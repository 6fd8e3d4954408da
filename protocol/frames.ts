/**
 * Binary stream frames. A fixed 5-byte header — kind (u8), channel (u32, big
 * endian) — then the payload. DATA carries raw stream bytes; ACK carries a u32
 * credit (bytes the reader has consumed). The relay reads only the header and
 * forwards the frame as received, so payloads are never copied into strings.
 */
import { LIMITS } from './limits.js';

export const FRAME_HEADER_BYTES = 5;

export const FrameKind = Object.freeze({ data: 1, ack: 2 });
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

export type Frame =
  | { kind: typeof FrameKind.data; channel: number; payload: Uint8Array }
  | { kind: typeof FrameKind.ack; channel: number; credit: number };

export type FrameResult = { ok: true; frame: Frame } | { ok: false; reason: string };

const MAX_U32 = 0xffff_ffff;

function checkChannel(channel: number): void {
  if (!Number.isInteger(channel) || channel < 1 || channel > MAX_U32) {
    throw new RangeError(`channel must be an integer in 1..${MAX_U32}, got ${channel}`);
  }
}

/** Builds a DATA frame; the payload is copied once into the frame buffer. */
export function encodeData(channel: number, payload: Uint8Array): Uint8Array {
  checkChannel(channel);
  if (payload.byteLength > LIMITS.maxChunkBytes) {
    throw new RangeError(`payload of ${payload.byteLength} bytes exceeds ${LIMITS.maxChunkBytes}`);
  }
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  writeHeader(frame, FrameKind.data, channel);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Makes `frame` a DATA frame in place: its payload was written after the first
 * FRAME_HEADER_BYTES, which this fills in. Lets a writer gather output straight
 * into the frame it will send, with no second copy.
 */
export function writeDataHeader(frame: Uint8Array, channel: number): Uint8Array {
  checkChannel(channel);
  if (frame.byteLength < FRAME_HEADER_BYTES || frame.byteLength - FRAME_HEADER_BYTES > LIMITS.maxChunkBytes) {
    throw new RangeError(`a DATA frame holds 0..${LIMITS.maxChunkBytes} payload bytes, got ${frame.byteLength - FRAME_HEADER_BYTES}`);
  }
  writeHeader(frame, FrameKind.data, channel);
  return frame;
}

/**
 * Splits stream bytes of any length into DATA frames within the chunk limit and hands
 * each to `send`, in order (nothing for no bytes): the browser's keystrokes (a large
 * paste). The agent's shell output is framed by its batcher, into frames from
 * writeDataHeader, within the same limit.
 */
export function sendDataChunks(channel: number, bytes: Uint8Array, send: (frame: Uint8Array) => void): void {
  for (let offset = 0; offset < bytes.byteLength; offset += LIMITS.maxChunkBytes) {
    send(encodeData(channel, bytes.subarray(offset, offset + LIMITS.maxChunkBytes)));
  }
}

/** Builds an ACK frame granting `credit` more bytes on `channel`. */
export function encodeAck(channel: number, credit: number): Uint8Array {
  checkChannel(channel);
  if (!Number.isInteger(credit) || credit < 1 || credit > MAX_U32) {
    throw new RangeError(`credit must be an integer in 1..${MAX_U32}, got ${credit}`);
  }
  const frame = new Uint8Array(FRAME_HEADER_BYTES + 4);
  writeHeader(frame, FrameKind.ack, channel);
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(FRAME_HEADER_BYTES, credit);
  return frame;
}

function writeHeader(frame: Uint8Array, kind: FrameKindValue, channel: number): void {
  frame[0] = kind;
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(1, channel);
}

/** Reads only the header: what a relay needs to route a frame without touching its payload. */
export function peekHeader(bytes: Uint8Array): { kind: FrameKindValue; channel: number } | null {
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const kind = bytes[0];
  if (kind !== FrameKind.data && kind !== FrameKind.ack) return null;
  const channel = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (channel === 0) return null;
  return { kind, channel };
}

/** Decodes and validates a whole frame. The DATA payload is a view on the input, not a copy. */
export function decodeFrame(bytes: Uint8Array): FrameResult {
  if (bytes.byteLength < FRAME_HEADER_BYTES) {
    return { ok: false, reason: `frame of ${bytes.byteLength} bytes is shorter than its ${FRAME_HEADER_BYTES}-byte header` };
  }
  const header = peekHeader(bytes);
  if (!header) return { ok: false, reason: `unknown frame kind ${bytes[0]} or channel 0` };
  if (header.kind === FrameKind.data) {
    const length = bytes.byteLength - FRAME_HEADER_BYTES;
    if (length > LIMITS.maxChunkBytes) {
      return { ok: false, reason: `data payload of ${length} bytes exceeds ${LIMITS.maxChunkBytes}` };
    }
    return { ok: true, frame: { kind: FrameKind.data, channel: header.channel, payload: bytes.subarray(FRAME_HEADER_BYTES) } };
  }
  if (bytes.byteLength !== FRAME_HEADER_BYTES + 4) {
    return { ok: false, reason: `ack frame must be ${FRAME_HEADER_BYTES + 4} bytes, got ${bytes.byteLength}` };
  }
  const credit = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(FRAME_HEADER_BYTES);
  if (credit === 0) return { ok: false, reason: 'ack credit must be at least 1' };
  return { ok: true, frame: { kind: FrameKind.ack, channel: header.channel, credit } };
}
