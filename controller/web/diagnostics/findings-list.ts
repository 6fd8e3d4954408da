/**
 * Findings as a level-1 technician reads them: most severe first, coloured, each
 * with its explanation, evidence (value and threshold) and the next step. Every
 * word comes from the agent's report and is set as text.
 */
import { sortFindings, type Finding } from '../../../protocol/index.js';
import { el, icon } from '../ui/dom.js';
import { severityPill } from '../ui/health-badge.js';
import { wordsOf } from '../app/language.js';
import { diagnosticsCatalog } from './diagnostics-catalog.js';

const t = wordsOf(diagnosticsCatalog);

/** The full list, or "Nothing looks wrong" when it is empty. */
export function renderFindings(findings: readonly Finding[]): HTMLElement {
  if (findings.length === 0) {
    return el('div', { class: 'all-clear', 'data-testid': 'no-findings' },
      icon('check', 22),
      el('div', null,
        el('p', { class: 'all-clear-title' }, t('allClearTitle')),
        el('p', { class: 'muted' }, t('allClear'))));
  }
  return el('ol', { class: 'findings', 'data-testid': 'findings' }, ...sortFindings(findings).map(findingItem));
}

/** One finding in full. */
function findingItem(finding: Finding): HTMLElement {
  return el('li', { class: `finding finding-${finding.severity}`, 'data-testid': 'finding', dataset: { severity: finding.severity, findingId: finding.id } },
    el('div', { class: 'finding-head' }, severityPill(finding.severity), el('h3', { class: 'finding-title' }, finding.title)),
    el('p', { class: 'finding-explanation' }, finding.explanation),
    finding.evidence.length > 0
      ? el('dl', { class: 'evidence', 'data-testid': 'evidence' }, ...finding.evidence.map((e) =>
        el('div', { class: 'evidence-row' },
          el('dt', null, e.label),
          el('dd', null, el('span', { class: 'evidence-value' }, e.value), e.threshold ? el('span', { class: 'threshold' }, t('threshold', { value: e.threshold })) : null))))
      : null,
    el('p', { class: 'next-step' }, el('span', { class: 'next-step-label' }, t('nextStep')), el('span', null, finding.nextStep)),
    finding.script
      ? el('p', { class: 'next-step', 'data-testid': 'finding-script' }, el('span', { class: 'next-step-label' }, t('starterScript')), el('span', { class: 'mono' }, finding.script))
      : null);
}

/** A one-line finding (severity and title), for the comparison's lists. */
export function findingLine(finding: Finding): HTMLElement {
  return el('li', { class: 'finding-line', 'data-testid': 'finding-line', dataset: { findingId: finding.id } }, severityPill(finding.severity), el('span', null, finding.title));
}
