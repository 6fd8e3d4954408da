/**
 * The words a ticket is found by in the queue's search: its number, title, requester
 * (name, e-mail, phone) and the start of its description, lower case and without accents
 * ("Imprimante bloquée" → `imprimante`, `bloquee`; compatibility forms folded: `2ᵉ` → `2e`). The store indexes them one row per
 * word; a search word matches the words it begins (`impri` finds `imprimante`), which
 * an index answers at any size, where a substring match must read every ticket.
 */
export const TICKET_WORD_LIMITS = Object.freeze({
  /** Words indexed per ticket (the description's start is enough to find it by). */
  perTicket: 300,
  /** Characters kept of one word. */
  wordChars: 40,
  /** Words of one search. */
  perQuery: 8,
});

/** Lower case, accents removed, split on anything that is not a letter or a digit. */
export function wordsOf(text: string, limit: number = TICKET_WORD_LIMITS.perTicket): string[] {
  const words = new Set<string>();
  for (const raw of text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length === 0) continue;
    words.add(raw.slice(0, TICKET_WORD_LIMITS.wordChars));
    if (words.size >= limit) break;
  }
  return [...words];
}

/** The text a ticket is indexed by (the same fields the queue shows). */
export function ticketSearchText(t: { number: number; title: string; requester: { name: string; email?: string | null; phone?: string | null }; description: string }): string {
  return [String(t.number), t.title, t.requester.name, t.requester.email ?? '', t.requester.phone ?? '', t.description.slice(0, 1000)].join(' ');
}

/** The words of a search (`#1042` is the number 1042). */
export function queryWords(q: string | undefined): string[] {
  return wordsOf(q ?? '', TICKET_WORD_LIMITS.perQuery);
}

/** The upper bound of a prefix range: every word beginning with `prefix` sorts below it. */
export function prefixEnd(prefix: string): string {
  return `${prefix}\uffff`;
}
