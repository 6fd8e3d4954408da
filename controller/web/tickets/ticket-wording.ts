/** The small pieces every ticket screen shares: the priority chip, the status badge, the SLA clock's words and colour. */
import { ticketCatalog } from '../../../protocol/ticket-catalog.js';
import type { TicketPriority, TicketStatus } from '../../../protocol/ticket-model.js';
import { formats, wordsOf } from '../app/language.js';
import { el } from '../ui/dom.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';
import type { TicketView } from './tickets-api.js';
import { ticketsCatalog } from './tickets-catalog.js';

export const tk = wordsOf(ticketCatalog);
export const t = wordsOf(ticketsCatalog);

type SlaReading = TicketView['sla']['own'];

const STATUS_TONE: Record<TicketStatus, BadgeTone> = {
  new: 'info', in_progress: 'good', waiting_user: 'neutral', escalated: 'warn', resolved: 'good', closed: 'neutral',
};

export function statusBadge(status: TicketStatus): HTMLSpanElement {
  const node = badge(tk('status', { status }), STATUS_TONE[status], 'ticket-status');
  node.dataset.status = status;
  return node;
}

/** "P1" in a coloured chip, its full words ("P1 – critical") as the tooltip. */
export function priorityChip(priority: TicketPriority): HTMLSpanElement {
  return el('span', { class: `priority-chip priority-${priority.toLowerCase()}`, title: tk('priority', { priority }), 'data-testid': 'ticket-priority' }, priority);
}

/** Business milliseconds as "2 h 15 min" / "45 min". */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return t('durationMinutes', { minutes });
  return minutes % 60 === 0 ? t('durationWholeHours', { hours: formats.number(hours, 0) }) : t('durationHours', { hours: formats.number(hours, 0), minutes: minutes % 60 });
}

export type SlaTone = 'ok' | 'warning' | 'breached' | 'paused' | 'stopped';

/** The clock's state as one word for the colour. */
export function slaTone(reading: SlaReading): SlaTone {
  if (reading.stopped) return 'stopped';
  if (reading.paused) return 'paused';
  return reading.state;
}

/** The clock in a few words: "2 h 15 min left", "Overdue by 40 min", "Paused", "Met". */
export function slaShort(reading: SlaReading): string {
  if (reading.stopped) return t('slaStoppedShort', { state: reading.state });
  if (reading.paused) return t('slaPausedShort');
  if (reading.state === 'breached') return t('slaOverdue', { time: duration(reading.remainingMs) });
  return t('slaLeft', { time: duration(reading.remainingMs) });
}

/** The clock that matters now: time to own while nobody took the ticket, then time to resolve. */
export function currentClock(ticket: TicketView): { which: 'own' | 'resolve'; reading: SlaReading } {
  return ticket.sla.own.stopped ? { which: 'resolve', reading: ticket.sla.resolve } : { which: 'own', reading: ticket.sla.own };
}

/** A coloured SLA pill. */
export function slaPill(reading: SlaReading, testId = 'ticket-sla'): HTMLSpanElement {
  const tone = slaTone(reading);
  return el('span', { class: `sla-pill sla-${tone}`, 'data-testid': testId, 'data-sla': tone }, el('span', { class: 'sla-dot', 'aria-hidden': 'true' }), slaShort(reading));
}
