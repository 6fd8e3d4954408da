/**
 * The ticket routes' requests and answers (issue 10), shared like rest-answers.ts:
 * the controller validates what it receives and types what it sends with them, the
 * web UI and the `relais` CLI validate what they receive. The README's REST table
 * describes the routes.
 */
import { z } from 'zod';
import { id, person, text, timestamp } from './fields.js';
import { pageCursor } from './devices.js';
import { errorAnswer } from './rest-answers.js';
import {
  TICKET_CATEGORIES,
  TICKET_LIMITS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  newTicketInput,
  requester,
  ticket,
  ticketCategory,
  ticketDescription,
  ticketImpact,
  ticketLevel,
  ticketNote,
  ticketTitle,
  ticketUrgency,
} from './ticket-model.js';

const count = z.number().int().min(0);
/** A ticket's human number as it travels in a body (`#1042` is 1042). */
export const ticketNumber = z.number().int().min(1).max(999_999_999);

// ---- requests ----

/** POST /api/tickets: a ticket typed by hand, or made from a support link (its id, as GET /api/support-links lists it). */
export const createTicketRequest = newTicketInput.extend({ supportLinkId: id.optional() }).strict();
export type CreateTicketRequest = z.infer<typeof createTicketRequest>;

/** PATCH /api/tickets/:number: the fields to change, with the version the caller saw. */
export const patchTicketRequest = z
  .object({
    expectedVersion: z.number().int().min(1),
    title: ticketTitle.optional(),
    description: ticketDescription.optional(),
    requester: requester.optional(),
    category: ticketCategory.optional(),
    impact: ticketImpact.optional(),
    urgency: ticketUrgency.optional(),
    deviceIds: z.array(id).max(TICKET_LIMITS.devices).optional(),
  })
  .strict();
export type PatchTicketRequest = z.infer<typeof patchTicketRequest>;

/** Words are checked by the transition itself (a missing reason is TICKET_ERR_REASON_REQUIRED), so they are only bounded here. */
const words = z.string().max(TICKET_LIMITS.resolution * 2);
const versioned = { expectedVersion: z.number().int().min(1).optional() };

/** POST /api/tickets/:number/actions. `assign` names an account id (GET /api/users). */
export const ticketActionRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('take'), ...versioned }).strict(),
  z.object({ type: z.literal('assign'), assigneeId: z.number().int().min(1), ...versioned }).strict(),
  z.object({ type: z.literal('start'), ...versioned }).strict(),
  z.object({ type: z.literal('wait_for_user'), reason: words.optional(), ...versioned }).strict(),
  z.object({ type: z.literal('user_replied'), ...versioned }).strict(),
  z.object({ type: z.literal('escalate'), reason: words.optional(), ...versioned }).strict(),
  z.object({ type: z.literal('de_escalate'), reason: words.optional(), ...versioned }).strict(),
  z.object({ type: z.literal('resolve'), resolution: words.optional(), solutionType: z.string().max(64).optional(), ...versioned }).strict(),
  z.object({ type: z.literal('reopen'), reason: words.optional(), ...versioned }).strict(),
  z.object({ type: z.literal('close'), ...versioned }).strict(),
]);
export type TicketActionRequest = z.infer<typeof ticketActionRequest>;

export const NOTE_VISIBILITIES = ['internal', 'person'] as const;
export const noteVisibility = z.enum(NOTE_VISIBILITIES);

/** POST /api/tickets/:number/notes: Markdown source, stored as typed and rendered safely by the clients. */
export const ticketNoteRequest = z.object({ body: ticketNote, visibility: noteVisibility.default('internal') }).strict();

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .max(200)
    .transform((raw) => raw.split(','))
    .pipe(z.array(z.enum(values)).min(1).max(values.length));

/** GET /api/tickets: the queue's filters; several statuses, categories or priorities are comma-separated. */
export const ticketQuery = z
  .object({
    status: list(TICKET_STATUSES).optional(),
    level: ticketLevel.optional(),
    /** `mine`, `none` (unassigned) or an account id. */
    assignee: z.union([z.enum(['mine', 'none']), z.string().regex(/^[1-9][0-9]{0,9}$/).transform(Number)]).optional(),
    /** `mine` (the tickets you follow: escalated ones you handed to level 2, for instance) or an account id. */
    follower: z.union([z.literal('mine'), z.string().regex(/^[1-9][0-9]{0,9}$/).transform(Number)]).optional(),
    category: list(TICKET_CATEGORIES).optional(),
    priority: list(TICKET_PRIORITIES).optional(),
    q: text(200).optional(),
    cursor: pageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TicketQuery = z.infer<typeof ticketQuery>;

/** GET /api/tickets/:number/timeline. */
export const timelineQuery = z
  .object({ cursor: z.string().regex(/^[0-9]{1,15}$/).transform(Number).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

// ---- answers ----

export const slaReading = z.object({
  targetMs: count,
  elapsedMs: count,
  remainingMs: z.number().int(),
  deadline: timestamp.nullable(),
  state: z.enum(['ok', 'warning', 'breached']),
  ratio: z.number().min(0),
  paused: z.boolean(),
  stopped: z.boolean(),
});
export const slaAnswer = z.object({ own: slaReading, resolve: slaReading });

/** A ticket as the API shows it: the model, its assignee's name, the SLA clocks computed at `now`, and the queue's sort deadline. */
export const ticketView = ticket.extend({
  assignee: person.nullable(),
  sla: slaAnswer,
  /** The nearest running deadline (the queue's order); null while the clocks are paused or stopped. */
  dueAt: timestamp.nullable(),
  /** The support link the ticket was created from, if any. */
  supportLinkId: id.nullable(),
});
export type TicketView = z.infer<typeof ticketView>;

export const ticketEventView = z.object({
  id: z.number().int().min(1),
  at: timestamp,
  kind: text(32),
  /** The technician's username; null when the controller acted on its own. */
  actor: text(64).nullable(),
  visibility: noteVisibility,
  data: z.record(z.string(), z.unknown()),
});
export type TicketEventView = z.infer<typeof ticketEventView>;

export const ticketAnswers = {
  /** POST /api/tickets (201), GET/PATCH /api/tickets/:number, POST …/actions. */
  ticket: z.object({ ticket: ticketView }),
  /** GET /api/tickets: one page of the queue, nearest deadline first. */
  queue: z.object({ tickets: z.array(ticketView).max(200), nextCursor: pageCursor.nullable(), total: count }),
  /** POST /api/tickets/:number/notes (201). */
  note: z.object({ event: ticketEventView }),
  /** GET /api/tickets/:number/timeline: oldest first. */
  timeline: z.object({ events: z.array(ticketEventView).max(500), nextCursor: z.string().regex(/^[0-9]{1,15}$/).nullable() }),
  /** 409 TICKET_ERR_VERSION_CONFLICT: the refusal, with the ticket as it is now so the UI can show what changed. */
  conflict: errorAnswer.extend({ ticket: ticketView }),
};
