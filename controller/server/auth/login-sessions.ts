/** Login sessions: a random token in an HttpOnly cookie, only its hash in the database. */
import type { IncomingMessage } from 'node:http';
import type { Db } from '../store/database.js';
import { accountById, type Account } from './accounts.js';
import { newToken, sha256 } from './tokens.js';

export const SESSION_COOKIE = 'relais_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Called when a session ends while something (a console websocket) still lives on it. */
type SessionEndListener = () => void;

export class LoginSessions {
  /** Live listeners per session key, so ending a session also closes its open websockets at once. */
  private readonly listeners = new Map<string, { userId: number; listeners: Set<SessionEndListener> }>();

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

  /** The stored key (hash) of the request's session cookie, or null; never the token itself. */
  keyOf(req: IncomingMessage): string | null {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    return token && token.length <= 128 ? sha256(token) : null;
  }

  /** Runs `onEnd` when that session is ended (logout, password change, account removed); returns the unsubscribe. */
  watch(userId: number, key: string, onEnd: SessionEndListener): () => void {
    let entry = this.listeners.get(key);
    if (!entry) this.listeners.set(key, (entry = { userId, listeners: new Set() }));
    entry.listeners.add(onEnd);
    return () => {
      entry.listeners.delete(onEnd);
      if (entry.listeners.size === 0 && this.listeners.get(key) === entry) this.listeners.delete(key);
    };
  }

  /** Ends every session of an account except `keepKey` (the caller's own, when it stays logged in); counts what ended. */
  async endAllFor(userId: number, keepKey: string | null = null): Promise<{ sessions: number; consoles: number }> {
    let query = this.db.deleteFrom('login_sessions').where('user_id', '=', userId);
    if (keepKey) query = query.where('token_hash', '!=', keepKey);
    const result = await query.executeTakeFirst();
    let consoles = 0;
    for (const [key, entry] of [...this.listeners]) {
      if (entry.userId !== userId || key === keepKey) continue;
      consoles += entry.listeners.size;
      this.notifyEnded(key);
    }
    return { sessions: Number(result.numDeletedRows), consoles };
  }

  /** Ends the request's session; returns the Set-Cookie header that clears it. */
  async end(req: IncomingMessage): Promise<string> {
    const key = this.keyOf(req);
    if (key) {
      await this.db.deleteFrom('login_sessions').where('token_hash', '=', key).execute();
      this.notifyEnded(key);
    }
    await this.db.deleteFrom('login_sessions').where('expires_at', '<=', Date.now()).execute();
    return this.cookie('', 0);
  }

  private notifyEnded(key: string): void {
    const entry = this.listeners.get(key);
    this.listeners.delete(key);
    for (const listener of entry?.listeners ?? []) listener();
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
