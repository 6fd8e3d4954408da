/**
 * The `postgres` project's setup: the server in RELAIS_TEST_DATABASE_URL must answer (a clear
 * failure otherwise, not one per test); the run's template database is migrated once, and
 * each test's database is a copy of it (test-database.ts). At the end every database this
 * run made and did not drop (a test that crashed before its stop), the template too, is dropped.
 */
import { openDatabase } from '../controller/server/store/database.js';
import { redactDatabaseUrl } from '../controller/server/store/database-url.js';
import { databaseUrl, dropTestDatabases, onServer, runPrefix, templateDatabase } from './helpers/test-database.js';

export async function setup(): Promise<void> {
  const url = process.env.RELAIS_TEST_DATABASE_URL!;
  try {
    await onServer(url, 'select 1');
  } catch (err) {
    throw new Error(`RELAIS_TEST_DATABASE_URL (${redactDatabaseUrl(url)}) does not answer: ${(err as Error).message}`);
  }
  await onServer(url, `CREATE DATABASE "${templateDatabase()}"`);
  const db = await openDatabase({ dataDir: '', databaseUrl: databaseUrl(templateDatabase()) });
  await db.destroy();
}

export async function teardown(): Promise<void> {
  await dropTestDatabases(runPrefix());
}
