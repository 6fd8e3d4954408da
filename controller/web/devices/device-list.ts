/** The dashboard's device list: one row per support session, a page at a time, updated live. */
import type { DeviceListItem } from '../../../protocol/index.js';
import { deviceLabel, type DeviceStore } from './device-store.js';
import type { DevicePager } from './device-pager.js';
import { pagerFooter } from './pager-footer.js';
import { el, replaceChildren } from '../ui/dom.js';
import { timeAgo } from '../ui/format.js';
import { healthBadge } from '../ui/health-badge.js';
import { badge } from '../ui/status-badge.js';
import { DEVICE_STATE_LABEL, deviceState, describeOs } from '../ui/wording.js';
import { wordsOf } from '../app/language.js';
import { devicesCatalog } from './devices-catalog.js';

const t = wordsOf(devicesCatalog);

const TONES = { online: 'good', offline: 'neutral', ended: 'warn' } as const;

/** Renders the live sessions of `pager` into `target` (`searching`: the list is filtered by a search). */
export function renderDeviceList(target: HTMLElement, pager: DevicePager, store: DeviceStore, searching: boolean): void {
  const loaded = pager.state.kind !== 'loading' || pager.rows.length > 0;
  target.dataset.loaded = String(loaded);
  if (pager.state.kind === 'failed' && pager.rows.length === 0) {
    replaceChildren(target, el('p', { class: 'form-error' }, pager.state.message));
    return;
  }
  if (!loaded) {
    replaceChildren(target, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingDevices')));
    return;
  }
  if (pager.rows.length === 0) {
    replaceChildren(target, searching
      ? el('p', { class: 'empty' }, t('noMatch'))
      : el('div', { class: 'empty' },
        el('p', { class: 'empty-title' }, t('noActive')),
        el('p', null, t('noActiveHint'))));
    return;
  }
  const header = el('div', { class: 'device-row device-row-header', 'aria-hidden': 'true' },
    el('span', null, t('colDevice')), el('span', null, t('colStatus')), el('span', null, t('colFindings')), el('span', null, t('colTechnician')), el('span', null, t('colIp')));
  replaceChildren(target,
    el('div', { class: 'device-table', role: 'list' }, header, ...pager.rows.map((device) => deviceRow(device, store))),
    pagerFooter(pager, 'sessions'));
}

/** The ended sessions, folded away: history, loaded only when opened. */
export function renderEndedList(target: HTMLElement, pager: DevicePager | null, store: DeviceStore): void {
  if (!pager) return;
  replaceChildren(target, pager.rows.length === 0
    ? el('p', { class: 'muted small' }, pager.state.kind === 'loading' ? t('loading') : t('noEnded'))
    : el('div', { class: 'device-table', role: 'list' }, ...pager.rows.map((device) => deviceRow(device, store))),
  pagerFooter(pager, 'ended'));
}

export function deviceRow(device: DeviceListItem, store: DeviceStore): HTMLElement {
  const state = deviceState(device);
  return el('a', {
    class: `device-row device-${state}`,
    role: 'listitem',
    href: `#/devices/${encodeURIComponent(device.id)}`,
    'data-testid': 'device-row',
    'data-device-id': device.id,
    'data-online': String(device.online),
  },
    deviceNameCell(device),
    el('span', { class: 'device-cell device-state', 'data-label': t('colStatus') },
      badge(DEVICE_STATE_LABEL[state], TONES[state], 'device-status'),
      device.online ? null : el('span', { class: 'muted small' }, t('lastSeen', { ago: timeAgo(device.lastSeen) }))),
    el('span', { class: 'device-cell', 'data-label': t('colFindings') }, healthBadge(store.health(device))),
    el('span', { class: 'device-cell device-technician', 'data-label': t('colTechnician'), title: device.technician?.name ?? '' }, device.technician?.name ?? '—'),
    el('span', { class: 'device-cell mono', 'data-label': t('colIpShort') }, device.brief?.address ?? '—'));
}

/**
 * What tells one session from another: the person's own line about their problem,
 * else who is at the machine (the local account), else the machine's name; under it
 * a label with the machine's name and system. Many machines share a name ("vm",
 * "PC-ACCUEIL"): the name alone made identical rows.
 */
function deviceNameCell(device: DeviceListItem): HTMLElement {
  const name = deviceLabel(device);
  const os = describeOs(device.brief) ?? t('collecting');
  const headline = device.problem
    ? el('span', { class: 'hostname device-problem', 'data-testid': 'device-problem', title: t('rowProblemTitle', { problem: device.problem }) }, device.problem)
    : el('span', { class: 'hostname', title: name }, device.kind !== 'managed' && device.brief ? t('rowPerson', { user: device.brief.user }) : name);
  const shown = device.problem || (device.kind !== 'managed' && device.brief);
  return el('span', { class: 'device-name' },
    headline,
    el('span', { class: 'muted small device-label', 'data-testid': 'device-label', title: shown ? t('rowLabel', { hostname: name, os }) : os }, shown ? t('rowLabel', { hostname: name, os }) : os));
}
