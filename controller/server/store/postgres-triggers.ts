/**
 * The database's own guards (the append-only audit log) as PostgreSQL triggers: a plpgsql
 * function per trigger that raises when the guarded change is refused. They mirror the
 * SQLite triggers of the same name (`BEFORE … WHEN <condition> BEGIN SELECT RAISE(ABORT, …)`),
 * with the same condition and message. Only migrations call these, with fixed text.
 */
import { sql, type Kysely } from 'kysely';

type Timing = 'BEFORE INSERT' | 'BEFORE UPDATE' | 'BEFORE DELETE' | 'BEFORE TRUNCATE';

/**
 * A trigger `name` on `table` that refuses the change with `message` when `refuseWhen` holds
 * (a plpgsql condition over NEW and OLD; omitted: always). TRUNCATE triggers are per statement.
 */
export async function guardTrigger(db: Kysely<any>, name: string, timing: Timing, table: string, message: string, refuseWhen = 'true'): Promise<void> {
  // A row trigger lets the change through by returning the row; a statement trigger's result is ignored.
  const row = timing === 'BEFORE DELETE' ? 'OLD' : timing === 'BEFORE TRUNCATE' ? 'NULL' : 'NEW';
  const each = timing === 'BEFORE TRUNCATE' ? 'STATEMENT' : 'ROW';
  await sql`CREATE OR REPLACE FUNCTION ${sql.id(name)}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${sql.raw(refuseWhen)} THEN RAISE EXCEPTION ${sql.lit(message)}; END IF;
      RETURN ${sql.raw(row)};
    END $$`.execute(db);
  await sql`CREATE TRIGGER ${sql.id(name)} ${sql.raw(timing)} ON ${sql.table(table)} FOR EACH ${sql.raw(each)} EXECUTE FUNCTION ${sql.id(name)}()`.execute(db);
}

/** Drops a trigger made by {@link guardTrigger} and its function. */
export async function dropGuardTrigger(db: Kysely<any>, name: string, table: string): Promise<void> {
  await sql`DROP TRIGGER ${sql.id(name)} ON ${sql.table(table)}`.execute(db);
  await sql`DROP FUNCTION ${sql.id(name)}()`.execute(db);
}
