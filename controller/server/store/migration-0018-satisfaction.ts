/**
 * 0018: satisfaction surveys and the reports' per-ticket figures (knowledge-base issue,
 * "Satisfaction" and "Reports"). Plain Kysely schema building, as 0011, so PostgreSQL
 * runs it too.
 *
 * - satisfaction_surveys: one per resolution of a ticket (ticket_id, resolved_at), made
 *   when first needed (asked at the agent, a link issued). Answered once: `answered_at`
 *   is set by a conditional UPDATE, so two answers racing cannot both count.
 * - satisfaction_tokens: single-use links to a survey; only the SHA-256 of the 256-bit
 *   token is stored (like API tokens), with its expiry and the time it was used.
 * - ticket_figures: per-ticket numbers the dashboard sums (days, business times to own
 *   and resolve, deadlines, first contact), derived from the status history with the SLA
 *   code the queue uses; controller/server/reports/figures-sync.ts says how they are kept
 *   current and rebuilt. ticket_figure_findings: the finding codes a ticket's devices had
 *   when they joined it. report_sync: the sync's high-water marks.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const satisfactionMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('satisfaction_surveys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('ticket_number', 'integer', (c) => c.notNull())
      /** The resolution this survey rates: a later resolution of the same ticket gets its own survey. */
      .addColumn('resolved_at', 'integer', (c) => c.notNull())
      /** The technician the ticket was resolved by (its assignee then), for per-technician averages. */
      .addColumn('technician_id', 'integer')
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'integer', (c) => c.notNull())
      /** The requester's language once known (they opened the support page), for the e-mail text. */
      .addColumn('language', 'text')
      .addColumn('answered_at', 'integer')
      /** Calendar day of the answer in the business calendar's zone, `YYYY-MM-DD` (the dashboard's range). */
      .addColumn('answered_day', 'text')
      .addColumn('rating', 'integer')
      .addColumn('not_solved', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('comment', 'text')
      /** agent | page */
      .addColumn('via', 'text')
      /** 1 once the answer is in the reports' day sums (figures-sync.ts counts the others). */
      .addColumn('counted', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('satisfaction_surveys_resolution', ['ticket_id', 'resolved_at'])
      .execute();
    await db.schema.createIndex('satisfaction_surveys_answered').on('satisfaction_surveys').columns(['answered_day', 'technician_id', 'rating', 'not_solved']).execute();
    await db.schema.createIndex('satisfaction_surveys_answers').on('satisfaction_surveys').columns(['answered_at', 'id']).execute();
    await db.schema.createIndex('satisfaction_surveys_counted').on('satisfaction_surveys').columns(['counted', 'answered_at']).execute();
    await db.schema.createIndex('satisfaction_surveys_technician').on('satisfaction_surveys').columns(['technician_id', 'answered_day', 'rating', 'not_solved']).execute();

    await db.schema
      .createTable('satisfaction_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('survey_id', 'text', (c) => c.notNull().references('satisfaction_surveys.id').onDelete('cascade'))
      /** mail (the technician's e-mail text) | page (shown on the support page) */
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'integer', (c) => c.notNull())
      .addColumn('used_at', 'integer')
      .execute();
    await db.schema.createIndex('satisfaction_tokens_survey').on('satisfaction_tokens').columns(['survey_id', 'purpose']).execute();

    await db.schema
      .createTable('ticket_figures')
      .addColumn('ticket_id', 'text', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
      /** The ticket's version these figures were computed from. */
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_day', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'integer')
      /** Set while resolved or closed: the day of the (latest) resolution. */
      .addColumn('resolved_day', 'text')
      /** Business ms from creation to the first owner; null while nobody owned it. */
      .addColumn('own_ms', 'integer')
      /** Business ms the resolve clock ran until the resolution; null while not resolved. */
      .addColumn('resolve_ms', 'integer')
      /** Resolved without waiting for the user, an escalation or a reopening (1/0; null while not resolved). */
      .addColumn('first_contact', 'integer')
      /** When each clock's deadline passed or will pass if nothing changes (null: stopped or paused short of it). */
      .addColumn('own_breach_at', 'bigint')
      .addColumn('own_breach_day', 'text')
      .addColumn('resolve_breach_at', 'bigint')
      .addColumn('resolve_breach_day', 'text')
      .execute();
    // Each sum walks one day range (optionally one technician's) through a covering index.
    await db.schema.createIndex('ticket_figures_created').on('ticket_figures').columns(['created_day', 'assignee_id', 'category', 'own_ms']).execute();
    await db.schema.createIndex('ticket_figures_resolved').on('ticket_figures').columns(['resolved_day', 'assignee_id', 'resolve_ms', 'first_contact']).execute();
    await db.schema.createIndex('ticket_figures_own_breach').on('ticket_figures').columns(['own_breach_day', 'assignee_id', 'own_breach_at']).execute();
    await db.schema.createIndex('ticket_figures_resolve_breach').on('ticket_figures').columns(['resolve_breach_day', 'assignee_id', 'resolve_breach_at']).execute();
    await db.schema.createIndex('ticket_figures_assignee').on('ticket_figures').columns(['assignee_id', 'created_day']).execute();

    await db.schema
      .createTable('ticket_figure_findings')
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('code', 'text', (c) => c.notNull())
      /** The ticket's creation day and assignee, copied so the top findings are one index range. */
      .addColumn('created_day', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'integer')
      .addPrimaryKeyConstraint('ticket_figure_findings_pk', ['ticket_id', 'code'])
      .execute();
    await db.schema.createIndex('ticket_figure_findings_day').on('ticket_figure_findings').columns(['created_day', 'assignee_id', 'code']).execute();

    // Sums per calendar day, kept by the sync (delta of each ticket's old and new figures):
    // `who` is the assignee's account id, or -1 for everyone's total, so a year's dashboard
    // reads a few hundred rows per chart instead of every ticket.
    await db.schema
      .createTable('report_days')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('who', 'integer', (c) => c.notNull())
      .addColumn('opened', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('own_sum', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('own_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('resolved', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('resolve_sum', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('first_contact', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('own_breaches', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('resolve_breaches', 'integer', (c) => c.notNull().defaultTo(0))
      // Satisfaction answers given that day: per rating 1–5, and "not solved".
      .addColumn('rated_1', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rated_2', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rated_3', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rated_4', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rated_5', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('not_solved', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('report_days_pk', ['who', 'day'])
      .execute();
    await db.schema
      .createTable('report_day_counts')
      .addColumn('who', 'integer', (c) => c.notNull())
      /** category | finding */
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('report_day_counts_pk', ['who', 'kind', 'day', 'value'])
      .execute();

    await db.schema
      .createTable('report_sync')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
    // The sync finds changed tickets by their last change.
    await db.schema.createIndex('tickets_updated').on('tickets').columns(['updated_at', 'id']).execute();
    await sql`ANALYZE`.execute(db).catch(() => undefined);
  },
};
