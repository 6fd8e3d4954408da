/** The enrolled device's fleet facts on its page: name, group, tags and the policy decided on the machine. */
import type { DeviceView } from '../../../protocol/index.js';
import { el, replaceChildren } from '../ui/dom.js';
import { facts } from '../ui/fact-card.js';
import { policyChips, tagChips } from '../fleet/fleet-chips.js';
import { badge } from '../ui/status-badge.js';

/** Fills `target` for a managed device, or hides it for a support session. */
export function renderManagedFacts(target: HTMLElement, device: DeviceView): void {
  target.hidden = device.kind !== 'managed';
  if (target.hidden) return;
  replaceChildren(target,
    el('div', { class: 'card-header' }, el('div', null,
      el('h2', { class: 'card-title' }, 'Enrolled device'),
      el('p', { class: 'card-subtitle' }, 'Managed: it connects on its own with its key. Its policy is decided on the machine, by its own policy file, and cannot be changed from here.'))),
    facts(
      ['Name', device.name ?? device.hostname],
      ['Host name', device.hostname],
      ['Group', device.group ?? '—'],
      ['Tags', tagChips(device.tags)],
      ['Policy', policyChips(device.policy)],
      ['Key', device.revoked ? badge('Revoked: refused', 'bad') : badge('Trusted', 'good')]));
}
