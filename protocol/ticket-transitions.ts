/**
 * Every change of a ticket's status, assignment or level goes through `transition`:
 * it checks the version the caller saw, that the move exists from the current
 * status, that the actor's role may make it, and the action's words; then it returns
 * the new ticket (version + 1) and the timeline event to record. It never mutates its
 * input and refuses with a catalog error.
 *
 * The machine (from → to):
 *   take, assign     new | in_progress | waiting_user | escalated → in_progress (waiting_user stays)
 *   start            new → in_progress (the actor becomes the assignee if there is none)
 *   wait_for_user    in_progress → waiting_user (reason required)
 *   user_replied     waiting_user → in_progress
 *   escalate         new | in_progress | waiting_user, level 1 → escalated, level 2 (reason required);
 *                    the level-1 assignee (and the escalating technician) become followers and the
 *                    ticket waits, unassigned, in the level-2 queue: one queue, never a pile of groups
 *   de_escalate      escalated | in_progress | waiting_user, level 2 → level 1 (reason required), unassigned:
 *                    new (waiting_user stays, its clock paused); the level-2 assignee becomes a follower
 *   resolve          new | in_progress | waiting_user | escalated → resolved (resolution + solution type)
 *   reopen           resolved → in_progress if assigned, else escalated at level 2, else new
 *   close            resolved → closed (final)
 *   auto_close       resolved → closed, once `afterDays` days have passed since the resolution
 *
 * Who may do what, as GLPI does it with its level-2 groups:
 *   - On a level-1 ticket, any technician (l1, l2, admin) may make every move.
 *   - On a level-2 ticket (escalated), only l2 and admin may take, assign, start, wait,
 *     resolve, reopen, close or send it back to level 1; its level-1 followers keep reading
 *     it, hear its events and add notes (notes are not transitions). It can be assigned only
 *     to an l2 or an admin.
 *   - De-escalation, as Zammad moves a ticket back to the first-level group: level 2 (or an
 *     administrator) decides the ticket does not need level 2 after all (it was a level-1
 *     matter, or level 2 did its part), says why, and the ticket returns unassigned to the
 *     level-1 queue, where its followers (the level-1 technician who escalated it) find it
 *     and take it again. Level 1 cannot pull a ticket back by itself.
 *   - `system` (the controller itself: the person's answer, the auto-close timer) may only
 *     record that the user replied, reopen (the person says the problem is back) and auto-close.
 *   - auto_close is for `system` and admin only.
 *   - Editing a ticket's fields (title, description, requester, category, impact, urgency,
 *     devices) and starting a support session from it follow the same rule as the moves
 *     (checkWork): level 1 only on a level-1 ticket; nobody on a closed ticket.
 */
import { RelaisError } from './errors.js';
import {
  ticketReason,
  ticketResolutionText,
  solutionType as solutionTypeSchema,
  type SolutionType,
  type TechnicianRole,
  type Ticket,
  type TicketResolution,
  type TicketStatus,
} from './ticket-model.js';

export interface TicketActor {
  readonly id: string;
  /** `system`: the controller acting on its own (the person's reply, the auto-close timer). */
  readonly role: TechnicianRole | 'system';
}

interface ActionBase {
  /** The version the caller saw; a different current version means someone else changed the ticket. */
  readonly expectedVersion?: number;
}

export type TicketAction = ActionBase &
  (
    | { readonly type: 'take' }
    | { readonly type: 'assign'; readonly assigneeId: string; readonly assigneeRole: TechnicianRole }
    | { readonly type: 'start' }
    | { readonly type: 'wait_for_user'; readonly reason: string }
    | { readonly type: 'user_replied' }
    | { readonly type: 'escalate'; readonly reason: string }
    | { readonly type: 'de_escalate'; readonly reason: string }
    | { readonly type: 'resolve'; readonly resolution: string; readonly solutionType: SolutionType }
    | { readonly type: 'reopen'; readonly reason?: string }
    | { readonly type: 'close' }
    | { readonly type: 'auto_close'; readonly afterDays: number }
  );

export type TicketActionType = TicketAction['type'];

export const TICKET_ACTION_TYPES: readonly TicketActionType[] = [
  'take', 'assign', 'start', 'wait_for_user', 'user_replied', 'escalate', 'de_escalate', 'resolve', 'reopen', 'close', 'auto_close',
];

/** One line of the ticket's timeline for a transition. `from`/`to` give the status history the SLA clocks read. */
export interface TicketEvent {
  readonly kind: TicketActionType;
  readonly at: number;
  /** Null when the controller acted on its own. */
  readonly actorId: string | null;
  /** The ticket's version after this change. */
  readonly version: number;
  readonly from: TicketStatus;
  readonly to: TicketStatus;
  /** The assignee after the change, when the change touched it. */
  readonly assigneeId?: string | null;
  readonly reason?: string;
  readonly resolution?: TicketResolution;
  readonly afterDays?: number;
}

export interface TransitionResult {
  readonly ticket: Ticket;
  readonly events: readonly TicketEvent[];
}

