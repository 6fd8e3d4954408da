/**
 * The dashboard's numbers, read from the day sums (day-sums.ts): a year of everyone's
 * figures is 365 rows of report_days and a few thousand of report_day_counts, whatever
 * the number of tickets. Breaches are counted on the day a deadline passed; the sums count
 * every deadline by its day, so for today and later only the deadlines already passed
 * (read from ticket_figures: open tickets' clocks, a short range) replace them.
 * Satisfaction answers are in the same day sums (per rating, and "not solved").
 */
import { sql } from 'kysely';
import { REPORT_TOP, daysBetween, type ReportAnswer } from '../../../protocol/report-model.js';
import type { Db } from '../store/database.js';
import { EVERYONE } from './day-sums.js';

export interface ReportRange {
  readonly from: string;
  readonly to: string;
  /** One technician's tickets (their account id), or everyone's. */
  readonly technician: number | null;
}

const num = (v: unknown): number => Number(v ?? 0);
const average = (sum: number, count: number): number | null => (count > 0 ? Math.min(5, Math.max(1, sum / count)) : null);

interface Totals { opened: number; ownSum: number; ownCount: number; resolved: number; resolveSum: number; fcr: number; ownBreaches: number; resolveBreaches: number; ratingSum: number; ratings: number; answers: number }
const zero = (): Totals => ({ opened: 0, ownSum: 0, ownCount: 0, resolved: 0, resolveSum: 0, fcr: 0, ownBreaches: 0, resolveBreaches: 0, ratingSum: 0, ratings: 0, answers: 0 });

export class ReportQueries {
  constructor(private readonly db: Db, private readonly now: () => number = Date.now, private readonly today: (at: number) => string) {}

