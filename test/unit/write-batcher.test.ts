/** The store's write batches: the first write at once, the rest together, one key per batch, in order; a failed batch fails its writes only. */
import { describe, expect, it } from 'vitest';
import { WriteBatcher } from '../../controller/server/jobs/write-batcher.js';

interface Write { readonly run: string; readonly n: number }

/** A store whose batches the test answers one by one. */
function fakeStore(refuse: ReadonlySet<string> = new Set()) {
  const batches: Array<{ items: readonly Write[]; answer(): void; fail(err: Error): void }> = [];
  const batcher = new WriteBatcher<Write>((w) => w.run, (items) => new Promise((resolve, reject) => {
    batches.push({ items, answer: () => resolve(new Set(items.map((w) => w.run).filter((r) => !refuse.has(r)))), fail: reject });
  }), 3);
  return { batcher, batches };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteBatcher', () => {
  it('writes the first at once and what arrives meanwhile as the next batch, up to its size', async () => {
    const { batcher, batches } = fakeStore();
    const first = batcher.add({ run: 'a', n: 1 });
    expect(batches.map((b) => b.items.map((w) => w.run))).toEqual([['a']]);
    const rest = ['b', 'c', 'd', 'e'].map((run, i) => batcher.add({ run, n: i }));
    batches[0]!.answer();
    await expect(first).resolves.toBe(true);
    await settle();
    expect(batches.map((b) => b.items.map((w) => w.run))).toEqual([['a'], ['b', 'c', 'd']]);
    batches[1]!.answer();
    await settle();
    expect(batches.map((b) => b.items.map((w) => w.run))).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    batches[2]!.answer();
    await expect(Promise.all(rest)).resolves.toEqual([true, true, true, true]);
  });

  it('never puts two writes of one key in a batch: the later waits for the next, in order', async () => {
    const { batcher, batches } = fakeStore();
    const first = batcher.add({ run: 'x', n: 0 });
    const a1 = batcher.add({ run: 'a', n: 1 });
    const a2 = batcher.add({ run: 'a', n: 2 });
    const b = batcher.add({ run: 'b', n: 3 });
    batches[0]!.answer();
    await first;
    await settle();
    expect(batches[1]!.items).toEqual([{ run: 'a', n: 1 }]);
    batches[1]!.answer();
    await settle();
    expect(batches[2]!.items).toEqual([{ run: 'a', n: 2 }, { run: 'b', n: 3 }]);
    batches[2]!.answer();
    await expect(Promise.all([a1, a2, b])).resolves.toEqual([true, true, true]);
  });

  it('answers false for a write the store did not apply, and fails only the batch that failed', async () => {
    const { batcher, batches } = fakeStore(new Set(['late']));
    const first = batcher.add({ run: 'x', n: 0 });
    const late = batcher.add({ run: 'late', n: 1 });
    const ok = batcher.add({ run: 'ok', n: 2 });
    batches[0]!.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await settle();
    batches[1]!.answer();
    await expect(late).resolves.toBe(false);
    await expect(ok).resolves.toBe(true);
    // Idle again: the next write goes at once.
    void batcher.add({ run: 'y', n: 3 });
    expect(batches).toHaveLength(3);
  });
});
