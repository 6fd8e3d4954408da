/**
 * Support links and sessions do not grow without bound (issue 8, point 7): waiting
 * links are capped per technician, expired codes and ended sessions are purged on
 * a schedule, and one resume token reconnecting in a loop is refused after a burst.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetentionSchedule } from '../../controller/server/retention/retention-schedule.js';
import { DiagnosticsStore } from '../../controller/server/diagnostics/diagnostics.js';
import { SnapshotRetention } from '../../controller/server/diagnostics/snapshot-retention.js';
import { ResumeThrottle } from '../../controller/server/support/resume-throttle.js';
import { SupportCodes } from '../../controller/server/support/support-codes.js';
import { purgeSupport } from '../../controller/server/support/support-purge.js';
import type { Account } from '../../controller/server/auth/accounts.js';
import { RelaisError } from '../../protocol/index.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';
import { captureLog } from '../helpers/log-capture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let store: TempStore;
beforeEach(async () => {
  vi.useFakeTimers({ now: new Date('2030-03-10T12:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  store = await openTempStore();
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

async function technician(username: string): Promise<Account> {
  const row = await store.db
    .insertInto('users')
    .values({ username, name: username, password_hash: 'x', role: 'l1', created_at: Date.now(), deleted_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, username, name: username, role: 'l1' } as Account;
}

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (err: unknown) => (err instanceof RelaisError ? err.code : String(err)));

describe('waiting support links', () => {
  it('one technician may have at most the configured number waiting; used and expired ones free a place', async () => {
    const codes = await SupportCodes.open(store.db, 10 * MINUTE, 3);
    const sam = await technician('sam');
    const alex = await technician('alex');
    const issued = [await codes.issue(sam), await codes.issue(sam), await codes.issue(sam)];
    expect(await refusal(codes.issue(sam))).toBe('LINK_ERR_TOO_MANY_WAITING');
    expect(await refusal(codes.issue(alex))).toBeNull();

    await codes.redeem(issued[0]!.code, 'pc-1');
    expect(await refusal(codes.issue(sam))).toBeNull();
    expect(await refusal(codes.issue(sam))).toBe('LINK_ERR_TOO_MANY_WAITING');
    vi.setSystemTime(Date.now() + 10 * MINUTE);
    expect(await refusal(codes.issue(sam))).toBeNull();
  });
});

describe('purging support codes and sessions', () => {
  it('removes unused codes a day after they expired, ends sessions past their age, and removes ended sessions with their device after the retention', async () => {
    const codes = await SupportCodes.open(store.db, 10 * MINUTE, 100);
    const sam = await technician('sam');
    const diagnostics = new DiagnosticsStore(store.db, {}, new SnapshotRetention(store.db, 200));
    const unused = await codes.issue(sam);
    const old = await codes.redeem((await codes.issue(sam)).code, 'old-pc');
    const online = await codes.redeem((await codes.issue(sam)).code, 'online-pc');
    await diagnostics.record(old.deviceId, { takenAt: 1, durationMs: 1, probes: {} }, 'first-of-session');
    const onlineDevices = new Set([online.deviceId]);
    const purge = () => purgeSupport(store.db, { retentionMs: 30 * DAY, isOnline: (id) => onlineDevices.has(id), now: Date.now });
    const count = async (table: 'support_codes' | 'support_sessions' | 'devices' | 'snapshots' | 'snapshot_pins') =>
      Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    expect(await purge()).toEqual({ codes: 0, expiredSessions: 0, devices: [] });
    vi.setSystemTime(Date.now() + 13 * HOUR);
    // Past the 12-hour session age: the offline one is ended, the connected one is left alone.
    expect(await purge()).toEqual({ codes: 0, expiredSessions: 1, devices: [] });
    vi.setSystemTime(Date.now() + 12 * HOUR);
    expect((await purge()).codes).toBe(1);
    expect(await store.db.selectFrom('support_codes').select('id').where('id', '=', unused.id).executeTakeFirst()).toBeUndefined();

    vi.setSystemTime(Date.now() + 30 * DAY);
    expect(await purge()).toEqual({ codes: 0, expiredSessions: 0, devices: [old.deviceId] });
    expect(await count('support_sessions')).toBe(1);
    expect(await count('support_codes')).toBe(1);
    expect(await count('devices')).toBe(1);
    expect(await count('snapshots')).toBe(0);
    expect(await count('snapshot_pins')).toBe(0);
  });

  it('runs on a schedule: first soon after start, then every period; a failing task is retried at the next run', async () => {
    const runs: string[] = [];
    let fail = true;
    const logged = captureLog();
    const schedule = new RetentionSchedule(
      [
        { name: 'flaky', run: async () => { runs.push('flaky'); if (fail) throw new Error('disk busy'); return null; } },
        { name: 'purge', run: async () => { runs.push('purge'); return 'purged 1'; } },
      ],
      { everyMs: HOUR, firstAfterMs: 5_000, log: logged.log },
    );
    schedule.start();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual(['flaky', 'purge']);
    const lines = () => logged.records().map((r) => `${r.level} ${r.msg}${r.err ? `: ${r.err.message}` : ''}`);
    expect(lines()).toEqual(['error retention: flaky failed, tried again at the next run: disk busy', 'info retention: purge: purged 1']);
    fail = false;
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(runs.slice(2)).toEqual(['flaky', 'purge']);
    expect(lines().slice(2)).toEqual(['info retention: purge: purged 1']);
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(5 * HOUR);
    expect(runs).toHaveLength(4);
  });
});

describe('resume throttle', () => {
  it('a session may resume 10 times at once, then once every 6 s; refused attempts take nothing', () => {
    let now = 0;
    const throttle = new ResumeThrottle(undefined, () => now);
    const admitted = Array.from({ length: 300 }, () => throttle.admit('token-A', '10.0.0.9')).filter(Boolean).length;
    expect(admitted).toBe(10);
    now += 5_999;
    expect(throttle.admit('token-A', '10.0.0.9')).toBe(false);
    now += 1;
    expect(throttle.admit('token-A', '10.0.0.9')).toBe(true);
    expect(throttle.admit('token-A', '10.0.0.9')).toBe(false);
    // Another session, from another address, is not held back by this one.
    expect(throttle.admit('token-B', '10.0.0.10')).toBe(true);
  });

  it('an address cycling through many sessions is held to 60 at once, then one a second', () => {
    let now = 0;
    const throttle = new ResumeThrottle(undefined, () => now);
    const admitted = Array.from({ length: 100 }, (_, i) => throttle.admit(`token-${i}`, '10.0.0.9')).filter(Boolean).length;
    expect(admitted).toBe(60);
    expect(throttle.admit('token-new', '10.0.0.9')).toBe(false);
    expect(throttle.admit('token-new', '10.0.0.10')).toBe(true);
    now += 1_000;
    expect(throttle.admit('token-new2', '10.0.0.9')).toBe(true);
  });
});
