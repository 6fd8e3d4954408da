/** The append-only audit log of security-relevant actions. Details never hold a secret. */
import type { Db } from '../store/database.js';

export type AuditAction =
  | 'login.ok'
  | 'login.failed'
  | 'logout'
  | 'link.created'
  | 'agent.joined'
  | 'agent.resumed'
  | 'agent.refused'
  | 'agent.disconnected'
  | 'consent.asked'
  | 'consent.answered'
  | 'shell.opened'
  | 'shell.closed'
  | 'session.ended'
  | 'enrollment-token.created'
  | 'enrollment-token.revoked'
  | 'enrollment.refused'
  | 'device.enrolled'
  | 'device.connected'
  | 'device.revoked'
  | 'script.created'
  | 'script.updated'
  | 'script.deleted'
  | 'job.created'
  | 'job.cancelled'
  | 'job.refused'
  | 'api-token.created'
  | 'api-token.deleted'
  | 'user.created'
  | 'user.updated'
  | 'user.deleted'
  | 'password.changed';

export interface AuditEntry {
  readonly actor: string;
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly detail?: Record<string, unknown>;
  readonly ip?: string | null;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: Date.now(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        detail_json: entry.detail ? JSON.stringify(entry.detail) : null,
        ip: entry.ip ?? null,
      })
      .execute();
  }

  /** Fire-and-forget from socket handlers: a failed write is logged, never thrown at the peer. */
  note(entry: AuditEntry): void {
    this.record(entry).catch((err: unknown) => console.error(`audit: could not record ${entry.action}: ${String(err)}`));
  }

  async recent(limit: number): Promise<Array<{ id: number; at: number; actor: string; action: string; target: string | null; detail: unknown; ip: string | null }>> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: r.detail_json ? JSON.parse(r.detail_json) : null, ip: r.ip }));
  }
}
