/**
 * The little of ASN.1 DER that tagging a signed Windows executable needs: read one
 * element (tag, where its content starts and ends), list a constructed element's
 * children, and write an element around content. Every length is checked against the
 * bytes that hold it, so a damaged or hostile signature is an error, never a read
 * past the end.
 */

/** One DER element inside a byte array: `[start, end)` is the whole element, `[contentStart, end)` its content. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

export class DerError extends Error {}

/** Reads the element starting at `offset`, which must end by `limit`. Only single-byte tags (all Authenticode uses). */
export function readElement(bytes: Uint8Array, offset: number, limit = bytes.length): DerElement {
  if (offset + 2 > limit) throw new DerError('truncated element header');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let lengthByte = bytes[offset + 1] as number;
  let cursor = offset + 2;
  let length: number;
  if (lengthByte < 0x80) length = lengthByte;
  else {
    lengthByte &= 0x7f;
    // Indefinite lengths (BER) and lengths beyond 4 bytes have no place in a signature.
    if (lengthByte === 0 || lengthByte > 4) throw new DerError('unsupported length form');
    if (cursor + lengthByte > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < lengthByte; i++) length = length * 256 + (bytes[cursor + i] as number);
    cursor += lengthByte;
  }
  if (cursor + length > limit) throw new DerError('element longer than its container');
  return { tag, start: offset, contentStart: cursor, end: cursor + length };
}

/** The children of a constructed element, in order; they must fill its content exactly. */
export function children(bytes: Uint8Array, parent: DerElement): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw new DerError('not a constructed element');
  const out: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(bytes, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The header (tag and definite length) of an element whose content is `length` bytes. */
export function header(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  const digits: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) digits.unshift(rest % 256);
  return Uint8Array.of(tag, 0x80 | digits.length, ...digits);
}

/** An element: tag, length and the given parts as its content. */
export function element(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return concat([header(tag, length), ...parts]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * X.690 11.6: the elements of a DER SET OF appear in ascending order of their encodings,
 * compared as octet strings, the shorter padded with zeros at its end.
 */
export function compareForSet(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

export const TAG = Object.freeze({
  OCTET_STRING: 0x04,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
});
