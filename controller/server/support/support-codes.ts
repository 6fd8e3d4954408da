/** Support links: single-use 9-digit codes, stored as keyed hashes, expiring if nobody joins, a bounded number waiting per technician. */
import { randomBytes } from 'node:crypto';
import { RelaisError } from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import { hmac, newId, newSupportCode, newToken, sha256 } from '../auth/tokens.js';
import { searchText, sortLabel } from '../devices/device-index.js';
import type { Db } from '../store/database.js';
import { forUpdate } from '../store/dialect.js';

export interface IssuedCode {
  readonly id: string;
  readonly code: string;
  readonly expiresAt: number;
}

export interface Redeemed {
  readonly sessionId: string;
  readonly deviceId: string;
  readonly resumeToken: string;
  readonly technicianId: number;
}

export interface CodeInfo {
  readonly id: string;
  readonly technician: { username: string; name: string };
  readonly expiresAt: number;
}

export class SupportCodes {
  private constructor(private readonly db: Db, private readonly key: Buffer, private readonly ttlMs: number, private readonly maxWaiting: number) {}

  /** Loads (or creates on first start) the secret key the code hashes are made with. `maxWaiting`: links one technician may have waiting. */
  static async open(db: Db, ttlMs: number, maxWaiting = 20): Promise<SupportCodes> {
    let row = await db.selectFrom('meta').select('value').where('key', '=', 'support_code_key').executeTakeFirst();
    if (!row) {
      // Nodes starting together on a new database: the first key written is everyone's.
      await db.insertInto('meta').values({ key: 'support_code_key', value: randomBytes(32).toString('base64url') }).onConflict((oc) => oc.column('key').doNothing()).execute();
      row = await db.selectFrom('meta').select('value').where('key', '=', 'support_code_key').executeTakeFirstOrThrow();
    }
    return new SupportCodes(db, Buffer.from(row.value, 'base64url'), ttlMs, maxWaiting);
  }

