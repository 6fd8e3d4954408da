/**
 * Retention of support links and sessions, run on a schedule: unused codes go a
 * day after they expired (the links list shows the last day), sessions past their
 * maximum age are ended, and ended sessions go `retentionMs` after they ended with
 * everything that was theirs alone: the used code, the attended device and its
 * snapshots. The audit log keeps what happened in them.
 */
import type { Db } from '../store/database.js';
import { SESSION_MAX_AGE_MS } from './support-sessions.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Sessions removed per run, so one run never holds the database for long; the next run takes the rest. */
const BATCH = 500;

export interface SupportPurgeOptions {
  /** How long an ended session is kept after it ended. */
  readonly retentionMs: number;
  /** A device with a live connection is never touched, whatever its session row says. */
  readonly isOnline: (deviceId: string) => boolean;
  readonly now: () => number;
}

export interface SupportPurged {
  readonly codes: number;
  readonly expiredSessions: number;
  /** Attended devices removed with their session. */
  readonly devices: string[];
}

export async function purgeSupport(db: Db, options: SupportPurgeOptions): Promise<SupportPurged> {
  const now = options.now();
  const stale = await db
    .selectFrom('support_sessions')
    .select(['id', 'device_id'])
    .where('status', '=', 'active')
    .where('created_at', '<=', now - SESSION_MAX_AGE_MS)
    .limit(BATCH)
    .execute();
  const expire = stale.filter((s) => !options.isOnline(s.device_id)).map((s) => s.id);
  if (expire.length > 0) {
    await db.updateTable('support_sessions').set({ status: 'ended', ended_at: now, end_reason: 'expired' }).where('id', 'in', expire).where('status', '=', 'active').execute();
  }

  const ended = await db
    .selectFrom('support_sessions')
    .select(['id', 'code_id', 'device_id'])
    .where('status', '=', 'ended')
    .where('ended_at', '<=', now - options.retentionMs)
    .limit(BATCH)
    .execute();
  const gone = ended.filter((s) => !options.isOnline(s.device_id));
  if (gone.length > 0) {
    const devices = gone.map((s) => s.device_id);
    await db.transaction().execute(async (tx) => {
      // Pins go with their snapshots (ON DELETE CASCADE); children before parents for the foreign keys.
      await tx.deleteFrom('snapshots').where('device_id', 'in', devices).execute();
      // The chat belongs to its session and goes with it (the ticket keeps its own copy).
      await tx.deleteFrom('chat_messages').where('session_id', 'in', gone.map((s) => s.id)).execute();
      await tx.deleteFrom('support_sessions').where('id', 'in', gone.map((s) => s.id)).execute();
      await tx.deleteFrom('support_codes').where('id', 'in', gone.map((s) => s.code_id)).execute();
      await tx.deleteFrom('devices').where('id', 'in', devices).where('kind', '=', 'attended').execute();
    });
  }

  const codes = await db.deleteFrom('support_codes').where('used_at', 'is', null).where('expires_at', '<=', now - DAY_MS).executeTakeFirst();
  return { codes: Number(codes.numDeletedRows), expiredSessions: expire.length, devices: gone.map((s) => s.device_id) };
}
