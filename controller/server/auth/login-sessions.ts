/** Login sessions: a random token in an HttpOnly cookie, only its hash in the database. */
import type { IncomingMessage } from 'node:http';
import type { Db } from '../store/database.js';
import { accountById, type Account } from './accounts.js';
import { newToken, sha256 } from './tokens.js';

export const SESSION_COOKIE = 'relais_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export class LoginSessions {
  constructor(readonly db: Db, private readonly secureCookies: boolean) {}

  /** Starts a session and returns the Set-Cookie header value. */
  async start(account: Account): Promise<string> {
    const token = newToken();
    const now = Date.now();
    await this.db
      .insertInto('login_sessions')
      .values({ token_hash: sha256(token), user_id: account.id, created_at: now, expires_at: now + SESSION_TTL_MS })
      .execute();
    return this.cookie(token, SESSION_TTL_MS / 1000);
  }

  /** The account behind the request's session cookie, or null. */
  async fromRequest(req: IncomingMessage): Promise<Account | null> {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!token || token.length > 128) return null;
    const row = await this.db
      .selectFrom('login_sessions')
      .select(['user_id', 'expires_at'])
      .where('token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= Date.now()) return null;
    return accountById(this.db, row.user_id);
  }

  /** Ends the request's session; returns the Set-Cookie header that clears it. */
  async end(req: IncomingMessage): Promise<string> {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) await this.db.deleteFrom('login_sessions').where('token_hash', '=', sha256(token)).execute();
    await this.db.deleteFrom('login_sessions').where('expires_at', '<=', Date.now()).execute();
    return this.cookie('', 0);
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
    if (this.secureCookies) parts.push('Secure');
    return parts.join('; ');
  }
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
