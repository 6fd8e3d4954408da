/** Two snapshots side by side, for "before and after the fix": findings fixed, appeared, still there, and the facts that changed. */
import type { Finding } from '../../../protocol/index.js';
import type { SnapshotComparison } from '../connection/api.js';
import { el, icon, type Child } from '../ui/dom.js';
import { findingLine } from './findings-list.js';
import { formatWhen } from '../ui/format.js';
import { wordsOf } from '../app/language.js';
import { historyCatalog } from './history-catalog.js';

const t = wordsOf(historyCatalog);

type GroupTone = 'good' | 'bad' | 'neutral';

/** The comparison; every finding title and fact value is peer text, set as text. */
export function renderComparison(c: SnapshotComparison): HTMLElement {
  return el('div', { class: 'comparison', 'data-testid': 'comparison' },
    el('p', { class: 'comparison-head' },
      el('span', { class: 'when' }, el('span', { class: 'muted' }, t('before')), el('strong', null, formatWhen(c.before.takenAt))),
      el('span', { class: 'comparison-arrow', 'aria-hidden': 'true' }, '→'),
      el('span', { class: 'when' }, el('span', { class: 'muted' }, t('after')), el('strong', null, formatWhen(c.after.takenAt)))),
    el('div', { class: 'comparison-groups' },
      group(t('fixed', { count: c.fixed.length }), 'fixed', c.fixed, 'good', t('fixedNone')),
      group(t('appeared', { count: c.appeared.length }), 'appeared', c.appeared, 'bad', t('appearedNone')),
      group(t('remaining', { count: c.remaining.length }), 'remaining', c.remaining, 'neutral', t('remainingNone'))),
    el('h4', { class: 'subsection-title' }, t('changed', { count: c.changes.length })),
    c.changes.length === 0
      ? el('p', { class: 'muted', 'data-testid': 'no-changes' }, t('noChanges'))
      : el('div', { class: 'table-scroll' },
        el('table', { class: 'table changes-table', 'data-testid': 'changes' },
          el('thead', null, el('tr', null, el('th', null, t('fact')), el('th', null, t('before')), el('th', { 'aria-hidden': 'true' }), el('th', null, t('after')))),
          el('tbody', null, ...c.changes.map((change) =>
            el('tr', { 'data-testid': 'change' },
              el('td', { class: 'change-fact' }, change.fact),
              el('td', { class: 'change-before' }, value(change.before)),
              el('td', { class: 'change-arrow', 'aria-hidden': 'true' }, '→'),
              el('td', { class: 'change-after' }, value(change.after))))))));
}

function group(title: string, testId: string, findings: readonly Finding[], tone: GroupTone, none: string): HTMLElement {
  const heading: Child[] = [tone === 'good' ? icon('check', 14) : tone === 'bad' ? icon('alert', 14) : null, title];
  // An empty group is one quiet line; a full one lists its findings.
  return el('section', { class: `finding-group group-${tone}${findings.length === 0 ? ' group-empty' : ''}`, 'data-testid': `group-${testId}` },
    el('h4', { class: 'finding-group-title' }, ...heading),
    findings.length === 0 ? el('p', { class: 'muted small' }, none) : el('ul', { class: 'plain-list' }, ...findings.map(findingLine)));
}

function value(text: string | null): Child {
  return text === null ? el('span', { class: 'muted' }, t('notMeasured')) : text;
}
