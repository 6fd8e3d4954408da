/**
 * 0015: chat between the technician and the person (issue 15, point 4). One row per
 * message, kept with its support session and gone with it (support retention); a copy
 * goes on the session's ticket timeline when its link belongs to a ticket.
 */
import type { Kysely, Migration } from 'kysely';

export const chatMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('chat_messages')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('at', 'integer', (c) => c.notNull())
      /** technician | person */
      .addColumn('side', 'text', (c) => c.notNull())
      /** The technician's username (null for the person). */
      .addColumn('author', 'text')
      /** The technician's name as shown (null for the person). */
      .addColumn('author_name', 'text')
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    // History by device (the device page) and by session, newest first.
    await db.schema.createIndex('chat_messages_device').on('chat_messages').columns(['device_id', 'id']).execute();
    await db.schema.createIndex('chat_messages_session').on('chat_messages').columns(['session_id', 'id']).execute();
  },
};
