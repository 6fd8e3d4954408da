/**
 * The audit log under a flood (issue 8, point 7): identical events are coalesced
 * into counted rows appended at the end of their window (never an UPDATE), and
 * the only way to delete is the audited prune the database trigger allows.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditCutoff, pruneAudit } from '../../controller/server/audit/audit-retention.js';
import { AuditLog } from '../../controller/server/audit/audit.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

const DAY = 24 * 60 * 60 * 1000;
let store: TempStore;

beforeEach(async () => {
  vi.useFakeTimers({ now: new Date('2030-03-10T12:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  store = await openTempStore();
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

const rows = () => store.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
const resumed = { actor: 'device:d1', action: 'agent.resumed' as const, target: 's1', detail: { hostname: 'pc' }, ip: '10.0.0.9' };

describe('audit coalescing', () => {
  it('300 identical events in a minute are 3 rows as they come and one counted row when the window closes', async () => {
    const audit = new AuditLog(store.db);
    const start = Date.now();
    for (let i = 0; i < 300; i++) {
      await audit.record(resumed);
      vi.advanceTimersByTime(100);
    }
    expect(await rows()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(60_000);
    await audit.flush();
    const all = await rows();
    expect(all).toHaveLength(4);
    expect(all.slice(0, 3).every((r) => r.count === 1 && r.last_at === null)).toBe(true);
    expect(all[3]).toMatchObject({ action: 'agent.resumed', actor: 'device:d1', target: 's1', ip: '10.0.0.9', count: 297, at: start + 300, last_at: start + 29_900 });
    expect((await audit.recent(10))[0]).toMatchObject({ count: 297, lastAt: start + 29_900, detail: { hostname: 'pc' } });

    // The next window starts over: written again at once.
    await audit.record(resumed);
    expect(await rows()).toHaveLength(5);
  });

  it('events that differ in anything (actor, target, address, detail) are never merged', async () => {
    const audit = new AuditLog(store.db);
    for (let i = 0; i < 5; i++) {
      await audit.record({ ...resumed, target: `s${i}` });
      await audit.record({ ...resumed, ip: `10.0.0.${i}` });
      await audit.record({ ...resumed, detail: { hostname: `pc${i}` } });
    }
    await audit.flush();
    expect((await rows()).every((r) => r.count === 1)).toBe(true);
    expect(await rows()).toHaveLength(15);
  });

  it('stopping the controller appends the counts still open', async () => {
    const audit = new AuditLog(store.db);
    for (let i = 0; i < 10; i++) await audit.record(resumed);
    await audit.flush();
    expect((await rows()).map((r) => r.count)).toEqual([1, 1, 1, 7]);
  });

  it('no row can be changed, and none deleted outside an audited prune', async () => {
    const audit = new AuditLog(store.db);
    await audit.record(resumed);
    await expect(sql`UPDATE audit_log SET count = 99`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(store.db)).rejects.toThrow(/append-only/);
    // A prune grant needs its own audit.pruned entry first.
    await expect(sql`INSERT INTO audit_prunes (audit_id, before_at, deleted, open) VALUES (1, ${Date.now() + DAY}, 1, 1)`.execute(store.db)).rejects.toThrow(/audit.pruned/);
    expect(await rows()).toHaveLength(1);
  });
});

describe('reading the audit', () => {
  it('rows follow the order events were noted, though each write is fire-and-forget (a pool could run them side by side)', async () => {
    const audit = new AuditLog(store.db);
    for (let seq = 0; seq < 60; seq++) audit.note({ actor: 'admin', action: 'shell.takeover', target: 'd1', detail: { seq } });
    await audit.flush();
    expect((await rows()).map((r) => JSON.parse(r.detail_json ?? '{}').seq)).toEqual([...Array(60).keys()]);
  });

  it('shows an event noted just before, even while its row is still being written (read your writes)', async () => {
    // The write is held back as a slow database would hold it: `note` does not wait for it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = new Proxy(store.db, {
      get(db, key, receiver) {
        if (key !== 'insertInto') {
          const value: unknown = Reflect.get(db, key, receiver);
          return typeof value === 'function' ? value.bind(db) : value;
        }
        return (table: 'audit_log') => ({
          values: (row: never) => ({ execute: async () => (await held, db.insertInto(table).values(row).execute()) }),
        });
      },
    });
    const audit = new AuditLog(slow);
    audit.note(resumed);
    const reading = audit.recent(10);
    let read = false;
    void reading.then(() => (read = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toBe(false);
    release();
    expect((await reading).map((e) => e.action)).toEqual(['agent.resumed']);
  });
});

describe('audit retention', () => {
  it('prunes entries older than the retention, says so in the log, and keeps every prune record', async () => {
    const audit = new AuditLog(store.db);
    await audit.record({ actor: 'admin', action: 'login.ok', ip: '10.0.0.1' });
    vi.setSystemTime(Date.now() + 10 * DAY);
    await audit.record({ actor: 'admin', action: 'logout', ip: '10.0.0.1' });
    vi.setSystemTime(Date.now() + 5 * DAY);
    const now = Date.now();

    expect(await pruneAudit(store.db, auditCutoff(now, 30), 30, now)).toBe(0);
    expect(await rows()).toHaveLength(2);

    const cutoff = auditCutoff(now, 7);
    expect(cutoff % DAY).toBe(0);
    expect(await pruneAudit(store.db, cutoff, 7, now)).toBe(1);
    const after = await rows();
    expect(after.map((r) => r.action)).toEqual(['logout', 'audit.pruned']);
    expect(JSON.parse(after[1]!.detail_json!)).toEqual({ before: cutoff, retentionDays: 7, deleted: 1 });
    expect(await store.db.selectFrom('audit_prunes').selectAll().execute()).toEqual([{ audit_id: after[1]!.id, before_at: cutoff, deleted: 1, open: 0 }]);

    // Much later, with a retention of one day: the logout goes, the audit.pruned entry stays for good.
    vi.setSystemTime(now + 30 * DAY);
    expect(await pruneAudit(store.db, auditCutoff(Date.now(), 1), 1, Date.now())).toBe(1);
    expect((await rows()).map((r) => r.action)).toEqual(['audit.pruned', 'audit.pruned']);
    await expect(sql`DELETE FROM audit_log WHERE action = 'audit.pruned'`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE audit_prunes SET open = 1`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_prunes`.execute(store.db)).rejects.toThrow(/append-only/);
  });
});
