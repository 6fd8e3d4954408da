/**
 * 0020: which cluster node writes each recording (issue 14). On one controller every open
 * recording at start-up was left by its own last run; on a cluster sharing one database,
 * the others' recordings are being written right now. A node marks as interrupted only its
 * own (and those of a node found dead); null is a single controller's, or a row from before.
 */
import type { Kysely, Migration } from 'kysely';

export const recordingNodeMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('recordings').addColumn('node_id', 'text').execute();
  },
};
