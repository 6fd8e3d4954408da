/**
 * Tickets (issue 10), the pure model: what a ticket is, its fields and their bounds,
 * and how impact and urgency give its priority. No storage and no Node here: the
 * controller, the web UI and the CLI validate with the same schemas. The words a
 * person reads for each value (status, category, priority…) are in ticket-catalog.ts.
 *
 * These files sit at the protocol's root (not in a protocol/tickets/ folder) because
 * they build on errors.ts, fields.ts and text.ts, and the layout rule
 * (test/unit/layers.test.ts) forbids a subfolder from importing its parent folder.
 */
import { z } from 'zod';
import { id, text, timestamp, withinJsonBytes } from './fields.js';
import { TEXT_BYTES_PER_CHAR, isPlainText } from './text.js';

/** Size bounds of a ticket's fields, in characters (JSON bytes are bounded at 3 per character). */
export const TICKET_LIMITS = Object.freeze({
  title: 200,
  description: 20_000,
  note: 20_000,
  resolution: 20_000,
  /** Why a ticket waits for the user, why it was escalated or reopened. */
  reason: 1_000,
  requesterName: 128,
  requesterPhone: 32,
  requesterEmail: 254,
  devices: 50,
  followers: 50,
});

/** What a ticket is about (account = account and access, security = security and viruses). */
export const TICKET_CATEGORIES = ['software', 'hardware', 'network', 'system', 'account', 'security', 'other'] as const;
export const ticketCategory = z.enum(TICKET_CATEGORIES);
export type TicketCategory = z.infer<typeof ticketCategory>;

/** Impact (how many people or how much of the business is hit) and urgency (how soon it hurts). */
export const SEVERITY_LEVELS = ['high', 'medium', 'low'] as const;
export const ticketImpact = z.enum(SEVERITY_LEVELS);
export const ticketUrgency = z.enum(SEVERITY_LEVELS);
export type TicketImpact = z.infer<typeof ticketImpact>;
export type TicketUrgency = z.infer<typeof ticketUrgency>;

export const TICKET_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const ticketPriority = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof ticketPriority>;

/**
 * The usual ITIL impact × urgency matrix, folded to four priorities (ITIL's 3×3
 * matrix has five; its lowest two share P4 here):
 *
 *                   urgency high   urgency medium   urgency low
 *   impact high          P1              P2              P3
 *   impact medium        P2              P3              P4
 *   impact low           P3              P4              P4
 */
const PRIORITY_MATRIX: Readonly<Record<TicketImpact, Readonly<Record<TicketUrgency, TicketPriority>>>> = Object.freeze({
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
});

export function priorityOf(impact: TicketImpact, urgency: TicketUrgency): TicketPriority {
  return PRIORITY_MATRIX[impact][urgency];
}

/**
 * The ticket's life: new → in_progress ⇄ waiting_user, escalated (waiting in the level-2
 * queue until someone of level 2 takes it), resolved (reopenable) → closed (final).
 */
export const TICKET_STATUSES = ['new', 'in_progress', 'waiting_user', 'escalated', 'resolved', 'closed'] as const;
export const ticketStatus = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof ticketStatus>;

/** Statuses in which the ticket is still open (its clocks may run). */
export const OPEN_STATUSES: ReadonlySet<TicketStatus> = new Set(['new', 'in_progress', 'waiting_user', 'escalated']);

export const SOLUTION_TYPES = ['workaround', 'fix', 'config_change', 'user_training', 'hardware_replaced', 'no_fault_found', 'other'] as const;
export const solutionType = z.enum(SOLUTION_TYPES);
export type SolutionType = z.infer<typeof solutionType>;

export const ticketLevel = z.enum(['L1', 'L2']);
export type TicketLevel = z.infer<typeof ticketLevel>;

/** A technician account's role for tickets: level 1, level 2, administrator. */
export const technicianRole = z.enum(['l1', 'l2', 'admin']);
export type TechnicianRole = z.infer<typeof technicianRole>;

/**
 * Free text over several lines (a description, a note, a resolution): like `text()`,
 * but line feeds (and the carriage returns of CRLF) are allowed.
 */
export const multilineText = (maxChars: number, maxBytes = maxChars * TEXT_BYTES_PER_CHAR) =>
  withinJsonBytes(
    z
      .string()
      .max(maxChars)
      .refine((value) => isPlainText(value.replace(/\r?\n/g, ' ')), 'must not contain control characters other than line breaks, bidirectional overrides or lone surrogates'),
    maxBytes,
  );

/** Text that must say something: not empty once trimmed. */
const required = <S extends z.ZodType<string>>(schema: S) => schema.refine((value: string) => value.trim().length > 0, 'must not be empty');

export const ticketTitle = required(text(TICKET_LIMITS.title));
export const ticketDescription = multilineText(TICKET_LIMITS.description);
export const ticketNote = required(multilineText(TICKET_LIMITS.note));
export const ticketReason = required(multilineText(TICKET_LIMITS.reason));
export const ticketResolutionText = required(multilineText(TICKET_LIMITS.resolution));

