/** Support sessions after the code is used: resuming with the agent's token, and ending. */
import { PROBLEM_MAX_CHARS, RelaisError, plainLine, type Person } from '../../../protocol/index.js';
import { sha256 } from '../auth/tokens.js';
import type { Db } from '../store/database.js';

/** A support session can be resumed for this long after it started, then it is over. */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

export interface SessionRecord {
  readonly sessionId: string;
  readonly deviceId: string;
  readonly technician: Person;
  readonly status: 'active' | 'ended';
  readonly createdAt: number;
  readonly hostname: string;
  readonly summaryJson: string | null;
  readonly lastSeen: number;
  /** The person's one line about their problem (support page or agent prompt), if they wrote one. */
  readonly problem: string | null;
}

export class SupportSessions {
  constructor(private readonly db: Db) {}

  private base() {
    return this.db
      .selectFrom('support_sessions')
      .innerJoin('users', 'users.id', 'support_sessions.technician_id')
      .innerJoin('devices', 'devices.id', 'support_sessions.device_id')
      .leftJoin('support_codes', 'support_codes.id', 'support_sessions.code_id')
      .select([
        'support_sessions.id as sessionId',
        'support_sessions.device_id as deviceId',
        'support_sessions.status',
        'support_sessions.created_at as createdAt',
        'users.username',
        'users.name',
        'devices.hostname',
        'devices.summary_json as summaryJson',
        'devices.last_seen as lastSeen',
        'support_codes.problem as problem',
      ]);
  }

  /** The active session a resume token belongs to; throws AUTH_ERR_BAD_RESUME otherwise. */
  async resume(token: string): Promise<SessionRecord> {
    const row = await this.base().where('support_sessions.resume_hash', '=', sha256(token)).executeTakeFirst();
    if (!row || row.status !== 'active') throw new RelaisError('AUTH_ERR_BAD_RESUME');
    if (row.createdAt + SESSION_MAX_AGE_MS <= Date.now()) {
      await this.end(row.sessionId, 'expired');
      throw new RelaisError('AUTH_ERR_BAD_RESUME');
    }
    return toRecord(row);
  }

  async byId(sessionId: string): Promise<SessionRecord | null> {
    const row = await this.base().where('support_sessions.id', '=', sessionId).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Sessions of the last day, for the device list after a restart. */
  async recent(): Promise<SessionRecord[]> {
    const rows = await this.base()
      .where('support_sessions.created_at', '>', Date.now() - 24 * 60 * 60 * 1000)
      .orderBy('support_sessions.created_at', 'desc')
      .limit(500)
      .execute();
    return rows.map(toRecord);
  }

  async end(sessionId: string, reason: string): Promise<boolean> {
    const result = await this.db
      .updateTable('support_sessions')
      .set({ status: 'ended', ended_at: Date.now(), end_reason: reason })
      .where('id', '=', sessionId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Keeps the person's line about their problem with the session's support code. */
  async describe(sessionId: string, problem: string): Promise<void> {
    const line = plainLine(problem, PROBLEM_MAX_CHARS).trim();
    if (line === '') return;
    await this.db
      .updateTable('support_codes')
      .set({ problem: line, problem_at: Date.now() })
      .where('id', '=', (eb) => eb.selectFrom('support_sessions').select('support_sessions.code_id').where('support_sessions.id', '=', sessionId))
      .execute();
  }

  async saveDevice(deviceId: string, fields: { hostname?: string; summaryJson?: string; lastSeen: number }): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({ last_seen: fields.lastSeen, ...(fields.hostname ? { hostname: fields.hostname } : {}), ...(fields.summaryJson ? { summary_json: fields.summaryJson } : {}) })
      .where('id', '=', deviceId)
      .execute();
  }
}

function toRecord(row: {
  sessionId: string; deviceId: string; status: 'active' | 'ended'; createdAt: number; username: string; name: string; hostname: string; summaryJson: string | null; lastSeen: number;
  problem?: string | null;
}): SessionRecord {
  return {
    sessionId: row.sessionId,
    deviceId: row.deviceId,
    status: row.status,
    createdAt: row.createdAt,
    technician: { username: row.username, name: row.name },
    hostname: row.hostname,
    summaryJson: row.summaryJson,
    lastSeen: row.lastSeen,
    problem: row.problem ?? null,
  };
}
