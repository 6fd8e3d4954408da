/** The device's diagnostics at a glance: one small card per topic. Every value is peer text. */
import { diskUsePercent, type DeviceView } from '../../../protocol/index.js';
import { el, replaceChildren } from '../ui/dom.js';
import { card, detail, usageBar } from '../ui/fact-card.js';
import { formatBytes, formatDateTime, formatUptime, percent } from '../ui/format.js';
import { describeOs } from '../ui/wording.js';
import { wordsOf } from '../app/language.js';
import { devicesCatalog } from './devices-catalog.js';

const t = wordsOf(devicesCatalog);

/** Renders the summary cards for `device` into `target`. */
export function renderDeviceSummary(target: HTMLElement, device: DeviceView): void {
  const summary = device.summary;
  if (!summary) {
    replaceChildren(target, el('div', { class: 'card empty' },
      el('span', { class: 'spinner', 'aria-hidden': 'true' }),
      device.online ? t('collectingFromDevice') : t('noDiagnostics')));
    return;
  }
  const memoryUsed = Math.max(0, summary.memory.totalBytes - summary.memory.availableBytes);
  replaceChildren(target,
    card(t('operatingSystem'), el('p', { class: 'fact' }, describeOs(summary) ?? '—'), detail(t('kernel', { kernel: summary.os.kernel || '—' }))),
    card(t('processor'), el('p', { class: 'fact' }, summary.cpu.brand || '—'), detail(t('cores', { count: summary.cpu.cores }))),
    card(t('memory'),
      el('p', { class: 'fact' }, t('usedOf', { used: formatBytes(memoryUsed), total: formatBytes(summary.memory.totalBytes) })),
      usageBar(percent(memoryUsed, summary.memory.totalBytes))),
    card(t('localUser'), el('p', { class: 'fact' }, summary.user || '—'), detail(t('agent', { version: summary.agentVersion }))),
    card(t('uptime'), el('p', { class: 'fact' }, formatUptime(summary.uptimeSeconds)),
      device.connectedAt ? detail(t('connectedSince', { when: formatDateTime(device.connectedAt) })) : null),
    card(t('addresses'), summary.addresses.length === 0 ? detail(t('noAddress'))
      : el('ul', { class: 'plain-list' }, ...summary.addresses.map((a) =>
        el('li', null, el('span', { class: 'mono' }, a.address), el('span', { class: 'muted small' }, ` ${a.iface} · ${a.family}`))))),
    card(t('disks'), summary.disks.length === 0 ? detail(t('noDisk'))
      : el('ul', { class: 'plain-list disk-list' }, ...summary.disks.map((d) => {
        // df's definition, as the diagnostics show it; an older agent sends no availableBytes.
        const used = d.availableBytes === undefined ? percent(d.usedBytes, d.sizeBytes) : diskUsePercent(d.usedBytes, d.availableBytes);
        return el('li', null,
          el('div', { class: 'disk-line' },
            el('span', { class: 'mono' }, d.mount),
            el('span', { class: 'muted small' }, t('diskUsage', { used: formatBytes(d.usedBytes), total: formatBytes(d.sizeBytes), fs: d.fs }))),
          usageBar(used));
      }))),
  );
  target.lastElementChild?.classList.add('card-span-2');
}
