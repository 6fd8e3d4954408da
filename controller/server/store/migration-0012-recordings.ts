/**
 * 0012: shell recordings (issue 10, "Recordings"). One row per relayed shell; the
 * asciicast itself is a file under the data directory's `recordings/` folder, named by
 * the row's id. No foreign keys to devices or support sessions: a recording outlives
 * the attended device's purge and goes by its own retention (--recording-retention-days).
 */
import type { Kysely, Migration } from 'kysely';

export const recordingsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('recordings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'integer', (c) => c.notNull())
      /** The technician's username. */
      .addColumn('technician', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text')
      .addColumn('ticket_number', 'integer')
      .addColumn('started_at', 'integer', (c) => c.notNull())
      .addColumn('ended_at', 'integer')
      .addColumn('bytes', 'integer', (c) => c.notNull())
      .addColumn('truncated', 'integer', (c) => c.notNull())
      /** recording | closed | failed (the writer's last state; `recording` after a crash). */
      .addColumn('state', 'text', (c) => c.notNull())
      /** Relative to the data directory, e.g. `recordings/<id>.cast`. */
      .addColumn('file', 'text', (c) => c.notNull())
      .execute();
    // Lists by device or ticket, newest first; retention by start time.
    await db.schema.createIndex('recordings_device').on('recordings').columns(['device_id', 'started_at', 'id']).execute();
    await db.schema.createIndex('recordings_ticket').on('recordings').columns(['ticket_number', 'started_at', 'id']).execute();
    await db.schema.createIndex('recordings_started').on('recordings').columns(['started_at']).execute();
  },
};
