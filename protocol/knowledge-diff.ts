/**
 * What changed between two versions of an article, line by line (Myers' O(ND) algorithm,
 * "An O(ND) Difference Algorithm and Its Variations", 1986): the shortest list of lines
 * removed and added, with the lines kept around them. The common start and end are cut
 * first (an edit usually touches a few lines); past `maxEdits` differences the middle is
 * shown as all removed then all added, so a diff never costs more than ~maxEdits² steps.
 * Pure and small: the controller computes it, any client could.
 */
import { ARTICLE_CONTENT_FIELDS, type ArticleContent, type ArticleContentField } from './knowledge-model.js';

export type DiffOp = 'equal' | 'insert' | 'delete';
export interface DiffLine {
  readonly op: DiffOp;
  readonly text: string;
}

/** Differences beyond which the middle of a diff is shown whole (removed, then added). */
export const DIFF_MAX_EDITS = 2000;

/** The text's lines (`\r\n` or `\n`); the empty text has none. */
export function linesOf(text: string): string[] {
  return text === '' ? [] : text.split(/\r?\n/);
}

/** The lines of `after` compared with those of `before`, in order. */
export function diffLines(before: string, after: string, maxEdits = DIFF_MAX_EDITS): DiffLine[] {
  return diffSequences(linesOf(before), linesOf(after), maxEdits);
}

export function diffSequences(a: readonly string[], b: readonly string[], maxEdits = DIFF_MAX_EDITS): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const middle = shortestEdit(midA, midB, maxEdits) ?? [
    ...midA.map((text): DiffLine => ({ op: 'delete', text })),
    ...midB.map((text): DiffLine => ({ op: 'insert', text })),
  ];
  const equal = (text: string): DiffLine => ({ op: 'equal', text });
  return [...a.slice(0, start).map(equal), ...middle, ...a.slice(endA).map(equal)];
}

/**
 * Myers' forward search. `v[k]` is the furthest x reached on diagonal k = x - y; each round d
 * keeps its copy of v over k ∈ [-d, d] for the walk back (so memory is O(d²), not O((N+M)·d)).
 * Null when more than `maxEdits` edits are needed.
 */
function shortestEdit(a: readonly string[], b: readonly string[], maxEdits: number): DiffLine[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return walkBack(trace, a, b);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return null;
}

/** From the end back to the start along the moves the search made, then in reading order. */
function walkBack(trace: readonly Int32Array[], a: readonly string[], b: readonly string[]): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d > 0; d--) {
    const before = trace[d - 1]!;
    const at = (k: number) => before[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const fromK = down ? k + 1 : k - 1;
    const fromX = at(fromK);
    const fromY = fromX - fromK;
    while (x > fromX && y > fromY) {
      out.push({ op: 'equal', text: a[--x]! });
      y--;
    }
    if (down) out.push({ op: 'insert', text: b[--y]! });
    else out.push({ op: 'delete', text: a[--x]! });
  }
  while (x > 0 && y > 0) {
    out.push({ op: 'equal', text: a[--x]! });
    y--;
  }
  return out.reverse();
}

/** A field's value as lines: text as written, lists one item a line, nothing as no line. */
function fieldLines(content: ArticleContent, field: ArticleContentField): string[] {
  const value = content[field];
  if (Array.isArray(value)) return [...value];
  if (value === null) return [];
  return linesOf(value);
}

/** The fields that differ between two versions, each with its line diff. */
export function diffArticles(before: ArticleContent | null, after: ArticleContent): Array<{ field: ArticleContentField; lines: DiffLine[] }> {
  return ARTICLE_CONTENT_FIELDS.flatMap((field) => {
    const old = before ? fieldLines(before, field) : [];
    const now = fieldLines(after, field);
    if (old.length === now.length && old.every((line, i) => line === now[i])) return [];
    return [{ field, lines: diffSequences(old, now) }];
  });
}
