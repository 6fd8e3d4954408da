/**
 * The session trailer: the controller's address and a support code attached to a
 * downloaded agent executable, so that starting it joins that session with no
 * argument. The controller writes it per download; the agent reads it from its own
 * file at start. It is untrusted input (anyone can edit a file): the payload is
 * bounded, validated like a command line, and the code must still be valid on the
 * controller, where the person still says yes to everything.
 *
 * Plainly appended (Linux, macOS, an unsigned Windows executable), the file ends with
 * `payload | payload length (u32 LE) | MAGIC`; in a signed Windows executable the same
 * payload sits in the signature's unauthenticated attributes (authenticode-tag.ts).
 */
import { z } from 'zod';

/** Ends every plainly appended trailer: 24 ASCII bytes that no executable ends with by chance. */
export const TRAILER_MAGIC = 'RELAIS-SESSION-TRAILER-1';
/** A payload is a few hundred bytes; anything larger is refused before it is read. */
export const TRAILER_MAX_PAYLOAD_BYTES = 2048;
/** Bytes to read from the end of a file to find a plain trailer. */
export const TRAILER_TAIL_BYTES = TRAILER_MAX_PAYLOAD_BYTES + 4 + TRAILER_MAGIC.length;
const CONTROLLER_MAX_CHARS = 512;

/** The trailer's content, as the CLI would check the same values typed by hand. */
export const sessionTrailerSchema = z.strictObject({
  v: z.literal(1),
  /** The controller's base address: http or https, no user or password, no query. */
  controller: z
    .url({ protocol: /^https?$/ })
    .max(CONTROLLER_MAX_CHARS)
    .refine((url) => !/^https?:\/\/[^/]*@/i.test(url) && !/[?#]/.test(url), 'no credentials, query or fragment'),
  /** The support code: nine digits. */
  code: z.string().regex(/^\d{9}$/),
  /** The language the person chose on the support page. */
  lang: z.enum(['fr', 'en']).optional(),
});

export type SessionTrailer = z.infer<typeof sessionTrailerSchema>;

export type TrailerRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'found'; readonly trailer: SessionTrailer };

const encoder = new TextEncoder();
const magicBytes = encoder.encode(TRAILER_MAGIC);

/** The payload bytes (JSON) of a trailer; the controller validates what it writes too. */
export function encodeTrailerPayload(trailer: SessionTrailer): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(sessionTrailerSchema.parse(trailer)));
  if (bytes.length > TRAILER_MAX_PAYLOAD_BYTES) throw new RangeError('trailer payload too large');
  return bytes;
}

/** The bytes appended to an executable: payload, its length, the magic. */
export function plainTrailer(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4 + magicBytes.length);
  out.set(payload, 0);
  new DataView(out.buffer).setUint32(payload.length, payload.length, true);
  out.set(magicBytes, payload.length + 4);
  return out;
}

/** Finds a plain trailer in the last bytes of a file: the payload, null when the file does not end with one, or why it is unusable. */
export function findPlainTrailer(tail: Uint8Array): Uint8Array | null | { readonly invalid: string } {
  if (tail.length < magicBytes.length + 4) return null;
  const magicAt = tail.length - magicBytes.length;
  for (let i = 0; i < magicBytes.length; i++) if (tail[magicAt + i] !== magicBytes[i]) return null;
  const length = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getUint32(magicAt - 4, true);
  if (length > TRAILER_MAX_PAYLOAD_BYTES || length > magicAt - 4) return { invalid: 'length out of bounds' };
  return tail.subarray(magicAt - 4 - length, magicAt - 4);
}

/** Validates a payload: UTF-8 JSON matching the schema. */
export function parseTrailerPayload(payload: Uint8Array): TrailerRead {
  if (payload.length > TRAILER_MAX_PAYLOAD_BYTES) return { kind: 'invalid', reason: 'payload too large' };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { kind: 'invalid', reason: 'not UTF-8 JSON' };
  }
  const parsed = sessionTrailerSchema.safeParse(value);
  if (!parsed.success) return { kind: 'invalid', reason: parsed.error.issues.map((issue) => issue.path.join('.') || issue.message).join(', ') };
  return { kind: 'found', trailer: Object.freeze(parsed.data) };
}
