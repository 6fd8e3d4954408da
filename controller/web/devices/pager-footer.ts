/** Under a paged list: how much of it is shown, and the button that loads the next page. */
import { el } from '../ui/dom.js';
import type { DevicePager } from './device-pager.js';

/** "Showing 50 of 10,000" and "Show more", or nothing when everything is shown. */
export function pagerFooter(pager: DevicePager, noun: string): HTMLElement | null {
  if (pager.rows.length === 0) return null;
  const shown = pager.rows.length.toLocaleString();
  const total = pager.total.toLocaleString();
  return el('div', { class: 'pager-footer', 'data-testid': 'pager-footer' },
    el('span', { class: 'muted small', 'data-testid': 'pager-shown' }, pager.hasMore ? `Showing ${shown} of ${total} ${noun}` : `${total} ${noun}`),
    pager.hasMore ? el('button', { class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'show-more', onclick: () => pager.more() }, 'Show more') : null);
}
