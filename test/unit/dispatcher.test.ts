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
beforeEach(async () => {
  // Device ids repeat between tests, and a reconnecting device gets every run in flight in the store: each test starts empty.
  for (const table of ['job_output', 'job_runs', 'jobs'] as const) await db.deleteFrom(table).execute();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: T0 });
});
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
  const connect = (deviceId: string): Promise<void> => {
    onlineSet.add(deviceId);
    return dispatcher.deviceOnline(deviceId);
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

  it('results arriving together fill the freed places, never beyond the concurrency; the counts are announced at most every 250 ms, the final ones at once', async () => {
    const devices = Array.from({ length: 12 }, (_, i) => `d${i}`);
    const s = setup(devices);
    const counts: Array<[string, number]> = [];
    s.dispatcher.subscribe({ job: (job) => void ('counts' in job && counts.push([job.status, job.counts.succeeded])), run: () => undefined, output: () => undefined });
    const job = await s.dispatcher.create(record(devices, { concurrency: 4 }));
    expect(s.sentOf('job.run')).toEqual(['d0', 'd1', 'd2', 'd3']);
    counts.length = 0;
    for (const d of ['d0', 'd1', 'd2', 'd3']) s.dispatcher.fromAgent(d, result(job.id));
    await s.dispatcher.idle();
    await idle();
    expect(s.sentOf('job.run')).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']);
    expect(Object.values(await s.statuses(job.id)).filter((st) => st === 'dispatched')).toHaveLength(4);
    // One announcement now, the next one once 250 ms have passed, with the counts as they are then.
    expect(counts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    await idle();
    expect(counts).toEqual([['running', expect.any(Number)], ['running', 4]]);
    // The rest: the job ends, and says so at once.
    for (const d of devices.slice(4)) {
      s.dispatcher.fromAgent(d, result(job.id));
      await s.dispatcher.idle();
      await idle();
    }
    expect(counts.at(-1)).toEqual(['completed', 12]);
    expect(s.sentOf('job.run')).toEqual(devices);
  });

  it('runs heard ending on another node in a row free places claimed together, in one or two claims rather than one each', async () => {
    const a = setup(['a0', 'a1', 'a2', 'a3']);
    const b = setup(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
    const job = await a.dispatcher.create(record(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'b4', 'b5'], { concurrency: 4 }));
    await b.dispatcher.heard({ kind: 'created', jobId: job.id });
    expect(b.sentOf('job.run')).toEqual([]);
    for (const d of ['a0', 'a1', 'a2', 'a3']) {
      a.dispatcher.fromAgent(d, result(job.id));
      await a.dispatcher.idle();
    }
    const claims = vi.spyOn(b.store, 'claimRuns');
    const ended = await Promise.all(['a0', 'a1', 'a2', 'a3'].map((d) => a.store.run(job.id, d)));
    await Promise.all(ended.map((run) => b.dispatcher.heard({ kind: 'run', jobId: job.id, run: run! })));
    await idle();
    expect(b.sentOf('job.run')).toEqual(['b0', 'b1', 'b2', 'b3']);
    expect(claims.mock.calls.length).toBeLessThanOrEqual(2);
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

describe('two cluster nodes on one store', () => {
  it('each node dispatches a job only to the devices it holds; every run is sent once; a run ended on one node frees a place on the other, and both see the job end', async () => {
    // Node A holds a and b; node B holds c and d; one store (the shared database).
    const a = setup(['a', 'b']);
    const b = setup(['c', 'd']);
    const jobEvents: string[] = [];
    b.dispatcher.subscribe({ job: (job) => jobEvents.push(job.status), run: () => undefined, output: () => undefined }, { wholeCluster: true });
    const created: string[] = [];
    a.dispatcher.subscribe({ job: () => undefined, run: () => undefined, output: () => undefined, created: (jobId) => created.push(jobId) });

    const job = await a.dispatcher.create(record(['a', 'b', 'c', 'd'], { concurrency: 3 }));
    expect(created).toEqual([job.id]);
    expect(a.sentOf('job.run').sort()).toEqual(['a', 'b']);
    // B hears of the job (the cluster bus): one place left of three, for one of its devices.
    await b.dispatcher.heard({ kind: 'created', jobId: job.id });
    await idle();
    expect(b.sentOf('job.run')).toHaveLength(1);
    const first = b.sentOf('job.run')[0]!;
    const second = first === 'c' ? 'd' : 'c';

    // Hearing it twice changes nothing; A never sends to B's devices.
    await b.dispatcher.heard({ kind: 'created', jobId: job.id });
    await idle();
    expect(b.sentOf('job.run')).toEqual([first]);

    // A result on A frees a place: B hears the run end and sends its other device.
    a.dispatcher.fromAgent('a', result(job.id));
    await a.dispatcher.idle();
    await b.dispatcher.heard({ kind: 'run', jobId: job.id, run: (await a.store.run(job.id, 'a'))! });
    await idle();
    expect(b.sentOf('job.run').sort()).toEqual(['c', 'd']);

    for (const [node, deviceId] of [[a, 'b'], [b, first], [b, second]] as const) {
      node.dispatcher.fromAgent(deviceId, result(job.id));
      await node.dispatcher.idle();
      const run = (await node.store.run(job.id, deviceId))!;
      for (const other of [a, b]) if (other !== node) await other.dispatcher.heard({ kind: 'run', jobId: job.id, run });
    }
    await idle();
    expect(Object.values(await a.statuses(job.id))).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect((await a.dispatcher.view(job.id))!.status).toBe('completed');
    expect((await b.dispatcher.view(job.id))!.status).toBe('completed');
    expect(jobEvents).toContain('completed');
    expect(a.sentOf('job.run').sort()).toEqual(['a', 'b']);
    a.dispatcher.stop();
    b.dispatcher.stop();
  });

  it('the store claims runs within the concurrency counted on every node, only pending ones, in the order asked', async () => {
    const store = new JobStore(db);
    const job = await store.create(record(['x', 'y', 'z', 'w'], { concurrency: 2 }));
    expect(await store.claimRuns(job.id, ['x'], 2, T0)).toEqual(new Set(['x']));
    // x is no longer pending (another node claimed it): y takes the one place left.
    expect(await store.claimRuns(job.id, ['x', 'y', 'z'], 2, T0)).toEqual(new Set(['y']));
    expect(await store.claimRuns(job.id, ['z', 'w'], 2, T0)).toEqual(new Set());
    await store.patchRun(job.id, 'x', { status: 'succeeded', finished_at: T0 });
    expect(await store.claimRuns(job.id, ['w', 'z'], 2, T0)).toEqual(new Set(['w']));
  });

  it('a node dies before telling the others of a run it claimed: the device reconnecting to another node gets it from there', async () => {
    // B hears of the job while a is offline; a then connects to A, which claims and sends its run, and dies before B hears of it.
    const a = setup([]);
    const b = setup([]);
    const job = await a.dispatcher.create(record(['a']));
    await b.dispatcher.heard({ kind: 'created', jobId: job.id });
    await a.connect('a');
    expect(a.sentOf('job.run')).toEqual(['a']);
    a.dispatcher.stop();
    // a reconnects to B: the run in flight in the store is sent again there, once; the agent's ledger answers it.
    await b.connect('a');
    expect(b.sentOf('job.run')).toEqual(['a']);
    b.dispatcher.fromAgent('a', result(job.id));
    await b.dispatcher.idle();
    expect(b.sentOf('job.ack')).toEqual(['a']);
    expect((await b.dispatcher.view(job.id))!).toMatchObject({ status: 'completed', counts: { running: 0, succeeded: 1 } });
    b.dispatcher.stop();
  });

  it('a result stored by a node that died before acknowledging it: the agent sends it again elsewhere, the job ends on every node', async () => {
    const a = setup(['a', 'b']);
    const b = setup([]);
    const c = setup([]);
    const job = await a.dispatcher.create(record(['a', 'b']));
    for (const node of [b, c]) await node.dispatcher.heard({ kind: 'created', jobId: job.id });
    for (const node of [b, c]) await node.dispatcher.heard({ kind: 'run', jobId: job.id, run: (await a.store.run(job.id, 'a'))! });
    // A stores a's result, then dies before its ack and its news leave.
    await a.store.storeResult(job.id, 'a', result(job.id));
    a.dispatcher.stop();
    // Counts read on any node are the store's, whatever it heard.
    expect((await c.dispatcher.view(job.id))!.counts).toMatchObject({ running: 1, succeeded: 1 });
    // a and b reconnect to B: b's in-flight run is sent again; a (its run done) re-sends its unacknowledged result.
    await b.connect('a');
    await b.connect('b');
    expect(b.sentOf('job.run')).toEqual(['b']);
    b.dispatcher.fromAgent('a', result(job.id));
    b.dispatcher.fromAgent('b', result(job.id));
    await b.dispatcher.idle();
    expect(b.sentOf('job.ack').sort()).toEqual(['a', 'b']);
    expect((await b.dispatcher.view(job.id))!.status).toBe('completed');
    // C, which heard none of it, catches up with the store within its resync period and ends the job too.
    await c.dispatcher.start();
    await vi.advanceTimersByTimeAsync(6000);
    await idle();
    await c.dispatcher.idle();
    expect((await c.dispatcher.view(job.id))!).toMatchObject({ status: 'completed', counts: { running: 0, succeeded: 2 } });
    b.dispatcher.stop();
    c.dispatcher.stop();
  });

  it('a job cancelled on one node stops in-flight runs on the devices another node holds', async () => {
    const a = setup(['a']);
    const b = setup(['c']);
    const job = await a.dispatcher.create(record(['a', 'c']));
    await b.dispatcher.heard({ kind: 'created', jobId: job.id });
    await idle();
    expect(b.sentOf('job.run')).toEqual(['c']);
    await a.dispatcher.cancel(job.id);
    await b.dispatcher.heard({ kind: 'cancelled', jobId: job.id });
    await idle();
    expect(b.sentOf('job.cancel')).toEqual(['c']);
    expect(a.sentOf('job.cancel')).toEqual(['a']);
    a.dispatcher.stop();
    b.dispatcher.stop();
  });
});
