/** Small fleet components: policy chips, tag chips and a job's stacked progress bar. Peer text only as text. */
import type { UnattendedPolicy } from '../../../protocol/index.js';
import { el } from '../ui/dom.js';
import type { JobCounts } from './fleet-types.js';
import { COUNT_SEGMENTS, POLICY_TONE, countsSummary, totalOf } from './fleet-wording.js';
import { wordsOf } from '../app/language.js';
import { fleetCatalog } from './fleet-catalog.js';

const t = wordsOf(fleetCatalog);

/** "script: allow · shell: ask · files: ask" as chips; the machine's own policy file decides, so they are read-only. A policy without `files` (an older agent) means ask. */
export function policyChips(policy: UnattendedPolicy | null | undefined): HTMLElement {
  if (!policy) return el('span', { class: 'muted small', title: t('policyNotReportedTitle') }, t('policyNotReported'));
  return el('span', { class: 'policy-chips', title: t('policyTitle') },
    ...(['script', 'shell', 'files'] as const).map((action) => {
      const decision = policy[action] ?? 'ask';
      return el('span', { class: `policy-chip policy-${POLICY_TONE[decision]}`, 'data-testid': `policy-${action}`, dataset: { decision } },
        el('span', { class: 'policy-action' }, t('policyAction', { action })), t('policyDecision', { decision }));
    }));
}

/** A device's tags as chips (agent-reported text). */
export function tagChips(tags: readonly string[] | undefined): HTMLElement {
  if (!tags || tags.length === 0) return el('span', { class: 'muted' }, '—');
  return el('span', { class: 'tag-chips' }, ...tags.map((tag) => el('span', { class: 'tag' }, tag)));
}

/** The job's devices by state as one thin stacked bar, with its counts as a tooltip and a caption. */
export function countsBar(counts: JobCounts, withCaption = true): HTMLElement {
  const total = totalOf(counts);
  const parts = COUNT_SEGMENTS.filter((s) => counts[s.key] > 0);
  const track = el('span', { class: 'stack-track' }, ...parts.map((s) => {
    const seg = el('span', { class: `stack-seg stack-${s.tone}` });
    seg.style.width = `${((counts[s.key] / Math.max(1, total)) * 100).toFixed(2)}%`;
    return seg;
  }));
  const summary = countsSummary(counts);
  const done = counts.succeeded + counts.failed + counts.timedOut + counts.refused + counts.cancelled + counts.expired;
  return el('span', { class: 'stack-bar', title: summary, 'aria-label': summary, role: 'img', 'data-testid': 'counts-bar' },
    track, withCaption ? el('span', { class: 'stack-caption' }, `${done}/${total}`) : null);
}
