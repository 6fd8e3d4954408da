/**
 * The SLA clocks of a ticket, computed on every read from its status history
 * (protocol/sla-clock.ts) on the default business calendar and targets, and the
 * queue's sort deadline derived from them.
 */
import { businessCalendar, type BusinessCalendar } from '../../../protocol/business-calendar.js';
import { DEFAULT_SLA_TARGETS, slaClocks, type SlaClocks, type SlaReading, type SlaTargets, type StatusChange } from '../../../protocol/sla-clock.js';
import type { TicketPriority } from '../../../protocol/ticket-model.js';

/** due_sort for a ticket with no running deadline: after every real one. */
export const NO_DEADLINE = 8_640_000_000_000_000;

export class TicketSla {
  constructor(
    readonly calendar: BusinessCalendar = businessCalendar(),
    readonly targets: SlaTargets = DEFAULT_SLA_TARGETS,
  ) {}

  /**
   * The clocks at `now`. Read at least 1 ms after the latest change: at the very instant
   * of a change the protocol's reading does not yet see the new status's segment (a clock
   * that just started or restarted would show no deadline).
   */
  clocks(history: readonly StatusChange[], priority: TicketPriority, now: number): SlaClocks {
    const latest = history.reduce((max, h) => Math.max(max, h.at), 0);
    return slaClocks(this.calendar, history, priority, Math.max(now, latest + 1), this.targets);
  }

  /** The nearest deadline of a clock that still runs; null when both are paused or stopped. */
  static dueOf(clocks: SlaClocks): number | null {
    const running = (r: SlaReading) => (!r.paused && !r.stopped ? r.deadline : null);
    const deadlines = [running(clocks.own), running(clocks.resolve)].filter((d): d is number => d !== null);
    return deadlines.length === 0 ? null : Math.min(...deadlines);
  }
}

/** A reading as the API sends it (whole milliseconds). */
export function readingAnswer(r: SlaReading): SlaReading {
  return { ...r, elapsedMs: Math.round(r.elapsedMs), remainingMs: Math.round(r.remainingMs), targetMs: Math.round(r.targetMs), deadline: r.deadline === null ? null : Math.round(r.deadline) };
}
