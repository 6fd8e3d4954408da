/**
 * Keeps ticket_figures (reports/ticket-figures.ts) current, so a dashboard over 100,000
 * tickets sums prepared numbers instead of replaying 100,000 status histories on the
 * business calendar (SQL alone cannot: business time needs the calendar's hours and
 * holidays).
 *
 * Why a catch-up at read rather than a write in each ticket transaction: every change of
 * a ticket bumps its `version` and `updated_at` (ticket-store.ts), so the tickets whose
 * figures are stale are exactly those changed since the last catch-up whose version
 * differs — one index range on tickets(updated_at) (migration 0018), empty most of the
 * time. The ticket store keeps one job (the ticket and its history) and the figures
 * stay derived data: `rebuild()` recomputes them all from the history. A ticket's
 * `updated_at` is taken before its transaction commits, so the range starts
 * OVERLAP_MS before the mark; the version check makes re-reading those free.
 *
 * Findings: the checks (a finding id's part before the colon) of each `findings` timeline
 * event made at a device's join, read from the snapshot it names, along the events' id
 * order (a cursor).
 */
import { DEFAULT_CALENDAR_SETTINGS } from '../../../protocol/business-calendar.js';
import type { TicketPriority, TicketStatus } from '../../../protocol/ticket-model.js';
import type { Db } from '../store/database.js';
import type { TicketFiguresTable } from '../store/schema.js';
import { TicketSla } from '../tickets/ticket-sla.js';
import { DaySums } from './day-sums.js';
import { dayFormatter, ticketFigures } from './ticket-figures.js';

const OVERLAP_MS = 60_000;
const BATCH = 1000;
const TICKETS_MARK = 'tickets_updated_at';
const FINDINGS_MARK = 'findings_event_id';

export class FiguresSync {
  private running: Promise<number> | null = null;
  private readonly dayOf: (at: number) => string;

  constructor(private readonly db: Db, private readonly sla: TicketSla = new TicketSla()) {
    this.dayOf = dayFormatter(sla.calendar.settings.timeZone ?? DEFAULT_CALENDAR_SETTINGS.timeZone);
  }

  /** The calendar day of an instant, as the figures count it. */
  day(at: number): string {
    return this.dayOf(at);
  }

  /** Brings the figures up to date; one catch-up at a time (a caller arriving meanwhile waits for it, then runs its own). Returns the tickets recomputed. */
  catchUp(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(async () => {
      const tickets = await this.syncTickets();
      await this.syncFindings();
      await this.syncAnswers();
      return tickets;
    });
    this.running = next;
    void next.finally(() => this.running === next && (this.running = null)).catch(() => undefined);
    return next;
  }

