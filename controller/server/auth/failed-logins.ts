/**
 * Failed logins an account's owner has not seen yet: where, when, how many. Shown
 * once after they log in (GET /api/me, then acknowledged). One row per address, and
 * a bounded number of addresses per account, so guessing cannot grow the table.
 */
import type { Db } from '../store/database.js';

export interface FailedLoginSummary {
  /** The client address, or null for "other addresses" beyond the per-account limit. */
  readonly address: string | null;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** Distinct addresses kept per account; further ones are counted together. */
export const MAX_FAILED_LOGIN_ADDRESSES = 20;
const OTHER_ADDRESSES = '';

export class FailedLogins {
  constructor(private readonly db: Db, private readonly now: () => number = () => Date.now()) {}

  /** Counts a wrong password for an existing account; unknown usernames are not stored. */
  async record(username: string, address: string): Promise<void> {
    const user = await this.db.selectFrom('users').select('id').where('username', '=', username).where('deleted_at', 'is', null).executeTakeFirst();
    if (!user) return;
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      const known = await trx.selectFrom('login_failures').select('address').where('user_id', '=', user.id).where('address', '=', address).executeTakeFirst();
      let key = address;
      if (!known) {
        const row = await trx.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.id).where('address', '!=', OTHER_ADDRESSES).executeTakeFirstOrThrow();
        if (Number(row.n) >= MAX_FAILED_LOGIN_ADDRESSES) key = OTHER_ADDRESSES;
      }
      await trx
        .insertInto('login_failures')
        .values({ user_id: user.id, address: key, count: 1, first_at: at, last_at: at })
        .onConflict((oc) => oc.columns(['user_id', 'address']).doUpdateSet((eb) => ({ count: eb('login_failures.count', '+', 1), last_at: at })))
        .execute();
    });
  }

  /** The account's unseen failures, most recent first. */
  async unseen(userId: number): Promise<FailedLoginSummary[]> {
    const rows = await this.db.selectFrom('login_failures').select(['address', 'count', 'first_at', 'last_at']).where('user_id', '=', userId).orderBy('last_at', 'desc').execute();
    return rows.map((r) => ({ address: r.address === OTHER_ADDRESSES ? null : r.address, count: r.count, firstAt: r.first_at, lastAt: r.last_at }));
  }

  /** The owner saw them: forget them. */
  async acknowledge(userId: number): Promise<void> {
    await this.db.deleteFrom('login_failures').where('user_id', '=', userId).execute();
  }
}
