/**
 * Single-use links to a satisfaction survey. The token is 32 random bytes (base64url) and
 * only its SHA-256 is stored, like API tokens (auth/tokens.ts): the database never holds
 * a usable link. A survey keeps at most a few live links per purpose; a new one retires
 * the oldest, so a page shown many times cannot pile up rows.
 */
import { newToken, sha256 } from '../auth/tokens.js';
import type { Db } from '../store/database.js';

/** Live links kept per survey and purpose. */
export const LINKS_PER_PURPOSE = 5;

/** A token's shape before any lookup: 43 base64url characters (32 bytes). */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export async function issueToken(db: Db, surveyId: string, purpose: 'mail' | 'page', expiresAt: number, now: number): Promise<string> {
  const token = newToken();
  await db.transaction().execute(async (tx) => {
    const live = await tx.selectFrom('satisfaction_tokens').select('token_hash').where('survey_id', '=', surveyId).where('purpose', '=', purpose)
      .orderBy('created_at', 'desc').orderBy('token_hash').execute();
    const retired = live.slice(LINKS_PER_PURPOSE - 1).map((r) => r.token_hash);
    if (retired.length > 0) await tx.deleteFrom('satisfaction_tokens').where('token_hash', 'in', retired).execute();
    await tx.insertInto('satisfaction_tokens').values({ token_hash: sha256(token), survey_id: surveyId, purpose, created_at: now, expires_at: expiresAt, used_at: null }).execute();
  });
  return token;
}
