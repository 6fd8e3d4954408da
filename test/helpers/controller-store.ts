/**
 * A controller's own store, opened beside it on its engine (its SQLite file, or its PostgreSQL
 * database in the postgres project), for tests that arrange rows the way the controller would
 * write them or check what it stored. Queries go through Kysely, so they read the same on both.
 */
import { connectDatabase, type Db } from '../../controller/server/store/database.js';

/** Opens the store of the controller that runs (or ran) on `c`, runs `work`, and closes it. */
export async function withControllerStore<T>(c: { readonly dataDir: string; readonly databaseUrl: string | null }, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await connectDatabase({ dataDir: c.dataDir, databaseUrl: c.databaseUrl, databasePoolSize: 2 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
