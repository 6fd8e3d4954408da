/**
 * Readiness on fake probes and fake time: ready when the database answers in time and
 * the migrations have run; the reason otherwise (unavailable, slow, migrations
 * pending); "shutting-down" from the moment shutdown begins, whatever the database
 * says; and the migrations are asked about only until they were seen done.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Readiness } from '../../controller/server/observability/readiness.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function probes() {
  const state = { database: 'answers' as 'answers' | 'fails' | 'hangs', migrated: false, migrationChecks: 0 };
  return {
    state,
    probes: {
      database: () =>
        state.database === 'answers' ? Promise.resolve() : state.database === 'fails' ? Promise.reject(new Error('SQLITE_CANTOPEN')) : new Promise<void>(() => undefined),
      migrationsDone: async () => {
        state.migrationChecks++;
        return state.migrated;
      },
    },
  };
}

describe('readiness', () => {
  it('waits for the migrations, then is ready; asks about them no more once done', async () => {
    const { state, probes: p } = probes();
    const readiness = new Readiness(p);
    expect(await readiness.check()).toEqual({ ready: false, reason: 'migrations-pending' });
    state.migrated = true;
    expect(await readiness.check()).toEqual({ ready: true });
    expect(await readiness.check()).toEqual({ ready: true });
    expect(state.migrationChecks).toBe(2);
  });

  it('says why the database is not fit: an error (reported), or no answer within the time limit', async () => {
    const { state, probes: p } = probes();
    state.migrated = true;
    const errors: string[] = [];
    const readiness = new Readiness(p, { timeoutMs: 1000, onProbeError: (err) => errors.push(err.message) });
    state.database = 'fails';
    expect(await readiness.check()).toEqual({ ready: false, reason: 'database-unavailable' });
    expect(errors).toEqual(['SQLITE_CANTOPEN']);
    state.database = 'hangs';
    const slow = readiness.check();
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void slow.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await slow).toEqual({ ready: false, reason: 'database-slow' });
    state.database = 'answers';
    expect(await readiness.check()).toEqual({ ready: true });
  });

  it('fails at once when shutdown begins, even with a healthy database', async () => {
    const { state, probes: p } = probes();
    state.migrated = true;
    const readiness = new Readiness(p);
    expect(await readiness.check()).toEqual({ ready: true });
    readiness.beginShutdown();
    expect(readiness.stopping).toBe(true);
    expect(await readiness.check()).toEqual({ ready: false, reason: 'shutting-down' });
  });

  it('on a cluster node, is not ready while Redis is disconnected or silent, and says so', async () => {
    const { state, probes: p } = probes();
    state.migrated = true;
    let redis: 'answers' | 'disconnected' | 'hangs' = 'answers';
    const errors: string[] = [];
    const readiness = new Readiness({
      ...p,
      redis: () => (redis === 'answers' ? Promise.resolve() : redis === 'disconnected' ? Promise.reject(new Error('Redis is not connected (reconnecting)')) : new Promise<void>(() => undefined)),
    }, { timeoutMs: 1000, onProbeError: (err) => errors.push(err.message) });
    expect(await readiness.check()).toEqual({ ready: true });
    redis = 'disconnected';
    expect(await readiness.check()).toEqual({ ready: false, reason: 'redis-unavailable' });
    redis = 'hangs';
    const slow = readiness.check();
    await vi.advanceTimersByTimeAsync(1000);
    expect(await slow).toEqual({ ready: false, reason: 'redis-unavailable' });
    expect(errors).toEqual(['Redis is not connected (reconnecting)', 'Redis did not answer within 1000 ms']);
    redis = 'answers';
    expect(await readiness.check()).toEqual({ ready: true });
    // The database comes first: its reason is the one given when both are down.
    redis = 'disconnected';
    state.database = 'fails';
    expect(await readiness.check()).toEqual({ ready: false, reason: 'database-unavailable' });
  });
});
