/** The fleet's states in a technician's words and colours: policies, job and run statuses, targets. */
import type { PolicyDecision } from '../../../protocol/index.js';
import type { BadgeTone } from '../ui/status-badge.js';
import type { JobCounts, JobSummary, RunStatus } from './fleet-types.js';

export const POLICY_TONE: Record<PolicyDecision, BadgeTone> = { allow: 'good', ask: 'warn', deny: 'bad' };

export const JOB_STATUS: Record<JobSummary['status'], { label: string; tone: BadgeTone }> = {
  running: { label: 'Running', tone: 'info' },
  completed: { label: 'Completed', tone: 'good' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'warn' },
};

export const RUN_STATUS: Record<RunStatus, { label: string; tone: BadgeTone }> = {
  pending: { label: 'Waiting', tone: 'neutral' },
  dispatched: { label: 'Sent', tone: 'info' },
  running: { label: 'Running', tone: 'info' },
  succeeded: { label: 'Succeeded', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  'timed-out': { label: 'Timed out', tone: 'bad' },
  refused: { label: 'Refused by policy', tone: 'warn' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'neutral' },
  error: { label: 'Error', tone: 'bad' },
};

/** The segments of a job's progress bar, in the order they are drawn. */
export const COUNT_SEGMENTS: readonly { key: keyof JobCounts; label: string; tone: string }[] = [
  { key: 'succeeded', label: 'succeeded', tone: 'good' },
  { key: 'failed', label: 'failed', tone: 'bad' },
  { key: 'timedOut', label: 'timed out', tone: 'bad-2' },
  { key: 'refused', label: 'refused', tone: 'warn' },
  { key: 'running', label: 'running', tone: 'info' },
  { key: 'cancelled', label: 'cancelled', tone: 'neutral' },
  { key: 'expired', label: 'expired', tone: 'neutral-2' },
  { key: 'pending', label: 'waiting', tone: 'pending' },
];

/** All devices of a job, whatever their state. */
export function totalOf(counts: JobCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** "tag lab", "group Accounting", "3 devices". */
export function describeTarget(job: JobSummary): string {
  if (job.target.tag) return `tag ${job.target.tag}`;
  if (job.target.group) return `group ${job.target.group}`;
  const n = job.target.deviceCount ?? job.deviceCount;
  return `${n} chosen ${n === 1 ? 'device' : 'devices'}`;
}

/** "1 device", "12 devices". */
export function devicesWord(n: number): string {
  return `${n} ${n === 1 ? 'device' : 'devices'}`;
}