const DAY_MS = 86_400_000;

/** The statuses each action may start from (the web UI offers only these; this function still decides). */
export const TICKET_ACTION_FROM: Readonly<Record<TicketActionType, readonly TicketStatus[]>> = Object.freeze({
  take: ['new', 'in_progress', 'waiting_user', 'escalated'],
  assign: ['new', 'in_progress', 'waiting_user', 'escalated'],
  start: ['new'],
  wait_for_user: ['in_progress'],
  user_replied: ['waiting_user'],
  escalate: ['new', 'in_progress', 'waiting_user'],
  de_escalate: ['escalated', 'in_progress', 'waiting_user'],
  resolve: ['new', 'in_progress', 'waiting_user', 'escalated'],
  reopen: ['resolved'],
  close: ['resolved'],
  auto_close: ['resolved'],
});

/** What `system` may do. */
const SYSTEM_ACTIONS: ReadonlySet<TicketActionType> = new Set(['user_replied', 'reopen', 'auto_close']);

function badTransition(action: TicketActionType, ticket: Ticket, why?: string): RelaisError {
  return new RelaisError('TICKET_ERR_BAD_TRANSITION', `(${action} from ${ticket.status}${why ? `: ${why}` : ''})`); // i18n-ignore: codes for the log
}

function forbidden(action: TicketActionType, actor: TicketActor, ticket: Ticket): RelaisError {
  return new RelaisError('TICKET_ERR_FORBIDDEN_ACTION', `(${actor.role} may not ${action} a level ${ticket.level === 'L2' ? 2 : 1} ticket)`); // i18n-ignore: codes for the log
}

/**
 * Whether a role may make this kind of move on a ticket of this level (see the module's
 * comment); the web UI offers only these, the transition still decides.
 */
export function roleMayAct(role: TicketActor['role'], type: TicketActionType, ticket: Pick<Ticket, 'level'>): boolean {
  if (role === 'system') return SYSTEM_ACTIONS.has(type);
  if (type === 'auto_close') return role === 'admin';
  return ticket.level === 'L1' || role !== 'l1';
}

/**
 * Whether a role may work a ticket other than by a move: edit its fields or start a support
 * session from it. As the moves: level 1 only on a level-1 ticket. A closed ticket is final.
 */
export function roleMayWork(role: TicketActor['role'], ticket: Pick<Ticket, 'level' | 'status'>): boolean {
  if (role === 'system' || ticket.status === 'closed') return false;
  return ticket.level === 'L1' || role !== 'l1';
}

/** Throws the catalog's error when the role may not work the ticket (`what`: the attempt, for the log). */
export function checkWork(role: TicketActor['role'], ticket: Pick<Ticket, 'level' | 'status'>, what: string): void {
  if (roleMayWork(role, ticket)) return;
  if (ticket.status === 'closed') throw new RelaisError('TICKET_ERR_BAD_TRANSITION', `(${what} a closed ticket)`); // i18n-ignore: codes for the log
  throw new RelaisError('TICKET_ERR_FORBIDDEN_ACTION', `(${role} may not ${what} a level 2 ticket)`); // i18n-ignore: codes for the log
}

/** Checks that the actor's role may make this move on this ticket. */
function checkRole(action: TicketAction, actor: TicketActor, ticket: Ticket): void {
  if (!roleMayAct(actor.role, action.type, ticket)) throw forbidden(action.type, actor, ticket);
  if (action.type === 'assign' && ticket.level === 'L2' && action.assigneeRole === 'l1') throw forbidden(action.type, actor, ticket);
}

function reasonOf(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') throw new RelaisError('TICKET_ERR_REASON_REQUIRED');
  const parsed = ticketReason.safeParse(value);
  if (!parsed.success) throw new RelaisError('TICKET_ERR_INVALID_FIELD', `(${field})`); // i18n-ignore: field name for the log
  return value.trim();
}

const withoutId = (ids: readonly string[], who: string | null): string[] => ids.filter((x) => x !== who);
const withId = (ids: readonly string[], who: string | null): string[] => (who === null || ids.includes(who) ? [...ids] : [...ids, who]);

/**
 * Applies one action to a ticket. Throws TICKET_ERR_VERSION_CONFLICT when `expectedVersion`
 * is given and differs, TICKET_ERR_BAD_TRANSITION for a move the machine does not have
 * (or one that changes nothing), TICKET_ERR_FORBIDDEN_ACTION when the role may not make it,
 * TICKET_ERR_REASON_REQUIRED / TICKET_ERR_RESOLUTION_REQUIRED / TICKET_ERR_INVALID_FIELD for
 * the action's words. `now` is epoch milliseconds; times never go backwards on a ticket.
 */
