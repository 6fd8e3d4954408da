/**
 * Opens the store behind the Kysely query layer and brings its schema up to date: SQLite
 * (better-sqlite3, WAL) in the data folder by default, or PostgreSQL when a database URL
 * is configured (several controller nodes share it). Both run the same migrations and the
 * same queries; dialect.ts holds the few differences.
 */
import BetterSqlite3 from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql, type LogEvent } from 'kysely';
import { engineOf } from './dialect.js';
import { migrationProvider } from './migrations.js';
import { connectPostgres, postgresAnswers } from './postgres-pool.js';
import { PostgresSchemaPlugin } from './postgres-schema.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export { DatabaseUnreachable } from './postgres-pool.js';

/** Where the store is: the config's data folder (SQLite), unless a PostgreSQL URL is given. */
export interface StoreConfig {
  readonly dataDir: string;
  readonly databaseUrl?: string | null;
  readonly databasePoolSize?: number;
}

export interface DatabaseOptions {
  /** Hears each query's duration in seconds (the metrics' histogram); none: queries are not timed. */
  readonly onQuery?: (seconds: number) => void;
}

/** Opens the store and applies every migration it lacks. */
export async function openDatabase(config: StoreConfig, options: DatabaseOptions = {}): Promise<Db> {
  const db = await connectDatabase(config, options);
  // Migration numbers are reserved per piece of work and may ship out of order (0009 before 0007):
  // a database that already has a later one still gets an earlier newcomer. None depends on another's order.
  // On PostgreSQL the migrator holds an advisory lock, so nodes starting together migrate once.
  const { error, results } = await migrator(db).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  await refreshStatistics(db, 'open');
  return db;
}

/**
 * Keeps SQLite's query planner statistics current (`PRAGMA optimize`, as SQLite advises for a
 * long-lived connection: every table checked at open, then the ones this connection used, hourly
 * from the retention schedule). Only tables never analyzed, or grown or shrunk 25-fold since, are
 * analyzed, each on at most 400 rows per index (`analysis_limit`: about 0.4 s on the tickets
 * bench's 600 MB database, nothing when current). Without statistics the planner reads a ticket
 * rather than its covering (id, filters) index to check a text match against a level (queue text
 * + level L2: 70 ms for the query instead of 9). PostgreSQL's autovacuum keeps its own.
 */
export async function refreshStatistics(db: Db, when: 'open' | 'periodic'): Promise<void> {
  if (engineOf(db) !== 'sqlite') return;
  await sql`PRAGMA analysis_limit = 400`.execute(db);
  if (when === 'open') await sql`PRAGMA optimize = 0x10002`.execute(db);
  else await sql`PRAGMA optimize`.execute(db);
}

/** Opens the store without migrating it (tools and tests that read a controller's store). */
export async function connectDatabase(config: StoreConfig, options: DatabaseOptions = {}): Promise<Db> {
  const { onQuery } = options;
  // Kysely times every query it runs (failed ones too); only the duration is taken, never the SQL or its parameters.
  const log = onQuery ? (event: LogEvent) => onQuery(event.queryDurationMillis / 1000) : undefined;
  if (config.databaseUrl) return connectPostgres<Database>(config.databaseUrl, config.databasePoolSize ?? 10, log);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, 'relais.sqlite');
  const sqlite = new BetterSqlite3(file);
  // Readable by the controller's user only, also in a folder made by someone else with looser
  // modes: it holds password hashes, sessions and every ticket. SQLite gives its -wal and -shm
  // files the main file's mode, so they follow.
  if (process.platform !== 'win32') {
    try {
      chmodSync(file, 0o600);
    } catch {
      // Not ours to change (a tool reading another user's store): its owner's modes stay.
    }
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 32 MiB of page cache instead of 2: the queue's index walks and probes stay in memory (tickets bench: text search ~1.8× faster).
  sqlite.pragma('cache_size = -32768');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), ...(log ? { log } : {}) });
}

function migrator(db: Db): Migrator {
  // PostgreSQL reads the migrations' SQLite column types as their 64-bit equivalents (postgres-schema.ts).
  const migrating = engineOf(db) === 'postgres' ? db.withPlugin(new PostgresSchemaPlugin()) : db;
  return new Migrator({ db: migrating, provider: migrationProvider, allowUnorderedMigrations: true });
}

/** Resolves when the database answers a trivial query (readiness); on PostgreSQL, outside the pool's queue. */
export async function databaseAnswers(db: Db): Promise<void> {
  if (await postgresAnswers(db)) return;
  await sql`select 1`.execute(db);
}

/** True when every migration this code knows has run on the database (readiness). */
export async function migrationsDone(db: Db): Promise<boolean> {
  const migrations = await migrator(db).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
