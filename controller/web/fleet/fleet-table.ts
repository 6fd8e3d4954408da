/** The Fleet page's device table: one row per managed device, with a checkbox to choose it for a job. */
import type { DeviceListItem } from '../../../protocol/index.js';
import type { DeviceStore } from '../devices/device-store.js';
import { el, icon } from '../ui/dom.js';
import { policyChips, tagChips } from './fleet-chips.js';
import { healthBadge } from '../ui/health-badge.js';
import { badge } from '../ui/status-badge.js';
import { describeOs } from '../ui/wording.js';
import { formats, wordsOf } from '../app/language.js';
import { fleetCatalog } from './fleet-catalog.js';

const t = wordsOf(fleetCatalog);

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
  const all = el('input', { type: 'checkbox', 'aria-label': t('selectAll'), 'data-testid': 'select-all' });
  all.checked = chosen > 0 && chosen === devices.length;
  all.indeterminate = chosen > 0 && chosen < devices.length;
  all.addEventListener('change', () => actions.toggleAll(all.checked));
  return el('div', { class: 'table-scroll' },
    el('table', { class: 'table fleet-table', 'data-testid': 'fleet-table' },
      el('thead', null, el('tr', null,
        el('th', { class: 'pick' }, all), el('th', null, t('device')), el('th', null, t('status')), el('th', null, t('group')),
        el('th', null, t('tags')), el('th', null, t('findings')), el('th', null, t('policy')), el('th', { class: 'row-actions' }, el('span', { class: 'visually-hidden' }, t('actions'))))),
      el('tbody', null, ...devices.map((device) => row(device, store, actions)))));
}

function row(device: DeviceListItem, store: DeviceStore, actions: FleetTableActions): HTMLElement {
  const pick = el('input', { type: 'checkbox', 'aria-label': t('select', { name: device.name ?? device.hostname }), 'data-testid': 'select-device' });
  pick.checked = actions.selected.has(device.id);
  pick.addEventListener('change', () => actions.toggle(device.id, pick.checked));
  const os = describeOs(device.brief);
  const href = `#/devices/${encodeURIComponent(device.id)}`;
  const status = device.revoked ? badge(t('revoked'), 'bad', 'device-status')
    : device.online ? badge(t('online'), 'good', 'device-status') : badge(t('offline'), 'neutral', 'device-status');
  return el('tr', {
    class: `fleet-row${pick.checked ? ' picked' : ''}${device.online && !device.revoked ? '' : ' fleet-row-off'}`,
    'data-testid': 'fleet-row', 'data-device-id': device.id, 'data-online': String(device.online),
  },
    el('td', { class: 'pick' }, pick),
    el('td', null, el('div', { class: 'fleet-device' },
      el('a', { class: 'hostname', href }, device.name ?? device.hostname),
      el('span', { class: 'muted small' }, [device.name && device.name !== device.hostname ? device.hostname : null, os].filter(Boolean).join(' · ') || t('waitingReport')))),
    el('td', null, el('span', { class: 'device-state' }, status,
      device.online && !device.revoked ? null : el('span', { class: 'muted small' }, t('lastSeen', { ago: formats.ago(device.lastSeen) })))),
    el('td', { class: 'nowrap' }, device.group ?? '—'),
    el('td', null, tagChips(device.tags)),
    el('td', null, healthBadge(store.health(device))),
    el('td', null, policyChips(device.policy)),
    el('td', { class: 'row-actions' }, device.revoked || !actions.revoke ? null
      : el('button', { class: 'btn btn-small btn-icon', type: 'button', title: t('revokeThis'), 'aria-label': t('revokeNamed', { name: device.name ?? device.hostname }), 'data-testid': 'revoke-device', onclick: () => actions.revoke?.(device) }, icon('power'))));
}
