/** The network card: interfaces, gateway, DNS, name resolution, the controller's reachability and the clock. */
import type { Snapshot } from '../../../protocol/index.js';
import { el, icon } from '../ui/dom.js';
import { card, facts } from '../ui/fact-card.js';
import { formatDuration } from '../ui/format.js';
import { badge } from '../ui/status-badge.js';

/** The network card; dns, controller and clock are parts of it, shown when measured. */
export function networkSection(s: Snapshot): HTMLElement | null {
  const n = s.network;
  if (!n) return null;
  // Loopback is the machine talking to itself: never what the technician is looking for.
  const interfaces = n.interfaces.filter((i) => !i.internal);
  const node = card('Network',
    interfaces.length === 0 ? el('p', { class: 'muted' }, 'No network interface besides loopback.')
      : el('ul', { class: 'plain-list iface-list' }, ...interfaces.map((i) =>
        el('li', { class: 'iface', 'data-testid': 'interface' },
          el('div', { class: 'iface-head' },
            el('span', { class: 'mono iface-name' }, i.name),
            badge(i.up ? 'Up' : 'Down', i.up ? 'good' : 'bad'),
            i.isDefault ? el('span', { class: 'tag' }, 'default route') : null),
          el('div', { class: 'iface-addresses mono' }, [...i.ipv4, ...i.ipv6].join('  ') || 'No address'),
          el('div', { class: 'muted small' }, [i.mac && `MAC ${i.mac}`, i.speedMbps ? `${i.speedMbps} Mb/s` : null].filter(Boolean).join(' · '))))),
    facts(
      ['Default gateway', n.gateway ?? el('span', { class: 'text-bad' }, 'None')],
      ['DNS servers', n.dnsServers.length === 0 ? el('span', { class: 'text-bad' }, 'None') : el('span', { class: 'mono' }, n.dnsServers.join(', '))],
      ['Name resolution', s.dns ? resolution(s) : null],
      ['Controller', s.controller ? controllerReach(s) : null],
      ['Clock', s.clock ? clock(s) : null],
    ));
  node.classList.add('card-span-2');
  return node;
}

function resolution(s: Snapshot): HTMLElement {
  const lookups = s.dns?.lookups ?? [];
  if (lookups.length === 0) return el('span', { class: 'muted' }, 'No name was checked');
  return el('ul', { class: 'plain-list check-list' }, ...lookups.map((l) =>
    el('li', { class: l.ok ? 'check-ok' : 'check-bad' },
      icon(l.ok ? 'check' : 'alert', 14),
      el('span', { class: 'mono' }, l.name),
      el('span', { class: 'muted small' }, l.ok ? ` → ${l.addresses.join(', ') || 'no address'} (${formatDuration(l.durationMs)})` : ` fails: ${l.error ?? 'no answer'}`))));
}

function controllerReach(s: Snapshot): HTMLElement | null {
  const c = s.controller;
  if (!c) return null;
  return el('span', { class: c.reachable ? 'check-ok' : 'check-bad' },
    icon(c.reachable ? 'check' : 'alert', 14),
    c.reachable ? `Reachable${c.rttMs === null ? '' : `, round trip ${formatDuration(c.rttMs)}`}` : `Unreachable: ${c.error ?? 'no answer'}`,
    el('span', { class: 'muted small' }, ` ${c.url}`));
}

function clock(s: Snapshot): string | null {
  const c = s.clock;
  if (!c) return null;
  if (c.skewMs === null) return `Not compared${c.source ? ` (${c.source})` : ''}`;
  const off = Math.abs(c.skewMs);
  // Same sign as the clock-skew finding: positive means the device is behind.
  const words = off < 1000 ? 'In time with the controller' : `${formatDuration(off)} ${c.skewMs > 0 ? 'behind' : 'ahead of'} the controller`;
  return `${words}${c.source ? ` · source ${c.source}` : ''}`;
}
