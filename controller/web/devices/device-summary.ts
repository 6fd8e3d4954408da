/** The device's diagnostics at a glance: one small card per topic. Every value is peer text. */
import type { DeviceView } from '../../../protocol/index.js';
import { el, replaceChildren } from '../ui/dom.js';
import { card, detail, usageBar } from '../ui/fact-card.js';
import { formatBytes, formatDateTime, formatUptime, percent } from '../ui/format.js';
import { describeOs } from '../ui/wording.js';

/** Renders the summary cards for `device` into `target`. */
export function renderDeviceSummary(target: HTMLElement, device: DeviceView): void {
  const summary = device.summary;
  if (!summary) {
    replaceChildren(target, el('div', { class: 'card empty' },
      el('span', { class: 'spinner', 'aria-hidden': 'true' }),
      device.online ? 'Collecting diagnostics from the device…' : 'No diagnostics were received before the device went offline.'));
    return;
  }
  const memoryUsed = Math.max(0, summary.memory.totalBytes - summary.memory.availableBytes);
  replaceChildren(target,
    card('Operating system', el('p', { class: 'fact' }, describeOs(summary) ?? '—'), detail(`Kernel ${summary.os.kernel || '—'}`)),
    card('Processor', el('p', { class: 'fact' }, summary.cpu.brand || '—'), detail(`${summary.cpu.cores} cores`)),
    card('Memory',
      el('p', { class: 'fact' }, `${formatBytes(memoryUsed)} of ${formatBytes(summary.memory.totalBytes)} used`),
      usageBar(percent(memoryUsed, summary.memory.totalBytes))),
    card('Local user', el('p', { class: 'fact' }, summary.user || '—'), detail(`Agent ${summary.agentVersion}`)),
    card('Uptime', el('p', { class: 'fact' }, formatUptime(summary.uptimeSeconds)),
      device.connectedAt ? detail(`Connected since ${formatDateTime(device.connectedAt)}`) : null),
    card('Addresses', summary.addresses.length === 0 ? detail('No network address reported.')
      : el('ul', { class: 'plain-list' }, ...summary.addresses.map((a) =>
        el('li', null, el('span', { class: 'mono' }, a.address), el('span', { class: 'muted small' }, ` ${a.iface} · ${a.family}`))))),
    card('Disks', summary.disks.length === 0 ? detail('No disk reported.')
      : el('ul', { class: 'plain-list disk-list' }, ...summary.disks.map((d) => {
        const used = percent(d.usedBytes, d.sizeBytes);
        return el('li', null,
          el('div', { class: 'disk-line' },
            el('span', { class: 'mono' }, d.mount),
            el('span', { class: 'muted small' }, `${formatBytes(d.usedBytes)} of ${formatBytes(d.sizeBytes)} · ${d.fs}`)),
          usageBar(used));
      }))),
  );
  target.lastElementChild?.classList.add('card-span-2');
}
