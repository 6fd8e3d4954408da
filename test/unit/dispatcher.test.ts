/**
 * The job dispatcher with the real job store on a temporary SQLite file, fake
 * devices (a send function and an online set) and fake timers: concurrency,
 * offline devices served when they come back, re-sending in-flight runs, expiry,
 * late results, cancel, acknowledgements, and the order of one device's messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, AuditLog } from '../../controller/server/audit/audit.js';
import { Dispatcher } from '../../controller/server/jobs/dispatcher.js';
import { JobStore, type NewJob } from '../../controller/server/jobs/job-store.js';
import { openDatabase, type Db } from '../../controller/server/store/database.js';
import type { ControllerToAgent, JobResultMessage, ResultStatus } from '../../protocol/index.js';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
let dir: string;
let db: Db;

// One store for the file (job ids never repeat); setImmediate stays real: the tests use it to let the dispatcher's promise chains finish.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relais-dispatcher-'));
  db = await openDatabase({ dataDir: dir });
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: T0 }));
afterEach(() => void vi.useRealTimers());

/** Lets every queued piece of dispatcher work (promise chains over the synchronous SQLite driver) run. */
const idle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

function setup(online: string[] = []) {
  const store = new JobStore(db);
  const sent: Array<[string, ControllerToAgent]> = [];
  const onlineSet = new Set(online);
  const notes: AuditEntry[] = [];
  const audit = { note: (entry: AuditEntry) => void notes.push(entry) } as unknown as AuditLog;
  const dispatcher = new Dispatcher({
    store, audit, sweepMs: 500,
    links: {
      send: (deviceId, message) => (onlineSet.has(deviceId) ? (sent.push([deviceId, message]), true) : false),
      isOnline: (deviceId) => onlineSet.has(deviceId),
    },
  });
  const sentOf = (t: ControllerToAgent['t']) => sent.filter(([, m]) => m.t === t).map(([d]) => d);
  const statuses = async (jobId: string) => Object.fromEntries((await store.runs(jobId)).map((r) => [r.deviceId, r.status]));
  const connect = (deviceId: string) => {
    onlineSet.add(deviceId);
    dispatcher.deviceOnline(deviceId);
  };
  return { store, dispatcher, sent, sentOf, online: onlineSet, connect, notes, statuses };
}

let jobs = 0;
function record(deviceIds: string[], extra: Partial<NewJob> = {}): NewJob {
  jobs += 1;
  return {
    id: `job-${jobs}`, scriptId: 'script-1', scriptName: 'flush-dns', body: 'echo hi\n', interpreter: 'sh', params: { NAME: 'x' },
    target: { deviceIds }, deviceIds, concurrency: 10, timeoutSeconds: 60, expiresAt: T0 + 60_000, createdBy: 'sam', createdAt: T0, status: 'running', ...extra,
  };
}

function result(jobId: string, status: ResultStatus = 'succeeded', extra: Partial<JobResultMessage> = {}): JobResultMessage {
  return {
    t: 'job.result', jobId, status, exitCode: status === 'succeeded' ? 0 : null, signal: null, startedAt: T0, finishedAt: T0 + 10,
    stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: -1, reason: null, ...extra,
  };
}

