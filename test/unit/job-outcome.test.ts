/** A job reads "Completed" only when no device failed, timed out or refused. */
import { describe, expect, it } from 'vitest';
import { jobOutcome, unsuccessfulRuns, type JobCounts } from '../../protocol/index.js';

const counts = (over: Partial<JobCounts> = {}): JobCounts => ({ pending: 0, running: 0, succeeded: 0, failed: 0, refused: 0, timedOut: 0, cancelled: 0, expired: 0, ...over });

describe('jobOutcome', () => {
  it('is completed when every device succeeded', () => {
    expect(jobOutcome({ status: 'completed', counts: counts({ succeeded: 3 }) })).toBe('completed');
  });
  it.each([['failed'], ['refused'], ['timedOut']] as const)('is completed-with-failures when a device %s', (key) => {
    expect(jobOutcome({ status: 'completed', counts: counts({ succeeded: 2, [key]: 1 }) })).toBe('completed-with-failures');
  });
  it('leaves running, cancelled and expired jobs as they are, failures or not', () => {
    for (const status of ['running', 'cancelled', 'expired'] as const) {
      expect(jobOutcome({ status, counts: counts({ failed: 1 }) })).toBe(status);
    }
  });
  it('counts failed, timed-out and refused devices, not cancelled or expired ones', () => {
    expect(unsuccessfulRuns(counts({ failed: 1, refused: 2, timedOut: 3, cancelled: 4, expired: 5, succeeded: 6 }))).toBe(6);
  });
});
