/** Under a paged list: how much of it is shown, and the button that loads the next page. */
import { el } from '../ui/dom.js';
import type { DevicePager } from './device-pager.js';
import { formats, wordsOf } from '../app/language.js';
import { devicesCatalog } from './devices-catalog.js';

const t = wordsOf(devicesCatalog);

const NOUNS = { sessions: 'nounSessions', ended: 'nounEnded', devices: 'nounDevices' } as const;

/** What a paged list holds, for "Showing 50 of 10,000 devices". */
export type PagerNoun = keyof typeof NOUNS;

/** "Showing 50 of 10,000 devices" and "Show more", or nothing when everything is shown. */
export function pagerFooter(pager: DevicePager, noun: PagerNoun): HTMLElement | null {
  if (pager.rows.length === 0) return null;
  const shown = formats.number(pager.rows.length, 0);
  const all = t(NOUNS[noun], { total: pager.total });
  return el('div', { class: 'pager-footer', 'data-testid': 'pager-footer' },
    el('span', { class: 'muted small', 'data-testid': 'pager-shown' }, pager.hasMore ? t('showingOf', { shown, all }) : all),
    pager.hasMore ? el('button', { class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'show-more', onclick: () => pager.more() }, t('showMore')) : null);
}
