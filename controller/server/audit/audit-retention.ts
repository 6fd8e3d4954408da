/**
 * The one way audit entries are ever deleted: an operator's retention setting,
 * applied in a single transaction that first appends an `audit.pruned` entry
 * (what goes, up to when, by which setting) and opens a prune for it; the
 * database's delete trigger (migration 0007) refuses any delete that is not
 * covered by such an open prune. `audit.pruned` entries are kept for good.
 */
import { sql } from 'kysely';
import type { Db } from '../store/database.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The cutoff for a retention of `days`: the start of the (UTC) day `days` ago, so one prune a day does it all. */
export function auditCutoff(now: number, days: number): number {
  return Math.floor((now - days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** Deletes entries that ended before `before`, after auditing it; returns how many went (0: nothing appended either). */
export async function pruneAudit(db: Db, before: number, retentionDays: number, now: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const old = () => tx.selectFrom('audit_log').where(sql<number>`coalesce(last_at, at)`, '<', before).where('action', '!=', 'audit.pruned');
    const { n } = await old().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const count = Number(n);
    if (count === 0) return 0;
    const entry = await tx
      .insertInto('audit_log')
      .values({ at: now, actor: 'system', action: 'audit.pruned', target: null, detail_json: JSON.stringify({ before, retentionDays, deleted: count }), ip: null, last_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('audit_prunes').values({ audit_id: entry.id, before_at: before, deleted: count, open: 1 }).execute();
    await tx
      .deleteFrom('audit_log')
      .where(sql<number>`coalesce(last_at, at)`, '<', before)
      .where('action', '!=', 'audit.pruned')
      .where('id', '<', entry.id)
      .execute();
    await tx.updateTable('audit_prunes').set({ open: 0 }).where('audit_id', '=', entry.id).execute();
    return count;
  });
}
