/** The recent support links: which are still waiting, which were used, which expired. */
import type { SupportLinkView } from '../connection/api.js';
import { el, replaceChildren } from '../ui/dom.js';
import { formatTime } from '../ui/format.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';

const SHOWN = 8;
const STATUS: Record<SupportLinkView['status'], { label: string; tone: BadgeTone }> = {
  waiting: { label: 'Waiting', tone: 'info' },
  joined: { label: 'Joined', tone: 'good' },
  expired: { label: 'Expired', tone: 'neutral' },
};

/** Renders the list into `target`; waiting links first, then the most recent. */
export function renderSupportLinks(target: HTMLElement, links: SupportLinkView[], openDevice: (id: string) => void): void {
  if (links.length === 0) {
    replaceChildren(target, el('p', { class: 'empty' }, 'No support links yet. Create one above when someone calls for help.'));
    return;
  }
  const now = Date.now();
  const sorted = [...links].sort((a, b) => Number(b.status === 'waiting') - Number(a.status === 'waiting') || b.createdAt - a.createdAt);
  const rows = sorted.slice(0, SHOWN).map((link) => {
    // A link past its expiry is expired even if the list was fetched a moment ago.
    const status = link.status === 'waiting' && link.expiresAt <= now ? 'expired' : link.status;
    const deviceId = link.deviceId;
    return el('li', { class: 'link-row', 'data-testid': 'link-row', dataset: { status } },
      badge(STATUS[status].label, STATUS[status].tone),
      el('span', { class: 'link-created' }, `Created ${formatTime(link.createdAt)}`),
      el('span', { class: 'link-by muted' }, `by ${link.technician.name}`),
      el('span', { class: 'link-expiry' },
        status === 'waiting' ? `expires at ${formatTime(link.expiresAt)}`
          : status === 'joined' && deviceId ? el('a', { href: `#/devices/${encodeURIComponent(deviceId)}`, onclick: (e: Event) => { e.preventDefault(); openDevice(deviceId); } }, 'Open device')
          : status === 'joined' ? 'used' : `expired ${formatTime(link.expiresAt)}`));
  });
  replaceChildren(target, el('ul', { class: 'link-list' }, ...rows),
    links.length > SHOWN ? el('p', { class: 'muted small' }, `${links.length - SHOWN} older links not shown.`) : null);
}
