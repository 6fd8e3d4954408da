/**
 * The PostgreSQL side of the store: a pg pool behind Kysely's PostgreSQL dialect, checked
 * at once so a controller that cannot reach its database says so and stops instead of
 * failing on the first request.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { redactDatabaseUrl } from './database-url.js';

/** The controller cannot start: its PostgreSQL database does not answer (the message names it, password hidden). */
export class DatabaseUnreachable extends Error {}

const INT8_OID = 20;
/** How long start-up waits for a first connection. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Whole numbers are `bigint` on PostgreSQL (times in milliseconds pass 2^31), which pg returns
 * as strings; every one we store (times, ids, counts, the far-future sort key) is below 2^53,
 * so they come back as numbers, as they do from SQLite.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function connectPostgres<DB>(url: string, poolSize: number, log?: (event: LogEvent) => void): Promise<Kysely<DB>> {
  // Connections stay open once made (idleTimeoutMillis 0), a fixed-size pool as most servers keep:
  // no reconnection after a quiet minute, and no timer of ours running while the controller idles.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types });
  // A connection that breaks while idle is dropped by the pool; the next query opens another.
  pool.on('error', (err) => console.error(`database: an idle PostgreSQL connection failed: ${hidePassword(err.message, url)}`));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnreachable(
      `Could not reach the PostgreSQL database ${redactDatabaseUrl(url)}: ${hidePassword((err as Error).message, url)}. ` +
        'Check --database-url (RELAIS_DATABASE_URL) and that the server accepts connections from this machine.',
    );
  }
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
}

/** A driver message never quotes the password today; this keeps it so if one ever does. */
function hidePassword(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return message;
  }
  return password ? message.split(password).join('***') : message;
}