  /** Issues a code; LINK_ERR_TOO_MANY_WAITING when the technician already has `maxWaiting` unused, unexpired ones. */
  async issue(technician: Account): Promise<IssuedCode> {
    const now = Date.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newSupportCode();
      const id = newId();
      try {
        // Counted and inserted in one transaction, so concurrent requests cannot both take the last place.
        await this.db.transaction().execute(async (tx) => {
          // The technician's row is the lock (PostgreSQL): their concurrent requests count one after the other.
          await forUpdate(tx, tx.selectFrom('users').select('id').where('id', '=', technician.id)).execute();
          const { n } = await tx
            .selectFrom('support_codes')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('technician_id', '=', technician.id)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .executeTakeFirstOrThrow();
          if (Number(n) >= this.maxWaiting) throw new RelaisError('LINK_ERR_TOO_MANY_WAITING');
          await tx
            .insertInto('support_codes')
            .values({ id, code_hash: hmac(this.key, code), technician_id: technician.id, created_at: now, expires_at: now + this.ttlMs, used_at: null, session_id: null })
            .execute();
        });
        return { id, code, expiresAt: now + this.ttlMs };
      } catch (err) {
        // A collision with a live code's hash: draw again.
        if (!String(err).includes('UNIQUE')) throw err;
      }
    }
    throw new RelaisError('HTTP_ERR_INTERNAL', 'Could not draw a free support code.');
  }

  /** Looks a code up without using it (the support-link page). Throws the catalog error when it cannot be used. */
  async inspect(code: string): Promise<CodeInfo> {
    const row = await this.db
      .selectFrom('support_codes')
      .innerJoin('users', 'users.id', 'support_codes.technician_id')
      .select(['support_codes.id', 'support_codes.expires_at', 'support_codes.used_at', 'users.username', 'users.name'])
      .where('code_hash', '=', hmac(this.key, code))
      .executeTakeFirst();
    if (!row) throw new RelaisError('AUTH_ERR_BAD_CODE');
    if (row.used_at !== null) throw new RelaisError('AUTH_ERR_CODE_USED');
    if (row.expires_at <= Date.now()) throw new RelaisError('AUTH_ERR_CODE_EXPIRED');
    return { id: row.id, technician: { username: row.username, name: row.name }, expiresAt: row.expires_at };
  }

  /**
   * The live support session a used code started (the support page's chat): its ids and the
   * technician's name. Throws like inspect() when the code is unknown, unused or expired, and
   * AUTH_ERR_CODE_USED once the session has ended.
   */
  async sessionOf(code: string): Promise<{ sessionId: string; deviceId: string; technician: string }> {
    const row = await this.db
      .selectFrom('support_codes')
      .innerJoin('users', 'users.id', 'support_codes.technician_id')
      .leftJoin('support_sessions', 'support_sessions.id', 'support_codes.session_id')
      .select(['support_codes.used_at', 'support_codes.expires_at', 'support_sessions.id as sessionId', 'support_sessions.device_id as deviceId', 'support_sessions.status', 'users.name'])
      .where('code_hash', '=', hmac(this.key, code))
      .executeTakeFirst();
    if (!row) throw new RelaisError('AUTH_ERR_BAD_CODE');
    if (row.used_at === null) throw new RelaisError(row.expires_at <= Date.now() ? 'AUTH_ERR_CODE_EXPIRED' : 'HTTP_ERR_NOT_FOUND');
    if (!row.sessionId || !row.deviceId || row.status !== 'active') throw new RelaisError('AUTH_ERR_CODE_USED');
    return { sessionId: row.sessionId, deviceId: row.deviceId, technician: row.name };
  }

  /** The id of a code that was used (the support page offers the rating of its ticket once resolved); null for any other code. */
  async usedCodeId(code: string): Promise<string | null> {
    const row = await this.db.selectFrom('support_codes').select(['id', 'used_at']).where('code_hash', '=', hmac(this.key, code)).executeTakeFirst();
    return row && row.used_at !== null ? row.id : null;
  }

  /** The person's one line about their problem, from the support page: kept with the unused code until an agent joins with it. */
  async describe(code: string, line: string): Promise<CodeInfo> {
    const info = await this.inspect(code);
    await this.db.updateTable('support_codes').set({ problem: line, problem_at: Date.now() }).where('id', '=', info.id).where('used_at', 'is', null).execute();
    return info;
  }

  /** Uses a code once: creates the support session and its device in one transaction. */
  async redeem(code: string, hostname: string): Promise<Redeemed> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('support_codes').selectAll().where('code_hash', '=', hmac(this.key, code)).executeTakeFirst();
      const now = Date.now();
      if (!row) throw new RelaisError('AUTH_ERR_BAD_CODE');
      if (row.used_at !== null) throw new RelaisError('AUTH_ERR_CODE_USED');
      if (row.expires_at <= now) throw new RelaisError('AUTH_ERR_CODE_EXPIRED');
      const sessionId = newId();
      const deviceId = newId();
      const resumeToken = newToken();
      const used = await tx
        .updateTable('support_codes')
        .set({ used_at: now, session_id: sessionId })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw new RelaisError('AUTH_ERR_CODE_USED');
      await tx
        .insertInto('devices')
        .values({ id: deviceId, kind: 'attended', hostname, summary_json: null, first_seen: now, last_seen: now, label: sortLabel(null, hostname), search: searchText({ id: deviceId, name: null, hostname, group: null, tags: [], os: null }) })
        .execute();
      await tx
        .insertInto('support_sessions')
        .values({ id: sessionId, code_id: row.id, technician_id: row.technician_id, device_id: deviceId, resume_hash: sha256(resumeToken), status: 'active', created_at: now, ended_at: null, end_reason: null })
        .execute();
      return { sessionId, deviceId, resumeToken, technicianId: row.technician_id };
    });
  }

  async list(): Promise<Array<{ id: string; createdAt: number; expiresAt: number; usedAt: number | null; deviceId: string | null; technician: { username: string; name: string } }>> {
    const since = Date.now() - 24 * 60 * 60 * 1000;
    const rows = await this.db
      .selectFrom('support_codes')
      .innerJoin('users', 'users.id', 'support_codes.technician_id')
      .leftJoin('support_sessions', 'support_sessions.id', 'support_codes.session_id')
      .select(['support_codes.id', 'support_codes.created_at', 'support_codes.expires_at', 'support_codes.used_at', 'support_sessions.device_id', 'users.username', 'users.name'])
      .where('support_codes.created_at', '>', since)
      .orderBy('support_codes.created_at', 'desc')
      .limit(100)
      .execute();
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, deviceId: r.device_id ?? null, technician: { username: r.username, name: r.name } }));
  }
}
