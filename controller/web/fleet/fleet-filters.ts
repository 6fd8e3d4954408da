/** The Fleet page's filters: by group, tag, connectivity and health, plus free text (applied by the controller). */
import type { DeviceQueryInput } from '../../../protocol/index.js';
import { el } from '../ui/dom.js';
import { wordsOf } from '../app/language.js';
import { fleetCatalog } from './fleet-catalog.js';

const t = wordsOf(fleetCatalog);

export interface FleetFilter {
  text: string;
  group: string;
  tag: string;
  state: '' | 'online' | 'offline' | 'revoked';
  health: '' | 'issues' | 'critical' | 'healthy' | 'unchecked';
}

export const NO_FILTER: FleetFilter = { text: '', group: '', tag: '', state: '', health: '' };

/** The filter as the device list's query: the controller filters and searches, a page at a time. */
export function fleetQuery(filter: FleetFilter): DeviceQueryInput {
  return {
    kind: 'managed',
    q: filter.text.trim(),
    group: filter.group,
    tag: filter.tag,
    ...(filter.state === 'online' ? { online: 'true', revoked: 'false' } : filter.state === 'offline' ? { online: 'false', revoked: 'false' } : filter.state === 'revoked' ? { revoked: 'true' } : {}),
    health: filter.health,
  };
}

/** True when any filter narrows the list. */
export function isFiltered(filter: FleetFilter): boolean {
  return Object.values(filter).some((v) => v.trim() !== '');
}

/** The filter bar; `onChange` gets the whole filter after each change. `update` refreshes the group and tag choices. */
export function createFilterBar(initial: FleetFilter, onChange: (filter: FleetFilter) => void): {
  root: HTMLElement;
  update(groups: string[], tags: string[]): void;
  /** Clears every filter (and tells `onChange`). */
  reset(): void;
} {
  const filter = { ...initial };
  const search = el('input', { class: 'input search-input', type: 'search', placeholder: t('searchPlaceholder'), 'aria-label': t('searchLabel'), 'data-testid': 'fleet-search', value: filter.text });
  const group = el('select', { class: 'input', 'aria-label': t('group'), 'data-testid': 'filter-group' });
  const tag = el('select', { class: 'input', 'aria-label': t('tag'), 'data-testid': 'filter-tag' });
  const state = select(t('status'), 'filter-state', [['', t('anyStatus')], ['online', t('online')], ['offline', t('offline')], ['revoked', t('revoked')]], filter.state);
  const health = select(t('health'), 'filter-health', [['', t('anyHealth')], ['issues', t('withIssues')], ['critical', t('critical')], ['healthy', t('noIssues')], ['unchecked', t('unchecked')]], filter.health);
  const emit = () => onChange({ ...filter });
  // Each search is a query to the controller: wait for a pause in the typing.
  let typing: ReturnType<typeof setTimeout> | null = null;
  search.addEventListener('input', () => {
    if (typing) clearTimeout(typing);
    typing = setTimeout(() => ((filter.text = search.value), emit()), 250);
  });
  group.addEventListener('change', () => ((filter.group = group.value), emit()));
  tag.addEventListener('change', () => ((filter.tag = tag.value), emit()));
  state.addEventListener('change', () => ((filter.state = state.value as FleetFilter['state']), emit()));
  health.addEventListener('change', () => ((filter.health = health.value as FleetFilter['health']), emit()));
  const fill = (node: HTMLSelectElement, all: string, values: string[], current: string) => {
    // A chosen value stays listed even when no device carries it any more.
    const options = [...new Set([...values, ...(current ? [current] : [])])].sort((a, b) => a.localeCompare(b));
    node.replaceChildren(el('option', { value: '' }, all), ...options.map((v) => el('option', { value: v }, v)));
    node.value = current;
  };
  return {
    root: el('div', { class: 'filter-bar' }, search, group, tag, state, health),
    update(groups, tags) {
      fill(group, t('allGroups'), groups, filter.group);
      fill(tag, t('allTags'), tags, filter.tag);
    },
    reset() {
      Object.assign(filter, NO_FILTER);
      search.value = group.value = tag.value = state.value = health.value = '';
      emit();
    },
  };
}

function select(label: string, testId: string, options: [string, string][], value: string): HTMLSelectElement {
  const node = el('select', { class: 'input', 'aria-label': label, 'data-testid': testId },
    ...options.map(([v, text]) => el('option', { value: v }, text)));
  node.value = value;
  return node;
}
