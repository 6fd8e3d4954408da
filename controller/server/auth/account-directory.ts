/**
 * Managing technician accounts: list, create, change, remove, and a person's own
 * password change. Rules live here (username shape, password length, never lose
 * the last administrator); the routes only translate HTTP.
 */
import { RelaisError } from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import { lockFor } from '../store/dialect.js';
import type { Account } from './accounts.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type Role = Account['role'];

export interface AccountView {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface AccountChanges {
  readonly name?: string;
  readonly role?: Role;
  readonly password?: string;
}

const USERNAME = /^[a-z0-9._-]{3,32}$/;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Throws the catalog's error when the username does not have the allowed shape. */
export function checkUsername(username: string): void {
  if (!USERNAME.test(username)) throw new RelaisError('USER_ERR_BAD_USERNAME');
}

/** Throws the catalog's error when the password is too short (or absurdly long). */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new RelaisError('USER_ERR_WEAK_PASSWORD');
  if (password.length > MAX_PASSWORD_LENGTH) throw new RelaisError('HTTP_ERR_BAD_REQUEST', `A password has at most ${MAX_PASSWORD_LENGTH} characters.`);
}

export class AccountDirectory {
  constructor(private readonly db: Db) {}

  /** Every account that has not been removed, oldest first. */
  async list(): Promise<AccountView[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'name', 'role', 'created_at'])
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map(toView);
  }

  /** Creates an account; the username stays unique even against removed accounts. */
  async create(input: { username: string; name: string; password: string; role: Role }): Promise<AccountView> {
    checkUsername(input.username);
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    return this.db.transaction().execute(async (trx) => {
      await lockFor(trx, 'accounts');
      const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
      if (taken) throw new RelaisError('USER_ERR_USERNAME_TAKEN');
      const row = await trx
        .insertInto('users')
        .values({ username: input.username, name: input.name, password_hash: passwordHash, role: input.role, created_at: Date.now(), deleted_at: null })
        .returning(['id', 'username', 'name', 'role', 'created_at'])
        .executeTakeFirstOrThrow();
      return toView(row);
    });
  }

  /**
   * Changes name, role or password; refuses to demote the last administrator. A new
   * password deletes the account's API tokens in the same transaction (`apiTokensEnded`);
   * the caller ends its login sessions and consoles.
   */
  async update(id: number, changes: AccountChanges): Promise<AccountView & { readonly apiTokensEnded: number }> {
    if (changes.password !== undefined) checkPassword(changes.password);
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    return this.db.transaction().execute(async (trx) => {
      // Two administrators demoting each other at once must not both pass the last-administrator check.
      await lockFor(trx, 'accounts');
      const current = await trx.selectFrom('users').select(['id', 'role']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (!current) throw new RelaisError('USER_ERR_NOT_FOUND');
      if (current.role === 'admin' && changes.role !== undefined && changes.role !== 'admin' && (await adminCount(trx)) <= 1) throw new RelaisError('USER_ERR_LAST_ADMIN');
      const set = {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
      };
      if (Object.keys(set).length > 0) await trx.updateTable('users').set(set).where('id', '=', id).execute();
      const apiTokensEnded = passwordHash === undefined ? 0 : await deleteApiTokens(trx, id);
      const view = toView(await trx.selectFrom('users').select(['id', 'username', 'name', 'role', 'created_at']).where('id', '=', id).executeTakeFirstOrThrow());
      return { ...view, apiTokensEnded };
    });
  }

  /**
   * Removes an account: it can no longer log in, its API tokens are deleted and its
   * waiting support links expire. The caller ends its login sessions (and sockets).
   */
  async remove(id: number): Promise<AccountView> {
    return this.db.transaction().execute(async (trx) => {
      await lockFor(trx, 'accounts');
      const row = await trx.selectFrom('users').select(['id', 'username', 'name', 'role', 'created_at']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (!row) throw new RelaisError('USER_ERR_NOT_FOUND');
      if (row.role === 'admin' && (await adminCount(trx)) <= 1) throw new RelaisError('USER_ERR_LAST_ADMIN');
      const now = Date.now();
      await trx.updateTable('users').set({ deleted_at: now }).where('id', '=', id).execute();
      await trx.deleteFrom('api_tokens').where('user_id', '=', id).execute();
      await trx.updateTable('support_codes').set({ expires_at: now }).where('technician_id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).execute();
      return toView(row);
    });
  }

  /**
   * A person changes their own password; the current one must be right. Their API
   * tokens are deleted with it (returns how many): whoever copied one while knowing the
   * old password keeps nothing.
   */
  async changeOwnPassword(account: Account, current: string, next: string): Promise<number> {
    const row = await this.db.selectFrom('users').select('password_hash').where('id', '=', account.id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row || !(await verifyPassword(current, row.password_hash))) throw new RelaisError('USER_ERR_WRONG_PASSWORD');
    checkPassword(next);
    const passwordHash = await hashPassword(next);
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', account.id).execute();
      return deleteApiTokens(trx, account.id);
    });
  }
}

async function deleteApiTokens(db: Pick<Db, 'deleteFrom'>, userId: number): Promise<number> {
  const result = await db.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function adminCount(db: Pick<Db, 'selectFrom'>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'admin').where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

function toView(row: { id: number; username: string; name: string; role: Role; created_at: number }): AccountView {
  return { id: row.id, username: row.username, name: row.name, role: row.role, createdAt: row.created_at };
}
