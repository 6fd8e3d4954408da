/** Opens the embedded SQLite store (WAL) behind the Kysely query layer and brings its schema up to date. */
import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql, type LogEvent } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** Hears each query's duration in seconds (the metrics' histogram); none: queries are not timed. */
  readonly onQuery?: (seconds: number) => void;
}

export async function openDatabase(dataDir: string, options: DatabaseOptions = {}): Promise<Db> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new BetterSqlite3(join(dataDir, 'relais.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 32 MiB of page cache instead of 2: the queue's index walks and probes stay in memory (tickets bench: text search ~1.8× faster).
  sqlite.pragma('cache_size = -32768');
  const { onQuery } = options;
  // Kysely times every query it runs (failed ones too); only the duration is taken, never the SQL or its parameters.
  const log = onQuery ? (event: LogEvent) => onQuery(event.queryDurationMillis / 1000) : undefined;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), ...(log ? { log } : {}) });
  // Migration numbers are reserved per piece of work and may ship out of order (0009 before 0007):
  // a database that already has a later one still gets an earlier newcomer. None depends on another's order.
  const { error, results } = await migrator(db).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  return db;
}

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
}

/** Resolves when the database answers a trivial query (readiness). */
export async function databaseAnswers(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** True when every migration this code knows has run on the database (readiness). */
export async function migrationsDone(db: Db): Promise<boolean> {
  const migrations = await migrator(db).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
