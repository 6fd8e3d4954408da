/**
 * Which engine a test's store runs on, and a fresh PostgreSQL database per store when it is
 * PostgreSQL. The `postgres` vitest project (vitest.config.ts, present when
 * RELAIS_TEST_DATABASE_URL is set) sets RELAIS_TEST_ENGINE=postgres; every database it makes
 * is created on the URL's server as `relais_t_<run>_<pid>_<n>` and dropped when its store or
 * controller stops (the project's global teardown drops what a crashed test left).
 */
import pg from 'pg';

export type TestEngine = 'sqlite' | 'postgres';

/** The engine of the stores this test process makes. */
export function testEngine(): TestEngine {
  return process.env.RELAIS_TEST_ENGINE === 'postgres' && adminUrl() !== null ? 'postgres' : 'sqlite';
}

function adminUrl(): string | null {
  return process.env.RELAIS_TEST_DATABASE_URL || null;
}

/** The prefix of the databases one test run makes (the global setup picks the run id). */
export function runPrefix(run = process.env.RELAIS_TEST_RUN ?? 'x'): string {
  return `relais_t_${run}_`;
}

let made = 0;

export interface TestDatabase {
  /** The URL to give the controller (RELAIS_DATABASE_URL) or openDatabase. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * The run's copy source: a database the global setup migrated once. A copy is ready in a
 * quarter of a second where migrating an empty database takes over one; migrating from
 * empty is tested on its own (test/unit/store-engines.test.ts).
 */
export function templateDatabase(): string {
  return `${runPrefix()}template`;
}

/** A new database on the test server (`empty`, or a copy of the migrated template); `drop()` removes it and ends its connections. */
export async function createTestDatabase(from: 'template' | 'empty' = 'template'): Promise<TestDatabase> {
  const admin = adminUrl();
  if (admin === null) throw new Error('RELAIS_TEST_DATABASE_URL is not set');
  const name = `${runPrefix()}${process.pid}_${++made}`;
  await onServer(admin, from === 'template' ? `CREATE DATABASE "${name}" TEMPLATE "${templateDatabase()}"` : `CREATE DATABASE "${name}"`);
  const url = databaseUrl(name);
  let dropped = false;
  return {
    url,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await onServer(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** Drops every database whose name starts with `prefix` (a run's leftovers). */
export async function dropTestDatabases(prefix: string): Promise<number> {
  const admin = adminUrl();
  if (admin === null) return 0;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  } finally {
    await client.end();
  }
}

/** The test server's URL for database `name`. */
export function databaseUrl(name: string): string {
  const url = new URL(adminUrl()!);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function onServer(admin: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
