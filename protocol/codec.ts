/** Encoding and validating control messages: nothing unvalidated reaches application code. */
import type { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { LIMITS } from './limits.js';
import { plainText } from './text.js';

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; detail: string };

type Union = z.ZodDiscriminatedUnion<readonly z.ZodObject<{ t: z.ZodLiteral<string> } & z.ZodRawShape>[]>;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The message types a union accepts, for telling "unknown type" from "invalid message". */
export function messageTypes(schema: Union): ReadonlySet<string> {
  return new Set(schema.options.map((option) => String(option.shape.t.value)));
}

const typeCache = new WeakMap<Union, ReadonlySet<string>>();

/** Parses and validates one JSON text frame against a direction's union. */
export function decodeControl<S extends Union>(schema: S, raw: string | Uint8Array): DecodeResult<z.infer<S>> {
  const size = typeof raw === 'string' ? byteLength(raw) : raw.byteLength;
  if (size > LIMITS.maxJsonBytes) {
    return { ok: false, code: 'PROTO_ERR_MESSAGE_TOO_LARGE', detail: `${size} bytes, the limit is ${LIMITS.maxJsonBytes}` };
  }
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : decoder.decode(raw);
  } catch {
    return { ok: false, code: 'PROTO_ERR_BAD_JSON', detail: 'the text is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'PROTO_ERR_BAD_JSON', detail: 'the text could not be parsed' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'PROTO_ERR_INVALID_MESSAGE', detail: 'a message must be a JSON object' };
  }
  const type = (value as { t?: unknown }).t;
  let types = typeCache.get(schema);
  if (!types) typeCache.set(schema, (types = messageTypes(schema)));
  if (typeof type !== 'string' || !types.has(type)) {
    // The peer's own text goes back in an error message: it must be valid text itself.
    const shown = typeof type === 'string' ? `"${plainText(type, 40)}"` : 'missing';
    return { ok: false, code: 'PROTO_ERR_UNKNOWN_TYPE', detail: `type ${shown}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
    return { ok: false, code: 'PROTO_ERR_INVALID_MESSAGE', detail: `${type}: ${where} ${issue?.message ?? 'is invalid'}` };
  }
  return { ok: true, message: parsed.data as z.infer<S> };
}

/** Serialises a control message, refusing one that would break the JSON size limit. */
export function encodeControl<T extends { t: string }>(message: T): string {
  const text = JSON.stringify(message);
  const size = byteLength(text);
  if (size > LIMITS.maxJsonBytes) {
    throw new RangeError(`control message "${message.t}" is ${size} bytes, the limit is ${LIMITS.maxJsonBytes}`);
  }
  return text;
}

function byteLength(text: string): number {
  // Fast path: most messages are ASCII, where length equals bytes.
  return text.length * 3 <= LIMITS.maxJsonBytes ? text.length : encoder.encode(text).byteLength;
}
