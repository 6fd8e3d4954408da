/**
 * 0011: tickets (issue 10). Plain Kysely schema building, nothing SQLite-only, so the
 * same migration runs on PostgreSQL later.
 *
 * - tickets: one row per ticket, the human `number` (unique, from 1001). `due_at` is the
 *   nearest SLA deadline (time to own while unowned, time to resolve), kept only as the
 *   queue's sort key: it is recomputed from the status history on every change and is null
 *   while the clocks are paused or stopped. The clocks themselves are never stored: every
 *   read computes them from ticket_status_history (protocol/sla-clock.ts). `due_sort` is
 *   `due_at` with null mapped to a far-future value, so the keyset order (due_sort, number)
 *   is one index walk on every engine.
 * - ticket_status_history: the creation and every status change, the SLA clocks' source.
 * - ticket_events: the timeline (data_json bounded by the store).
 * - ticket_followers, ticket_devices: who is kept informed, which machines are concerned.
 * - ticket_support_links: support links created from a ticket (or the one a ticket was
 *   created from), so the agent's join lands on the ticket's timeline.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const ticketsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tickets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('number', 'integer', (c) => c.notNull().unique())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('requester_name', 'text', (c) => c.notNull())
      .addColumn('requester_phone', 'text')
      .addColumn('requester_email', 'text')
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('impact', 'text', (c) => c.notNull())
      .addColumn('urgency', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('waiting_reason', 'text')
      .addColumn('escalation_reason', 'text')
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'integer', (c) => c.references('users.id'))
      .addColumn('resolution', 'text')
      .addColumn('solution_type', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .addColumn('resolved_at', 'integer')
      .addColumn('closed_at', 'integer')
      .addColumn('due_at', 'integer')
      .addColumn('due_sort', 'bigint', (c) => c.notNull())
      .addColumn('support_code_id', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      /** Lower-case words the text filter matches (number, title, requester, description's start). */
      .addColumn('search', 'text', (c) => c.notNull())
      .execute();
    // The queue: every filter is an equality on one column, then the deadline order.
    await db.schema.createIndex('tickets_due').on('tickets').columns(['due_sort', 'number']).execute();
    for (const column of ['status', 'level', 'assignee_id', 'category', 'priority']) {
      await db.schema.createIndex(`tickets_${column}_due`).on('tickets').columns([column, 'due_sort', 'number']).execute();
    }
    // Auto-close finds resolved tickets by resolution time.
    await db.schema.createIndex('tickets_resolved').on('tickets').columns(['status', 'resolved_at']).execute();

    await db.schema
      .createTable('ticket_status_history')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('at', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ticket_status_history_ticket').on('ticket_status_history').columns(['ticket_id', 'at', 'id']).execute();

    await db.schema
      .createTable('ticket_events')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('at', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      /** The technician's username; null when the controller acted on its own. */
      .addColumn('actor', 'text')
      .addColumn('visibility', 'text', (c) => c.notNull())
      .addColumn('data_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'id']).execute();

    await db.schema
      .createTable('ticket_followers')
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('ticket_followers_pk', ['ticket_id', 'user_id'])
      .execute();
    await db.schema.createIndex('ticket_followers_user').on('ticket_followers').column('user_id').execute();

    await db.schema
      .createTable('ticket_devices')
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('ticket_devices_pk', ['ticket_id', 'device_id'])
      .execute();
    await db.schema.createIndex('ticket_devices_device').on('ticket_devices').column('device_id').execute();

    await db.schema
      .createTable('ticket_support_links')
      .addColumn('code_id', 'text', (c) => c.primaryKey())
      .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ticket_support_links_ticket').on('ticket_support_links').column('ticket_id').execute();
    await sql`ANALYZE`.execute(db).catch(() => undefined);
  },
};
