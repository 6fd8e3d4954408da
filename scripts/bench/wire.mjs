/**
 * The few pieces of the Relais wire protocol a benchmark client needs, written
 * by hand because protocol/ is TypeScript: the 5-byte binary frame header
 * (kind u8, channel u32 big endian), DATA and ACK frames, and JSON control
 * messages. Mirrors protocol/frames.ts and protocol/limits.ts; keep them in step.
 */

export const FRAME_HEADER_BYTES = 5;
export const FrameKind = Object.freeze({ data: 1, ack: 2 });

/** protocol/limits.ts: LIMITS.maxFrameBytes (ws maxPayload on both ends). */
export const MAX_FRAME_BYTES = 256 * 1024;
/** protocol/limits.ts: LIMITS.maxChunkBytes (largest DATA payload). */
export const MAX_CHUNK_BYTES = 64 * 1024;
/** protocol/version.ts: PROTOCOL_VERSION. */
export const PROTOCOL_VERSION = 1;

/** Builds a DATA frame carrying `payload` on `channel`. */
export function encodeData(channel, payload) {
  if (payload.byteLength > MAX_CHUNK_BYTES) throw new RangeError(`payload of ${payload.byteLength} bytes exceeds ${MAX_CHUNK_BYTES}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame[0] = FrameKind.data;
  frame.writeUInt32BE(channel, 1);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Builds an ACK frame granting `credit` more bytes on `channel`. */
export function encodeAck(channel, credit) {
  if (!Number.isInteger(credit) || credit < 1 || credit > 0xffff_ffff) throw new RangeError(`bad credit ${credit}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  frame[0] = FrameKind.ack;
  frame.writeUInt32BE(channel, 1);
  frame.writeUInt32BE(credit, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Decodes a binary frame; the DATA payload is a view on the input (no copy).
 * Returns null for anything malformed.
 */
export function decodeFrame(bytes) {
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const kind = bytes[0];
  const channel = bytes.readUInt32BE(1);
  if (channel === 0) return null;
  if (kind === FrameKind.data) return { kind, channel, payload: bytes.subarray(FRAME_HEADER_BYTES) };
  if (kind === FrameKind.ack && bytes.byteLength === FRAME_HEADER_BYTES + 4) return { kind, channel, credit: bytes.readUInt32BE(FRAME_HEADER_BYTES) };
  return null;
}

/** Serialises a control message. */
export function encodeControl(message) {
  return JSON.stringify(message);
}

/** Parses a control message; throws when it is not a JSON object with a string `t`. */
export function decodeControl(raw) {
  const value = JSON.parse(raw.toString('utf8'));
  if (typeof value !== 'object' || value === null || typeof value.t !== 'string') {
    throw new Error(`the controller sent a control message without a type: ${raw.toString('utf8').slice(0, 200)}`);
  }
  return value;
}
