/**
 * The audit log: who did what, when — the security-relevant actions, newest first.
 * Filters (who, action, device or target, time range, words) are applied by the
 * controller, older entries load a page at a time, and the same filters export
 * every kept entry as CSV or JSON (the controller streams the file).
 */
import { AUDIT_ACTIONS, type AuditActionName } from '../../../protocol/index.js';
import { ApiError, api, type AuditEntry } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatDateTime } from '../ui/format.js';
import type { Page } from '../app/page.js';
import { formats, wordsOf } from '../app/language.js';
import { auditCatalog } from './audit-catalog.js';

const t = wordsOf(auditCatalog);
type Key = Parameters<typeof t>[0];

const PAGE = 100;

/** 'enrollment-token.created' → 'actEnrollmentTokenCreated': the catalog key of an action's name. */
function actionKey(action: string): Key {
  return `act${action.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}` as Key;
}

/** An action's name in the reader's words; an action this page does not know keeps its code. */
export function actionLabel(action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action) ? t(actionKey(action as AuditActionName)) : action;
}

/** Builds the audit page and loads the most recent entries. */
export function createAuditPage(): Page {
  const body = el('div', { class: 'audit-body' });
  const refresh = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'audit-refresh' }, icon('refresh'), t('refresh'));
  const actor = el('input', { class: 'input', type: 'search', name: 'actor', placeholder: t('filterActorHint'), 'data-testid': 'audit-actor', autocomplete: 'off' });
  const action = el('select', { class: 'input', name: 'action', 'data-testid': 'audit-action' },
    el('option', { value: '' }, t('anyAction')),
    ...[...AUDIT_ACTIONS].map((a) => ({ a, label: actionLabel(a) })).sort((x, y) => x.label.localeCompare(y.label)).map(({ a, label }) => el('option', { value: a }, label)));
  const target = el('input', { class: 'input', type: 'search', name: 'target', placeholder: t('filterTargetHint'), 'data-testid': 'audit-target', autocomplete: 'off' });
  const from = el('input', { class: 'input', type: 'datetime-local', name: 'from', 'data-testid': 'audit-from' });
  const to = el('input', { class: 'input', type: 'datetime-local', name: 'to', 'data-testid': 'audit-to' });
  const words = el('input', { class: 'input', type: 'search', name: 'q', placeholder: t('filterWordsHint'), 'data-testid': 'audit-q', autocomplete: 'off' });
  const exportCsv = el('a', { class: 'btn btn-secondary', 'data-testid': 'audit-export-csv', download: true }, t('exportCsv'));
  const exportJson = el('a', { class: 'btn btn-secondary', 'data-testid': 'audit-export-json', download: true }, t('exportJson'));
  const footer = el('div', { class: 'audit-footer' });
  let entries: AuditEntry[] = [];
  let nextBefore: number | null = null;
  let generation = 0;
  let disposed = false;

  /** The filters as the URL carries them; null when a date cannot be read. */
  const filters = (): Record<string, string> | null => {
    const query: Record<string, string> = {};
    const put = (name: string, value: string) => {
      if (value.trim()) query[name] = value.trim();
    };
    put('actor', actor.value);
    put('action', action.value);
    put('target', target.value);
    put('q', words.value);
    for (const [name, input] of [['from', from], ['to', to]] as const) {
      if (!input.value) continue;
      const at = new Date(input.value).getTime();
      if (!Number.isFinite(at)) return null;
      // "To" names a minute: entries of that minute are kept.
      query[name] = String(name === 'to' ? at + 60_000 : at);
    }
    return query;
  };

  const updateExports = (query: Record<string, string>) => {
    exportCsv.href = `/api/audit/export?${new URLSearchParams({ format: 'csv', ...query })}`;
    exportJson.href = `/api/audit/export?${new URLSearchParams({ format: 'json', ...query })}`;
  };

  const load = async (more: boolean) => {
    const query = filters();
    if (!query) {
      replaceChildren(body, el('p', { class: 'form-error' }, t('badFilter')));
      return;
    }
    updateExports(query);
    const mine = ++generation;
    refresh.disabled = true;
    if (!more) replaceChildren(body, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
    try {
      const page = await api.audit({ ...query, limit: String(PAGE), ...(more && nextBefore !== null ? { before: String(nextBefore) } : {}) });
      if (disposed || mine !== generation) return;
      entries = more ? [...entries, ...page.entries] : page.entries;
      nextBefore = page.nextBefore ?? null;
      render(Object.keys(query).length > 0);
    } catch (err) {
      if (!disposed && mine === generation) replaceChildren(body, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('failed')));
    } finally {
      if (mine === generation) refresh.disabled = false;
    }
  };

  const render = (filtered: boolean) => {
    if (entries.length === 0) {
      replaceChildren(body, el('p', { class: 'empty', 'data-testid': 'audit-empty' }, filtered ? t('noMatch') : t('empty')));
      return;
    }
    replaceChildren(body, el('div', { class: 'table-scroll' },
      el('table', { class: 'table audit-table', 'data-testid': 'audit-table' },
        el('thead', null, el('tr', null, el('th', null, t('when')), el('th', null, t('who')), el('th', null, t('action')), el('th', null, t('target')), el('th', null, t('details')))),
        el('tbody', null, ...entries.map((entry) => el('tr', { 'data-testid': 'audit-row', 'data-action': entry.action },
          el('td', { class: 'nowrap' }, describeWhen(entry)),
          el('td', null, entry.actor || t('system')),
          el('td', null, el('span', { class: 'audit-action', title: entry.action }, actionLabel(entry.action))),
          el('td', { class: 'mono small audit-target' }, entry.target ?? '—'),
          el('td', { class: 'detail small', 'data-testid': 'audit-detail' }, describeDetail(entry.detail))))))),
      footer);
    replaceChildren(footer,
      el('p', { class: 'muted small', 'data-testid': 'audit-count' }, t('showing', { count: entries.length })),
      nextBefore !== null ? el('button', { class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'audit-more', onclick: () => void load(true) }, t('showMore')) : null);
  };

  const form = el('form', { class: 'audit-filters', 'aria-label': t('filters'), 'data-testid': 'audit-filters' },
    field(t('filterActor'), actor), field(t('filterAction'), action), field(t('filterTarget'), target),
    field(t('filterFrom'), from), field(t('filterTo'), to), field(t('filterWords'), words),
    el('div', { class: 'audit-filter-actions' },
      el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'audit-apply' }, t('apply')),
      el('button', { class: 'btn btn-secondary', type: 'reset', 'data-testid': 'audit-clear' }, t('clear'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(false);
  });
  // A choice in the list applies at once; typed filters apply with Enter or Apply.
  action.addEventListener('change', () => void load(false));
  form.addEventListener('reset', () => setTimeout(() => void load(false)));
  refresh.addEventListener('click', () => void load(false));
  void load(false);

  const root = el('div', { class: 'page audit-page' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, t('title')),
        el('p', { class: 'page-subtitle' }, t('subtitle'))),
      el('div', { class: 'actions' }, exportCsv, exportJson, refresh)),
    el('section', { class: 'card audit-filter-card' }, form, el('p', { class: 'muted small' }, t('exportHint'))),
    el('section', { class: 'card' }, body));

  return {
    root,
    title: t('title'),
    dispose() {
      disposed = true;
    },
  };
}

