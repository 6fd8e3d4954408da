/**
 * Enrollment tokens: an admin creates one for a group, with an expiry and a maximum
 * number of uses. The token is random (256 bits), shown once, and only its hash is
 * stored, like a login session's. Using it is counted atomically inside the
 * enrollment transaction, so two machines cannot both take the last use.
 */
import { RelaisError } from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import { newId, newToken, sha256 } from '../auth/tokens.js';
import type { Db } from '../store/database.js';

export type TokenStatus = 'active' | 'expired' | 'used-up' | 'revoked';

export interface IssuedEnrollmentToken {
  readonly id: string;
  /** The secret: returned once, never stored. */
  readonly token: string;
  readonly group: string;
  readonly expiresAt: number;
  readonly maxUses: number;
}

export interface EnrollmentTokenInfo {
  readonly id: string;
  readonly group: string;
  readonly createdAt: number;
  readonly createdBy: { username: string; name: string };
  readonly expiresAt: number;
  readonly maxUses: number;
  readonly uses: number;
  readonly revokedAt: number | null;
  readonly status: TokenStatus;
}

/** The token a device enrolled with, after its use was counted. */
export interface UsedToken {
  readonly id: string;
  readonly group: string;
}

/** Anything that can run the token queries: the database, or a transaction on it. */
type Queries = Pick<Db, 'selectFrom' | 'updateTable'>;

export class EnrollmentTokens {
  constructor(private readonly db: Db) {}

  async issue(admin: Account, group: string, ttlMs: number, maxUses: number): Promise<IssuedEnrollmentToken> {
    const token = newToken();
    const id = newId();
    const now = Date.now();
    await this.db
      .insertInto('enrollment_tokens')
      .values({ id, token_hash: sha256(token), group_name: group, created_by: admin.id, created_at: now, expires_at: now + ttlMs, max_uses: maxUses, revoked_at: null })
      .execute();
    return { id, token, group, expiresAt: now + ttlMs, maxUses };
  }

  /** Newest first, without the secret (which is not stored anyway). */
  async list(limit = 200): Promise<EnrollmentTokenInfo[]> {
    const rows = await this.db
      .selectFrom('enrollment_tokens')
      .innerJoin('users', 'users.id', 'enrollment_tokens.created_by')
      .select([
        'enrollment_tokens.id', 'enrollment_tokens.group_name', 'enrollment_tokens.created_at', 'enrollment_tokens.expires_at',
        'enrollment_tokens.max_uses', 'enrollment_tokens.uses', 'enrollment_tokens.revoked_at', 'users.username', 'users.name',
      ])
      .orderBy('enrollment_tokens.created_at', 'desc')
      .limit(limit)
      .execute();
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      group: r.group_name,
      createdAt: r.created_at,
      createdBy: { username: r.username, name: r.name },
      expiresAt: r.expires_at,
      maxUses: r.max_uses,
      uses: r.uses,
      revokedAt: r.revoked_at,
      status: statusOf(r, now),
    }));
  }

  /** Revokes a token; false when there is no such token. Revoking twice is harmless. */
  async revoke(id: string): Promise<{ found: boolean; changed: boolean }> {
    const row = await this.db.selectFrom('enrollment_tokens').select(['id', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return { found: false, changed: false };
    if (row.revoked_at !== null) return { found: true, changed: false };
    await this.db.updateTable('enrollment_tokens').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return { found: true, changed: true };
  }

  /**
   * Counts one use of a token, inside the caller's transaction; throws the catalog
   * error when it is unknown, revoked, expired or used up.
   */
  static async use(queries: Queries, token: string): Promise<UsedToken> {
    const row = await queries.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
    if (!row) throw new RelaisError('AUTH_ERR_BAD_ENROLLMENT_TOKEN');
    const status = statusOf(row, Date.now());
    if (status === 'revoked') throw new RelaisError('AUTH_ERR_ENROLLMENT_TOKEN_REVOKED');
    if (status === 'expired') throw new RelaisError('AUTH_ERR_ENROLLMENT_TOKEN_EXPIRED');
    if (status === 'used-up') throw new RelaisError('AUTH_ERR_ENROLLMENT_TOKEN_USED_UP');
    const counted = await queries
      .updateTable('enrollment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', row.id)
      .where('uses', '<', row.max_uses)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(counted.numUpdatedRows) !== 1) throw new RelaisError('AUTH_ERR_ENROLLMENT_TOKEN_USED_UP');
    return { id: row.id, group: row.group_name };
  }
}

function statusOf(row: { revoked_at: number | null; expires_at: number; uses: number; max_uses: number }, now: number): TokenStatus {
  if (row.revoked_at !== null) return 'revoked';
  if (row.uses >= row.max_uses) return 'used-up';
  if (row.expires_at <= now) return 'expired';
  return 'active';
}
