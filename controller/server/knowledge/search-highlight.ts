/**
 * The matched words of a search marked in a title and cut into a snippet, in JavaScript rather
 * than by FTS5's highlight() and snippet(): those re-run the whole query for each row they
 * mark (measured: up to 10 ms for 21 rows of a six-word query on 100,000 articles), where this
 * reads only the rows shown. Words are split and folded as the index does (letters and digits;
 * lower case, accents removed: « Réseau » is `reseau`), so what is marked is what matched, and
 * any store (SQLite, PostgreSQL) gives the same marks.
 */
import type { MarkedText } from '../../../protocol/knowledge-model.js';

/** Words of a snippet around the best match. */
const SNIPPET_WORDS = 24;
const MAX_CHARS = 1000;

interface Token {
  readonly start: number;
  readonly end: number;
  readonly folded: string;
}

// Most words are ASCII: only the others pay for Unicode decomposition.
const fold = (word: string) => (/^[\x00-\x7f]*$/.test(word) ? word.toLowerCase() : word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase());
const WORD = /[\p{L}\p{N}]+/gu;

function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) out.push({ start: m.index, end: m.index + m[0].length, folded: fold(m[0]) });
  return out;
}

/** Which search terms a word matches: equal to one, or beginning with the last when it is a prefix. */
export function matcher(terms: readonly string[], prefixLast: boolean): (folded: string) => boolean {
  const exact = new Set(prefixLast ? terms.slice(0, -1) : terms);
  const prefix = prefixLast ? terms[terms.length - 1] : undefined;
  return (folded) => exact.has(folded) || (prefix !== undefined && folded.startsWith(prefix));
}

/** Every matched word of the text marked (a title). */
export function highlight(text: string, matches: (folded: string) => boolean): MarkedText {
  const marks = tokens(text).filter((t) => matches(t.folded)).slice(0, 64).map((t): [number, number] => [t.start, t.end]);
  return { text: text.slice(0, MAX_CHARS), marks: marks.filter(([, end]) => end <= MAX_CHARS) };
}

/** About SNIPPET_WORDS words around the densest run of matches, `…` where the text was cut, the matches marked. */
export function snippet(text: string, matches: (folded: string) => boolean, words = SNIPPET_WORDS): MarkedText {
  const all = tokens(text);
  if (all.length === 0) return { text: '', marks: [] };
  const hit = all.map((t) => matches(t.folded));
  // The window of `words` tokens with the most matches (the first such), found by sliding once.
  let count = 0;
  let best = 0;
  let bestAt = 0;
  for (let i = 0; i < all.length; i++) {
    if (hit[i]) count++;
    if (i >= words && hit[i - words]) count--;
    if (count > best) {
      best = count;
      bestAt = Math.max(0, i - words + 1);
    }
  }
  // A little context before the first match of the window.
  const first = hit.indexOf(true, bestAt);
  const from = best === 0 ? 0 : Math.max(0, Math.min(bestAt, first - 3));
  const to = Math.min(all.length, from + words);
  const startChar = from === 0 ? 0 : all[from]!.start;
  const endChar = to === all.length ? text.length : all[to - 1]!.end;
  const lead = from === 0 ? '' : '…';
  const tail = to === all.length ? '' : '…';
  // On one line, the lines of a list stay apart: a line that ends without punctuation is followed by « · ».
  const body = text.slice(startChar, Math.min(endChar, startChar + MAX_CHARS - 2))
    .replace(/([.!?:;…»])?[^\S\n]*\n\s*/g, (_line, end: string | undefined) => (end ? `${end} ` : ' · '))
    .replace(/\s+/g, ' ');
  // Whitespace runs became one space: recompute the marks on the text shown.
  const shown = `${lead}${body}${tail}`;
  const marks: Array<[number, number]> = [];
  for (const t of tokens(shown)) if (matches(t.folded) && marks.length < 64) marks.push([t.start, t.end]);
  return { text: shown, marks };
}
