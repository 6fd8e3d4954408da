/** A real SQLite store (all migrations applied) in a temporary folder, for unit tests of store-backed logic. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../controller/server/store/database.js';

export interface TempStore {
  db: Db;
  dir: string;
  close(): Promise<void>;
}

export async function openTempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'relais-store-'));
  const db = await openDatabase(dir);
  return {
    db,
    dir,
    close: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds an attended device row (snapshots and sessions refer to it). */
export async function addDevice(db: Db, id: string, kind: 'attended' | 'managed' = 'attended', at = Date.now()): Promise<void> {
  await db.insertInto('devices').values({ id, kind, hostname: id, summary_json: null, first_seen: at, last_seen: at }).execute();
}
