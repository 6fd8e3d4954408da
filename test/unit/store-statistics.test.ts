import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../controller/server/audit/audit.js';
import { openDatabase, refreshStatistics, type Db } from '../../controller/server/store/database.js';
import { TicketStore } from '../../controller/server/tickets/ticket-store.js';

let dir: string | null = null;
let db: Db | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** How SQLite reads the tickets when it checks a text match against a level (the queue's words-first plan). */
const plan = async (store: Db) =>
  (await sql<{ detail: string }>`explain query plan select tickets.number, tickets.due_sort from (select ${'x'} as ticket_id) as m cross join tickets where tickets.id = m.ticket_id and tickets.level = ${'L2'}`.execute(store)).rows
    .map((r) => r.detail)
    .join(' | ');

/** A store whose tickets table holds 3,000 tickets, one in eight at level 2, and no statistics yet. */
async function storeWithTickets(): Promise<Db> {
  dir = mkdtempSync(join(tmpdir(), 'relais-stats-'));
  const store = await openDatabase({ dataDir: dir });
  db = store;
  const audit = new AuditLog(store);
  const tickets = new TicketStore(store, audit);
  const { id } = await store.insertInto('users').values({ username: 'tech', name: 'Tech', password_hash: 'x', role: 'l1', created_at: 0, deleted_at: null }).returning('id').executeTakeFirstOrThrow();
  await tickets.create(
    { title: 'VPN', description: '', requester: { name: 'Paul Durand', phone: null, email: null }, category: 'network', impact: 'low', urgency: 'low', deviceIds: [] },
    { account: { id, username: 'tech', name: 'Tech', role: 'l1' }, ip: null },
  );
  await audit.flush();
  const columns = (await sql<{ name: string }>`select name from pragma_table_info('tickets')`.execute(store)).rows.map((r) => r.name);
  const copied = columns.map((c) => (c === 'id' ? `'t' || n` : c === 'number' ? `2000 + n` : c === 'level' ? `case when n % 8 = 0 then 'L2' else 'L1' end` : `"${c}"`));
  await sql
    .raw(`insert into tickets (${columns.map((c) => `"${c}"`).join(', ')}) with recursive k(n) as (select 1 union all select n + 1 from k where n < 3000) select ${copied.join(', ')} from tickets, k`)
    .execute(store);
  // Without statistics, SQLite reads each ticket (its primary key, then the table).
  expect(await plan(store)).toContain('USING INDEX sqlite_autoindex_tickets_1');
  return store;
}

describe('query planner statistics (SQLite)', () => {
  it('are gathered at open, so a text match is checked against a level in the covering (id, filters) index', async () => {
    await (await storeWithTickets()).destroy();
    db = await openDatabase({ dataDir: dir! });
    const analyzed = await sql<{ idx: string }>`select idx from sqlite_stat1 where tbl = 'tickets'`.execute(db);
    expect(analyzed.rows.map((r) => r.idx)).toContain('tickets_id_filters');
    expect(await plan(db)).toContain('USING COVERING INDEX tickets_id_filters');
  });

  it('are gathered by the hourly refresh for tables that grew since', async () => {
    const store = await storeWithTickets();
    await refreshStatistics(store, 'periodic');
    expect(await plan(store)).toContain('USING COVERING INDEX tickets_id_filters');
  });
});
