/**
 * Readiness asks the database outside the pool's queue: a pool busy with a burst of work
 * is not a database that does not answer (a balancer would take the node out and cut its
 * sessions for it). On PostgreSQL every pooled connection is held by a long query while
 * readiness is asked; it must answer before any of them ends. A closed store leaves no
 * connection open, and readiness opens none behind its back.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseAnswers } from '../../controller/server/store/database.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';
import { testEngine } from '../helpers/test-database.js';

let store: TempStore | null = null;

/** Connections PostgreSQL has open to one database, asked from outside the store. */
async function connectionsTo(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.RELAIS_TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [database]);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Waits for a condition (a backend leaves pg_stat_activity a moment after its client closed). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

afterEach(async () => {
  await store?.close();
  store = null;
});

describe('readiness asks the database', () => {
  it('answers on an idle store; closing the store closes the readiness connection, and none opens again', async () => {
    store = await openTempStore();
    const { db } = store;
    await databaseAnswers(db);
    const name = testEngine() === 'postgres' ? (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!.name : null;
    if (name) expect(await connectionsTo(name)).toBeGreaterThanOrEqual(2); // the pool's and readiness's own
    await db.destroy();
    if (name) await until(async () => (await connectionsTo(name)) === 0);
    await expect(databaseAnswers(db)).rejects.toThrow();
    if (name) expect(await connectionsTo(name)).toBe(0);
  });

  it.runIf(testEngine() === 'postgres')('answers while every pooled PostgreSQL connection is busy, before any of them is free', async () => {
    store = await openTempStore();
    const { db } = store;
    const poolSize = 10;
    const { rows: [named] } = await sql<{ name: string }>`select current_database() as name`.execute(db);
    const mine = `datname = '${named!.name}' and query = 'select pg_sleep(60)'`;
    let finished = 0;
    // As many as the pool holds: a query through the pool now waits for one of them to end.
    const busy = Array.from({ length: poolSize }, () =>
      sql`select pg_sleep(60)`.execute(db).then(
        () => void (finished += 1),
        () => void (finished += 1),
      ));
    const watcher = new pg.Client({ connectionString: process.env.RELAIS_TEST_DATABASE_URL });
    await watcher.connect();
    try {
      // Wait (by condition) until PostgreSQL runs all ten sleeps.
      for (;;) {
        const { rows } = await watcher.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where ${mine} and state = 'active'`);
        if (rows[0]!.n >= poolSize) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await databaseAnswers(db);
      expect(finished).toBe(0);
    } finally {
      await watcher.query(`select pg_cancel_backend(pid) from pg_stat_activity where ${mine}`);
      await watcher.end();
      await Promise.all(busy);
    }
  }, 30_000);
});