describe('dispatching', () => {
  it('sends the frozen script to online devices only, up to the concurrency; each result frees a slot', async () => {
    const s = setup(['a', 'b', 'c', 'd']);
    const job = await s.dispatcher.create(record(['a', 'b', 'offline', 'c', 'd'], { concurrency: 2 }));
    expect(job.counts).toMatchObject({ pending: 3, running: 2 });
    expect(s.sentOf('job.run')).toEqual(['a', 'b']);
    expect(s.sent[0]![1]).toEqual({
      t: 'job.run', jobId: job.id, script: { name: 'flush-dns', interpreter: 'sh', body: 'echo hi\n', timeoutSeconds: 60 }, params: { NAME: 'x' }, expiresAt: T0 + 60_000,
    });
    s.dispatcher.fromAgent('a', { t: 'job.started', jobId: job.id, startedAt: T0 });
    await idle();
    expect(s.sentOf('job.run')).toEqual(['a', 'b']); // running still takes a slot
    s.dispatcher.fromAgent('a', result(job.id));
    await idle();
    expect(s.sentOf('job.run')).toEqual(['a', 'b', 'c']);
    expect(s.sentOf('job.ack')).toEqual(['a']);
    expect(await s.statuses(job.id)).toEqual({ a: 'succeeded', b: 'dispatched', offline: 'pending', c: 'dispatched', d: 'pending' });
  });

  it('a device offline when the job is created stays pending, and gets the job when it comes back', async () => {
    const s = setup();
    const job = await s.dispatcher.create(record(['late']));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await s.statuses(job.id)).toEqual({ late: 'pending' });
    expect(s.sent).toEqual([]);
    s.connect('late');
    await idle();
    expect(s.sentOf('job.run')).toEqual(['late']);
    expect(await s.statuses(job.id)).toEqual({ late: 'dispatched' });
    s.dispatcher.fromAgent('late', result(job.id));
    await idle();
    expect((await s.dispatcher.view(job.id))?.status).toBe('completed');
  });

  it('sends an in-flight run again when its device reconnects (the agent\'s ledger makes that harmless)', async () => {
    const s = setup(['a']);
    const job = await s.dispatcher.create(record(['a']));
    s.online.delete('a');
    s.connect('a');
    await idle();
    expect(s.sentOf('job.run')).toEqual(['a', 'a']);
    expect(await s.statuses(job.id)).toEqual({ a: 'dispatched' });
  });

  it('picks the runs of a job again after a restart (a new dispatcher on the same store)', async () => {
    const first = setup(['r1']);
    const job = await first.dispatcher.create(record(['r1', 'r2']));
    const second = setup();
    await second.dispatcher.start();
    second.connect('r1');
    second.connect('r2');
    await idle();
    expect(second.sentOf('job.run')).toEqual(['r1', 'r2']);
    second.dispatcher.stop();
    expect((await second.dispatcher.view(job.id))?.counts.running).toBe(2);
  });
});

describe('what devices report', () => {
  it('stores output once per seq, then the result after it (one device\'s messages in order), and acknowledges', async () => {
    const s = setup(['a']);
    const job = await s.dispatcher.create(record(['a']));
    const outputs: string[] = [];
    s.dispatcher.subscribe({ job: () => undefined, run: () => undefined, output: (_j, _d, _s, data) => void outputs.push(data) });
    const data = Buffer.from('hello\n').toString('base64');
    s.dispatcher.fromAgent('a', { t: 'job.started', jobId: job.id, startedAt: T0 });
    s.dispatcher.fromAgent('a', { t: 'job.output', jobId: job.id, stream: 'stdout', seq: 0, data });
    s.dispatcher.fromAgent('a', { t: 'job.output', jobId: job.id, stream: 'stdout', seq: 0, data });
    s.dispatcher.fromAgent('a', result(job.id, 'succeeded', { stdoutBytes: 6, lastSeq: 0 }));
    await idle();
    expect(outputs).toEqual([data]);
    expect((await s.store.output(job.id, 'a', 'stdout')).toString()).toBe('hello\n');
    expect(await s.statuses(job.id)).toEqual({ a: 'succeeded' });
  });

  it('acknowledges a repeated or unknown result without storing it again', async () => {
    const s = setup(['a']);
    const job = await s.dispatcher.create(record(['a']));
    s.dispatcher.fromAgent('a', result(job.id, 'succeeded'));
    s.dispatcher.fromAgent('a', result(job.id, 'failed'));
    s.dispatcher.fromAgent('a', result('no-such-job'));
    await idle();
    expect(s.sent.filter(([, m]) => m.t === 'job.ack').map(([, m]) => (m as { jobId: string }).jobId)).toEqual([job.id, job.id, 'no-such-job']);
    expect(await s.statuses(job.id)).toEqual({ a: 'succeeded' });
  });

  it('ignores reports from a device the job does not target', async () => {
    const s = setup(['a', 'stranger']);
    const job = await s.dispatcher.create(record(['a']));
    s.dispatcher.fromAgent('stranger', { t: 'job.started', jobId: job.id, startedAt: T0 });
    s.dispatcher.fromAgent('stranger', { t: 'job.output', jobId: job.id, stream: 'stdout', seq: 0, data: 'eA==' });
    s.dispatcher.fromAgent('stranger', result(job.id));
    await idle();
    expect(await s.statuses(job.id)).toEqual({ a: 'dispatched' });
    expect((await s.store.output(job.id, 'stranger', 'stdout')).byteLength).toBe(0);
  });

  it('audits a refusal by the device\'s policy', async () => {
    const s = setup(['a']);
    const job = await s.dispatcher.create(record(['a']));
    s.dispatcher.fromAgent('a', result(job.id, 'refused', { reason: 'refused by policy (script: deny)' }));
    await idle();
    expect(s.notes).toEqual([{ actor: 'device:a', action: 'job.refused', target: job.id, detail: { reason: 'refused by policy (script: deny)' } }]);
  });
});

