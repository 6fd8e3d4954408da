/**
 * The writes a running job makes per device (started, output, result) on each engine: on
 * PostgreSQL they go in batches, one statement each (write-batcher.ts), and must keep every
 * rule of the one-row form — a result lands once and only on an open run, a late result
 * replaces `expired`, a run starts only from pending or dispatched, output is stored once per
 * sequence number and never past the byte bound — when many arrive at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore, type NewJob } from '../../controller/server/jobs/job-store.js';
import { LIMITS, type JobResultMessage } from '../../protocol/index.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

let temp: TempStore;
let store: JobStore;
beforeEach(async () => {
  temp = await openTempStore();
  store = new JobStore(temp.db);
});
afterEach(async () => temp.close());

const devices = (n: number) => Array.from({ length: n }, (_, i) => `device-${i}`);

function job(id: string, deviceIds: string[]): NewJob {
  return {
    id, scriptId: 'script1', scriptName: 'flush-dns', body: 'true', interpreter: 'sh', params: {}, target: { deviceIds }, deviceIds,
    concurrency: 1000, timeoutSeconds: 60, expiresAt: Date.now() + 3_600_000, createdBy: 'admin', createdAt: Date.now(), status: 'running',
  };
}

const result = (jobId: string, status: JobResultMessage['status'], exitCode: number | null = 0): JobResultMessage => ({
  t: 'job.result', jobId, status, exitCode, signal: null, startedAt: 1_700_000_000_000, finishedAt: 1_700_000_001_234,
  stdoutBytes: 5, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: 0, reason: status === 'failed' ? 'exit 3' : null,
});

describe('a running job\'s writes, many at once', () => {
  it('stores 300 results sent together, each on its own run with its own fields, and refuses a second result for any of them', async () => {
    const ids = devices(300);
    await store.create(job('j1', ids));
    const stored = await Promise.all(ids.map((d, i) => store.storeResult('j1', d, result('j1', i % 3 === 0 ? 'failed' : 'succeeded', i % 3 === 0 ? 3 : 0))));
    expect(stored.every(Boolean)).toBe(true);
    const again = await Promise.all(ids.map((d) => store.storeResult('j1', d, result('j1', 'succeeded'))));
    expect(again.some(Boolean)).toBe(false);
    const runs = await store.runs('j1');
    expect(runs.filter((r) => r.status === 'failed')).toHaveLength(100);
    expect(runs.find((r) => r.deviceId === 'device-3')).toMatchObject({ status: 'failed', exitCode: 3, reason: 'exit 3', durationMs: 1234, stdoutBytes: 5 });
    expect(runs.find((r) => r.deviceId === 'device-1')).toMatchObject({ status: 'succeeded', exitCode: 0, reason: null });
  });

  it('two results for one run sent at once: the first is stored, the second refused', async () => {
    await store.create(job('j2', ['a', 'b']));
    const [first, second, other] = await Promise.all([
      store.storeResult('j2', 'a', result('j2', 'failed', 1)),
      store.storeResult('j2', 'a', result('j2', 'succeeded')),
      store.storeResult('j2', 'b', result('j2', 'succeeded')),
    ]);
    expect([first, second, other]).toEqual([true, false, true]);
    expect((await store.run('j2', 'a'))?.status).toBe('failed');
  });

  it('a late result replaces expired; a started run never reopens a final one', async () => {
    await store.create(job('j3', ['a', 'b', 'c']));
    expect(await Promise.all([store.markStarted('j3', 'a', 10), store.markStarted('j3', 'b', 11)])).toEqual([true, true]);
    expect((await store.run('j3', 'a'))).toMatchObject({ status: 'running', startedAt: 10 });
    await store.patchRun('j3', 'c', { status: 'expired' });
    expect(await store.storeResult('j3', 'c', result('j3', 'succeeded'))).toBe(true);
    expect(await store.storeResult('j3', 'a', result('j3', 'succeeded'))).toBe(true);
    expect(await store.markStarted('j3', 'a', 99)).toBe(false);
    expect((await store.run('j3', 'a'))?.status).toBe('succeeded');
  });

  it('stores output once per sequence number and never past the bound, however many chunks arrive at once', async () => {
    await store.create(job('j4', ['a', 'b']));
    const chunk = Buffer.alloc(LIMITS.maxJobOutputChunkBytes, 0x61);
    const chunks = Math.ceil(LIMITS.maxJobOutputBytes / chunk.byteLength) + 3;
    const writes = [
      ...Array.from({ length: chunks }, (_, seq) => store.addOutput('j4', 'a', 'stdout', seq, chunk)),
      // A replay of the first ones, and another stream and device at the same time.
      ...Array.from({ length: 3 }, (_, seq) => store.addOutput('j4', 'a', 'stdout', seq, chunk)),
      store.addOutput('j4', 'a', 'stderr', 0, Buffer.from('oops')),
      store.addOutput('j4', 'b', 'stdout', 0, Buffer.from('hello')),
    ];
    const stored = await Promise.all(writes);
    const kept = Math.floor(LIMITS.maxJobOutputBytes / chunk.byteLength);
    expect(stored.slice(0, chunks).filter(Boolean)).toHaveLength(kept);
    expect(stored.slice(chunks, chunks + 3)).toEqual([false, false, false]);
    expect((await store.output('j4', 'a', 'stdout')).byteLength).toBe(kept * chunk.byteLength);
    expect((await store.output('j4', 'a', 'stderr')).toString()).toBe('oops');
    expect((await store.output('j4', 'b', 'stdout')).toString()).toBe('hello');
  });
});
