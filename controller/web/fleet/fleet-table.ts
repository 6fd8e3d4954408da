/** The Fleet page's device table: one row per managed device, with a checkbox to choose it for a job. */
import type { DeviceListItem } from '../../../protocol/index.js';
import type { DeviceStore } from '../devices/device-store.js';
import { el, icon } from '../ui/dom.js';
import { policyChips, tagChips } from './fleet-chips.js';
import { timeAgo } from '../ui/format.js';
import { healthBadge } from '../ui/health-badge.js';
import { badge } from '../ui/status-badge.js';
import { describeOs } from '../ui/wording.js';

export interface FleetTableActions {
  selected: ReadonlySet<string>;
  toggle(deviceId: string, on: boolean): void;
  toggleAll(on: boolean): void;
  /** Null for technicians: revoking is for administrators. */
  revoke: ((device: DeviceListItem) => void) | null;
}

/** The table for `devices` (one or more pages, filtered and sorted by the controller). */
export function fleetTable(devices: DeviceListItem[], store: DeviceStore, actions: FleetTableActions): HTMLElement {
  const chosen = devices.filter((d) => actions.selected.has(d.id)).length;
  const all = el('input', { type: 'checkbox', 'aria-label': 'Select all shown devices', 'data-testid': 'select-all' });
  all.checked = chosen > 0 && chosen === devices.length;
  all.indeterminate = chosen > 0 && chosen < devices.length;
  all.addEventListener('change', () => actions.toggleAll(all.checked));
  return el('div', { class: 'table-scroll' },
    el('table', { class: 'table fleet-table', 'data-testid': 'fleet-table' },
      el('thead', null, el('tr', null,
        el('th', { class: 'pick' }, all), el('th', null, 'Device'), el('th', null, 'Status'), el('th', null, 'Group'),
        el('th', null, 'Tags'), el('th', null, 'Findings'), el('th', null, 'Policy'), el('th', { class: 'row-actions' }, el('span', { class: 'visually-hidden' }, 'Actions')))),
      el('tbody', null, ...devices.map((device) => row(device, store, actions)))));
}

function row(device: DeviceListItem, store: DeviceStore, actions: FleetTableActions): HTMLElement {
  const pick = el('input', { type: 'checkbox', 'aria-label': `Select ${device.name ?? device.hostname}`, 'data-testid': 'select-device' });
  pick.checked = actions.selected.has(device.id);
  pick.addEventListener('change', () => actions.toggle(device.id, pick.checked));
  const os = describeOs(device.brief);
  const href = `#/devices/${encodeURIComponent(device.id)}`;
  const status = device.revoked ? badge('Revoked', 'bad', 'device-status')
    : device.online ? badge('Online', 'good', 'device-status') : badge('Offline', 'neutral', 'device-status');
  return el('tr', {
    class: `fleet-row${pick.checked ? ' picked' : ''}${device.online && !device.revoked ? '' : ' fleet-row-off'}`,
    'data-testid': 'fleet-row', 'data-device-id': device.id, 'data-online': String(device.online),
  },
    el('td', { class: 'pick' }, pick),
    el('td', null, el('div', { class: 'fleet-device' },
      el('a', { class: 'hostname', href }, device.name ?? device.hostname),
      el('span', { class: 'muted small' }, [device.name && device.name !== device.hostname ? device.hostname : null, os].filter(Boolean).join(' · ') || 'Waiting for its first report'))),
    el('td', null, el('span', { class: 'device-state' }, status,
      device.online && !device.revoked ? null : el('span', { class: 'muted small' }, `Last seen ${timeAgo(device.lastSeen)}`))),
    el('td', { class: 'nowrap' }, device.group ?? '—'),
    el('td', null, tagChips(device.tags)),
    el('td', null, healthBadge(store.health(device))),
    el('td', null, policyChips(device.policy)),
    el('td', { class: 'row-actions' }, device.revoked || !actions.revoke ? null
      : el('button', { class: 'btn btn-small btn-icon', type: 'button', title: 'Revoke this device', 'aria-label': `Revoke ${device.name ?? device.hostname}`, 'data-testid': 'revoke-device', onclick: () => actions.revoke?.(device) }, icon('power'))));
}
