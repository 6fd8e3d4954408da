/** The recent support links: which are still waiting, which were used, which expired. */
import type { SupportLinkView } from '../connection/api.js';
import { el, replaceChildren } from '../ui/dom.js';
import { formatTime } from '../ui/format.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';
import { wordsOf } from '../app/language.js';
import { dashboardCatalog } from './dashboard-catalog.js';

const t = wordsOf(dashboardCatalog);

const SHOWN = 8;
const STATUS: Record<SupportLinkView['status'], { label: () => string; tone: BadgeTone }> = {
  waiting: { label: () => t('statusWaiting'), tone: 'info' },
  joined: { label: () => t('statusJoined'), tone: 'good' },
  expired: { label: () => t('statusExpired'), tone: 'neutral' },
};

/** Renders the list into `target`; waiting links first, then the most recent. */
export function renderSupportLinks(target: HTMLElement, links: SupportLinkView[], openDevice: (id: string) => void): void {
  if (links.length === 0) {
    replaceChildren(target, el('p', { class: 'empty' }, t('noLinks')));
    return;
  }
  const now = Date.now();
  const sorted = [...links].sort((a, b) => Number(b.status === 'waiting') - Number(a.status === 'waiting') || b.createdAt - a.createdAt);
  const rows = sorted.slice(0, SHOWN).map((link) => {
    // A link past its expiry is expired even if the list was fetched a moment ago.
    const status = link.status === 'waiting' && link.expiresAt <= now ? 'expired' : link.status;
    const deviceId = link.deviceId;
    return el('li', { class: 'link-row', 'data-testid': 'link-row', dataset: { status } },
      badge(STATUS[status].label(), STATUS[status].tone),
      el('span', { class: 'link-created' }, t('createdAt', { time: formatTime(link.createdAt) })),
      el('span', { class: 'link-by muted' }, t('createdBy', { name: link.technician.name })),
      el('span', { class: 'link-expiry' },
        status === 'waiting' ? t('expiresAt', { time: formatTime(link.expiresAt) })
          : status === 'joined' && deviceId ? el('a', { href: `#/devices/${encodeURIComponent(deviceId)}`, onclick: (e: Event) => { e.preventDefault(); openDevice(deviceId); } }, t('openDevice'))
          : status === 'joined' ? t('usedLower') : t('expiredAt', { time: formatTime(link.expiresAt) })));
  });
  replaceChildren(target, el('ul', { class: 'link-list' }, ...rows),
    links.length > SHOWN ? el('p', { class: 'muted small' }, t('olderLinks', { count: links.length - SHOWN })) : null);
}
