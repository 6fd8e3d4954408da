/** The fleet's states in a technician's words and colours: policies, job and run statuses, targets. Labels are read in the current language. */
import type { PolicyDecision } from '../../../protocol/index.js';
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

export const JOB_STATUS: Record<JobSummary['status'], { readonly label: string; readonly tone: BadgeTone }> = {
  running: state('jobRunning', 'info'),
  completed: state('jobCompleted', 'good'),
  cancelled: state('jobCancelled', 'neutral'),
  expired: state('jobExpired', 'warn'),
};

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