function field(label: string, input: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), input);
}

/** A coalesced entry says how many identical events it stands for, and over what time. */
function describeWhen(entry: AuditEntry): string {
  const count = entry.count ?? 1;
  if (count <= 1 || !entry.lastAt) return formatDateTime(entry.at);
  return t('repeated', { from: formatDateTime(entry.at), to: formatDateTime(entry.lastAt), count: formats.number(count) });
}

const KEY_LABELS: Readonly<Record<string, Key>> = {
  deviceId: 'keyDeviceId', hostname: 'keyHostname', decision: 'keyDecision', reason: 'keyReason', by: 'keyBy', owner: 'keyOwner',
  name: 'keyName', expiresAt: 'keyExpiresAt', ticket: 'keyTicket', format: 'keyFormat', channel: 'keyChannel', role: 'keyRole', count: 'keyCount',
};

/** Details read as "name: value" pairs with known names in words; only nested objects stay JSON. */
export function describeDetail(detail: unknown): HTMLElement | string {
  if (detail === null || detail === undefined || detail === '') return '—';
  if (typeof detail !== 'object' || Array.isArray(detail)) return describeValue('', detail);
  const pairs = Object.entries(detail as Record<string, unknown>);
  if (pairs.length === 0) return '—';
  return el('dl', { class: 'audit-detail' }, ...pairs.flatMap(([key, value]) => [
    el('dt', null, KEY_LABELS[key] ? t(KEY_LABELS[key]) : key),
    el('dd', null, describeValue(key, value)),
  ]));
}

/** Timestamps (fields named "…At", "from", "to") read as dates, booleans as yes/no, numbers in the reader's format. */
function describeValue(key: string, value: unknown): string {
  if (typeof value === 'number' && (key.endsWith('At') || key === 'from' || key === 'to') && value > 1e11) return formatDateTime(value);
  if (typeof value === 'number') return formats.number(value);
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
