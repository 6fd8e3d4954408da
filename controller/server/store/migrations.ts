/**
 * Versioned schema migrations, applied in name order at start-up. Never edit a shipped one: add the next.
 *
 * Writing a migration for both engines (SQLite and PostgreSQL run this one list):
 * - Build tables and indexes with Kysely's schema builder and SQLite's types: `integer`
 *   (64-bit on both: PostgreSQL gets `bigint`), `text` (code-point order on both), `blob`
 *   (`bytea`), `integer … primaryKey().autoIncrement()` for a generated id (an identity).
 *   postgres-schema.ts makes these translations; SQLite runs the migration as written.
 *   No booleans or JSON types: 0/1 integers and JSON in `text`, as the stores read them.
 * - Raw SQL only where the engines differ, under `engineOf(db)` (dialect.ts), each branch
 *   complete: triggers (SQLite `CREATE TRIGGER … BEGIN SELECT RAISE(ABORT, …)`, PostgreSQL
 *   `guardTrigger()` from postgres-triggers.ts with the same condition and message), full-text
 *   search (SQLite FTS5 virtual table; PostgreSQL a table with a `tsvector` column written by the
 *   store from text folded in code, `simple` || `french` || `english`, with a GIN index: see 0017 and
 *   knowledge/postgres-article-search.ts), partial indexes,
 *   date functions (store milliseconds since the epoch in `integer`, compute times in code).
 * - Data steps use the query builder (`onConflict(...).doNothing()`, not `INSERT OR IGNORE`;
 *   `.returning('id')`, not `insertId`), in batches of a few hundred rows.
 * - Then run test/unit/store-engines.test.ts on both (RELAIS_TEST_DATABASE_URL set): PostgreSQL's
 *   schema must keep SQLite's tables, columns, keys and indexes.
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { retentionMigration } from './migration-0007-retention.js';
import { deviceListMigration } from './migration-0008-device-list.js';
import { ticketsMigration } from './migration-0011-tickets.js';
import { recordingsMigration } from './migration-0012-recordings.js';
import { chatMigration } from './migration-0015-chat.js';
import { ticketQueueMigration } from './migration-0014-ticket-queue.js';
import { ticketWordsMigration } from './migration-0016-ticket-words.js';
import { knowledgeMigration } from './migration-0017-knowledge.js';
import { satisfactionMigration } from './migration-0018-satisfaction.js';
import { rolesMigration } from './migration-0019-roles.js';
import { recordingNodeMigration } from './migration-0020-recording-node.js';
import { engineOf } from './dialect.js';
import { guardTrigger } from './postgres-triggers.js';
import { STARTER_SCRIPTS } from './starter-scripts.js';
import { PRINTING_STARTER_SCRIPTS } from './printing-scripts.js';

const migrations: Record<string, Migration> = {
  '0001-foundation': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('login_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('support_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('technician_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .addColumn('used_at', 'integer')
        .addColumn('session_id', 'text')
        .execute();
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('summary_json', 'text')
        .addColumn('first_seen', 'integer', (c) => c.notNull())
        .addColumn('last_seen', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('support_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code_id', 'text', (c) => c.notNull().references('support_codes.id'))
        .addColumn('technician_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('resume_hash', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('ended_at', 'integer')
        .addColumn('end_reason', 'text')
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail_json', 'text')
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
      // Append-only in the database itself, not just by convention in our code.
      if (engineOf(db) === 'sqlite') {
        await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`.execute(db);
      } else {
        await guardTrigger(db, 'audit_log_no_update', 'BEFORE UPDATE', 'audit_log', 'audit log is append-only');
        await guardTrigger(db, 'audit_log_no_delete', 'BEFORE DELETE', 'audit_log', 'audit log is append-only');
        // PostgreSQL's TRUNCATE skips row triggers: refused as a whole.
        await guardTrigger(db, 'audit_log_no_truncate', 'BEFORE TRUNCATE', 'audit_log', 'audit log is append-only');
      }
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002-diagnostics': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('snapshots')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('taken_at', 'integer', (c) => c.notNull())
        .addColumn('received_at', 'integer', (c) => c.notNull())
        .addColumn('snapshot_json', 'text', (c) => c.notNull())
        .addColumn('findings_json', 'text', (c) => c.notNull())
        .addColumn('worst', 'text')
        .execute();
      await db.schema.createIndex('snapshots_device').on('snapshots').columns(['device_id', 'id']).execute();
    },
  },
  '0003-fleet-identity': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('enrollment_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .addColumn('max_uses', 'integer', (c) => c.notNull())
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked_at', 'integer')
        .execute();
      // Managed devices share the devices table with attended ones (`kind` tells them apart),
      // so diagnostics, the device list and the relay treat both alike.
      const columns: Array<[string, 'text' | 'integer']> = [
        ['name', 'text'],
        ['group_name', 'text'],
        ['tags_json', 'text'],
        ['public_key', 'text'],
        ['policy_json', 'text'],
        ['platform', 'text'],
        ['controller_origin', 'text'],
        ['enrollment_token_id', 'text'],
        ['enrolled_at', 'integer'],
        ['revoked_at', 'integer'],
      ];
      for (const [name, type] of columns) await db.schema.alterTable('devices').addColumn(name, type).execute();
      // NULLs (attended devices) do not collide in a SQLite unique index.
      await db.schema.createIndex('devices_public_key').on('devices').column('public_key').unique().execute();
      await db.schema.createIndex('devices_kind').on('devices').column('kind').execute();
    },
  },
  '0004-fleet-jobs': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('scripts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('interpreter', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('parameters_json', 'text', (c) => c.notNull())
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('built_in', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .execute();
      const now = Date.now();
      for (const s of STARTER_SCRIPTS) {
        await db
          .insertInto('scripts')
          .values({
            id: randomBytes(12).toString('base64url'), name: s.name, title: s.title, description: s.description, interpreter: s.interpreter, body: s.body,
            parameters_json: JSON.stringify(s.parameters), timeout_seconds: s.timeoutSeconds, built_in: 1, created_at: now, updated_at: now,
          })
          .execute();
      }
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('script_id', 'text', (c) => c.notNull())
        .addColumn('script_name', 'text', (c) => c.notNull())
        // The exact body the job ran, frozen at creation: editing the script later changes nothing here.
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('interpreter', 'text', (c) => c.notNull())
        .addColumn('params_json', 'text', (c) => c.notNull())
        .addColumn('target_json', 'text', (c) => c.notNull())
        .addColumn('concurrency', 'integer', (c) => c.notNull())
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_status').on('jobs').column('status').execute();
      await db.schema
        .createTable('job_runs')
        .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('exit_code', 'integer')
        .addColumn('signal', 'text')
        .addColumn('dispatched_at', 'integer')
        .addColumn('started_at', 'integer')
        .addColumn('finished_at', 'integer')
        .addColumn('stdout_bytes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('stderr_bytes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('stdout_truncated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('stderr_truncated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reason', 'text')
        .addPrimaryKeyConstraint('job_runs_pk', ['job_id', 'device_id'])
        .execute();
      await db.schema.createIndex('job_runs_device').on('job_runs').columns(['device_id', 'status']).execute();
      // One row per output message: the primary key makes a replayed message a no-op.
      await db.schema
        .createTable('job_output')
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('data', 'blob', (c) => c.notNull())
        .addPrimaryKeyConstraint('job_output_pk', ['job_id', 'device_id', 'stream', 'seq'])
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('last_used_at', 'integer')
        .execute();
    },
  },
  // Removed accounts stay as rows: support links, sessions and tokens they made keep naming them.
  '0005-account-removal': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('deleted_at', 'integer').execute();
    },
  },
  // Failed logins shown to the account's owner once (issue 8, point 6): one row per (account, address).
  '0006-login-failures': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('login_failures')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('first_at', 'integer', (c) => c.notNull())
        .addColumn('last_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('login_failures_pk', ['user_id', 'address'])
        .execute();
    },
  },
  '0007-retention': retentionMigration,
  '0008-device-list': deviceListMigration,
  // Printing fixes suggested by the printer findings; a script an administrator already named so is left alone.
  '0009-printing-scripts': {
    async up(db: Kysely<any>) {
      const now = Date.now();
      for (const s of PRINTING_STARTER_SCRIPTS) {
        await db
          .insertInto('scripts')
          .values({
            id: randomBytes(12).toString('base64url'), name: s.name, title: s.title, description: s.description, interpreter: s.interpreter, body: s.body,
            parameters_json: JSON.stringify(s.parameters), timeout_seconds: s.timeoutSeconds, built_in: 1, created_at: now, updated_at: now,
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      }
    },
  },
  // The language an account chose in its settings (issue 13); null: its browser's, then the controller's --lang.
  '0010-account-language': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('language', 'text').execute();
    },
  },
  '0011-tickets': ticketsMigration,
  '0012-recordings': recordingsMigration,
  // The person's own line about their problem, typed on the support page (issue 10): kept with the support code until an agent joins with it.
  '0013-support-problem': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('support_codes').addColumn('problem', 'text').execute();
      await db.schema.alterTable('support_codes').addColumn('problem_at', 'integer').execute();
    },
  },
  '0014-ticket-queue': ticketQueueMigration,
  '0015-chat': chatMigration,
  '0016-ticket-words': ticketWordsMigration,
  '0017-knowledge': knowledgeMigration,
  '0018-satisfaction': satisfactionMigration,
  '0019-roles': rolesMigration,
  '0020-recording-node': recordingNodeMigration,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