  async report(range: ReportRange): Promise<ReportAnswer> {
    const { from, to, technician } = range;
    const now = this.now();
    const today = this.today(now);
    const who = technician ?? EVERYONE;
    const liveFrom = today > from ? today : from;
    const top = (kind: 'category' | 'finding', limit: number) => this.db.selectFrom('report_day_counts')
      .select((eb) => ['value', eb.fn.sum<number>('count').as('n')])
      .where('who', '=', who).where('kind', '=', kind).where('day', '>=', from).where('day', '<=', to)
      .groupBy('value').having(sql`sum(count)`, '>', 0).orderBy(sql`sum(count)`, 'desc').orderBy('value').limit(limit).execute();
    const live = (clock: 'own' | 'resolve') => {
      const day = clock === 'own' ? 'own_breach_day' : 'resolve_breach_day';
      const at = clock === 'own' ? 'own_breach_at' : 'resolve_breach_at';
      let q = this.db.selectFrom('ticket_figures').select((eb) => [sql<string>`${sql.ref(day)}`.as('day'), 'assignee_id', eb.fn.countAll<number>().as('n')])
        .where(day, '>=', liveFrom).where(day, '<=', to).where(at, '<=', now);
      if (technician !== null) q = q.where('assignee_id', '=', technician);
      return liveFrom > to ? Promise.resolve([]) : q.groupBy([day, 'assignee_id']).execute();
    };
    // Each technician's totals, summed by the engine (a year of everyone is ~10,000 rows: too many to bring out one by one).
    // Deadlines of today and later are left out here and counted live below.
    const past = (column: 'own_breaches' | 'resolve_breaches') => sql<number>`sum(case when day < ${today} then ${sql.ref(column)} else 0 end)`;
    let techDaysQuery = this.db.selectFrom('report_days').select((eb) => [
      'who', eb.fn.sum<number>('opened').as('opened'), eb.fn.sum<number>('own_sum').as('own_sum'), eb.fn.sum<number>('own_count').as('own_count'),
      eb.fn.sum<number>('resolved').as('resolved'), eb.fn.sum<number>('resolve_sum').as('resolve_sum'), eb.fn.sum<number>('first_contact').as('first_contact'),
      past('own_breaches').as('own_breaches'), past('resolve_breaches').as('resolve_breaches'),
      eb.fn.sum<number>('rated_1').as('rated_1'), eb.fn.sum<number>('rated_2').as('rated_2'), eb.fn.sum<number>('rated_3').as('rated_3'),
      eb.fn.sum<number>('rated_4').as('rated_4'), eb.fn.sum<number>('rated_5').as('rated_5'), eb.fn.sum<number>('not_solved').as('not_solved'),
    ]).where('day', '>=', from).where('day', '<=', to).groupBy('who');
    techDaysQuery = technician === null ? techDaysQuery.where('who', '>=', 0) : techDaysQuery.where('who', '=', technician);
    const [dayRows, techDays, categories, findings, ownLive, resolveLive] = await Promise.all([
      this.db.selectFrom('report_days').selectAll().where('who', '=', who).where('day', '>=', from).where('day', '<=', to).execute(),
      techDaysQuery.execute(),
      top('category', REPORT_TOP.categories),
      top('finding', REPORT_TOP.findings),
      live('own'),
      live('resolve'),
    ]);
    type Rated = Pick<(typeof dayRows)[number], 'rated_1' | 'rated_2' | 'rated_3' | 'rated_4' | 'rated_5' | 'not_solved'>;
    const ratedOf = (r: Rated) => [num(r.rated_1), num(r.rated_2), num(r.rated_3), num(r.rated_4), num(r.rated_5)];
    const ratingCounts = [0, 0, 0, 0, 0];
    let notSolved = 0;
    const addRatings = (t: Totals, r: Rated, counts?: number[]) => {
      ratedOf(r).forEach((n, i) => {
        t.ratingSum += (i + 1) * n;
        t.ratings += n;
        if (counts) counts[i]! += n;
      });
      t.answers += ratedOf(r).reduce((a, b) => a + b, 0) + num(r.not_solved);
    };

    // ---- per day (everyone's, or the one technician's) ----
    const days = daysBetween(from, to).map((day) => ({ day, opened: 0, resolved: 0, ownBreaches: 0, resolveBreaches: 0 }));
    const index = new Map(days.map((d, i) => [d.day, i]));
    const total = zero();
    for (const r of dayRows) {
      const d = days[index.get(r.day) ?? -1];
      if (!d) continue;
      d.opened += num(r.opened);
      d.resolved += num(r.resolved);
      total.opened += num(r.opened); total.ownSum += num(r.own_sum); total.ownCount += num(r.own_count);
      total.resolved += num(r.resolved); total.resolveSum += num(r.resolve_sum); total.fcr += num(r.first_contact);
      addRatings(total, r, ratingCounts);
      notSolved += num(r.not_solved);
      // Deadlines of today and later: only those already passed count (below).
      if (r.day < today) {
        d.ownBreaches += num(r.own_breaches); d.resolveBreaches += num(r.resolve_breaches);
        total.ownBreaches += num(r.own_breaches); total.resolveBreaches += num(r.resolve_breaches);
      }
    }

    // ---- per technician ----
    const techs = new Map<number, Totals>();
    const tech = (id: number | null): Totals | null => {
      if (id === null || id < 0) return null;
      let t = techs.get(id);
      if (!t) techs.set(id, (t = zero()));
      return t;
    };
    for (const r of techDays) {
      const t = tech(r.who)!;
      t.opened += num(r.opened); t.ownSum += num(r.own_sum); t.ownCount += num(r.own_count);
      t.resolved += num(r.resolved); t.resolveSum += num(r.resolve_sum); t.fcr += num(r.first_contact);
      t.ownBreaches += num(r.own_breaches); t.resolveBreaches += num(r.resolve_breaches);
      addRatings(t, r);
    }
    for (const [rows, key] of [[ownLive, 'ownBreaches'], [resolveLive, 'resolveBreaches']] as const) {
      for (const r of rows) {
        const n = num(r.n);
        const d = days[index.get(r.day) ?? -1];
        if (d) d[key] += n;
        total[key] += n;
        const t = tech(r.assignee_id);
        if (t) t[key] += n;
      }
    }

    const ids = [...techs.keys()];
    const users = ids.length === 0 ? [] : await this.db.selectFrom('users').select(['id', 'username', 'name']).where('id', 'in', ids).execute();
    const technicians = users
      .map((u) => {
        const t = techs.get(u.id)!;
        return {
          id: u.id, username: u.username, name: u.name, opened: t.opened, resolved: t.resolved,
          firstContactRate: t.resolved > 0 ? t.fcr / t.resolved : null,
          meanOwnMs: t.ownCount > 0 ? t.ownSum / t.ownCount : null, meanResolveMs: t.resolved > 0 ? t.resolveSum / t.resolved : null,
          breaches: t.ownBreaches + t.resolveBreaches, satisfactionAverage: average(t.ratingSum, t.ratings), answers: t.answers,
        };
      })
      .filter((t) => t.opened + t.resolved + t.breaches + t.answers > 0)
      .sort((a, b) => b.resolved - a.resolved || b.opened - a.opened || a.username.localeCompare(b.username))
      .slice(0, REPORT_TOP.technicians);

    return {
      from, to, technician,
      cards: {
        opened: total.opened,
        resolved: total.resolved,
        firstContactRate: total.resolved > 0 ? total.fcr / total.resolved : null,
        meanOwnMs: total.ownCount > 0 ? total.ownSum / total.ownCount : null,
        meanResolveMs: total.resolved > 0 ? total.resolveSum / total.resolved : null,
        ownBreaches: total.ownBreaches,
        resolveBreaches: total.resolveBreaches,
        satisfactionAverage: average(total.ratingSum, total.ratings),
        answers: total.answers,
        notSolved,
      },
      days,
      ratings: ratingCounts,
      categories: categories.map((c) => ({ category: c.value, count: num(c.n) })),
      findings: findings.map((c) => ({ code: c.value, count: num(c.n) })),
      technicians,
    };
  }
}
