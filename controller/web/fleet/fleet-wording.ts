/** The fleet's states in a technician's words and colours: policies, job and run statuses, targets. Labels are read in the current language. */
import { jobOutcome, unsuccessfulRuns, type JobOutcome, type PolicyDecision } from '../../../protocol/index.js';
import { el } from '../ui/dom.js';
import { badge } from '../ui/status-badge.js';
import { formats, wordsOf } from '../app/language.js';
import type { BadgeTone } from '../ui/status-badge.js';
import { fleetCatalog } from './fleet-catalog.js';
import type { JobCounts, JobSummary, RunStatus } from './fleet-types.js';

const t = wordsOf(fleetCatalog);
type Key = Parameters<typeof t>[0];

/** A label and a tone; the label is a getter, so it follows the language. */
const state = (key: Key, tone: BadgeTone): { readonly label: string; readonly tone: BadgeTone } => ({
  get label() {
    return t(key);
  },
  tone,
});

export const POLICY_TONE: Record<PolicyDecision, BadgeTone> = { allow: 'good', ask: 'warn', deny: 'bad' };

export const JOB_STATUS: Record<JobOutcome, { readonly label: string; readonly tone: BadgeTone }> = {
  running: state('jobRunning', 'info'),
  completed: state('jobCompleted', 'good'),
  'completed-with-failures': state('jobCompletedWithFailures', 'warn'),
  cancelled: state('jobCancelled', 'neutral'),
  expired: state('jobExpired', 'warn'),
};

/**
 * A job's status pill: green "Completed" only when no device failed, timed out or refused;
 * otherwise "Completed with failures" in the warning tone, followed by how many devices did not succeed.
 */
export function jobStatusBadge(job: Pick<JobSummary, 'status' | 'counts'>): HTMLElement {
  const outcome = jobOutcome(job);
  const pill = badge(JOB_STATUS[outcome].label, JOB_STATUS[outcome].tone, 'job-status');
  pill.dataset.outcome = outcome;
  if (outcome !== 'completed-with-failures') return pill;
  const failing = COUNT_SEGMENTS.filter((s) => ['failed', 'timedOut', 'refused'].includes(s.key) && job.counts[s.key] > 0);
  const detail = el('span', { class: 'job-status-detail muted small', 'data-testid': 'job-status-detail' },
    t('notSucceeded', { count: unsuccessfulRuns(job.counts), total: totalOf(job.counts) }));
  detail.title = failing.map((s) => `${formats.number(job.counts[s.key], 0)} ${s.labelFor(job.counts[s.key])}`).join(' · ');
  return el('span', { class: 'job-status-cell' }, pill, detail);
}

export const RUN_STATUS: Record<RunStatus, { readonly label: string; readonly tone: BadgeTone }> = {
  pending: state('runPending', 'neutral'),
  dispatched: state('runDispatched', 'info'),
  running: state('runRunning', 'info'),
  succeeded: state('runSucceeded', 'good'),
  failed: state('runFailed', 'bad'),
  'timed-out': state('runTimedOut', 'bad'),
  refused: state('runRefused', 'warn'),
  cancelled: state('runCancelled', 'neutral'),
  expired: state('runExpired', 'neutral'),
  error: state('runError', 'bad'),
};

export interface CountSegment {
  readonly key: keyof JobCounts;
  /** The state's name for several devices ("succeeded"). */
  readonly label: string;
  readonly tone: string;
  /** A stable name for test ids, whatever the language. */
  readonly id: string;
  /** The state's name for `count` devices ("réussi" / "réussis"). */
  labelFor(count: number): string;
}

const segment = (key: keyof JobCounts, message: Key, tone: string, id: string): CountSegment => ({
  key, tone, id,
  get label() {
    return t(message, { count: 2 });
  },
  labelFor: (count) => t(message, { count }),
});

/** The segments of a job's progress bar, in the order they are drawn. */
export const COUNT_SEGMENTS: readonly CountSegment[] = [
  segment('succeeded', 'segSucceeded', 'good', 'succeeded'),
  segment('failed', 'segFailed', 'bad', 'failed'),
  segment('timedOut', 'segTimedOut', 'bad-2', 'timed-out'),
  segment('refused', 'segRefused', 'warn', 'refused'),
  segment('running', 'segRunning', 'info', 'running'),
  segment('cancelled', 'segCancelled', 'neutral', 'cancelled'),
  segment('expired', 'segExpired', 'neutral-2', 'expired'),
  segment('pending', 'segPending', 'pending', 'waiting'),
];

/** All devices of a job, whatever their state. */
export function totalOf(counts: JobCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** "tag lab", "group Accounting", "3 chosen devices". */
export function describeTarget(job: JobSummary): string {
  if (job.target.tag) return t('targetTag', { tag: job.target.tag });
  if (job.target.group) return t('targetGroup', { group: job.target.group });
  return t('targetDevices', { count: job.target.deviceCount ?? job.deviceCount });
}

/** "1 device", "12 devices". */
export function devicesWord(n: number): string {
  return t('devices', { count: n });
}

/** "3 succeeded · 1 failed", or "no devices": a job's counts in words. */
export function countsSummary(counts: JobCounts): string {
  const parts = COUNT_SEGMENTS.filter((s) => counts[s.key] > 0);
  return parts.map((s) => `${formats.number(counts[s.key], 0)} ${s.labelFor(counts[s.key])}`).join(' · ') || t('noDevices');
}
