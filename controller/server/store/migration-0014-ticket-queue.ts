/**
 * 0014: the queue's count at scale (issue 10's bench, scripts/bench/tickets-bench.mjs).
 * The queue answers a page and the number of tickets its filters match; counting
 * `status IN (…) AND priority IN (…)` through a one-column index read every matching
 * row of the table (70 ms for 60,000 rows of 100,000 tickets), and the page read and
 * sorted them all. With (status, priority, due_sort, number) the count is read from the
 * index alone and the store walks each status × priority pair already in deadline order;
 * the other filter columns at the end let a count by status and category (or level,
 * assignee) be read from the index too.
 */
import type { Kysely, Migration } from 'kysely';

export const ticketQueueMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('tickets_status_priority_due').on('tickets').columns(['status', 'priority', 'due_sort', 'number', 'category', 'level', 'assignee_id']).execute();
  },
};
