/**
 * One set of migrations, two engines. On SQLite, the shipped migrations (0001–0016) still
 * write exactly the schema they always wrote — sqlite_master compared text for text with
 * the copy taken before PostgreSQL support (test/fixtures/store/sqlite-schema-0016.sql; 0017–0019,
 * written for SQLite first, against sqlite-schema-0019.sql) — so a database made by an earlier
 * version and a fresh one agree. On PostgreSQL (postgres
 * project), migrating an empty database gives the same tables, columns, nullability,
 * primary keys, unique constraints and indexes as SQLite, with 64-bit whole numbers and
 * text in code-point order. Full-text search is each engine's own (FTS5 tables, tsvector
 * columns and their indexes) and left out of the comparison.
 */
import BetterSqlite3 from 'better-sqlite3';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, openDatabase } from '../../controller/server/store/database.js';
import { migrationProvider } from '../../controller/server/store/migrations.js';
import { repoRoot } from '../helpers/paths.js';
import { createTestDatabase, testEngine } from '../helpers/test-database.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relais-engines-'));
  dirs.push(dir);
  return dir;
}

/** Every table, index and trigger SQLite holds, as the fixture writes them. */
function sqliteSchema(file: string): string {
  const sqlite = new BetterSqlite3(file, { readonly: true });
  try {
    const rows = sqlite.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'kysely_%' ORDER BY type, name").all() as Array<Record<string, string | null>>;
    return rows.map((r) => `-- ${r.type} ${r.name} on ${r.tbl_name}\n${r.sql ?? ''};\n`).join('');
  } finally {
    sqlite.close();
  }
}

interface Shape {
  columns: string[];
  indexes: string[];
}

/** Tables → their columns (name, not-null, in the primary key) and indexes (name, unique, columns), engine-neutral. */
async function sqliteShape(file: string): Promise<Map<string, Shape>> {
  const sqlite = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'kysely_%' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string; sql: string }>;
    // A full-text index is SQLite's own (an FTS5 virtual table and its shadow tables); PostgreSQL's is a tsvector column.
    const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
    const shapes = new Map<string, Shape>();
    for (const { name } of tables) {
      if (virtual.some((v) => name === v || name.startsWith(`${v}_`))) continue;
      const columns = (sqlite.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string; notnull: number; pk: number }>).map(
        (c) => `${c.name}${c.notnull || c.pk ? ' not null' : ''}${c.pk ? ' pk' : ''}`,
      );
      const indexes = (sqlite.prepare(`PRAGMA index_list("${name}")`).all() as Array<{ name: string; unique: number; origin: string }>)
        .filter((i) => i.origin !== 'pk')
        .map((i) => `${i.origin === 'u' ? 'constraint' : i.name}${i.unique ? ' unique' : ''} (${(sqlite.prepare(`PRAGMA index_info("${i.name}")`).all() as Array<{ name: string }>).map((c) => c.name).join(', ')})`);
      shapes.set(name, { columns: columns.sort(), indexes: indexes.sort() });
    }
    return shapes;
  } finally {
    sqlite.close();
  }
}

describe('SQLite file', () => {
  it('is readable by the controller\'s user only, also in a folder someone made with looser modes', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const db = await connectDatabase({ dataDir: dir });
    await sql`create table t (x integer)`.execute(db);
    await sql`insert into t values (1)`.execute(db);
    for (const name of ['relais.sqlite', 'relais.sqlite-wal']) expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
    await db.destroy();
  });
});

describe('SQLite schema', () => {
  it('the shipped migrations 0001–0016 write the same schema, text for text, as before PostgreSQL support', async () => {
    const dir = tempDir();
    const db = await connectDatabase({ dataDir: dir });
    const { error } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateTo('0016-ticket-words');
    await db.destroy();
    expect(error).toBeUndefined();
    expect(sqliteSchema(join(dir, 'relais.sqlite'))).toBe(readFileSync(join(repoRoot, 'test/fixtures/store/sqlite-schema-0016.sql'), 'utf8'));
  });
});

describe('SQLite schema of the knowledge, satisfaction and roles migrations', () => {
  it('0017–0019 write on SQLite the schema they wrote before they ran on PostgreSQL too', async () => {
    const dir = tempDir();
    const db = await connectDatabase({ dataDir: dir });
    const { error } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateTo('0019-roles');
    await db.destroy();
    expect(error).toBeUndefined();
    const fixture = join(repoRoot, 'test/fixtures/store/sqlite-schema-0019.sql');
    expect(sqliteSchema(join(dir, 'relais.sqlite'))).toBe(readFileSync(fixture, 'utf8'));
  });
});

describe.runIf(testEngine() === 'postgres')('PostgreSQL schema', () => {
  it('migrating an empty database gives the tables, columns, keys and indexes SQLite has, whole numbers in 64 bits', async () => {
    const dir = tempDir();
    const lite = await openDatabase({ dataDir: dir });
    await lite.destroy();
    const expected = await sqliteShape(join(dir, 'relais.sqlite'));

    const database = await createTestDatabase('empty');
    const db = await openDatabase({ dataDir: dir, databaseUrl: database.url });
    try {
      const { rows: columns } = await sql<{ table_name: string; column_name: string; is_nullable: string; data_type: string; collation_name: string | null; in_pk: boolean }>`
        SELECT c.table_name, c.column_name, c.is_nullable, c.data_type, c.collation_name,
          EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t USING (constraint_name, table_name)
                  WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name AND k.column_name = c.column_name) AS in_pk
        FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name NOT LIKE 'kysely_%'`.execute(db);
      const { rows: indexes } = await sql<{ table_name: string; index_name: string; unique: boolean; columns: string }>`
        SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS unique,
          (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = 'public' AND t.relname NOT LIKE 'kysely_%' AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = ANY (x.indkey) AND a.atttypid = 'tsvector'::regtype)`.execute(db);
      const constraints = new Set((await sql<{ name: string }>`SELECT conname AS name FROM pg_constraint WHERE contype = 'u'`.execute(db)).rows.map((r) => r.name));
      const shapes = new Map<string, Shape>();
      const shape = (table: string) => shapes.get(table) ?? shapes.set(table, { columns: [], indexes: [] }).get(table)!;
      // A table holding a tsvector is PostgreSQL's full-text index, the counterpart of SQLite's FTS5 virtual table (left out above).
      const fullText = new Set(columns.filter((c) => c.data_type === 'tsvector').map((c) => c.table_name));
      for (const c of columns) if (!fullText.has(c.table_name)) shape(c.table_name).columns.push(`${c.column_name}${c.is_nullable === 'NO' ? ' not null' : ''}${c.in_pk ? ' pk' : ''}`);
      // The index behind a UNIQUE column is named by each engine its own way (sqlite_autoindex_…, <table>_<column>_key).
      for (const i of indexes) if (!fullText.has(i.table_name)) shape(i.table_name).indexes.push(`${constraints.has(i.index_name) ? 'constraint' : i.index_name}${i.unique ? ' unique' : ''} (${i.columns})`);
      for (const s of shapes.values()) s.columns.sort(), s.indexes.sort();
      expect(Object.fromEntries(shapes)).toEqual(Object.fromEntries(expected));
      // No 32-bit whole number anywhere: times in milliseconds need 64 bits.
      expect(columns.filter((c) => c.data_type === 'integer').map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
      // Text compares by code point, as SQLite's BINARY: the same order and prefix ranges whatever the server's locale.
      expect(columns.filter((c) => c.data_type === 'text' && c.collation_name !== 'C').map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
