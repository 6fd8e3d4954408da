/**
 * "Help someone now": creates a support link and shows everything the
 * technician passes on — link, code, command — with a live expiry countdown.
 */
import { ApiError, api, type NewSupportLink, type SupportLinkView } from '../connection/api.js';
import { copyButton } from '../ui/copy-button.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatCountdown } from '../ui/format.js';
import { wordsOf } from '../app/language.js';
import { dashboardCatalog } from './dashboard-catalog.js';

const t = wordsOf(dashboardCatalog);

export interface SupportLinkPanel {
  root: HTMLElement;
  /** Shows the latest server-side status of the link on display (joined, expired). */
  update(links: SupportLinkView[]): void;
  /** The link `linkId` was used (an agent joined with it): if it is the one on display, it says so. */
  joined(linkId: string, deviceId: string | null): void;
  dispose(): void;
}

/** Builds the panel; `onCreated` lets the page refresh its list of links; `ticketNumber` records the link on that ticket. */
export function createSupportLinkPanel(onCreated: () => void, openDevice: (deviceId: string) => void, ticketNumber?: number): SupportLinkPanel {
  let current: NewSupportLink | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const button = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'new-link' }, icon('plus'), t('newLink'));
  const body = el('div', { class: 'link-body' });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });

  const countdown = el('span', { class: 'countdown', 'data-testid': 'link-expiry' });
  const joined = el('div', { class: 'notice notice-good', hidden: true });

  const tickCountdown = () => {
    if (!current) return;
    const left = current.expiresAt - Date.now();
    countdown.textContent = left > 0 ? t('expiresIn', { time: formatCountdown(left) }) : t('expiredCreateNew');
    countdown.classList.toggle('countdown-expired', left <= 0);
    countdown.classList.toggle('countdown-soon', left > 0 && left < 60_000);
    body.classList.toggle('link-spent', left <= 0);
    if (left <= 0 && timer) clearInterval(timer);
  };

  const show = (link: NewSupportLink) => {
    current = link;
    joined.hidden = true;
    body.classList.remove('link-spent');
    replaceChildren(body,
      el('div', { class: 'link-grid' },
        el('div', { class: 'link-field' },
          el('span', { class: 'field-label' }, t('supportCode')),
          el('span', { class: 'support-code', 'data-testid': 'link-code' }, link.codeDisplay),
          countdown),
        el('div', { class: 'link-field' },
          el('span', { class: 'field-label' }, t('link')),
          el('div', { class: 'copy-row' },
            el('a', { class: 'link-url mono', href: link.url, target: '_blank', rel: 'noopener', 'data-testid': 'link-url' }, link.url),
            copyButton(() => link.url, t('linkWhat'))),
          el('span', { class: 'field-label' }, t('orCommand')),
          el('div', { class: 'copy-row' },
            el('code', { class: 'command mono', 'data-testid': 'link-command' }, link.command),
            copyButton(() => link.command, t('commandWhat'))))),
      el('p', { class: 'tell-them' },
        el('strong', null, t('tellThem')),
        t('tellThemHow'),
        t('tellThemPhone')),
      joined);
    tickCountdown();
    if (timer) clearInterval(timer);
    timer = setInterval(tickCountdown, 1000);
  };

  button.addEventListener('click', async () => {
    button.disabled = true;
    error.hidden = true;
    try {
      show(await api.createSupportLink(ticketNumber));
      onCreated();
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('createFailed');
    } finally {
      button.disabled = false;
    }
  });

  replaceChildren(body, el('p', { class: 'muted' },
    t('createHint')));

  const root = el('section', { class: 'card link-card' },
    el('div', { class: 'card-header' },
      el('div', null,
        el('h2', { class: 'card-title' }, t('helpNow')),
        el('p', { class: 'card-subtitle' }, t('helpNowHint'))),
      button),
    error, body);

  const panel: SupportLinkPanel = {
    root,
    update(links) {
      const link = current && links.find((l) => l.id === current?.id);
      if (link && link.status === 'joined') panel.joined(link.id, link.deviceId);
    },
    joined(linkId, deviceId) {
      if (!current || current.id !== linkId || !joined.hidden) return;
      if (timer) clearInterval(timer);
      countdown.textContent = t('used');
      countdown.classList.remove('countdown-soon', 'countdown-expired');
      body.classList.add('link-spent');
      joined.hidden = false;
      replaceChildren(joined, icon('check'), el('span', { 'data-testid': 'link-joined' }, t('joinedNotice')),
        deviceId ? el('button', { class: 'btn btn-small btn-secondary', type: 'button', onclick: () => openDevice(deviceId) }, t('openDevice')) : null);
    },
    dispose() {
      if (timer) clearInterval(timer);
    },
  };
  return panel;
}
