/**
 * SLA clocks, computed from a ticket's status history every time they are read —
 * never a stored counter — so correcting the history corrects the clocks.
 *
 * Two clocks per ticket, in business time (business-calendar.ts):
 *   - time to own (first response): runs from creation while the ticket is `new`; it
 *     stops for good at the first status other than `new` (a technician took, started,
 *     escalated or resolved it). Reopening does not restart it.
 *   - time to resolve: runs while the ticket is new, in progress or escalated; paused
 *     while waiting for the user; stopped at resolved or closed; a reopened ticket's clock
 *     runs on from where it stopped (the time already spent still counts, as in GLPI).
 *
 * Default targets per priority, in business hours (a business day is 10 h, 08:00–18:00):
 *   P1  own 1 h        resolve 4 h
 *   P2  own 4 h        resolve 10 h (1 business day)
 *   P3  own 10 h (1 d) resolve 30 h (3 business days)
 *   P4  own 30 h (3 d) resolve 100 h (10 business days)
 *
 * Each reading says elapsed, remaining, the deadline (the instant the target is or was
 * reached; null while paused or stopped before it), ok / warning (≥ 75 %) / breached
 * (≥ 100 %), and whether the clock is paused or stopped.
 */
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from './business-calendar.js';
import type { TicketPriority, TicketStatus } from './ticket-model.js';

const HOUR_MS = 3_600_000;

export interface SlaTarget {
  /** Business milliseconds to own (first response). */
  readonly ownMs: number;
  /** Business milliseconds to resolve. */
  readonly resolveMs: number;
}

export type SlaTargets = Readonly<Record<TicketPriority, SlaTarget>>;

export const DEFAULT_SLA_TARGETS: SlaTargets = Object.freeze({
  P1: { ownMs: 1 * HOUR_MS, resolveMs: 4 * HOUR_MS },
  P2: { ownMs: 4 * HOUR_MS, resolveMs: 10 * HOUR_MS },
  P3: { ownMs: 10 * HOUR_MS, resolveMs: 30 * HOUR_MS },
  P4: { ownMs: 30 * HOUR_MS, resolveMs: 100 * HOUR_MS },
});

/** Share of the target at which a clock warns. */
export const SLA_WARNING_RATIO = 0.75;

export interface StatusChange {
  readonly at: number;
  readonly status: TicketStatus;
}

export type SlaState = 'ok' | 'warning' | 'breached';

export interface SlaReading {
  readonly targetMs: number;
  readonly elapsedMs: number;
  /** Target minus elapsed; negative once breached. */
  readonly remainingMs: number;
  /** When the target is (or was) reached; null when the clock is paused or stopped short of it. */
  readonly deadline: number | null;
  readonly state: SlaState;
  /** Elapsed as a share of the target (1 = 100 %). */
  readonly ratio: number;
  readonly paused: boolean;
  readonly stopped: boolean;
}

export interface SlaClocks {
  readonly own: SlaReading;
  readonly resolve: SlaReading;
}

/** Whether each clock runs in a status. */
const RESOLVE_RUNS: Readonly<Record<TicketStatus, boolean>> = { new: true, in_progress: true, escalated: true, waiting_user: false, resolved: false, closed: false };

function stateOf(elapsed: number, target: number): SlaState {
  if (elapsed >= target) return 'breached';
  return elapsed >= target * SLA_WARNING_RATIO ? 'warning' : 'ok';
}

/**
 * Walks the history once for one clock: `runs(status, index)` says whether it runs after
 * the change at `index`. Returns the elapsed business time up to `now`, the deadline when
 * crossed, and the last segment's state.
 */
function measure(
  calendar: BusinessCalendar,
  history: readonly StatusChange[],
  now: number,
  target: number,
  runs: (status: TicketStatus, index: number) => boolean,
): { elapsed: number; crossedAt: number | null; runningAtEnd: boolean } {
  let elapsed = 0;
  let crossedAt: number | null = null;
  let runningAtEnd = false;
  for (let i = 0; i < history.length; i++) {
    const from = history[i]!.at;
    if (from >= now) break;
    const next = history[i + 1];
    const to = next === undefined || next.at > now ? now : next.at;
    const running = runs(history[i]!.status, i);
    runningAtEnd = running;
    if (!running || to <= from) continue;
    const span = businessMsBetween(calendar, from, to);
    if (crossedAt === null && elapsed + span >= target) crossedAt = addBusinessMs(calendar, from, target - elapsed);
    elapsed += span;
  }
  return { elapsed, crossedAt, runningAtEnd };
}

function reading(calendar: BusinessCalendar, now: number, target: number, m: ReturnType<typeof measure>, paused: boolean, stopped: boolean): SlaReading {
  const remaining = target - m.elapsed;
  const deadline = m.crossedAt ?? (m.runningAtEnd && !paused && !stopped ? addBusinessMs(calendar, now, remaining) : null);
  return { targetMs: target, elapsedMs: m.elapsed, remainingMs: remaining, deadline, state: stateOf(m.elapsed, target), ratio: target > 0 ? m.elapsed / target : 1, paused, stopped };
}

/** Sorted by time (a stable copy only when the history is out of order). */
function inOrder(history: readonly StatusChange[]): readonly StatusChange[] {
  for (let i = 1; i < history.length; i++) if (history[i]!.at < history[i - 1]!.at) return [...history].sort((a, b) => a.at - b.at);
  return history;
}

/**
 * Both clocks of a ticket at `now`, from its status history (the first entry is the
 * creation). Cost: one pass over the history, a cached day lookup per business day crossed.
 */
export function slaClocks(
  calendar: BusinessCalendar,
  rawHistory: readonly StatusChange[],
  priority: TicketPriority,
  now: number,
  targets: SlaTargets = DEFAULT_SLA_TARGETS,
): SlaClocks {
  const history = inOrder(rawHistory);
  const target = targets[priority];
  const last = history.length > 0 ? history[history.length - 1]!.status : 'new';
  // Time to own runs only until the first status that is not `new`.
  const firstOwned = history.findIndex((h) => h.status !== 'new');
  const ownMeasure = measure(calendar, history, now, target.ownMs, (status, i) => status === 'new' && (firstOwned === -1 || i < firstOwned));
  const ownStopped = firstOwned !== -1 && history[firstOwned]!.at <= now;
  const resolveMeasure = measure(calendar, history, now, target.resolveMs, (status) => RESOLVE_RUNS[status]);
  const currentStatus = currentStatusAt(history, now) ?? last;
  return {
    own: reading(calendar, now, target.ownMs, ownMeasure, false, ownStopped),
    resolve: reading(calendar, now, target.resolveMs, resolveMeasure, currentStatus === 'waiting_user', currentStatus === 'resolved' || currentStatus === 'closed'),
  };
}

function currentStatusAt(history: readonly StatusChange[], now: number): TicketStatus | undefined {
  let status: TicketStatus | undefined;
  for (const h of history) {
    if (h.at > now) break;
    status = h.status;
  }
  return status;
}
