/**
 * API tokens for the command line (`Authorization: Bearer <token>`): random, shown
 * once, stored hashed like login sessions, each acting as the account that made it.
 */
import type { Db } from '../store/database.js';
import { accountById, type Account } from './accounts.js';
import { newId, newToken, sha256 } from './tokens.js';

export interface ApiTokenInfo {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

export class ApiTokens {
  constructor(private readonly db: Db) {}

  /** Creates a token for the account; the secret is returned here only. */
  async issue(account: Account, name: string): Promise<{ id: string; token: string }> {
    const id = newId();
    const token = newToken();
    await this.db.insertInto('api_tokens').values({ id, name, token_hash: sha256(token), user_id: account.id, created_at: Date.now(), last_used_at: null }).execute();
    return { id, token };
  }

  async list(account: Account): Promise<ApiTokenInfo[]> {
    const rows = await this.db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'last_used_at']).where('user_id', '=', account.id).orderBy('created_at', 'desc').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  /** Deletes one of the account's tokens; false when it has none with that id. */
  async remove(account: Account, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', account.id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The account a bearer token stands for, or null. */
  async accountFor(token: string): Promise<Account | null> {
    if (token.length < 16 || token.length > 256) return null;
    const row = await this.db.selectFrom('api_tokens').select(['id', 'user_id']).where('token_hash', '=', sha256(token)).executeTakeFirst();
    if (!row) return null;
    await this.db.updateTable('api_tokens').set({ last_used_at: Date.now() }).where('id', '=', row.id).execute();
    return accountById(this.db, row.user_id);
  }
}

/** The token of an `Authorization: Bearer …` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+([A-Za-z0-9_-]+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
