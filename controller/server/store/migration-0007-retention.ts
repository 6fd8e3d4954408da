/** Migration 0007: what retention needs — snapshot pins, audit repeat counts, and the one audited way to prune the audit log. */
import { sql, type Kysely, type Migration } from 'kysely';
import { engineOf } from './dialect.js';
import { dropGuardTrigger, guardTrigger } from './postgres-triggers.js';

export const retentionMigration: Migration = {
  async up(db: Kysely<any>) {
    // A pinned snapshot survives per-device pruning: the device's join snapshot, the
    // snapshots of each technician's latest comparison, and (later) those a ticket shows.
    await db.schema
      .createTable('snapshot_pins')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('snapshot_id', 'integer', (c) => c.notNull().references('snapshots.id').onDelete('cascade'))
      .addColumn('pinned_at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('snapshot_pins_pk', ['device_id', 'reason', 'ref'])
      .execute();
    await db.schema.createIndex('snapshot_pins_snapshot').on('snapshot_pins').column('snapshot_id').execute();

    // Repeats of one identical event are appended as one row with a count (never an UPDATE).
    await db.schema.alterTable('audit_log').addColumn('count', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema.alterTable('audit_log').addColumn('last_at', 'integer').execute();

    // Pruning the audit log: one row per prune, opened and closed inside the prune's own
    // transaction. The delete trigger lets a row go only while a prune is open whose own
    // `audit.pruned` entry was appended first, and only rows older than that entry and its
    // cutoff; `audit.pruned` entries themselves are never deleted.
    await db.schema
      .createTable('audit_prunes')
      .addColumn('audit_id', 'integer', (c) => c.primaryKey())
      .addColumn('before_at', 'integer', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull())
      .addColumn('open', 'integer', (c) => c.notNull())
      .execute();
    if (engineOf(db) === 'sqlite') {
      // Text as first shipped, line breaks and indents included: SQLite keeps it verbatim in its schema.
      await sql`CREATE TRIGGER audit_prunes_opened_by_entry BEFORE INSERT ON audit_prunes
      WHEN NEW.open != 1 OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = NEW.audit_id AND a.action = 'audit.pruned')
      BEGIN SELECT RAISE(ABORT, 'an audit prune starts with its own audit.pruned entry'); END`.execute(db);
      await sql`CREATE TRIGGER audit_prunes_no_delete BEFORE DELETE ON audit_prunes BEGIN SELECT RAISE(ABORT, 'audit prunes are append-only'); END`.execute(db);
      await sql`CREATE TRIGGER audit_prunes_close_only BEFORE UPDATE ON audit_prunes
      WHEN NOT (OLD.open = 1 AND NEW.open = 0 AND NEW.audit_id = OLD.audit_id AND NEW.before_at = OLD.before_at AND NEW.deleted = OLD.deleted)
      BEGIN SELECT RAISE(ABORT, 'audit prunes are append-only'); END`.execute(db);
      await sql`DROP TRIGGER audit_log_no_delete`.execute(db);
      await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      WHEN OLD.action = 'audit.pruned' OR NOT EXISTS (
        SELECT 1 FROM audit_prunes p JOIN audit_log a ON a.id = p.audit_id
        WHERE p.open = 1 AND a.action = 'audit.pruned' AND OLD.id < p.audit_id AND coalesce(OLD.last_at, OLD.at) < p.before_at)
      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`.execute(db);
    } else {
      // The same guards, condition for condition (postgres-triggers.ts). An open prune of another,
      // uncommitted transaction is not visible here: a delete is allowed only inside its own prune.
      await guardTrigger(db, 'audit_prunes_opened_by_entry', 'BEFORE INSERT', 'audit_prunes', 'an audit prune starts with its own audit.pruned entry',
        "NEW.open <> 1 OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = NEW.audit_id AND a.action = 'audit.pruned')");
      await guardTrigger(db, 'audit_prunes_no_delete', 'BEFORE DELETE', 'audit_prunes', 'audit prunes are append-only');
      await guardTrigger(db, 'audit_prunes_no_truncate', 'BEFORE TRUNCATE', 'audit_prunes', 'audit prunes are append-only');
      await guardTrigger(db, 'audit_prunes_close_only', 'BEFORE UPDATE', 'audit_prunes', 'audit prunes are append-only',
        'NOT (OLD.open = 1 AND NEW.open = 0 AND NEW.audit_id = OLD.audit_id AND NEW.before_at = OLD.before_at AND NEW.deleted = OLD.deleted)');
      await dropGuardTrigger(db, 'audit_log_no_delete', 'audit_log');
      await guardTrigger(db, 'audit_log_no_delete', 'BEFORE DELETE', 'audit_log', 'audit log is append-only',
        `OLD.action = 'audit.pruned' OR NOT EXISTS (
          SELECT 1 FROM audit_prunes p JOIN audit_log a ON a.id = p.audit_id
          WHERE p.open = 1 AND a.action = 'audit.pruned' AND OLD.id < p.audit_id AND coalesce(OLD.last_at, OLD.at) < p.before_at)`);
    }

    // Lookups of the retention rules: waiting links per technician, expired codes, ended sessions.
    await db.schema.createIndex('support_codes_technician').on('support_codes').columns(['technician_id', 'expires_at']).execute();
    await db.schema.createIndex('support_codes_expires').on('support_codes').column('expires_at').execute();
    await db.schema.createIndex('support_sessions_status').on('support_sessions').columns(['status', 'ended_at']).execute();
  },
};
