/** The devices page's filters: by group, tag, connectivity and health, plus free text. */
import type { DeviceView } from '../../../protocol/index.js';
import { el } from '../ui/dom.js';
import type { Health } from '../ui/health-badge.js';
import { describeOs } from '../ui/wording.js';

export interface FleetFilter {
  text: string;
  group: string;
  tag: string;
  state: '' | 'online' | 'offline' | 'revoked';
  health: '' | 'issues' | 'critical' | 'healthy' | 'unchecked';
}

export const NO_FILTER: FleetFilter = { text: '', group: '', tag: '', state: '', health: '' };

/** Whether `device` passes every filter; the text matches name, host name, OS, group and tags. */
export function matchesFilter(device: DeviceView, health: Health, filter: FleetFilter): boolean {
  if (filter.group && device.group !== filter.group) return false;
  if (filter.tag && !(device.tags ?? []).includes(filter.tag)) return false;
  if (filter.state === 'revoked' && !device.revoked) return false;
  if (filter.state === 'online' && !device.online) return false;
  if (filter.state === 'offline' && (device.online || device.revoked)) return false;
  if (filter.health === 'issues' && health.kind !== 'issues') return false;
  if (filter.health === 'critical' && !(health.kind === 'issues' && health.worst === 'critical')) return false;
  if ((filter.health === 'healthy' || filter.health === 'unchecked') && health.kind !== filter.health) return false;
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [device.name, device.hostname, describeOs(device.summary), device.group, ...(device.tags ?? [])]
    .filter(Boolean).join(' ').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** The filter bar; `onChange` gets the whole filter after each change. `update` refreshes the group and tag choices. */
export function createFilterBar(initial: FleetFilter, onChange: (filter: FleetFilter) => void): {
  root: HTMLElement;
  update(groups: string[], tags: string[]): void;
  /** Clears every filter (and tells `onChange`). */
  reset(): void;
} {
  const filter = { ...initial };
  const search = el('input', { class: 'input search-input', type: 'search', placeholder: 'Search name, host, OS, tag…', 'aria-label': 'Search devices', 'data-testid': 'fleet-search', value: filter.text });
  const group = el('select', { class: 'input', 'aria-label': 'Group', 'data-testid': 'filter-group' });
  const tag = el('select', { class: 'input', 'aria-label': 'Tag', 'data-testid': 'filter-tag' });
  const state = select('Status', 'filter-state', [['', 'Any status'], ['online', 'Online'], ['offline', 'Offline'], ['revoked', 'Revoked']], filter.state);
  const health = select('Health', 'filter-health', [['', 'Any health'], ['issues', 'With issues'], ['critical', 'Critical'], ['healthy', 'No issues'], ['unchecked', 'Not checked yet']], filter.health);
  const emit = () => onChange({ ...filter });
  search.addEventListener('input', () => ((filter.text = search.value), emit()));
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
      fill(group, 'All groups', groups, filter.group);
      fill(tag, 'All tags', tags, filter.tag);
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
