/**
 * The append-only audit log of security-relevant actions. Details never hold a
 * secret. Identical events (same actor, action, target, address and detail) in
 * quick succession are coalesced by appending one counted row (repeat-windows.ts):
 * no row is ever updated.
 */
import type { Db } from '../store/database.js';
import { RepeatWindows, type Repeats, type WindowTimers } from './repeat-windows.js';

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
  | 'password.changed'
  | 'audit.pruned'
  | 'ticket.created'
  | 'ticket.updated'
  | 'ticket.action'
  | 'ticket.note'
  | 'ticket.linked'
  | 'recording.failed'
  | 'recording.downloaded'
  | 'recordings.purged'
  | 'ticket.findings'
  | 'chat.sent';

export interface AuditEntry {
  readonly actor: string;
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly detail?: Record<string, unknown>;
  readonly ip?: string | null;
}

export interface AuditOptions {
  /** How long identical events are coalesced after the first (default a minute). */
  readonly windowMs?: number;
  /** Identical events written one by one per window before the rest are counted (default 3). */
  readonly writtenPerWindow?: number;
  readonly now?: () => number;
  readonly timers?: WindowTimers;
}

export interface AuditRow {
  readonly id: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly detail: unknown;
  readonly ip: string | null;
  /** 1, or the number of identical events this row stands for (from `at` to `lastAt`). */
  readonly count: number;
  readonly lastAt: number | null;
}

export class AuditLog {
  private readonly repeats: RepeatWindows<AuditEntry>;
  private readonly writing = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly db: Db, options: AuditOptions = {}) {
    this.now = options.now ?? Date.now;
    this.repeats = new RepeatWindows<AuditEntry>(
      { windowMs: options.windowMs ?? 60_000, writtenPerWindow: options.writtenPerWindow ?? 3, maxWindows: 10_000, now: this.now, ...(options.timers ? { timers: options.timers } : {}) },
      (entry, repeats) => void this.track(this.append(entry, repeats)).catch(() => undefined),
    );
  }

  /** Appends the entry, unless it repeats an identical one often enough to be counted into that one's window. */
  async record(entry: AuditEntry): Promise<void> {
    if (!this.repeats.admit(identity(entry), entry)) return;
    await this.track(this.append(entry, null));
  }

  /** Fire-and-forget from socket handlers: a failed write is logged, never thrown at the peer. */
  note(entry: AuditEntry): void {
    this.record(entry).catch(() => undefined);
  }

  /** Appends the counts of every open window now and waits for every write (shutdown, tests). */
  async flush(): Promise<void> {
    this.repeats.flush();
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  async recent(limit: number): Promise<AuditRow[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: r.detail_json ? JSON.parse(r.detail_json) : null, ip: r.ip, count: r.count, lastAt: r.last_at,
    }));
  }

  private async append(entry: AuditEntry, repeats: Repeats | null): Promise<void> {
    try {
      await this.db
        .insertInto('audit_log')
        .values({
          at: repeats ? repeats.firstAt : this.now(),
          actor: entry.actor,
          action: entry.action,
          target: entry.target ?? null,
          detail_json: entry.detail ? JSON.stringify(entry.detail) : null,
          ip: entry.ip ?? null,
          count: repeats ? repeats.count : 1,
          last_at: repeats ? repeats.lastAt : null,
        })
        .execute();
    } catch (err) {
      console.error(`audit: could not record ${entry.action}: ${String(err)}`);
      throw err;
    }
  }

  private track(write: Promise<void>): Promise<void> {
    const settled = write.catch(() => undefined);
    this.writing.add(settled);
    void settled.then(() => this.writing.delete(settled));
    return write;
  }
}

/** What makes two events identical: everything they record. */
function identity(entry: AuditEntry): string {
  return JSON.stringify([entry.actor, entry.action, entry.target ?? null, entry.ip ?? null, entry.detail ?? null]);
}
