/** Technician accounts: the first admin, and checking credentials. */
import { randomBytes } from 'node:crypto';
import type { Language, Role } from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './passwords.js';

export interface Account {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  /** l1, l2 or admin (rest-answers.ts). */
  readonly role: Role;
  /** The language the account chose in its settings; absent or null: its browser's, then the controller's --lang. */
  readonly language?: Language | null;
}

/** Creates `admin` when no account exists. Returns the generated password when one had to be made up. */
export async function ensureFirstAdmin(db: Db, givenPassword: string | null): Promise<{ created: boolean; generatedPassword: string | null }> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return { created: false, generatedPassword: null };
  const password = givenPassword ?? randomBytes(12).toString('base64url');
  // Several controller nodes may start on one new database at once: the first one to insert makes the account.
  const made = await db
    .insertInto('users')
    .values({ username: 'admin', name: 'Administrator', password_hash: await hashPassword(password), role: 'admin', created_at: Date.now(), deleted_at: null })
    .onConflict((oc) => oc.column('username').doNothing())
    .executeTakeFirst();
  if (Number(made.numInsertedOrUpdatedRows ?? 0) === 0) return { created: false, generatedPassword: null };
  return { created: true, generatedPassword: givenPassword ? null : password };
}

/** The account when the credentials match, else null; takes the same time whether or not the user exists. */
export async function checkCredentials(db: Db, username: string, password: string): Promise<Account | null> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).where('deleted_at', 'is', null).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH_PROMISE));
  if (!row || !ok) return null;
  return { id: row.id, username: row.username, name: row.name, role: row.role, language: row.language ?? null };
}

/** The account with that id, or null when there is none or it was removed. */
export async function accountById(db: Db, id: number): Promise<Account | null> {
  const row = await db.selectFrom('users').select(['id', 'username', 'name', 'role', 'language']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return row ? { ...row, language: row.language ?? null } : null;
}

/** Records the language an account chose for itself (null: back to its browser's, then the controller's). */
export async function setAccountLanguage(db: Db, id: number, language: Language | null): Promise<boolean> {
  const result = await db.updateTable('users').set({ language }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
