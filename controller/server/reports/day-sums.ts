/**
 * The reports' sums per calendar day (report_days, report_day_counts), kept as deltas:
 * when a ticket's figures change, its old figures are taken out and its new ones put in,
 * for its assignee and for everyone (`who` = EVERYONE). A batch's deltas are added up in
 * memory first, then written with one upsert per touched row, inside the transaction that
 * writes the figures, so sums and figures never disagree.
 */
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { ReportDaysTable, TicketFiguresTable } from '../store/schema.js';

/** `who` of the totals over every technician (account ids are positive). */
export const EVERYONE = -1;

type DayFields = Omit<ReportDaysTable, 'day' | 'who'>;
const ZERO: DayFields = { opened: 0, own_sum: 0, own_count: 0, resolved: 0, resolve_sum: 0, first_contact: 0, own_breaches: 0, resolve_breaches: 0, rated_1: 0, rated_2: 0, rated_3: 0, rated_4: 0, rated_5: 0, not_solved: 0 };

export type FigureRow = Pick<TicketFiguresTable, 'created_day' | 'category' | 'assignee_id' | 'resolved_day' | 'own_ms' | 'resolve_ms' | 'first_contact' | 'own_breach_day' | 'resolve_breach_day'>;

export class DaySums {
  private readonly days = new Map<string, { day: string; who: number } & DayFields>();
  private readonly counts = new Map<string, { who: number; kind: 'category' | 'finding'; day: string; value: string; count: number }>();

  private whos(assignee: number | null): number[] {
    return assignee === null ? [EVERYONE] : [EVERYONE, assignee];
  }

  private day(who: number, day: string, add: Partial<DayFields>): void {
    const key = `${who}|${day}`;
    let row = this.days.get(key);
    if (!row) this.days.set(key, (row = { day, who, ...ZERO }));
    for (const [k, v] of Object.entries(add) as Array<[keyof DayFields, number]>) row[k] += v;
  }

  private count(who: number, kind: 'category' | 'finding', day: string, value: string, by: number): void {
    const key = `${who}|${kind}|${day}|${value}`;
    const row = this.counts.get(key);
    if (row) row.count += by;
    else this.counts.set(key, { who, kind, day, value, count: by });
  }

  /** Puts a ticket's figures in (`sign` 1) or takes them out (-1). */
  figures(f: FigureRow, sign: 1 | -1): void {
    for (const who of this.whos(f.assignee_id)) {
      this.day(who, f.created_day, { opened: sign, ...(f.own_ms !== null ? { own_sum: sign * f.own_ms, own_count: sign } : {}) });
      this.count(who, 'category', f.created_day, f.category, sign);
      if (f.resolved_day !== null) this.day(who, f.resolved_day, { resolved: sign, resolve_sum: sign * (f.resolve_ms ?? 0), first_contact: sign * (f.first_contact ?? 0) });
      if (f.own_breach_day !== null) this.day(who, f.own_breach_day, { own_breaches: sign });
      if (f.resolve_breach_day !== null) this.day(who, f.resolve_breach_day, { resolve_breaches: sign });
    }
  }

  /** A satisfaction answer given on `day` for a ticket resolved by `technician`: a rating 1–5, or null for "not solved". */
  answer(day: string, technician: number | null, rating: number | null): void {
    const field: keyof DayFields = rating === null ? 'not_solved' : (`rated_${rating}` as 'rated_1');
    for (const who of this.whos(technician)) this.day(who, day, { [field]: 1 });
  }

  /** A finding check on a ticket created on `day`, assigned to `assignee`, in (1) or out (-1). */
  finding(day: string, assignee: number | null, code: string, sign: 1 | -1): void {
    for (const who of this.whos(assignee)) this.count(who, 'finding', day, code, sign);
  }

  async apply(tx: Db): Promise<void> {
    const days = [...this.days.values()].filter((r) => Object.keys(ZERO).some((k) => r[k as keyof DayFields] !== 0));
    for (let i = 0; i < days.length; i += 100) {
      await tx.insertInto('report_days').values(days.slice(i, i + 100)).onConflict((oc) => oc.columns(['who', 'day']).doUpdateSet({
        opened: sql`report_days.opened + excluded.opened`, own_sum: sql`report_days.own_sum + excluded.own_sum`, own_count: sql`report_days.own_count + excluded.own_count`,
        resolved: sql`report_days.resolved + excluded.resolved`, resolve_sum: sql`report_days.resolve_sum + excluded.resolve_sum`,
        first_contact: sql`report_days.first_contact + excluded.first_contact`, own_breaches: sql`report_days.own_breaches + excluded.own_breaches`,
        resolve_breaches: sql`report_days.resolve_breaches + excluded.resolve_breaches`,
        rated_1: sql`report_days.rated_1 + excluded.rated_1`, rated_2: sql`report_days.rated_2 + excluded.rated_2`, rated_3: sql`report_days.rated_3 + excluded.rated_3`,
        rated_4: sql`report_days.rated_4 + excluded.rated_4`, rated_5: sql`report_days.rated_5 + excluded.rated_5`, not_solved: sql`report_days.not_solved + excluded.not_solved`,
      })).execute();
    }
    const counts = [...this.counts.values()].filter((r) => r.count !== 0);
    for (let i = 0; i < counts.length; i += 100) {
      await tx.insertInto('report_day_counts').values(counts.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['who', 'kind', 'day', 'value']).doUpdateSet({ count: sql`report_day_counts.count + excluded.count` })).execute();
    }
    this.days.clear();
    this.counts.clear();
  }
}
