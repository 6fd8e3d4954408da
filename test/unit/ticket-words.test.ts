import { describe, expect, it } from 'vitest';
import { TICKET_WORD_LIMITS, prefixEnd, queryWords, ticketSearchText, wordsOf } from '../../protocol/ticket-words.js';

describe('the words a ticket is found by', () => {
  it('are lower case, without accents, split on anything not a letter or a digit', () => {
    expect(wordsOf('Imprimante BLOQUÉE au 2ᵉ étage — claire.martin@example.fr, 06 12')).toEqual(
      ['imprimante', 'bloquee', 'au', '2e', 'etage', 'claire', 'martin', 'example', 'fr', '06', '12'],
    );
    expect(wordsOf('  ')).toEqual([]);
  });

  it('index the number, title, requester and the description’s start, bounded', () => {
    const text = ticketSearchText({ number: 1042, title: 'Outlook', requester: { name: 'Jean Dupont', email: null, phone: '0612' }, description: 'x '.repeat(5000) });
    expect(wordsOf(text).slice(0, 5)).toEqual(['1042', 'outlook', 'jean', 'dupont', '0612']);
    expect(wordsOf(Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' '))).toHaveLength(TICKET_WORD_LIMITS.perTicket);
    expect(wordsOf('a'.repeat(100))[0]).toHaveLength(TICKET_WORD_LIMITS.wordChars);
  });

  it('a search is its words, #1042 is the number, and a prefix range holds every word it begins', () => {
    expect(queryWords('#1042 Imprim')).toEqual(['1042', 'imprim']);
    expect(queryWords(undefined)).toEqual([]);
    expect(queryWords('a b c d e f g h i j')).toHaveLength(TICKET_WORD_LIMITS.perQuery);
    const end = prefixEnd('imprim');
    for (const word of ['imprim', 'imprimante', 'imprimé'.normalize('NFD').replace(/\p{M}/gu, '')]) expect(word >= 'imprim' && word < end).toBe(true);
    for (const word of ['imprilm', 'impr', 'jmprim']) expect(word >= 'imprim' && word < end).toBe(false);
  });
});
