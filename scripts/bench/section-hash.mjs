/**
 * Byte-exact content check on a stream of any size: the sha256 of exactly the bytes
 * between a start marker and an end marker, fed chunk by chunk (markers may straddle
 * chunks), holding no more than a marker's length of output.
 */
import { createHash } from 'node:crypto';

/** Returns `{ push(chunk) → true once the end marker was seen, result() }`. */
export function sectionHasher(startMarker, endMarker) {
  const start = Buffer.from(startMarker);
  const end = Buffer.from(endMarker);
  const hash = createHash('sha256');
  let state = 'before';
  let carry = Buffer.alloc(0);
  let bytes = 0;

  const take = (buf) => {
    hash.update(buf);
    bytes += buf.length;
  };

  /** Looks for `marker` in carry+chunk without copying the chunk; returns the index in the joined view, or -1. */
  const find = (chunk, marker) => {
    if (carry.length > 0) {
      const joint = Buffer.concat([carry, chunk.subarray(0, marker.length - 1)]).indexOf(marker);
      if (joint !== -1 && joint < carry.length) return joint;
    }
    const inChunk = chunk.indexOf(marker);
    return inChunk === -1 ? -1 : carry.length + inChunk;
  };

  const push = (chunk) => {
    if (state === 'done') return true;
    if (chunk.length < Math.max(start.length, end.length)) {
      // Short chunks are joined whole: they are rare and small.
      const joined = Buffer.concat([carry, chunk]);
      carry = Buffer.alloc(0);
      return scan(joined);
    }
    return scan(chunk);
  };

  const scan = (chunk) => {
    if (state === 'before') {
      const at = find(chunk, start);
      if (at === -1) {
        carry = Buffer.from(Buffer.concat([carry, chunk.subarray(-(start.length - 1))]).subarray(-(start.length - 1)));
        return false;
      }
      const after = at + start.length - carry.length;
      carry = Buffer.alloc(0);
      state = 'inside';
      return scan(chunk.subarray(after));
    }
    const at = find(chunk, end);
    if (at !== -1) {
      if (at < carry.length) take(carry.subarray(0, at));
      else {
        take(carry);
        take(chunk.subarray(0, at - carry.length));
      }
      carry = Buffer.alloc(0);
      state = 'done';
      return true;
    }
    take(carry);
    const keep = Math.min(chunk.length, end.length - 1);
    take(chunk.subarray(0, chunk.length - keep));
    carry = Buffer.from(chunk.subarray(chunk.length - keep));
    return false;
  };

  return { push, result: () => ({ complete: state === 'done', bytes, sha256: hash.digest('hex') }) };
}
