/**
 * The append-only audit log of security-relevant actions. Details never hold a
 * secret. Identical events (same actor, action, target, address and detail) in
 * quick succession are coalesced by appending one counted row (repeat-windows.ts):
 * no row is ever updated.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { AuditActionName, AuditQuery } from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { RepeatWindows, type Repeats, type WindowTimers } from './repeat-windows.js';
import { quietLog, type Log } from '../observability/logger.js';

export type AuditAction = AuditActionName;

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
  /** Where a failed write is reported (it is also thrown to the caller of record). */
  readonly log?: Log;
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
  /** The last append: each waits for the one before, so ids follow the order events were noted (a pool would let them overtake). */
  private lastAppend: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly log: Log;

  constructor(private readonly db: Db, options: AuditOptions = {}) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? quietLog;
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
    return (await this.page({}, limit)).entries;
  }

  /** One page of the entries the filter keeps, newest first, after the `before` id; `nextBefore` continues it. */
  async page(filter: AuditFilter, limit: number, before?: number): Promise<{ entries: AuditRow[]; nextBefore: number | null }> {
    // Read your writes: an event noted before this read (a socket handler does not wait
    // for its row) is on the page. Only the writes already under way are awaited, so a
    // steady stream of new events cannot hold the read back.
    if (this.writing.size > 0) await Promise.all([...this.writing]);
    let q = filtered(this.db.selectFrom('audit_log').selectAll(), filter);
    if (before !== undefined) q = q.where('id', '<', before);
    const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
    const entries = rows.slice(0, limit).map(rowOf);
    return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1]!.id : null };
  }

  /** Every entry the filter keeps, newest first, read a page at a time (an export streams them without holding them all). */
  async *scan(filter: AuditFilter, pageSize = 500): AsyncGenerator<AuditRow> {
    let before: number | undefined;
    for (;;) {
      const { entries, nextBefore } = await this.page(filter, pageSize, before);
      yield* entries;
      if (nextBefore === null) return;
      before = nextBefore;
    }
  }

  private append(entry: AuditEntry, repeats: Repeats | null): Promise<void> {
    const row = {
      at: repeats ? repeats.firstAt : this.now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      detail_json: entry.detail ? JSON.stringify(entry.detail) : null,
      ip: entry.ip ?? null,
      count: repeats ? repeats.count : 1,
      last_at: repeats ? repeats.lastAt : null,
    };
    const write = this.lastAppend.then(async () => {
      try {
        await this.db.insertInto('audit_log').values(row).execute();
      } catch (err) {
        this.log.error({ err, action: entry.action }, 'audit: could not record an entry');
        throw err;
      }
    });
    this.lastAppend = write.catch(() => undefined);
    return write;
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

/** What the audit page filters on (see auditQuery in the protocol). */
export type AuditFilter = Partial<Pick<AuditQuery, 'actor' | 'action' | 'target' | 'from' | 'to' | 'q'>>;

/** The filter as SQL (Kysely; the same on SQLite and PostgreSQL): LIKE patterns are escaped, matching is case-insensitive. */
function filtered<Q extends SelectQueryBuilder<Database, 'audit_log', any>>(query: Q, filter: AuditFilter): Q {
  let q = query as SelectQueryBuilder<Database, 'audit_log', any>;
  if (filter.actor !== undefined) q = q.where('actor', '=', filter.actor);
  if (filter.action !== undefined) q = q.where('action', '=', filter.action);
  if (filter.target !== undefined) {
    const named = `%${escapeLike(JSON.stringify(filter.target))}%`;
    q = q.where((eb) => eb.or([eb('target', '=', filter.target!), sql<boolean>`detail_json LIKE ${named} ESCAPE '\\'`]));
  }
  if (filter.from !== undefined) q = q.where('at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('at', '<', filter.to);
  for (const word of (filter.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
    const pattern = `%${escapeLike(word)}%`;
    q = q.where(sql<boolean>`lower(actor || ' ' || action || ' ' || coalesce(target, '') || ' ' || coalesce(detail_json, '') || ' ' || coalesce(ip, '')) LIKE ${pattern} ESCAPE '\\'`);
  }
  return q as Q;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function rowOf(r: { id: number; at: number; actor: string; action: string; target: string | null; detail_json: string | null; ip: string | null; count: number; last_at: number | null }): AuditRow {
  return { id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: r.detail_json ? JSON.parse(r.detail_json) : null, ip: r.ip, count: r.count, lastAt: r.last_at };
}

