/**
 * The numbers one ticket adds to the reports, from its row and status history, with the
 * SLA code the queue shows (tickets/ticket-sla.ts over protocol/sla-clock.ts), so the
 * dashboard and the queue never disagree about a clock. Pure: the same ticket gives the
 * same figures whenever they are computed (the clocks are read at the latest change, and
 * a running clock's deadline does not move while its status stays).
 */
import type { StatusChange } from '../../../protocol/sla-clock.js';
import type { TicketPriority, TicketStatus } from '../../../protocol/ticket-model.js';
import type { TicketFiguresTable } from '../store/schema.js';
import { TicketSla } from '../tickets/ticket-sla.js';

export interface FigureSource {
  readonly id: string;
  readonly version: number;
  readonly createdAt: number;
  readonly category: string;
  readonly assigneeId: number | null;
  readonly status: TicketStatus;
  readonly priority: TicketPriority;
  readonly resolvedAt: number | null;
  /** The creation and every status change, in order. */
  readonly history: readonly StatusChange[];
}

/** `YYYY-MM-DD` of an instant in a time zone (the business calendar's). */
export function dayFormatter(timeZone: string): (at: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (at) => {
    const parts = format.formatToParts(at);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
    return `${get('year')}-${get('month')}-${get('day')}`;
  };
}

/**
 * First contact: resolved without ever waiting for the user, being escalated or being
 * reopened (a `resolved` followed by anything but `closed`) — the helpdesk's usual
 * "solved in the first exchange", read from the history alone.
 */
export function firstContact(history: readonly StatusChange[]): boolean {
  for (let i = 0; i < history.length; i++) {
    const s = history[i]!.status;
    if (s === 'waiting_user' || s === 'escalated') return false;
    if (s === 'resolved' && i + 1 < history.length && history[i + 1]!.status !== 'closed') return false;
  }
  return true;
}

export function ticketFigures(t: FigureSource, sla: TicketSla, dayOf: (at: number) => string): TicketFiguresTable {
  const history = t.history.length > 0 ? t.history : [{ at: t.createdAt, status: 'new' as const }];
  const latest = history.reduce((max, h) => Math.max(max, h.at), t.createdAt);
  // Read just after the latest change (TicketSla adds the 1 ms itself): deterministic, see above.
  const clocks = sla.clocks(history, t.priority, latest);
  const resolved = (t.status === 'resolved' || t.status === 'closed') && t.resolvedAt !== null;
  const ownAt = clocks.own.deadline === null ? null : Math.round(clocks.own.deadline);
  const resolveAt = clocks.resolve.deadline === null ? null : Math.round(clocks.resolve.deadline);
  return {
    ticket_id: t.id,
    version: t.version,
    created_day: dayOf(t.createdAt),
    category: t.category,
    assignee_id: t.assigneeId,
    resolved_day: resolved ? dayOf(t.resolvedAt!) : null,
    own_ms: clocks.own.stopped ? Math.round(clocks.own.elapsedMs) : null,
    resolve_ms: resolved ? Math.round(clocks.resolve.elapsedMs) : null,
    first_contact: resolved ? (firstContact(history) ? 1 : 0) : null,
    own_breach_at: ownAt,
    own_breach_day: ownAt === null ? null : dayOf(ownAt),
    resolve_breach_at: resolveAt,
    resolve_breach_day: resolveAt === null ? null : dayOf(resolveAt),
  };
}
