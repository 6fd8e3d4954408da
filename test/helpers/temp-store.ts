/**
 * A real store (all migrations applied) for tests of store-backed logic: SQLite in a
 * temporary folder, or a fresh PostgreSQL database in the `postgres` test project
 * (test-database.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../controller/server/store/database.js';
import { createTestDatabase, testEngine } from './test-database.js';

export interface TempStore {
  db: Db;
  dir: string;
  close(): Promise<void>;
}

export async function openTempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'relais-store-'));
  const database = testEngine() === 'postgres' ? await createTestDatabase() : null;
  const db = await openDatabase({ dataDir: dir, databaseUrl: database?.url ?? null });
  return {
    db,
    dir,
    close: async () => {
      await db.destroy();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds an attended device row (snapshots and sessions refer to it). */
export async function addDevice(db: Db, id: string, kind: 'attended' | 'managed' = 'attended', at = Date.now()): Promise<void> {
  await db.insertInto('devices').values({ id, kind, hostname: id, summary_json: null, first_seen: at, last_seen: at }).execute();
}
