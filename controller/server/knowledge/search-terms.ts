/**
 * Typed text turned into search terms, the same for every store: lower case, accents
 * removed (« Réseau » → `reseau`), split on anything that is not a letter or a digit. So
 * quotes, parentheses, `*`, `:`, `^`, `-` and every other FTS5 operator character are
 * separators, never syntax, and the words AND, OR, NOT, NEAR are plain words once the store
 * quotes them. The common short words of French and English (« le », « des », "the") are
 * left out beside the others: they would match nearly every article.
 */

export const SEARCH_LIMITS = Object.freeze({
  /** Terms of one search (every one must match). */
  terms: 8,
  /** Terms taken from a ticket's text for its suggestions (any may match; the title's first): each adds to every match's ranking. */
  suggestionTerms: 6,
  /** Characters kept of one term. */
  termChars: 40,
  /** Characters of a ticket's text read for its suggestions. */
  suggestionChars: 4000,
});

// i18n-ignore: words to leave out of searches, not words shown
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    // French
    'a au aux avec ce ces cet cette c d dans de des du elle elles en est et etait il ils j je l la le les leur leurs lui ' +
    'm ma mais me mes mon n ne nos notre nous on ou par pas plus pour qu que qui s sa se ses son sont sur t ta te tes ' +
    'toi ton tu un une vos votre vous y ete etre avoir fait faire tres bien sans sous comme ' +
    // English
    'an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to too up us was we ' +
    'were what when where which who why will with would you your'
  ).split(' '),
);

/** Every word of the text, folded, each once, in order of appearance. */
export function foldedWords(text: string, limit = Number.MAX_SAFE_INTEGER): string[] {
  const words = new Set<string>();
  for (const raw of text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length === 0) continue;
    words.add(raw.slice(0, SEARCH_LIMITS.termChars));
    if (words.size >= limit) break;
  }
  return [...words];
}

/**
 * The terms of a search box: every word must match (the store matches the last one as a word's
 * beginning). Stop words and single letters are dropped when longer words remain, so « le réseau »
 * searches `reseau`.
 */
export function searchTerms(q: string | undefined): string[] {
  const words = foldedWords((q ?? '').slice(0, 400), 64);
  const telling = words.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w)));
  return (telling.length > 0 ? telling : words).slice(0, SEARCH_LIMITS.terms);
}

/** The telling words of a ticket's text for its suggestions: three letters or more, no stop words, no bare numbers. */
export function suggestionTerms(text: string): string[] {
  return foldedWords(text.slice(0, SEARCH_LIMITS.suggestionChars))
    .filter((w) => w.length >= 3 && !STOP_WORDS.has(w) && !/^\d+$/.test(w))
    .slice(0, SEARCH_LIMITS.suggestionTerms);
}
