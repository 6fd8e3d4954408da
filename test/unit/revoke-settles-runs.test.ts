/**
 * Revoking a device settles its open runs at once (issue 8, point 10): pending
 * and in-flight runs become `cancelled` with the reason, in-flight ones are told
 * to stop, freed places go to other devices, and the job finishes with the others.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../controller/server/audit/audit.js';
import { Dispatcher } from '../../controller/server/jobs/dispatcher.js';
import { JobStore, type NewJob } from '../../controller/server/jobs/job-store.js';
import type { ControllerToAgent, JobResultMessage } from '../../protocol/index.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';
import { eventually } from '../helpers/until.js';

let store: TempStore;
let dispatcher: Dispatcher;
const sent: Array<[string, ControllerToAgent['t']]> = [];
const online = new Set<string>();

beforeEach(async () => {
  store = await openTempStore();
  sent.length = 0;
  online.clear();
  dispatcher = new Dispatcher({
    store: new JobStore(store.db),
    audit: new AuditLog(store.db),
    links: {
      send: (deviceId, message) => (online.has(deviceId) ? (sent.push([deviceId, message.t]), true) : false),
      isOnline: (deviceId) => online.has(deviceId),
    },
  });
  await dispatcher.start();
});
afterEach(async () => {
  dispatcher.stop();
  await store.close();
});

function jobFor(deviceIds: string[], concurrency = 10): NewJob {
  return {
    id: `job-${deviceIds.join('-')}`, scriptId: 'script1', scriptName: 'flush-dns', body: 'true', interpreter: 'sh', params: {},
    target: { deviceIds }, deviceIds, concurrency, timeoutSeconds: 60, expiresAt: Date.now() + 60 * 60_000, createdBy: 'admin', createdAt: Date.now(), status: 'running',
  };
}

const succeeded = (jobId: string): JobResultMessage => ({
  t: 'job.result', jobId, status: 'succeeded', exitCode: 0, signal: null, startedAt: Date.now(), finishedAt: Date.now(),
  stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: -1, reason: null,
});

/** The dispatcher's work on a device runs in the background: wait for what it leads to (a store query on PostgreSQL takes a network round trip). */
const until = (check: () => Promise<boolean>) => eventually(check, (ok) => ok, 10_000, 'the dispatcher to settle');

describe('revoking a device', () => {
  it('settles its pending run at once, so the job finishes when the other device does', async () => {
    online.add('here');
    const job = await dispatcher.create(jobFor(['here', 'gone']));
    dispatcher.fromAgent('here', succeeded(job.id));
    await until(async () => (await dispatcher.view(job.id))!.counts.succeeded === 1);
    expect((await dispatcher.view(job.id))!.status).toBe('running');

    await dispatcher.deviceRevoked('gone');
    const view = (await dispatcher.view(job.id))!;
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ succeeded: 1, cancelled: 1, pending: 0, running: 0 });
    const runs = await new JobStore(store.db).runs(job.id);
    expect(runs.find((r) => r.deviceId === 'gone')).toMatchObject({ status: 'cancelled', reason: 'the device was revoked by an administrator' });
  });

  it('tells a running device to stop, cancels its run, and gives its place to a pending device', async () => {
    online.add('busy');
    online.add('next');
    const job = await dispatcher.create(jobFor(['busy', 'next'], 1));
    expect(sent).toEqual([['busy', 'job.run']]);

    await dispatcher.deviceRevoked('busy');
    expect(sent).toEqual([['busy', 'job.run'], ['busy', 'job.cancel'], ['next', 'job.run']]);
    expect((await new JobStore(store.db).run(job.id, 'busy'))?.status).toBe('cancelled');
    dispatcher.fromAgent('next', succeeded(job.id));
    await until(async () => (await dispatcher.view(job.id))!.status === 'completed');
    // A result the revoked device might still deliver later does not replace the settled run.
    dispatcher.fromAgent('busy', succeeded(job.id));
    await until(async () => sent.filter(([d, t]) => d === 'busy' && t === 'job.ack').length === 1);
    expect((await new JobStore(store.db).run(job.id, 'busy'))?.status).toBe('cancelled');
  });
});
