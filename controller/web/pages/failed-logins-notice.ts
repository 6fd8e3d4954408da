/**
 * After logging in, the owner of an account sees the wrong passwords tried for it
 * since they last looked: from where, when, how many. Shown once: the controller
 * forgets them as soon as they are on screen.
 */
import { api, type FailedLogin } from '../connection/api.js';
import { el, icon } from '../ui/dom.js';
import { formatDateTime } from '../ui/format.js';
import { wordsOf } from '../app/language.js';
import { dashboardCatalog } from './dashboard-catalog.js';

const t = wordsOf(dashboardCatalog);

/** The notice, or null when there is nothing to tell. */
export function failedLoginsNotice(failed: readonly FailedLogin[]): HTMLElement | null {
  if (failed.length === 0) return null;
  const total = failed.reduce((sum, f) => sum + f.count, 0);
  const lines = failed.map((f) => el('li', null,
    t('failedFrom', { count: f.count, address: f.address ?? t('otherAddresses') }),
    f.count > 1 ? t('failedSpan', { first: formatDateTime(f.firstAt), last: formatDateTime(f.lastAt) }) : formatDateTime(f.lastAt)));
  const dismiss = el('button', { class: 'btn btn-small btn-light', type: 'button' }, t('dismiss'));
  const notice = el('div', { class: 'notice notice-warn failed-logins', role: 'alert', 'data-testid': 'failed-logins' },
    icon('alert'),
    el('div', null,
      el('strong', null, t('failedLoginsTitle', { total })),
      el('ul', null, ...lines),
      el('span', null, t('failedAdvice'))),
    dismiss);
  dismiss.addEventListener('click', () => notice.remove());
  // Seen once is enough; if this fails, they are simply shown again next time.
  api.acknowledgeFailedLogins().catch(() => undefined);
  return notice;
}
