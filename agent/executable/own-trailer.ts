/**
 * Reading the session trailer from the agent's own executable at start: a plain trailer
 * at the end of the file, or, in a signed Windows executable, the tag in its signature's
 * unauthenticated attributes. Reads are bounded (the last few KiB, the PE headers, a
 * certificate table of at most 1 MiB); whatever is found is validated by the protocol's
 * schema, and a damaged trailer is reported, never half-trusted.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  CERT_TABLE_MAX_BYTES, PE_HEADER_BYTES, TRAILER_TAIL_BYTES, findPlainTrailer, looksLikePe, parseTrailerPayload, peLayout, readCertificateTag,
  type TrailerRead,
} from '../../protocol/executable/index.js';

function readAt(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return buffer.subarray(0, done);
}

/** The trailer of the executable at `path`: none, found (validated), or invalid with the reason. */
export function readOwnTrailer(path: string): TrailerRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { kind: 'invalid', reason: (error as Error).message };
  }
  try {
    const size = fstatSync(fd).size;
    const tailLength = Math.min(size, TRAILER_TAIL_BYTES);
    const plain = findPlainTrailer(readAt(fd, size - tailLength, tailLength));
    if (plain !== null) return plain instanceof Uint8Array ? parseTrailerPayload(plain) : { kind: 'invalid', reason: plain.invalid };
    const head = readAt(fd, 0, Math.min(size, PE_HEADER_BYTES));
    if (!looksLikePe(head)) return { kind: 'none' };
    const layout = peLayout(head);
    if (layout.certTableSize === 0) return { kind: 'none' };
    if (layout.certTableSize > CERT_TABLE_MAX_BYTES || layout.certTableOffset + layout.certTableSize > size) return { kind: 'invalid', reason: 'certificate table out of bounds' };
    const tag = readCertificateTag(readAt(fd, layout.certTableOffset, layout.certTableSize));
    return tag === null ? { kind: 'none' } : parseTrailerPayload(tag);
  } catch (error) {
    return { kind: 'invalid', reason: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}
