/** The enrolled device's fleet facts on its page: name, group, tags and the policy decided on the machine. */
import type { DeviceView } from '../../../protocol/index.js';
import { el, replaceChildren } from '../ui/dom.js';
import { facts } from '../ui/fact-card.js';
import { policyChips, tagChips } from '../fleet/fleet-chips.js';
import { badge } from '../ui/status-badge.js';
import { wordsOf } from '../app/language.js';
import { devicesCatalog } from './devices-catalog.js';

const t = wordsOf(devicesCatalog);

/** Fills `target` for a managed device, or hides it for a support session. */
export function renderManagedFacts(target: HTMLElement, device: DeviceView): void {
  target.hidden = device.kind !== 'managed';
  if (target.hidden) return;
  replaceChildren(target,
    el('div', { class: 'card-header' }, el('div', null,
      el('h2', { class: 'card-title' }, t('enrolledDevice')),
      el('p', { class: 'card-subtitle' }, t('managedHint')))),
    facts(
      [t('name'), device.name ?? device.hostname],
      [t('hostName'), device.hostname],
      [t('groupLabel'), device.group ?? '—'],
      [t('tags'), tagChips(device.tags)],
      [t('policy'), policyChips(device.policy)],
      [t('key'), device.revoked ? badge(t('revokedRefused'), 'bad') : badge(t('trusted'), 'good')]));
}
