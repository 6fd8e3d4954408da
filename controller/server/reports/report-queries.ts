/**
 * The dashboard's numbers: sums over ticket_figures and satisfaction_surveys for a range
 * of days (and optionally one technician), each one index range walked once
 * (migration 0018's covering indexes), grouped by the engine. Nothing here grows with
 * the tickets in the answer: days are bounded by REPORT_MAX_DAYS, lists by REPORT_TOP.
 */
import { sql } from 'kysely';
import { REPORT_TOP, daysBetween, type ReportAnswer } from '../../../protocol/report-model.js';
import type { Db } from '../store/database.js';

export interface ReportRange {
  readonly from: string;
  readonly to: string;
  /** One technician's tickets (their account id), or everyone's. */
  readonly technician: number | null;
}

interface Sums { n: number; sum: number | null; count: number }

const num = (v: unknown): number => Number(v ?? 0);
const mean = (sum: unknown, count: unknown): number | null => (num(count) > 0 ? num(sum) / num(count) : null);
const average = (sum: number, count: number): number | null => (count > 0 ? Math.min(5, Math.max(1, sum / count)) : null);

export class ReportQueries {
  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  async report(range: ReportRange): Promise<ReportAnswer> {
    const { from, to, technician } = range;
    const now = this.now();
    const who = <Q extends { where: (...args: any[]) => Q }>(q: Q, column: string): Q => (technician === null ? q : q.where(column as never, '=', technician as never));
    const f = this.db.selectFrom('ticket_figures');
    const [opened, resolved, ownBreaches, resolveBreaches, categories, findings, ratings] = await Promise.all([
      who(f.select((eb) => ['created_day as day', 'assignee_id', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('own_ms').as('sum'), eb.fn.count<number>('own_ms').as('count')])
        .where('created_day', '>=', from).where('created_day', '<=', to), 'assignee_id').groupBy(['created_day', 'assignee_id']).execute(),
      who(f.select((eb) => ['resolved_day as day', 'assignee_id', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('resolve_ms').as('sum'), eb.fn.sum<number>('first_contact').as('count')])
        .where('resolved_day', '>=', from).where('resolved_day', '<=', to), 'assignee_id').groupBy(['resolved_day', 'assignee_id']).execute(),
      who(f.select((eb) => ['own_breach_day as day', 'assignee_id', eb.fn.countAll<number>().as('n')])
        .where('own_breach_day', '>=', from).where('own_breach_day', '<=', to).where('own_breach_at', '<=', now), 'assignee_id').groupBy(['own_breach_day', 'assignee_id']).execute(),
      who(f.select((eb) => ['resolve_breach_day as day', 'assignee_id', eb.fn.countAll<number>().as('n')])
        .where('resolve_breach_day', '>=', from).where('resolve_breach_day', '<=', to).where('resolve_breach_at', '<=', now), 'assignee_id').groupBy(['resolve_breach_day', 'assignee_id']).execute(),
      who(f.select((eb) => ['category', eb.fn.countAll<number>().as('n')]).where('created_day', '>=', from).where('created_day', '<=', to), 'assignee_id')
        .groupBy('category').orderBy(sql`count(*)`, 'desc').orderBy('category').limit(REPORT_TOP.categories).execute(),
      who(this.db.selectFrom('ticket_figure_findings').select((eb) => ['code', eb.fn.countAll<number>().as('n')]).where('created_day', '>=', from).where('created_day', '<=', to), 'assignee_id')
        .groupBy('code').orderBy(sql`count(*)`, 'desc').orderBy('code').limit(REPORT_TOP.findings).execute(),
      who(this.db.selectFrom('satisfaction_surveys').select((eb) => ['technician_id', 'rating', 'not_solved', eb.fn.countAll<number>().as('n')])
        .where('answered_day', '>=', from).where('answered_day', '<=', to), 'technician_id').groupBy(['technician_id', 'rating', 'not_solved']).execute(),
    ]);

    // ---- per day ----
    const days = daysBetween(from, to).map((day) => ({ day, opened: 0, resolved: 0, ownBreaches: 0, resolveBreaches: 0 }));
    const index = new Map(days.map((d, i) => [d.day, i]));
    const addDay = (rows: Array<{ day: string | null; n: unknown }>, key: 'opened' | 'resolved' | 'ownBreaches' | 'resolveBreaches') => {
      for (const r of rows) {
        const i = r.day === null ? undefined : index.get(r.day);
        if (i !== undefined) days[i]![key] += num(r.n);
      }
    };
    addDay(opened, 'opened');
    addDay(resolved, 'resolved');
    addDay(ownBreaches, 'ownBreaches');
    addDay(resolveBreaches, 'resolveBreaches');

    // ---- per technician (every sum above is also grouped by assignee) ----
    type Tech = { opened: number; resolved: number; fcr: number; own: Sums; resolve: Sums; breaches: number; ratingSum: number; ratings: number; answers: number };
    const techs = new Map<number, Tech>();
    const tech = (id: number | null): Tech | null => {
      if (id === null) return null;
      let t = techs.get(id);
      if (!t) techs.set(id, (t = { opened: 0, resolved: 0, fcr: 0, own: { n: 0, sum: 0, count: 0 }, resolve: { n: 0, sum: 0, count: 0 }, breaches: 0, ratingSum: 0, ratings: 0, answers: 0 }));
      return t;
    };
    const totals = { opened: 0, ownSum: 0, ownCount: 0, resolved: 0, resolveSum: 0, fcr: 0, ownBreaches: 0, resolveBreaches: 0 };
    for (const r of opened) {
      totals.opened += num(r.n); totals.ownSum += num(r.sum); totals.ownCount += num(r.count);
      const t = tech(r.assignee_id);
      if (t) { t.opened += num(r.n); t.own.sum! += num(r.sum); t.own.count += num(r.count); }
    }
    for (const r of resolved) {
      totals.resolved += num(r.n); totals.resolveSum += num(r.sum); totals.fcr += num(r.count);
      const t = tech(r.assignee_id);
      if (t) { t.resolved += num(r.n); t.resolve.sum! += num(r.sum); t.fcr += num(r.count); }
    }
    for (const r of ownBreaches) { totals.ownBreaches += num(r.n); const t = tech(r.assignee_id); if (t) t.breaches += num(r.n); }
    for (const r of resolveBreaches) { totals.resolveBreaches += num(r.n); const t = tech(r.assignee_id); if (t) t.breaches += num(r.n); }

    // ---- satisfaction ----
    const ratingCounts = [0, 0, 0, 0, 0];
    let ratingSum = 0;
    let notSolved = 0;
    for (const r of ratings) {
      const n = num(r.n);
      const t = tech(r.technician_id);
      if (t) t.answers += n;
      if (num(r.not_solved) === 1) notSolved += n;
      else if (r.rating !== null && r.rating >= 1 && r.rating <= 5) {
        ratingCounts[r.rating - 1]! += n;
        ratingSum += r.rating * n;
        if (t) { t.ratingSum += r.rating * n; t.ratings += n; }
      }
    }
    const rated = ratingCounts.reduce((a, b) => a + b, 0);

    const ids = [...techs.keys()];
    const users = ids.length === 0 ? [] : await this.db.selectFrom('users').select(['id', 'username', 'name']).where('id', 'in', ids).execute();
    const technicians = users
      .map((u) => {
        const t = techs.get(u.id)!;
        return {
          id: u.id, username: u.username, name: u.name, opened: t.opened, resolved: t.resolved,
          firstContactRate: t.resolved > 0 ? t.fcr / t.resolved : null,
          meanOwnMs: mean(t.own.sum, t.own.count), meanResolveMs: mean(t.resolve.sum, t.resolved),
          breaches: t.breaches, satisfactionAverage: average(t.ratingSum, t.ratings), answers: t.answers,
        };
      })
      .sort((a, b) => b.resolved - a.resolved || b.opened - a.opened || a.username.localeCompare(b.username))
      .slice(0, REPORT_TOP.technicians);

    return {
      from, to, technician,
      cards: {
        opened: totals.opened,
        resolved: totals.resolved,
        firstContactRate: totals.resolved > 0 ? totals.fcr / totals.resolved : null,
        meanOwnMs: mean(totals.ownSum, totals.ownCount),
        meanResolveMs: mean(totals.resolveSum, totals.resolved),
        ownBreaches: totals.ownBreaches,
        resolveBreaches: totals.resolveBreaches,
        satisfactionAverage: average(ratingSum, rated),
        answers: rated + notSolved,
        notSolved,
      },
      days,
      ratings: ratingCounts,
      categories: categories.map((c) => ({ category: c.category, count: num(c.n) })),
      findings: findings.map((c) => ({ code: c.code, count: num(c.n) })),
      technicians,
    };
  }
}
