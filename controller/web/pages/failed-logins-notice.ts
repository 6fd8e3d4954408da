/**
 * After logging in, the owner of an account sees the wrong passwords tried for it
 * since they last looked: from where, when, how many. Shown once: the controller
 * forgets them as soon as they are on screen.
 */
import { api, type FailedLogin } from '../connection/api.js';
import { el, icon } from '../ui/dom.js';
import { formatDateTime } from '../ui/format.js';

/** The notice, or null when there is nothing to tell. */
export function failedLoginsNotice(failed: readonly FailedLogin[]): HTMLElement | null {
  if (failed.length === 0) return null;
  const total = failed.reduce((sum, f) => sum + f.count, 0);
  const lines = failed.map((f) => el('li', null,
    `${f.count} from ${f.address ?? 'other addresses'}, `,
    f.count > 1 ? `${formatDateTime(f.firstAt)} to ${formatDateTime(f.lastAt)}` : formatDateTime(f.lastAt)));
  const dismiss = el('button', { class: 'btn btn-small btn-light', type: 'button' }, 'Dismiss');
  const notice = el('div', { class: 'notice notice-warn failed-logins', role: 'alert', 'data-testid': 'failed-logins' },
    icon('alert'),
    el('div', null,
      el('strong', null, `${total} failed login${total === 1 ? '' : 's'} for your account since you last looked:`),
      el('ul', null, ...lines),
      el('span', null, 'If this was not you, change your password in Settings; guessing is slowed down per address.')),
    dismiss);
  dismiss.addEventListener('click', () => notice.remove());
  // Seen once is enough; if this fails, they are simply shown again next time.
  api.acknowledgeFailedLogins().catch(() => undefined);
  return notice;
}
