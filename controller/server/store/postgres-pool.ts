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
  const probe = new ReadinessConnection(url);
  // Kysely ends its pool when the store is closed; the readiness connection ends with it.
  const pools = { connect: () => pool.connect(), end: async () => void (await Promise.all([pool.end(), probe.end()])) };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pools }), ...(log ? { log } : {}) });
  readinessConnections.set(db, probe);
  return db;
}

/**
 * Readiness asks PostgreSQL on a connection of its own, opened at the first check. Through
 * the pool, its `select 1` would queue behind a burst of work (a thousand agents coming back
 * after a node died): a busy pool read as a database that does not answer, the balancer took
 * the node out and cut its sessions, and the burst moved onto the other nodes.
 */
class ReadinessConnection {
  private pool: pg.Pool | null = null;
  private ended = false;

  constructor(private readonly url: string) {}

  async answers(): Promise<void> {
    // The store is closed: no connection is opened again behind its back.
    // i18n-ignore: never shown; readiness reports it as database-unavailable
    if (this.ended) throw new Error('the store is closed');
    // Idle for a minute (no balancer checking), the connection closes; it never keeps the process alive.
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.url, max: 1, idleTimeoutMillis: 60_000, allowExitOnIdle: true, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types });
      // A connection that breaks while idle is dropped; the next check opens another (and a failing one answers "not ready").
      this.pool.on('error', () => undefined);
    }
    await this.pool.query('select 1');
  }

  async end(): Promise<void> {
    this.ended = true;
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }
}

const readinessConnections = new WeakMap<object, ReadinessConnection>();

/** Asks PostgreSQL on the readiness connection; false when `db` is not a PostgreSQL store opened here. */
export async function postgresAnswers(db: object): Promise<boolean> {
  const probe = readinessConnections.get(db);
  if (!probe) return false;
  await probe.answers();
  return true;
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
