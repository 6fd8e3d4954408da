/** What every knowledge screen shares: its words, a finding code's name, highlighted text, the small chips. */
import type { MarkedText } from '../../../protocol/knowledge-model.js';
import { ticketCatalog } from '../../../protocol/ticket-catalog.js';
import { wordsOf } from '../app/language.js';
import { el } from '../ui/dom.js';
import { badge } from '../ui/status-badge.js';
import { findingCodesCatalog } from './finding-codes-catalog.js';
import { knowledgeCatalog } from './knowledge-catalog.js';

export const t = wordsOf(knowledgeCatalog);
export const tk = wordsOf(ticketCatalog);
const codes = wordsOf(findingCodesCatalog);

/** A finding code in words ("disk.full" → "Disk nearly full"); a code the catalog does not know stays as it is. */
export function codeLabel(code: string): string {
  const key = code.replace(/[.-]/g, '_');
  const words = codes('code', { code: key });
  return words === key ? code : words;
}

/** A finding code as a chip: its words, the code itself as the tooltip. */
export function codeChip(code: string): HTMLSpanElement {
  return el('span', { class: 'kb-code', title: code, 'data-code': code }, codeLabel(code));
}

export function visibilityBadge(visibility: 'internal' | 'person'): HTMLSpanElement {
  return badge(t('visibility', { visibility }), visibility === 'person' ? 'info' : 'neutral', 'kb-visibility');
}

/**
 * Text with the words a search matched in <mark>: built from the server's ranges as text
 * nodes, never from HTML. Ranges out of order, overlapping or past the end are skipped.
 */
export function markedText(marked: MarkedText, className = 'kb-snippet', testId?: string): HTMLElement {
  const node = el('span', { class: className, 'data-testid': testId });
  let at = 0;
  for (const [start, end] of marked.marks) {
    if (start < at || end <= start || end > marked.text.length) continue;
    if (start > at) node.append(marked.text.slice(at, start));
    node.append(el('mark', null, marked.text.slice(start, end)));
    at = end;
  }
  if (at < marked.text.length) node.append(marked.text.slice(at));
  return node;
}
