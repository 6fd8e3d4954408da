/**
 * 0016: the queue's text search through an index of words (protocol/ticket-words.ts)
 * instead of `search LIKE '%word%'`, which read all 100,000 tickets of the bench for
 * every search (p95 210 ms against 50). Existing tickets are indexed from their stored
 * search text, in batches.
 */
import type { Kysely, Migration } from 'kysely';
import { wordsOf } from '../../../protocol/ticket-words.js';

const BATCH = 500;

export const ticketWordsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('ticket_words')
      .addColumn('word', 'text', (c) => c.notNull())
      .addColumn('ticket_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ticket_words_pk', ['word', 'ticket_id'])
      .execute();
    await db.schema.createIndex('ticket_words_ticket').on('ticket_words').column('ticket_id').execute();
    let after = '';
    for (;;) {
      const rows = (await db.selectFrom('tickets').select(['id', 'search']).where('id', '>', after).orderBy('id').limit(BATCH).execute()) as Array<{ id: string; search: string }>;
      if (rows.length === 0) break;
      const words = rows.flatMap((r) => wordsOf(r.search).map((word) => ({ word, ticket_id: r.id })));
      for (let i = 0; i < words.length; i += 400) await db.insertInto('ticket_words').values(words.slice(i, i + 400)).execute();
      after = rows[rows.length - 1]!.id;
    }
  },
};
