/** The network card: interfaces, gateway, DNS, name resolution, the controller's reachability and the clock. */
import type { Snapshot } from '../../../protocol/index.js';
import { el, icon } from '../ui/dom.js';
import { card, facts } from '../ui/fact-card.js';
import { formatDuration } from '../ui/format.js';
import { badge } from '../ui/status-badge.js';
import { formats, wordsOf } from '../app/language.js';
import { snapshotCatalog } from './snapshot-catalog.js';

const t = wordsOf(snapshotCatalog);

/** The network card; dns, controller and clock are parts of it, shown when measured. */
export function networkSection(s: Snapshot): HTMLElement | null {
  const n = s.network;
  if (!n) return null;
  // Loopback is the machine talking to itself: never what the technician is looking for.
  const interfaces = n.interfaces.filter((i) => !i.internal);
  const node = card(t('network'),
    interfaces.length === 0 ? el('p', { class: 'muted' }, t('noInterface'))
      : el('ul', { class: 'plain-list iface-list' }, ...interfaces.map((i) =>
        el('li', { class: 'iface', 'data-testid': 'interface' },
          el('div', { class: 'iface-head' },
            el('span', { class: 'mono iface-name' }, i.name),
            badge(i.up ? t('up') : t('down'), i.up ? 'good' : 'bad'),
            i.isDefault ? el('span', { class: 'tag' }, t('defaultRoute')) : null),
          el('div', { class: 'iface-addresses mono' }, [...i.ipv4, ...i.ipv6].join('  ') || t('noAddress')),
          el('div', { class: 'muted small' }, [i.mac && `MAC ${i.mac}`, i.speedMbps ? t('speed', { speed: formats.number(i.speedMbps, 0) }) : null].filter(Boolean).join(' · '))))),
    facts(
      [t('gateway'), n.gateway ?? el('span', { class: 'text-bad' }, t('noGateway'))],
      [t('dnsServers'), n.dnsServers.length === 0 ? el('span', { class: 'text-bad' }, t('noDns')) : el('span', { class: 'mono' }, n.dnsServers.join(', '))],
      [t('resolution'), s.dns ? resolution(s) : null],
      [t('controller'), s.controller ? controllerReach(s) : null],
      [t('clock'), s.clock ? clock(s) : null],
    ));
  node.classList.add('card-span-2');
  return node;
}

function resolution(s: Snapshot): HTMLElement {
  const lookups = s.dns?.lookups ?? [];
  if (lookups.length === 0) return el('span', { class: 'muted' }, t('noNameChecked'));
  return el('ul', { class: 'plain-list check-list' }, ...lookups.map((l) =>
    el('li', { class: l.ok ? 'check-ok' : 'check-bad' },
      icon(l.ok ? 'check' : 'alert', 14),
      el('span', { class: 'mono' }, l.name),
      el('span', { class: 'muted small' }, l.ok ? t('resolvedTo', { addresses: l.addresses.join(', ') || t('noAddressLower'), duration: formatDuration(l.durationMs) }) : t('lookupFails', { error: l.error ?? t('noAnswer') })))));
}

function controllerReach(s: Snapshot): HTMLElement | null {
  const c = s.controller;
  if (!c) return null;
  return el('span', { class: c.reachable ? 'check-ok' : 'check-bad' },
    icon(c.reachable ? 'check' : 'alert', 14),
    c.reachable ? (c.rttMs === null ? t('reachable') : t('reachableRtt', { duration: formatDuration(c.rttMs) })) : t('unreachable', { error: c.error ?? t('noAnswer') }),
    el('span', { class: 'muted small' }, ` ${c.url}`));
}

function clock(s: Snapshot): string | null {
  const c = s.clock;
  if (!c) return null;
  if (c.skewMs === null) return c.source ? t('notComparedSource', { source: c.source }) : t('notCompared');
  const off = Math.abs(c.skewMs);
  // Same sign as the clock-skew finding: positive means the device is behind.
  const words = off < 1000 ? t('inTime') : t(c.skewMs > 0 ? 'behind' : 'ahead', { duration: formatDuration(off) });
  return c.source ? t('withSource', { words, source: c.source }) : words;
}
