/** The audit log: who did what, when — the security-relevant actions, newest first. */
import { ApiError, api, type AuditEntry } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatDateTime } from '../ui/format.js';
import type { Page } from '../app/page.js';
import { formats, wordsOf } from '../app/language.js';
import { auditCatalog } from './audit-catalog.js';

const t = wordsOf(auditCatalog);

const LIMIT = 200;

/** Builds the audit page and loads the most recent entries. */
export function createAuditPage(): Page {
  const body = el('div', { class: 'audit-body' });
  const refresh = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'audit-refresh' }, icon('refresh'), t('refresh'));
  let disposed = false;

  const load = async () => {
    refresh.disabled = true;
    replaceChildren(body, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
    try {
      const { entries } = await api.audit(LIMIT);
      if (!disposed) render(entries);
    } catch (err) {
      if (!disposed) replaceChildren(body, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('failed')));
    } finally {
      refresh.disabled = false;
    }
  };

  const render = (entries: AuditEntry[]) => {
    if (entries.length === 0) {
      replaceChildren(body, el('p', { class: 'empty' }, t('empty')));
      return;
    }
    const sorted = [...entries].sort((a, b) => b.at - a.at);
    replaceChildren(body, el('div', { class: 'table-scroll' },
      el('table', { class: 'table audit-table', 'data-testid': 'audit-table' },
        el('thead', null, el('tr', null, el('th', null, t('when')), el('th', null, t('who')), el('th', null, t('action')), el('th', null, t('target')), el('th', null, t('details')))),
        el('tbody', null, ...sorted.map((entry) => el('tr', { 'data-testid': 'audit-row' },
          el('td', { class: 'nowrap' }, describeWhen(entry)),
          el('td', null, entry.actor ?? t('system')),
          el('td', null, el('code', { class: 'action' }, entry.action)),
          el('td', { class: 'mono small' }, entry.target ?? '—'),
          el('td', { class: 'detail small' }, describeDetail(entry.detail))))))),
      entries.length >= LIMIT ? el('p', { class: 'muted small' }, t('limit', { limit: formats.number(LIMIT) })) : null);
  };

  refresh.addEventListener('click', () => void load());
  void load();

  const root = el('div', { class: 'page audit-page' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, t('title')),
        el('p', { class: 'page-subtitle' }, t('subtitle'))),
      el('div', { class: 'actions' }, refresh)),
    el('section', { class: 'card' }, body));

  return {
    root,
    title: t('title'),
    dispose() {
      disposed = true;
    },
  };
}

/** A coalesced entry says how many identical events it stands for, and over what time. */
function describeWhen(entry: AuditEntry): string {
  const count = entry.count ?? 1;
  if (count <= 1 || !entry.lastAt) return formatDateTime(entry.at);
  return t('repeated', { from: formatDateTime(entry.at), to: formatDateTime(entry.lastAt), count: formats.number(count) });
}

/** Details may be text or a small object; either way they are shown as text. */
function describeDetail(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '—';
  if (typeof detail === 'string') return detail;
  if (typeof detail === 'object') {
    return Object.entries(detail as Record<string, unknown>)
      .map(([key, value]) => `${key}: ${describeValue(key, value)}`)
      .join(', ');
  }
  return String(detail);
}

/** Timestamps (fields named "…At") read as dates; anything else as compact text. */
function describeValue(key: string, value: unknown): string {
  if (typeof value === 'number' && key.endsWith('At')) return formatDateTime(value);
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
