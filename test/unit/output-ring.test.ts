/** The scrollback ring: one circular buffer, checked against a plain model (everything pushed, cut to the limit) over random pushes. */
import { describe, expect, it } from 'vitest';
import { OutputRing } from '../../controller/server/relay/output-ring.js';

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const joined = (chunks: readonly Buffer[]) => Buffer.concat(chunks);

describe('OutputRing', () => {
  it('keeps exactly the last maxBytes pushed, across wraps, and answers since() like the model', () => {
    const random = seeded(7);
    for (const max of [1, 7, 100, 4096]) {
      const ring = new OutputRing(max);
      let all = Buffer.alloc(0);
      for (let i = 0; i < 300; i++) {
        const size = Math.floor(random() * max * 1.7);
        const payload = Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
        ring.push(payload);
        all = Buffer.concat([all, payload]);
        const kept = all.subarray(Math.max(0, all.length - max));
        expect(ring.end).toBe(all.length);
        expect(ring.size).toBe(kept.length);
        expect(ring.start).toBe(all.length - kept.length);
        expect(joined(ring.chunks()).equals(kept)).toBe(true);
        const from = Math.floor(random() * (all.length + 2));
        const limit = random() < 0.5 ? Infinity : Math.floor(random() * max) + 1;
        const { chunks, skipped } = ring.since(from, limit);
        expect(skipped).toBe(Math.max(0, ring.start - from));
        const begin = Math.max(from, ring.start);
        expect(joined(chunks).equals(all.subarray(begin, Math.min(all.length, begin + limit)))).toBe(true);
        expect(chunks.length).toBeLessThanOrEqual(2);
      }
    }
  });

  it('a payload larger than the ring keeps its last bytes; an empty one changes nothing', () => {
    const ring = new OutputRing(4);
    ring.push(Buffer.from('abcdefgh'));
    expect(joined(ring.chunks()).toString()).toBe('efgh');
    ring.push(Buffer.alloc(0));
    expect(ring.end).toBe(8);
    ring.push(Buffer.from('ij'));
    expect(joined(ring.chunks()).toString()).toBe('ghij');
    expect(ring.since(5).skipped).toBe(1);
  });

  it('keeps nothing with a zero limit but still counts the stream', () => {
    const ring = new OutputRing(0);
    ring.push(Buffer.from('abc'));
    expect(ring.size).toBe(0);
    expect(ring.end).toBe(3);
    expect(ring.chunks()).toEqual([]);
    expect(ring.since(0).skipped).toBe(3);
  });

  it('copies what it is given (the caller may reuse its buffer)', () => {
    const ring = new OutputRing(16);
    const payload = Buffer.from('hello');
    ring.push(payload);
    payload.fill(0x78);
    expect(joined(ring.chunks()).toString()).toBe('hello');
  });
});
