/**
 * The few places where SQLite and PostgreSQL differ, behind one small interface each,
 * so a store or a migration names the difference instead of testing the engine inline.
 * The engine is read from the Kysely instance itself (its adapter), so a transaction or
 * a migration's `db` answers the same as the store's.
 */
import { PostgresAdapter, sql, type Kysely, type SelectQueryBuilder } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/** Which engine a Kysely instance (or transaction) talks to. */
export function engineOf(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Locks the rows a select reads until the transaction ends (PostgreSQL `FOR UPDATE`), so a
 * read-modify-write is not interleaved with another node's. SQLite has one writer at a time
 * and our connection runs one transaction at a time: nothing to add there.
 */
export function forUpdate<QB extends SelectQueryBuilder<any, any, any>>(db: Kysely<any>, query: QB): QB {
  return engineOf(db) === 'postgres' ? (query.forUpdate() as QB) : query;
}

/** Names of the transaction-wide locks taken with {@link lockFor}, one number each (PostgreSQL advisory lock keys). */
const LOCKS = { ticketNumber: 0x52_4c_01, accounts: 0x52_4c_02 } as const;

/**
 * Serialises the transactions that take the same lock until they end, for a decision no
 * row lock covers (the next ticket number is `max(number) + 1`, the last administrator). A no-op on SQLite,
 * where transactions are already serial.
 */
export async function lockFor(db: Kysely<any>, name: keyof typeof LOCKS): Promise<void> {
  if (engineOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(LOCKS[name])})`.execute(db);
}

/**
 * True when a statement failed on a UNIQUE or PRIMARY KEY constraint. On SQLite a check
 * inside a transaction already saw the row (one writer at a time); on PostgreSQL two
 * transactions can both pass the check, and the constraint refuses the second.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