describe('expiry', () => {
  it('expires pending runs and runs in flight on offline devices at expiresAt, not before; online ones keep running', async () => {
    const s = setup(['busy', 'gone']);
    await s.dispatcher.start();
    const job = await s.dispatcher.create(record(['busy', 'gone', 'never'], { expiresAt: T0 + 3000 }));
    s.online.delete('gone');
    await vi.advanceTimersByTimeAsync(2500);
    expect(await s.statuses(job.id)).toEqual({ busy: 'dispatched', gone: 'dispatched', never: 'pending' });
    await vi.advanceTimersByTimeAsync(500);
    await idle();
    expect(await s.statuses(job.id)).toEqual({ busy: 'dispatched', gone: 'expired', never: 'expired' });
    // Coming back after expiry gets nothing.
    s.connect('never');
    await idle();
    expect(s.sentOf('job.run')).toEqual(['busy', 'gone']);
    s.dispatcher.fromAgent('busy', result(job.id));
    await idle();
    const done = await s.dispatcher.view(job.id);
    expect(done).toMatchObject({ status: 'expired', counts: { succeeded: 1, expired: 2 } });
    s.dispatcher.stop();
  });

  it('a result delivered after its run expired replaces expired, and the job completes', async () => {
    const s = setup(['a']);
    await s.dispatcher.start();
    const job = await s.dispatcher.create(record(['a'], { expiresAt: T0 + 1000 }));
    s.online.delete('a');
    await vi.advanceTimersByTimeAsync(1000);
    await idle();
    expect((await s.dispatcher.view(job.id))?.status).toBe('expired');
    s.online.add('a');
    s.dispatcher.fromAgent('a', result(job.id));
    await idle();
    expect(await s.statuses(job.id)).toEqual({ a: 'succeeded' });
    expect((await s.dispatcher.view(job.id))?.status).toBe('completed');
    s.dispatcher.stop();
  });

  it('the sweep stops with the dispatcher', async () => {
    const s = setup();
    await s.dispatcher.start();
    const job = await s.dispatcher.create(record(['x'], { expiresAt: T0 + 1000 }));
    s.dispatcher.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(await s.statuses(job.id)).toEqual({ x: 'pending' });
  });
});

describe('cancel', () => {
  it('skips pending runs, tells in-flight ones to stop, and repeats the cancel to a device that reconnects', async () => {
    const s = setup(['a']);
    const job = await s.dispatcher.create(record(['a', 'b'], { concurrency: 1 }));
    const cancelled = await s.dispatcher.cancel(job.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', counts: { cancelled: 1, running: 1 } });
    expect(s.sentOf('job.cancel')).toEqual(['a']);
    expect(await s.statuses(job.id)).toEqual({ a: 'dispatched', b: 'cancelled' });
    s.online.delete('a');
    s.connect('a');
    s.connect('b');
    await idle();
    expect(s.sentOf('job.cancel')).toEqual(['a', 'a']);
    expect(s.sentOf('job.run')).toEqual(['a']);
    s.dispatcher.fromAgent('a', result(job.id, 'cancelled'));
    await idle();
    expect(await s.dispatcher.view(job.id)).toMatchObject({ status: 'cancelled', counts: { cancelled: 2 } });
  });

  it('an unknown job is null', async () => {
    expect(await setup().dispatcher.cancel('nope')).toBeNull();
  });
});
