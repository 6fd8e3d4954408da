/** The colours of findings: a severity pill, and a device's worst finding as one badge. */
import type { Severity } from '../../../protocol/index.js';
import { el } from './dom.js';
import { badge, type BadgeTone } from './status-badge.js';
import { SEVERITY_LABEL, describeFindingCount } from './wording.js';
import { wordsOf } from '../app/language.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);

/** Critical red, warning amber, info blue. */
export const SEVERITY_TONE: Record<Severity, BadgeTone> = { critical: 'bad', warning: 'warn', info: 'info' };

/** A device's diagnostics as the device list shows them. */
export type Health = { kind: 'unchecked' } | { kind: 'healthy' } | { kind: 'issues'; worst: Severity; count: number };

/** A small square-cornered label naming a severity. */
export function severityPill(severity: Severity): HTMLSpanElement {
  return el('span', { class: `severity-pill severity-${severity}` }, SEVERITY_LABEL[severity]);
}

/** "2 issues · critical" in the worst finding's colour, or "No issues" / "Not checked yet". */
export function healthBadge(health: Health): HTMLSpanElement {
  const node = health.kind === 'issues' ? badge(describeFindingCount(health.count, health.worst), SEVERITY_TONE[health.worst], 'device-health')
    : health.kind === 'healthy' ? badge(t('noIssues'), 'good', 'device-health')
    : badge(t('notChecked'), 'neutral', 'device-health');
  node.dataset.health = health.kind === 'issues' ? health.worst : health.kind;
  return node;
}
