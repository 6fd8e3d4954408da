/** The live device list: one row per support session, updated from `device.update`. */
import type { DeviceView } from '../../../protocol/index.js';
import type { DeviceStore } from './device-store.js';
import { el, replaceChildren } from '../ui/dom.js';
import { timeAgo } from '../ui/format.js';
import { healthBadge } from '../ui/health-badge.js';
import { badge } from '../ui/status-badge.js';
import { DEVICE_STATE_LABEL, deviceState, describeOs, primaryAddress } from '../ui/wording.js';

const TONES = { online: 'good', offline: 'neutral', ended: 'warn' } as const;

/** Renders the store's devices into `target`, with each one's worst finding. */
export function renderDeviceList(target: HTMLElement, store: DeviceStore): void {
  // Enrolled machines have their own page (Fleet); this list is the support sessions.
  const devices = store.list().filter((d) => d.kind !== 'managed');
  const loaded = store.loaded;
  target.dataset.loaded = String(loaded);
  if (!loaded) {
    replaceChildren(target, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading devices…'));
    return;
  }
  if (devices.length === 0) {
    replaceChildren(target, el('div', { class: 'empty' },
      el('p', { class: 'empty-title' }, 'No devices yet'),
      el('p', null, 'When someone starts the agent from one of your support links, their computer appears here at once.')));
    return;
  }
  const header = el('div', { class: 'device-row device-row-header', 'aria-hidden': 'true' },
    el('span', null, 'Device'), el('span', null, 'Status'), el('span', null, 'Findings'), el('span', null, 'Technician'), el('span', null, 'IP address'));
  // Ended sessions are history: kept, but folded away so the live ones stand out.
  const active = devices.filter((d) => d.sessionStatus !== 'ended');
  const ended = devices.filter((d) => d.sessionStatus === 'ended');
  const wasOpen = target.querySelector('details')?.open ?? false;
  const deviceRow = (device: DeviceView) => row(device, store);
  replaceChildren(target,
    active.length > 0
      ? el('div', { class: 'device-table', role: 'list' }, header, ...active.map(deviceRow))
      : el('p', { class: 'empty' }, 'No active support session. Create a support link to help someone.'),
    ended.length > 0
      ? el('details', { class: 'ended-sessions', open: wasOpen },
        el('summary', null, `Ended sessions (${ended.length})`),
        el('div', { class: 'device-table', role: 'list' }, ...ended.map(deviceRow)))
      : null);
}

function row(device: DeviceView, store: DeviceStore): HTMLElement {
  const state = deviceState(device);
  const os = describeOs(device.summary);
  const address = primaryAddress(device.summary);
  return el('a', {
    class: `device-row device-${state}`,
    role: 'listitem',
    href: `#/devices/${encodeURIComponent(device.id)}`,
    'data-testid': 'device-row',
    'data-device-id': device.id,
    'data-online': String(device.online),
  },
    el('span', { class: 'device-name' },
      el('span', { class: 'hostname' }, device.hostname),
      el('span', { class: 'muted small' }, os ?? 'Collecting diagnostics…')),
    el('span', { class: 'device-cell device-state', 'data-label': 'Status' },
      badge(DEVICE_STATE_LABEL[state], TONES[state], 'device-status'),
      device.online ? null : el('span', { class: 'muted small' }, `Last seen ${timeAgo(device.lastSeen)}`)),
    el('span', { class: 'device-cell', 'data-label': 'Findings' }, healthBadge(store.health(device))),
    el('span', { class: 'device-cell', 'data-label': 'Technician' }, device.technician?.name ?? '—'),
    el('span', { class: 'device-cell mono', 'data-label': 'IP' }, address ?? '—'));
}