  /** Forgets every figure and recomputes them from the tickets and their histories. */
  async rebuild(): Promise<number> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('ticket_figures').execute();
      await tx.deleteFrom('ticket_figure_findings').execute();
      await tx.deleteFrom('report_sync').execute();
      await tx.deleteFrom('report_days').execute();
      await tx.deleteFrom('report_day_counts').execute();
      await tx.updateTable('satisfaction_surveys').set({ counted: 0 }).where('counted', '=', 1).execute();
    });
    return this.catchUp();
  }

  private async mark(name: string): Promise<number> {
    const row = await this.db.selectFrom('report_sync').select('value').where('name', '=', name).executeTakeFirst();
    return row ? Number(row.value) : -1;
  }

  private async setMark(name: string, value: number): Promise<void> {
    await this.db.insertInto('report_sync').values({ name, value }).onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
  }

  private async syncTickets(): Promise<number> {
    const mark = await this.mark(TICKETS_MARK);
    let after = { at: mark < 0 ? -1 : mark - OVERLAP_MS, id: '' };
    // The latest change now: the next catch-up starts OVERLAP_MS before it.
    const latest = await this.db.selectFrom('tickets').select((eb) => eb.fn.max('updated_at').as('at')).executeTakeFirst();
    const highest = Math.max(mark, Number(latest?.at ?? -1));
    let done = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('tickets')
        .leftJoin('ticket_figures', 'ticket_figures.ticket_id', 'tickets.id')
        .select(['tickets.id', 'tickets.version', 'tickets.created_at', 'tickets.category', 'tickets.assignee_id', 'tickets.status', 'tickets.priority', 'tickets.resolved_at', 'tickets.updated_at', 'ticket_figures.version as figures_version'])
        .where((eb) => eb(eb.refTuple('tickets.updated_at', 'tickets.id'), '>', eb.tuple(after.at, after.id)))
        // Only tickets whose figures are missing or older than the ticket (the version check, in the engine).
        .where((eb) => eb.or([eb('ticket_figures.version', 'is', null), eb('ticket_figures.version', '!=', eb.ref('tickets.version'))]))
        .orderBy('tickets.updated_at')
        .orderBy('tickets.id')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      const last = rows[rows.length - 1]!;
      after = { at: last.updated_at, id: last.id };
      const stale = rows;
      if (stale.length > 0) {
        const ids = stale.map((r) => r.id);
        const history = await this.db.selectFrom('ticket_status_history').select(['ticket_id', 'at', 'status']).where('ticket_id', 'in', ids).orderBy('ticket_id').orderBy('at').orderBy('id').execute();
        const byTicket = new Map<string, Array<{ at: number; status: TicketStatus }>>();
        for (const h of history) {
          const list = byTicket.get(h.ticket_id) ?? [];
          list.push({ at: h.at, status: h.status as TicketStatus });
          byTicket.set(h.ticket_id, list);
        }
        const figures = stale.map((r) => ticketFigures({
          id: r.id, version: r.version, createdAt: r.created_at, category: r.category, assigneeId: r.assignee_id,
          status: r.status as TicketStatus, priority: r.priority as TicketPriority, resolvedAt: r.resolved_at, history: byTicket.get(r.id) ?? [],
        }, this.sla, this.dayOf));
        await this.write(figures);
        done += figures.length;
      }
      if (rows.length < BATCH) break;
      // The driver answers synchronously: give requests their turn between batches of a long catch-up.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (highest > mark) await this.setMark(TICKETS_MARK, highest);
    return done;
  }

  private async write(figures: TicketFiguresTable[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      // The day sums move by the difference between each ticket's old figures and its new ones.
      const sums = new DaySums();
      const old = new Map((await tx.selectFrom('ticket_figures').selectAll().where('ticket_id', 'in', figures.map((f) => f.ticket_id)).execute()).map((f) => [f.ticket_id, f]));
      const moved: Array<{ before: TicketFiguresTable; after: TicketFiguresTable }> = [];
      for (const f of figures) {
        const before = old.get(f.ticket_id);
        if (before) {
          sums.figures(before, -1);
          if (before.assignee_id !== f.assignee_id || before.created_day !== f.created_day) moved.push({ before, after: f });
        }
        sums.figures(f, 1);
      }
      for (let i = 0; i < figures.length; i += 100) {
        const chunk = figures.slice(i, i + 100);
        await tx.insertInto('ticket_figures').values(chunk).onConflict((oc) => oc.column('ticket_id').doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'), created_day: eb.ref('excluded.created_day'), category: eb.ref('excluded.category'), assignee_id: eb.ref('excluded.assignee_id'),
          resolved_day: eb.ref('excluded.resolved_day'), own_ms: eb.ref('excluded.own_ms'), resolve_ms: eb.ref('excluded.resolve_ms'), first_contact: eb.ref('excluded.first_contact'),
          own_breach_at: eb.ref('excluded.own_breach_at'), own_breach_day: eb.ref('excluded.own_breach_day'),
          resolve_breach_at: eb.ref('excluded.resolve_breach_at'), resolve_breach_day: eb.ref('excluded.resolve_breach_day'),
        }))).execute();
      }
      // A finding row carries its ticket's day and assignee: follow a reassignment.
      for (const { before, after } of moved) {
        const codes = await tx.selectFrom('ticket_figure_findings').select('code').where('ticket_id', '=', after.ticket_id).execute();
        if (codes.length === 0) continue;
        for (const { code } of codes) {
          sums.finding(before.created_day, before.assignee_id, code, -1);
          sums.finding(after.created_day, after.assignee_id, code, 1);
        }
        await tx.updateTable('ticket_figure_findings').set({ assignee_id: after.assignee_id, created_day: after.created_day }).where('ticket_id', '=', after.ticket_id).execute();
      }
      await sums.apply(tx);
    });
  }

  /** Satisfaction answers not yet in the day sums: counted once (the flag is set in the same transaction). */
  private async syncAnswers(): Promise<number> {
    let added = 0;
    for (;;) {
      const answers = await this.db.selectFrom('satisfaction_surveys').select(['id', 'answered_day', 'technician_id', 'rating', 'not_solved'])
        .where('counted', '=', 0).where('answered_at', 'is not', null).orderBy('answered_at').limit(BATCH).execute();
      if (answers.length === 0) return added;
      await this.db.transaction().execute(async (tx) => {
        const sums = new DaySums();
        for (const a of answers) {
          const rating = a.not_solved === 1 ? null : a.rating;
          if (a.answered_day !== null && (rating === null || (rating >= 1 && rating <= 5))) sums.answer(a.answered_day, a.technician_id, rating);
        }
        await sums.apply(tx);
        await tx.updateTable('satisfaction_surveys').set({ counted: 1 }).where('id', 'in', answers.map((a) => a.id)).execute();
      });
      added += answers.length;
      if (answers.length < BATCH) return added;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async syncFindings(): Promise<number> {
    const mark = await this.mark(FINDINGS_MARK);
    const top = await this.db.selectFrom('ticket_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const end = Number(top?.id ?? 0);
    if (end <= mark) return 0;
    let after = mark;
    let added = 0;
    for (;;) {
      const events = await this.db
        .selectFrom('ticket_events')
        .innerJoin('ticket_figures', 'ticket_figures.ticket_id', 'ticket_events.ticket_id')
        .select(['ticket_events.id', 'ticket_events.ticket_id', 'ticket_events.data_json', 'ticket_figures.created_day', 'ticket_figures.assignee_id'])
        .where('ticket_events.id', '>', after)
        .where('ticket_events.id', '<=', end)
        .where('ticket_events.kind', '=', 'findings')
        .orderBy('ticket_events.id')
        .limit(BATCH)
        .execute();
      added += await this.db.transaction().execute(async (tx) => {
        const sums = new DaySums();
        let inserted = 0;
        for (const e of events) {
          const data = JSON.parse(e.data_json) as { snapshotId?: unknown; join?: unknown };
          if (data.join !== true || typeof data.snapshotId !== 'number') continue;
          const snapshot = await tx.selectFrom('snapshots').select('findings_json').where('id', '=', data.snapshotId).executeTakeFirst();
          if (!snapshot) continue; // pruned since: nothing to count
          // A finding's id is its check and, after a colon, what it is about (`disk.full:/home`): the check is counted.
          const codes = [...new Set((JSON.parse(snapshot.findings_json) as Array<{ id?: unknown }>).map((f) => (typeof f.id === 'string' ? f.id.split(':')[0]! : '')).filter((c) => c !== '' && c.length <= 128))];
          for (const code of codes) {
            const done = await tx.insertInto('ticket_figure_findings').values({ ticket_id: e.ticket_id, code, created_day: e.created_day, assignee_id: e.assignee_id })
              .onConflict((oc) => oc.columns(['ticket_id', 'code']).doNothing()).executeTakeFirst();
            if (Number(done.numInsertedOrUpdatedRows ?? 0) === 0) continue;
            sums.finding(e.created_day, e.assignee_id, code, 1);
            inserted++;
          }
        }
        await sums.apply(tx);
        return inserted;
      });
      if (events.length < BATCH) break;
      after = events[events.length - 1]!.id;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.setMark(FINDINGS_MARK, end);
    return added;
  }
}
