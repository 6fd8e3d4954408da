/** Two snapshots side by side, for "before and after the fix": findings fixed, appeared, still there, and the facts that changed. */
import type { Finding } from '../../../protocol/index.js';
import type { SnapshotComparison } from '../connection/api.js';
import { el, icon, type Child } from '../ui/dom.js';
import { findingLine } from './findings-list.js';
import { formatWhen } from '../ui/format.js';

type GroupTone = 'good' | 'bad' | 'neutral';

/** The comparison; every finding title and fact value is peer text, set as text. */
export function renderComparison(c: SnapshotComparison): HTMLElement {
  return el('div', { class: 'comparison', 'data-testid': 'comparison' },
    el('p', { class: 'comparison-head' },
      el('span', { class: 'when' }, el('span', { class: 'muted' }, 'Before'), el('strong', null, formatWhen(c.before.takenAt))),
      el('span', { class: 'comparison-arrow', 'aria-hidden': 'true' }, '→'),
      el('span', { class: 'when' }, el('span', { class: 'muted' }, 'After'), el('strong', null, formatWhen(c.after.takenAt)))),
    el('div', { class: 'comparison-groups' },
      group('Fixed', 'fixed', c.fixed, 'good', 'No finding went away.'),
      group('Appeared', 'appeared', c.appeared, 'bad', 'No new finding.'),
      group('Still there', 'remaining', c.remaining, 'neutral', 'Nothing left over.')),
    el('h4', { class: 'subsection-title' }, `What changed (${c.changes.length})`),
    c.changes.length === 0
      ? el('p', { class: 'muted', 'data-testid': 'no-changes' }, 'No fact changed between these two snapshots.')
      : el('div', { class: 'table-scroll' },
        el('table', { class: 'table changes-table', 'data-testid': 'changes' },
          el('thead', null, el('tr', null, el('th', null, 'Fact'), el('th', null, 'Before'), el('th', { 'aria-hidden': 'true' }), el('th', null, 'After'))),
          el('tbody', null, ...c.changes.map((change) =>
            el('tr', { 'data-testid': 'change' },
              el('td', { class: 'change-fact' }, change.fact),
              el('td', { class: 'change-before' }, value(change.before)),
              el('td', { class: 'change-arrow', 'aria-hidden': 'true' }, '→'),
              el('td', { class: 'change-after' }, value(change.after))))))));
}

function group(title: string, testId: string, findings: readonly Finding[], tone: GroupTone, none: string): HTMLElement {
  const heading: Child[] = [tone === 'good' ? icon('check', 14) : tone === 'bad' ? icon('alert', 14) : null, `${title} (${findings.length})`];
  // An empty group is one quiet line; a full one lists its findings.
  return el('section', { class: `finding-group group-${tone}${findings.length === 0 ? ' group-empty' : ''}`, 'data-testid': `group-${testId}` },
    el('h4', { class: 'finding-group-title' }, ...heading),
    findings.length === 0 ? el('p', { class: 'muted small' }, none) : el('ul', { class: 'plain-list' }, ...findings.map(findingLine)));
}

function value(text: string | null): Child {
  return text === null ? el('span', { class: 'muted' }, 'not measured') : text;
}