/** A phone number as people type it: digits, spaces, dots, dashes, parentheses, a leading +; 3 to 20 digits. */
export const requesterPhone = text(TICKET_LIMITS.requesterPhone).refine(
  (value) => /^\+?[0-9 ().\-/]+$/.test(value) && /^(?:\D*\d){3,20}\D*$/.test(value),
  'must be a phone number',
);

/** An e-mail address: one @, a dotted domain, no spaces (what mail clients accept, not the whole RFC). */
export const requesterEmail = text(TICKET_LIMITS.requesterEmail).refine(
  (value) => /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/.test(value),
  'must be an e-mail address',
);

export const requester = z.object({
  name: required(text(TICKET_LIMITS.requesterName)),
  phone: requesterPhone.nullable(),
  email: requesterEmail.nullable(),
});
export type Requester = z.infer<typeof requester>;

export const ticketResolution = z.object({ text: ticketResolutionText, solutionType });
export type TicketResolution = z.infer<typeof ticketResolution>;

/** A ticket as stored and shown. `version` grows by one on every change (concurrent edits are refused). */
export const ticket = z.object({
  id,
  /** The human number, `#1042`. */
  number: z.number().int().min(1),
  title: ticketTitle,
  description: ticketDescription,
  requester,
  category: ticketCategory,
  impact: ticketImpact,
  urgency: ticketUrgency,
  priority: ticketPriority,
  status: ticketStatus,
  level: ticketLevel,
  assigneeId: id.nullable(),
  /** Technicians kept informed (the level-1 technician after an escalation). */
  followerIds: z.array(id).max(TICKET_LIMITS.followers),
  deviceIds: z.array(id).max(TICKET_LIMITS.devices),
  /** Why the ticket waits for the user; set exactly while status is waiting_user. */
  waitingReason: ticketReason.nullable(),
  /** The latest escalation's reason; set once the ticket is at level 2. */
  escalationReason: ticketReason.nullable(),
  /** Set exactly while status is resolved or closed. */
  resolution: ticketResolution.nullable(),
  version: z.number().int().min(1),
  createdAt: timestamp,
  updatedAt: timestamp,
  resolvedAt: timestamp.nullable(),
  closedAt: timestamp.nullable(),
});
export type Ticket = z.infer<typeof ticket>;

/** What a technician types to create a ticket (the priority is computed, never typed). */
export const newTicketInput = z.object({
  title: ticketTitle,
  description: ticketDescription,
  requester,
  category: ticketCategory,
  impact: ticketImpact,
  urgency: ticketUrgency,
  deviceIds: z.array(id).max(TICKET_LIMITS.devices).default([]),
});
export type NewTicketInput = z.infer<typeof newTicketInput>;

/** A brand-new ticket from validated input: status new, level 1, nobody assigned, version 1. */
export function newTicket(input: NewTicketInput, ticketId: string, number: number, now: number): Ticket {
  return {
    id: ticketId,
    number,
    title: input.title.trim(),
    description: input.description,
    requester: input.requester,
    category: input.category,
    impact: input.impact,
    urgency: input.urgency,
    priority: priorityOf(input.impact, input.urgency),
    status: 'new',
    level: 'L1',
    assigneeId: null,
    followerIds: [],
    deviceIds: [...input.deviceIds],
    waitingReason: null,
    escalationReason: null,
    resolution: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    resolvedAt: null,
    closedAt: null,
  };
}

/**
 * The rules a ticket's fields obey together (the schema checks each field alone).
 * Empty when the ticket is a state of the machine; each entry names a broken rule.
 */
export function ticketInvariantProblems(t: Ticket): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, rule: string): void => {
    if (!ok) problems.push(rule);
  };
  check(TICKET_STATUSES.includes(t.status), 'status is one of the machine');
  check((t.status === 'waiting_user') === (t.waitingReason !== null), 'a waiting reason exactly while waiting_user');
  check((t.status === 'resolved' || t.status === 'closed') === (t.resolution !== null), 'a resolution exactly while resolved or closed');
  check((t.status === 'resolved' || t.status === 'closed') === (t.resolvedAt !== null), 'resolvedAt exactly while resolved or closed');
  check((t.status === 'closed') === (t.closedAt !== null), 'closedAt exactly while closed');
  check(t.status !== 'escalated' || (t.level === 'L2' && t.assigneeId === null), 'an escalated ticket is level 2 and waits for a level-2 owner');
  check(t.level === 'L1' || t.escalationReason !== null, 'a level-2 ticket has an escalation reason');
  check(t.status !== 'in_progress' || t.assigneeId !== null, 'a ticket in progress has an assignee');
  check(t.assigneeId === null || !t.followerIds.includes(t.assigneeId), 'the assignee is not also a follower');
  check(new Set(t.followerIds).size === t.followerIds.length, 'followers are listed once');
  check(t.priority === priorityOf(t.impact, t.urgency), 'the priority follows impact and urgency');
  check(t.version >= 1 && t.updatedAt >= t.createdAt, 'version and times are consistent');
  return problems;
}
