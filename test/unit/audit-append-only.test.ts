/**
 * The audit log is append-only in the database itself, on both engines (migrations 0001
 * and 0007: SQLite triggers, PostgreSQL plpgsql triggers with the same conditions): an
 * UPDATE or DELETE of an entry is refused whoever sends it, and the one way to delete is
 * the audited prune, inside its own transaction. On PostgreSQL, TRUNCATE is refused too,
 * and another transaction cannot delete under a prune it did not open.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneAudit } from '../../controller/server/audit/audit-retention.js';
import { engineOf } from '../../controller/server/store/dialect.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 2, 10, 12);
let store: TempStore;

beforeEach(async () => {
  store = await openTempStore();
  for (const [at, action] of [[NOW - 20 * DAY, 'login.ok'], [NOW - 10 * DAY, 'logout'], [NOW, 'login.ok']] as const) {
    await store.db.insertInto('audit_log').values({ at, actor: 'admin', action, target: null, detail_json: null, ip: '10.0.0.1', last_at: null }).execute();
  }
});
afterEach(async () => {
  await store.close();
});

const actions = async () => (await store.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);

describe('the audit log is append-only', () => {
  it('refuses to change an entry, by any statement', async () => {
    await expect(sql`UPDATE audit_log SET actor = 'someone-else'`.execute(store.db)).rejects.toThrow(/audit log is append-only/);
    await expect(store.db.updateTable('audit_log').set({ count: 99 }).where('action', '=', 'logout').execute()).rejects.toThrow(/audit log is append-only/);
    expect(await store.db.selectFrom('audit_log').select(['actor', 'count']).execute()).toEqual([
      { actor: 'admin', count: 1 }, { actor: 'admin', count: 1 }, { actor: 'admin', count: 1 },
    ]);
  });

  it('refuses to delete an entry outside an audited prune, and forged prunes', async () => {
    await expect(sql`DELETE FROM audit_log WHERE action = 'logout'`.execute(store.db)).rejects.toThrow(/audit log is append-only/);
    await expect(store.db.deleteFrom('audit_log').execute()).rejects.toThrow(/audit log is append-only/);
    // A prune must start with its own audit.pruned entry, and open.
    await expect(store.db.insertInto('audit_prunes').values({ audit_id: 1, before_at: NOW, deleted: 1, open: 1 }).execute()).rejects.toThrow(/audit\.pruned entry/);
    expect(await actions()).toEqual(['login.ok', 'logout', 'login.ok']);
  });

  it('lets the audited prune delete what its cutoff covers, then keeps its own entry and record for good', async () => {
    expect(await pruneAudit(store.db, NOW - 15 * DAY, 15, NOW)).toBe(1);
    expect(await actions()).toEqual(['logout', 'login.ok', 'audit.pruned']);
    const [prune] = await store.db.selectFrom('audit_prunes').selectAll().execute();
    expect(prune).toMatchObject({ before_at: NOW - 15 * DAY, deleted: 1, open: 0 });
    // Closed: it grants nothing any more, and neither it nor its entry can go or change.
    await expect(sql`DELETE FROM audit_log WHERE action = 'logout'`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE action = 'audit.pruned'`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(store.db.updateTable('audit_prunes').set({ open: 1 }).execute()).rejects.toThrow(/audit prunes are append-only/);
    await expect(store.db.deleteFrom('audit_prunes').execute()).rejects.toThrow(/audit prunes are append-only/);
  });

  it('on PostgreSQL, refuses TRUNCATE, and a delete under another transaction’s open prune', async ({ skip }) => {
    if (engineOf(store.db) !== 'postgres') skip('SQLite has no TRUNCATE, and one writer at a time');
    await expect(sql`TRUNCATE audit_log`.execute(store.db)).rejects.toThrow(/audit log is append-only/);
    await expect(sql`TRUNCATE audit_prunes`.execute(store.db)).rejects.toThrow(/audit prunes are append-only/);

    // A prune opened (not yet committed) in one transaction; another tries to delete under it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const prune = store.db.transaction().execute(async (tx) => {
      const entry = await tx.insertInto('audit_log').values({ at: NOW, actor: 'system', action: 'audit.pruned', target: null, detail_json: null, ip: null, last_at: null }).returning('id').executeTakeFirstOrThrow();
      await tx.insertInto('audit_prunes').values({ audit_id: entry.id, before_at: NOW, deleted: 0, open: 1 }).execute();
      opened();
      await held;
      await tx.updateTable('audit_prunes').set({ open: 0 }).where('audit_id', '=', entry.id).execute();
    });
    await isOpen;
    await expect(sql`DELETE FROM audit_log WHERE action = 'logout'`.execute(store.db)).rejects.toThrow(/audit log is append-only/);
    release();
    await prune;
    expect(await actions()).toEqual(['login.ok', 'logout', 'login.ok', 'audit.pruned']);
  });
});
