/** The line diff of article versions: exact, minimal (checked against an LCS table on random inputs), bounded. */
import { describe, expect, it } from 'vitest';
import { diffArticles, diffLines, diffSequences, type DiffLine } from '../../protocol/knowledge-diff.js';
import type { ArticleContent } from '../../protocol/knowledge-model.js';

const before = (lines: DiffLine[]) => lines.filter((l) => l.op !== 'insert').map((l) => l.text);
const after = (lines: DiffLine[]) => lines.filter((l) => l.op !== 'delete').map((l) => l.text);
const edits = (lines: DiffLine[]) => lines.filter((l) => l.op !== 'equal').length;

/** The fewest insertions plus deletions, from the longest common subsequence (quadratic: small inputs only). */
function minimalEdits(a: string[], b: string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  return a.length + b.length - 2 * table[0]![0]!;
}

/** A small seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('diffLines', () => {
  it('marks the one changed line between kept ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: 'equal', text: 'a' }, { op: 'delete', text: 'b' }, { op: 'insert', text: 'B' }, { op: 'equal', text: 'c' },
    ]);
  });

  it('handles empty sides, identical texts and CRLF', () => {
    expect(diffLines('', '')).toEqual([]);
    expect(diffLines('', 'x\ny')).toEqual([{ op: 'insert', text: 'x' }, { op: 'insert', text: 'y' }]);
    expect(diffLines('x\ny', '')).toEqual([{ op: 'delete', text: 'x' }, { op: 'delete', text: 'y' }]);
    expect(diffLines('x\r\ny', 'x\ny')).toEqual([{ op: 'equal', text: 'x' }, { op: 'equal', text: 'y' }]);
  });

  it('is exact and minimal on 500 random pairs', () => {
    const next = random(17);
    const pick = (n: number) => Array.from({ length: Math.floor(next() * n) }, () => 'abcde'[Math.floor(next() * 5)]!);
    for (let i = 0; i < 500; i++) {
      const a = pick(14);
      const b = pick(14);
      const diff = diffSequences(a, b);
      expect(before(diff)).toEqual(a);
      expect(after(diff)).toEqual(b);
      expect(edits(diff)).toBe(minimalEdits(a, b));
    }
  });

  it('past the edit bound shows the middle as removed then added, still exact', () => {
    const a = Array.from({ length: 300 }, (_, i) => `old ${i}`);
    const b = Array.from({ length: 300 }, (_, i) => `new ${i}`);
    const diff = diffSequences(['top', ...a, 'end'], ['top', ...b, 'end'], 50);
    expect(diff[0]).toEqual({ op: 'equal', text: 'top' });
    expect(diff.at(-1)).toEqual({ op: 'equal', text: 'end' });
    expect(before(diff)).toEqual(['top', ...a, 'end']);
    expect(after(diff)).toEqual(['top', ...b, 'end']);
  });

  it('takes little time on two large texts with scattered changes', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const b = a.map((line, i) => (i % 1000 === 0 ? `${line} changed` : line));
    const started = performance.now();
    const diff = diffSequences(a, b);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(edits(diff)).toBe(40);
  });
});

describe('diffArticles', () => {
  const content: ArticleContent = {
    title: 'Disk full', symptoms: 'Slow.\nErrors when saving.', cause: '', steps: '1. Clear temp files', category: 'system',
    tags: ['disk'], findingCodes: ['disk.full'], scriptName: null, visibility: 'internal',
  };

  it('names only the fields that changed, lists one item a line', () => {
    const changed = diffArticles(content, { ...content, tags: ['disk', 'windows'], scriptName: 'clear-temp-files', symptoms: 'Slow.\nErrors when saving files.' });
    expect(changed.map((c) => c.field)).toEqual(['tags', 'scriptName', 'symptoms']);
    expect(changed[0]!.lines).toEqual([{ op: 'equal', text: 'disk' }, { op: 'insert', text: 'windows' }]);
    expect(changed[1]!.lines).toEqual([{ op: 'insert', text: 'clear-temp-files' }]);
  });

  it('the first version is all added', () => {
    const first = diffArticles(null, content);
    expect(first.map((c) => c.field)).toEqual(['title', 'category', 'visibility', 'tags', 'findingCodes', 'symptoms', 'steps']);
    expect(first.every((c) => c.lines.every((l) => l.op === 'insert'))).toBe(true);
  });
});