export function transition(ticket: Ticket, action: TicketAction, actor: TicketActor, now: number): TransitionResult {
  if (action.expectedVersion !== undefined && action.expectedVersion !== ticket.version) {
    throw new RelaisError('TICKET_ERR_VERSION_CONFLICT', `(expected version ${action.expectedVersion}, current ${ticket.version})`); // i18n-ignore: versions for the log
  }
  if (!TICKET_ACTION_FROM[action.type].includes(ticket.status)) throw badTransition(action.type, ticket);
  checkRole(action, actor, ticket);

  const at = Math.max(now, ticket.updatedAt);
  const actorId = actor.role === 'system' ? null : actor.id;
  const version = ticket.version + 1;
  let next: Ticket = { ...ticket, version, updatedAt: at };
  let extra: Partial<TicketEvent> = {};

  switch (action.type) {
    case 'take':
    case 'assign': {
      const assigneeId = action.type === 'take' ? actor.id : action.assigneeId;
      const status = ticket.status === 'new' || ticket.status === 'escalated' ? 'in_progress' : ticket.status;
      if (assigneeId === ticket.assigneeId && status === ticket.status) throw badTransition(action.type, ticket, 'already assigned');
      next = { ...next, assigneeId, status, followerIds: withoutId(ticket.followerIds, assigneeId) };
      extra = { assigneeId };
      break;
    }
    case 'start': {
      const assigneeId = ticket.assigneeId ?? actor.id;
      next = { ...next, status: 'in_progress', assigneeId, followerIds: withoutId(ticket.followerIds, assigneeId) };
      extra = { assigneeId };
      break;
    }
    case 'wait_for_user': {
      const reason = reasonOf(action.reason, 'reason');
      next = { ...next, status: 'waiting_user', waitingReason: reason };
      extra = { reason };
      break;
    }
    case 'user_replied':
      next = { ...next, status: ticket.assigneeId === null ? 'new' : 'in_progress', waitingReason: null };
      break;
    case 'escalate': {
      if (ticket.level !== 'L1') throw badTransition(action.type, ticket, 'already at level 2');
      const reason = reasonOf(action.reason, 'reason');
      const followers = withId(withId(ticket.followerIds, ticket.assigneeId), actorId);
      next = { ...next, status: 'escalated', level: 'L2', assigneeId: null, followerIds: followers, escalationReason: reason, waitingReason: null };
      extra = { reason, assigneeId: null };
      break;
    }
    case 'de_escalate': {
      if (ticket.level !== 'L2') throw badTransition(action.type, ticket, 'not at level 2');
      const reason = reasonOf(action.reason, 'reason');
      const status: TicketStatus = ticket.status === 'waiting_user' ? 'waiting_user' : 'new';
      next = { ...next, status, level: 'L1', assigneeId: null, followerIds: withId(ticket.followerIds, ticket.assigneeId), escalationReason: null };
      extra = { reason, assigneeId: null };
      break;
    }
    case 'resolve': {
      if (typeof action.resolution !== 'string' || action.resolution.trim() === '' || !solutionTypeSchema.safeParse(action.solutionType).success) {
        throw new RelaisError('TICKET_ERR_RESOLUTION_REQUIRED');
      }
      if (!ticketResolutionText.safeParse(action.resolution).success) throw new RelaisError('TICKET_ERR_INVALID_FIELD', '(resolution)'); // i18n-ignore: field name for the log
      const resolution: TicketResolution = { text: action.resolution.trim(), solutionType: action.solutionType };
      const assigneeId = ticket.assigneeId ?? actorId;
      next = {
        ...next,
        status: 'resolved',
        resolution,
        resolvedAt: at,
        waitingReason: null,
        assigneeId,
        followerIds: withoutId(ticket.followerIds, assigneeId),
      };
      extra = { resolution, assigneeId };
      break;
    }
    case 'reopen': {
      const reason = action.reason === undefined || action.reason.trim() === '' ? undefined : reasonOf(action.reason, 'reason');
      const status: TicketStatus = ticket.assigneeId !== null ? 'in_progress' : ticket.level === 'L2' ? 'escalated' : 'new';
      next = { ...next, status, resolution: null, resolvedAt: null };
      extra = reason === undefined ? {} : { reason };
      break;
    }
    case 'close':
      next = { ...next, status: 'closed', closedAt: at };
      break;
    case 'auto_close': {
      const days = action.afterDays;
      if (!Number.isFinite(days) || days < 0) throw new RelaisError('TICKET_ERR_INVALID_FIELD', '(afterDays)'); // i18n-ignore: field name for the log
      if (ticket.resolvedAt === null || at - ticket.resolvedAt < days * DAY_MS) throw badTransition(action.type, ticket, 'too early');
      next = { ...next, status: 'closed', closedAt: at };
      extra = { afterDays: days };
      break;
    }
  }

  const event: TicketEvent = { kind: action.type, at, actorId, version, from: ticket.status, to: next.status, ...extra };
  return { ticket: next, events: [event] };
}

/** The status history the SLA clocks read: the creation, then every transition's new status. */
export function statusHistory(ticket: Pick<Ticket, 'createdAt'>, events: readonly Pick<TicketEvent, 'at' | 'to'>[]): { at: number; status: TicketStatus }[] {
  return [{ at: ticket.createdAt, status: 'new' }, ...events.map((e) => ({ at: e.at, status: e.to }))];
}
