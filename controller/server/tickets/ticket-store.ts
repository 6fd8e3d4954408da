/**
 * Tickets in the database (issue 10): creation, the queue (filters and keyset paging by
 * nearest deadline), changes through the one transition function of the protocol inside
 * a transaction with the version check, field edits, notes and the timeline, links to
 * support sessions and the auto-close of resolved tickets. Every change is also written
 * to the audit log once committed. The SLA clocks are computed from the status history
 * on every read; `due_at` is only the queue's sort key, recomputed on every change.
 */
import { RelaisError } from '../../../protocol/index.js';
import { plainLine } from '../../../protocol/text.js';
import {
  TICKET_LIMITS,
  newTicket,
  priorityOf,
  type NewTicketInput,
  type SolutionType,
  type Ticket,
  type TicketCategory,
  type TicketImpact,
  type TicketLevel,
  type TicketPriority,
  type TicketStatus,
  type TicketUrgency,
} from '../../../protocol/ticket-model.js';
import { checkWork, transition, type TicketAction, type TicketActor, type TicketEvent } from '../../../protocol/ticket-transitions.js';
import type { PatchTicketRequest, TicketEventView, TicketQuery, TicketView } from '../../../protocol/rest-ticket-answers.js';
import type { StatusChange } from '../../../protocol/sla-clock.js';
import { ticketSearchText, wordsOf } from '../../../protocol/ticket-words.js';
import type { AuditLog } from '../audit/audit.js';
import type { Account } from '../auth/accounts.js';
import { newId } from '../auth/tokens.js';
import type { Db } from '../store/database.js';
import { forUpdate, lockFor } from '../store/dialect.js';
import type { TicketsTable } from '../store/schema.js';
import { queuePage } from './ticket-queue.js';
import { ticketActorOf, ticketRoleOf } from './ticket-roles.js';
import { NO_DEADLINE, TicketSla, readingAnswer } from './ticket-sla.js';
import { quietLog, type Log } from '../observability/logger.js';

/** The first human number. */
export const FIRST_TICKET_NUMBER = 1001;
/** A timeline event's data, as JSON, at most this many bytes (a note or resolution of 20,000 characters fits). */
export const MAX_EVENT_DATA_BYTES = 96 * 1024;
const DAY_MS = 86_400_000;

/** Who changes a ticket, from where (for the audit log). */
export interface TicketCaller {
  readonly account: Account;
  readonly ip: string | null;
}

type Tx = Db;
const ASSIGNEE_COLUMNS = ['users.username as assignee_username', 'users.name as assignee_name'] as const;
/** A ticket's row with its assignee's names, as the queue and the ticket page read it. */
type TicketRow = TicketsTable & { assignee_username: string | null; assignee_name: string | null };

const invalid = (field: string) => new RelaisError('TICKET_ERR_INVALID_FIELD', `(${field})`); // i18n-ignore: field name for the log
const notFound = () => new RelaisError('TICKET_ERR_NOT_FOUND');

function searchText(t: Pick<Ticket, 'number' | 'title' | 'requester' | 'description'>): string {
  return [`#${t.number}`, t.title, t.requester.name, t.requester.email ?? '', t.requester.phone ?? '', t.description.slice(0, 1000)].join(' ').toLowerCase();
}

function dataJson(data: Record<string, unknown>): string {
  const json = JSON.stringify(data);
  if (Buffer.byteLength(json) > MAX_EVENT_DATA_BYTES) throw invalid('data');
  return json;
}

/** A new timeline event, told to listeners once its transaction is committed (the live timeline). */
export interface TicketEventNotice {
  readonly number: number;
  readonly event: Omit<TicketEventView, 'data'>;
  /** The ticket's assignee and followers: they hear its events without watching it (a level-1 technician follows what they escalated). */
  readonly accountIds: readonly number[];
}

/** Open tickets a device's findings go to at most (a device is rarely on more than one). */
const MAX_TICKETS_PER_FINDINGS = 10;

export class TicketStore {
  private readonly listeners = new Set<(notice: TicketEventNotice, remote: boolean) => void>();
  /** Events written by each running transaction, announced after it commits. */
  private readonly written = new WeakMap<object, Array<{ ticketId: string; event: Omit<TicketEventView, 'data'> }>>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly sla: TicketSla = new TicketSla(),
    private readonly now: () => number = Date.now,
    private readonly log: Log = quietLog,
  ) {}

  /** Hears every timeline event once committed (`remote`: committed by another cluster node); returns what to call to stop. */
  onEvent(listener: (notice: TicketEventNotice, remote: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Another cluster node committed a timeline event: the consoles of this node hear it too. */
  heardRemote(notice: TicketEventNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice, true);
      } catch (err) {
        this.log.error({ err }, 'tickets: a timeline listener failed');
      }
    }
  }

  /** A transaction whose timeline events are announced to listeners once it commits. */
  private async write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let events: Array<{ ticketId: string; event: Omit<TicketEventView, 'data'> }> = [];
    const result = await this.db.transaction().execute(async (tx) => {
      events = [];
      this.written.set(tx, events);
      return work(tx);
    });
    if (events.length > 0 && this.listeners.size > 0) {
      const ids = [...new Set(events.map((e) => e.ticketId))];
      const [rows, followers] = await Promise.all([
        this.db.selectFrom('tickets').select(['id', 'number', 'assignee_id']).where('id', 'in', ids).execute(),
        this.db.selectFrom('ticket_followers').select(['ticket_id', 'user_id']).where('ticket_id', 'in', ids).execute(),
      ]);
      const numbers = new Map(rows.map((r) => [r.id, r.number]));
      const accounts = new Map(rows.map((r) => [r.id, r.assignee_id === null ? [] : [r.assignee_id]]));
      for (const f of followers) accounts.get(f.ticket_id)?.push(f.user_id);
      for (const e of events) {
        const number = numbers.get(e.ticketId);
        if (number === undefined) continue;
        for (const listener of this.listeners) {
          try {
            listener({ number, event: e.event, accountIds: accounts.get(e.ticketId) ?? [] }, false);
          } catch (err) {
            this.log.error({ err }, 'tickets: a timeline listener failed');
          }
        }
      }
    }
    return result;
  }

  // ---- creation ----

  /** A new ticket (status new, level 1); `supportLinkId` ties it to an existing support link and its device. */
  async create(input: NewTicketInput & { supportLinkId?: string | undefined }, caller: TicketCaller): Promise<TicketView> {
    const now = this.now();
    const number = await this.write(async (tx) => {
      await lockFor(tx, 'ticketNumber');
      const last = await tx.selectFrom('tickets').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
      const number = Math.max(FIRST_TICKET_NUMBER - 1, Number(last?.n ?? 0)) + 1;
      const deviceIds = [...new Set(input.deviceIds)];
      let codeId: string | null = null;
      if (input.supportLinkId !== undefined) {
        const link = await tx.selectFrom('support_codes').leftJoin('support_sessions', 'support_sessions.id', 'support_codes.session_id')
          .select(['support_codes.id', 'support_sessions.device_id']).where('support_codes.id', '=', input.supportLinkId).executeTakeFirst();
        if (!link) throw invalid('supportLinkId');
        const taken = await tx.selectFrom('ticket_support_links').select('ticket_id').where('code_id', '=', link.id).executeTakeFirst();
        if (taken) throw invalid('supportLinkId');
        codeId = link.id;
        if (link.device_id && !deviceIds.includes(link.device_id) && deviceIds.length < TICKET_LIMITS.devices) deviceIds.push(link.device_id);
      }
      const t = newTicket({ ...input, deviceIds }, newId(), number, now);
      const history: StatusChange[] = [{ at: now, status: 'new' }];
      await tx.insertInto('tickets').values({ ...this.rowOf(t, history), support_code_id: codeId, created_by: caller.account.username }).execute();
      await tx.insertInto('ticket_status_history').values({ ticket_id: t.id, at: now, status: 'new' }).execute();
      await this.writeDevices(tx, t.id, t.deviceIds);
      await this.writeWords(tx, t);
      await this.addEvent(tx, t.id, now, 'created', caller.account.username, 'internal', { version: 1, ...(codeId ? { supportLinkId: codeId } : {}) });
      await this.latestFindings(tx, t.id, now, t.deviceIds);
      if (codeId) await tx.insertInto('ticket_support_links').values({ code_id: codeId, ticket_id: t.id, created_at: now }).execute();
      return number;
    });
    this.audit.note({ actor: caller.account.username, action: 'ticket.created', target: `#${number}`, detail: { ...(input.supportLinkId ? { supportLinkId: input.supportLinkId } : {}) }, ip: caller.ip });
    return (await this.view(number))!;
  }

  // ---- reading ----

  /** The ticket as the API shows it, clocks computed now; null when no ticket has that number. */
  async view(number: number): Promise<TicketView | null> {
    const row = await this.selectRows(this.db).where('tickets.number', '=', number).executeTakeFirst();
    if (!row) return null;
    return (await this.views([row]))[0]!;
  }

  /** One page of the queue, nearest deadline first, then by number (ticket-queue.ts). */
  async queue(query: TicketQuery, account: Account): Promise<{ tickets: TicketView[]; nextCursor: string | null; total: number }> {
    const page = await queuePage<TicketRow>(this.db, query, account, (from) => this.withColumns(from));
    return { tickets: await this.views(page.rows), nextCursor: page.nextCursor, total: page.total };
  }

  /** The timeline, oldest first, after the event id `cursor`. */
  async timeline(number: number, cursor: number | undefined, limit: number): Promise<{ events: TicketEventView[]; nextCursor: string | null }> {
    const t = await this.db.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirst();
    if (!t) throw notFound();
    let q = this.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', t.id);
    if (cursor !== undefined) q = q.where('id', '>', cursor);
    const rows = await q.orderBy('id').limit(limit + 1).execute();
    const shown = rows.slice(0, limit);
    return {
      events: shown.map((r) => ({ id: r.id, at: r.at, kind: r.kind, actor: r.actor, visibility: r.visibility, data: JSON.parse(r.data_json) as Record<string, unknown> })),
      nextCursor: rows.length > limit ? String(shown[shown.length - 1]!.id) : null,
    };
  }

  // ---- changes ----

  /** Applies one action through the protocol's transition, refusing a stale `expectedVersion`. */
  async act(number: number, action: TicketAction, caller: TicketCaller): Promise<TicketView> {
    const applied = await this.apply(number, action, ticketActorOf(caller.account), caller.account.username);
    const e = applied.event;
    this.audit.note({
      actor: caller.account.username, action: 'ticket.action', target: `#${number}`,
      detail: { action: e.kind, from: e.from, to: e.to, version: e.version, ...(e.reason !== undefined ? { reason: e.reason.slice(0, 200) } : {}), ...(e.assigneeId !== undefined ? { assigneeId: e.assigneeId } : {}) },
      ip: caller.ip,
    });
    return (await this.view(number))!;
  }

  /** Changes the ticket's own fields (not its status: that is `act`), with the version the caller saw. */
  async patch(number: number, fields: PatchTicketRequest, caller: TicketCaller): Promise<TicketView> {
    const now = this.now();
    const changed = await this.write(async (tx) => {
      const current = await this.load(tx, number);
      if (fields.expectedVersion !== current.ticket.version) {
        throw new RelaisError('TICKET_ERR_VERSION_CONFLICT', `(expected version ${fields.expectedVersion}, current ${current.ticket.version})`); // i18n-ignore: versions for the log
      }
      const t = current.ticket;
      checkWork(ticketRoleOf(caller.account), t, 'edit');
      const next: Ticket = {
        ...t,
        ...(fields.title !== undefined ? { title: fields.title.trim() } : {}),
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        ...(fields.requester !== undefined ? { requester: fields.requester } : {}),
        ...(fields.category !== undefined ? { category: fields.category } : {}),
        ...(fields.impact !== undefined ? { impact: fields.impact } : {}),
        ...(fields.urgency !== undefined ? { urgency: fields.urgency } : {}),
        ...(fields.deviceIds !== undefined ? { deviceIds: [...new Set(fields.deviceIds)] } : {}),
      };
      next.priority = priorityOf(next.impact, next.urgency);
      const names = (['title', 'description', 'requester', 'category', 'impact', 'urgency', 'priority', 'deviceIds'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(t[k]));
      if (names.length === 0) return [];
      next.version = t.version + 1;
      next.updatedAt = Math.max(now, t.updatedAt);
      const { id: _id, number: _number, ...row } = this.rowOf(next, current.history);
      const updated = await tx.updateTable('tickets').set(row).where('id', '=', t.id).where('version', '=', t.version).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new RelaisError('TICKET_ERR_VERSION_CONFLICT');
      if (fields.deviceIds !== undefined) await this.writeDevices(tx, t.id, next.deviceIds);
      await this.writeWords(tx, next);
      const before: Record<string, unknown> = {};
      for (const k of names) if (k !== 'description') before[k] = t[k];
      await this.addEvent(tx, t.id, next.updatedAt, 'edited', caller.account.username, 'internal', { version: next.version, fields: names, before });
      if (fields.deviceIds !== undefined) await this.latestFindings(tx, t.id, next.updatedAt, next.deviceIds.filter((d) => !t.deviceIds.includes(d)));
      return names;
    });
    if (changed.length > 0) this.audit.note({ actor: caller.account.username, action: 'ticket.updated', target: `#${number}`, detail: { fields: changed }, ip: caller.ip });
    return (await this.view(number))!;
  }

  /** A note: Markdown source stored as typed (bounded by the schema); notes do not change the ticket's version. */
  async addNote(number: number, body: string, visibility: 'internal' | 'person', caller: TicketCaller): Promise<TicketEventView> {
    const at = this.now();
    const event = await this.write(async (tx) => {
      const t = await tx.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirst();
      if (!t) throw notFound();
      const id = await this.addEvent(tx, t.id, at, 'note', caller.account.username, visibility, { markdown: body });
      return { id, at, kind: 'note', actor: caller.account.username, visibility, data: { markdown: body } };
    });
    this.audit.note({ actor: caller.account.username, action: 'ticket.note', target: `#${number}`, detail: { visibility, chars: body.length }, ip: caller.ip });
    return event;
  }

  /** Resolved tickets whose resolution is `afterDays` days old are closed by the controller. Returns how many. */
  async autoClose(afterDays: number): Promise<number> {
    const cutoff = this.now() - afterDays * DAY_MS;
    const due = await this.db.selectFrom('tickets').select('number').where('status', '=', 'resolved').where('resolved_at', '<=', cutoff).orderBy('resolved_at').limit(1000).execute();
    let closed = 0;
    for (const { number } of due) {
      try {
        await this.apply(number, { type: 'auto_close', afterDays }, { id: 'system', role: 'system' }, null);
        this.audit.note({ actor: 'system', action: 'ticket.action', target: `#${number}`, detail: { action: 'auto_close', from: 'resolved', to: 'closed', afterDays } });
        closed++;
      } catch (err) {
        // Reopened or closed meanwhile: nothing to do.
        if (!(err instanceof RelaisError)) throw err;
      }
    }
    return closed;
  }

  /**
   * The person's satisfaction answer (satisfaction/survey-store.ts) on the ticket's timeline,
   * visible to the person and announced live like every event.
   */
  async personEvent(number: number, kind: 'survey_answered', data: Record<string, unknown>): Promise<void> {
    const at = this.now();
    await this.write(async (tx) => {
      const t = await tx.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirst();
      if (!t) throw notFound();
      await this.addEvent(tx, t.id, at, kind, null, 'person', data);
    });
  }

  /**
   * The person says the problem is not solved (their satisfaction answer): the ticket reopens
   * through the one transition, as the controller acting for them (`system` may reopen), the
   * comment as the reason. Only the resolution the survey rated: `resolvedAt` must still be it.
   */
  async reopenForPerson(number: number, resolvedAt: number, reason: string | undefined): Promise<TicketView> {
    const current = await this.db.selectFrom('tickets').select(['resolved_at', 'status']).where('number', '=', number).executeTakeFirst();
    if (!current) throw notFound();
    if (current.status !== 'resolved' || current.resolved_at !== resolvedAt) throw new RelaisError('TICKET_ERR_BAD_TRANSITION', '(no longer this resolution)'); // i18n-ignore: detail for the log
    const applied = await this.apply(number, { type: 'reopen', ...(reason ? { reason } : {}) }, { id: 'system', role: 'system' }, null);
    this.audit.note({ actor: 'person', action: 'ticket.reopened-by-person', target: `#${number}`, detail: { from: applied.event.from, to: applied.event.to, version: applied.event.version } });
    return (await this.view(number))!;
  }

  // ---- support links ----

  /**
   * Checked before a link is issued from a ticket: TICKET_ERR_NOT_FOUND when no ticket has
   * that number, and the role's rule for working it (checkWork: not level 1 on a level-2
   * ticket, nobody on a closed one).
   */
  async mayLink(number: number, account: Account): Promise<void> {
    const t = await this.db.selectFrom('tickets').select(['level', 'status']).where('number', '=', number).executeTakeFirst();
    if (!t) throw notFound();
    checkWork(ticketRoleOf(account), { level: t.level as Ticket['level'], status: t.status as TicketStatus }, 'start a support session on');
  }

  /** A support link was created from the ticket: the agent that joins with it lands on the ticket. */
  async linkCreated(number: number, codeId: string, caller: TicketCaller): Promise<void> {
    const at = this.now();
    await this.write(async (tx) => {
      const t = await tx.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirst();
      if (!t) throw notFound();
      await tx.insertInto('ticket_support_links').values({ code_id: codeId, ticket_id: t.id, created_at: at }).execute();
      await this.addEvent(tx, t.id, at, 'link_created', caller.account.username, 'internal', { supportLinkId: codeId });
    });
    this.audit.note({ actor: caller.account.username, action: 'ticket.linked', target: `#${number}`, detail: { supportLinkId: codeId }, ip: caller.ip });
  }

  /**
   * An agent joined a support session. When its link belongs to a ticket, the device, the
   * person's own line (`person_described`) and the join go on the ticket. When the link has no
   * ticket but the person described the problem (at the agent's prompt or on the support page),
   * a ticket is created for the technician who made the link, assigned to them: every request has a record.
   * Returns the ticket's number, or null when the join concerns no ticket.
   */
  async sessionJoined(sessionId: string, deviceId: string, hostname: string, problem: string | null = null): Promise<number | null> {
    const at = this.now();
    const host = plainLine(hostname, 255);
    let created: { technician: string } | null = null;
    const number = await this.write(async (tx) => {
      const session = await tx
        .selectFrom('support_sessions')
        .innerJoin('support_codes', 'support_codes.id', 'support_sessions.code_id')
        .innerJoin('users', 'users.id', 'support_codes.technician_id')
        .leftJoin('ticket_support_links', 'ticket_support_links.code_id', 'support_sessions.code_id')
        .leftJoin('tickets', 'tickets.id', 'ticket_support_links.ticket_id')
        .select(['support_sessions.code_id', 'support_codes.problem', 'support_codes.technician_id', 'users.username', 'users.deleted_at', 'tickets.id as ticket_id', 'tickets.number'])
        .where('support_sessions.id', '=', sessionId)
        .executeTakeFirst();
      if (!session) return null;
      const typed = plainLine(problem ?? '', TICKET_LIMITS.title).trim();
      const line = typed !== '' ? typed : plainLine(session.problem ?? '', TICKET_LIMITS.title).trim();
      let ticketId = session.ticket_id;
      let ticketNumber = session.number;
      if (ticketId === null || ticketNumber === null) {
        if (line === '') return null;
        // No ticket yet, but the person said what is wrong: the request gets its record.
        await lockFor(tx, 'ticketNumber');
        const last = await tx.selectFrom('tickets').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
        ticketNumber = Math.max(FIRST_TICKET_NUMBER - 1, Number(last?.n ?? 0)) + 1;
        const input: NewTicketInput = { title: line, description: '', requester: { name: host || '?', phone: null, email: null }, category: 'other', impact: 'medium', urgency: 'medium', deviceIds: [] };
        const assignee = session.deleted_at === null ? String(session.technician_id) : null;
        const t: Ticket = { ...newTicket(input, newId(), ticketNumber, at), assigneeId: assignee };
        ticketId = t.id;
        await tx.insertInto('tickets').values({ ...this.rowOf(t, [{ at, status: 'new' }]), support_code_id: session.code_id, created_by: session.username }).execute();
        await tx.insertInto('ticket_status_history').values({ ticket_id: t.id, at, status: 'new' }).execute();
        await this.writeWords(tx, t);
        await this.addEvent(tx, t.id, at, 'created', session.username, 'internal', { version: 1, supportLinkId: session.code_id, automatic: true, hostname: host, ...(assignee ? { assigneeId: assignee } : {}) });
        await tx.insertInto('ticket_support_links').values({ code_id: session.code_id, ticket_id: t.id, created_at: at }).execute();
        created = { technician: session.username };
      }
      const devices = await tx.selectFrom('ticket_devices').select(['device_id', 'position']).where('ticket_id', '=', ticketId).execute();
      const deviceIds = devices.map((d) => d.device_id);
      if (!deviceIds.includes(deviceId) && devices.length < TICKET_LIMITS.devices) {
        await tx.insertInto('ticket_devices').values({ ticket_id: ticketId, device_id: deviceId, position: Math.max(-1, ...devices.map((d) => d.position)) + 1 }).execute();
        deviceIds.push(deviceId);
      }
      if (line !== '') {
        await this.addEvent(tx, ticketId, at, 'person_described', null, 'person', { text: line, source: typed !== '' ? 'agent' : 'page', deviceId, hostname: host, deviceIds });
      }
      await this.addEvent(tx, ticketId, at, 'agent_joined', null, 'internal', { supportLinkId: session.code_id, sessionId, deviceId, hostname: host });
      return ticketNumber;
    });
    if (number === null) return null;
    const made = created as { technician: string } | null;
    if (made) this.audit.note({ actor: `device:${deviceId}`, action: 'ticket.created', target: `#${number}`, detail: { automatic: true, sessionId, technician: made.technician } });
    this.audit.note({ actor: `device:${deviceId}`, action: 'ticket.linked', target: `#${number}`, detail: { sessionId } });
    return number;
  }

  /**
   * Something that happened in a device's support session (a shell opened or closed) goes
   * on the timeline of the ticket that session's link belongs to; the ticket's number, or
   * null when the session is linked to none.
   */
  async sessionEvent(sessionId: string, kind: 'shell_opened' | 'shell_closed' | 'chat', actor: string | null, data: Record<string, unknown>): Promise<number | null> {
    const at = this.now();
    return this.write(async (tx) => {
      const link = await tx
        .selectFrom('support_sessions')
        .innerJoin('ticket_support_links', 'ticket_support_links.code_id', 'support_sessions.code_id')
        .innerJoin('tickets', 'tickets.id', 'ticket_support_links.ticket_id')
        .select(['tickets.id', 'tickets.number'])
        .where('support_sessions.id', '=', sessionId)
        .executeTakeFirst();
      if (!link) return null;
      await this.addEvent(tx, link.id, at, kind, actor, 'internal', data);
      return link.number;
    });
  }

  /** Another feature's event on a ticket's timeline (a knowledge-base fix run and its result); the event's id. */
  async recordEvent(number: number, kind: string, actor: string | null, data: Record<string, unknown>): Promise<number> {
    const at = this.now();
    return this.write(async (tx) => {
      const t = await tx.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirst();
      if (!t) throw notFound();
      return this.addEvent(tx, t.id, at, kind, actor, 'internal', data);
    });
  }

  /**
   * The person wrote in the chat of a support session: when that session's ticket waits for the
   * user, the wait is over (`user_replied`, by the controller), and its resolution clock runs again.
   * The ticket's number when it moved, else null.
   */
  async personReplied(sessionId: string): Promise<number | null> {
    const linked = await this.db
      .selectFrom('support_sessions')
      .innerJoin('ticket_support_links', 'ticket_support_links.code_id', 'support_sessions.code_id')
      .innerJoin('tickets', 'tickets.id', 'ticket_support_links.ticket_id')
      .select(['tickets.number', 'tickets.status'])
      .where('support_sessions.id', '=', sessionId)
      .executeTakeFirst();
    if (!linked || linked.status !== 'waiting_user') return null;
    try {
      const { event } = await this.apply(linked.number, { type: 'user_replied' }, { id: 'system', role: 'system' }, null);
      this.audit.note({ actor: 'system', action: 'ticket.action', target: `#${linked.number}`, detail: { action: 'user_replied', from: event.from, to: event.to, version: event.version, via: 'chat', sessionId } });
      return linked.number;
    } catch (err) {
      // A technician moved the ticket in the meantime: nothing to do.
      if (err instanceof RelaisError) return null;
      throw err;
    }
  }

  /**
   * A device sent a snapshot (at join or on a refresh): each open ticket it is on gets a
   * `findings` event with the worst severity, the count and the snapshot's id (not the text).
   */
  async findingsArrived(deviceId: string, snapshotId: number, worst: string | null, count: number, join: boolean): Promise<number[]> {
    const at = this.now();
    const numbers = await this.write(async (tx) => {
      const open = await tx
        .selectFrom('ticket_devices')
        .innerJoin('tickets', 'tickets.id', 'ticket_devices.ticket_id')
        .select(['tickets.id', 'tickets.number'])
        .where('ticket_devices.device_id', '=', deviceId)
        .where('tickets.status', '!=', 'closed')
        .orderBy('tickets.number', 'desc')
        .limit(MAX_TICKETS_PER_FINDINGS)
        .execute();
      for (const t of open) await this.addEvent(tx, t.id, at, 'findings', null, 'internal', { deviceId, snapshotId, worst, count, join });
      return open.map((t) => t.number);
    });
    for (const number of numbers) this.audit.note({ actor: `device:${deviceId}`, action: 'ticket.findings', target: `#${number}`, detail: { snapshotId, worst, count } });
    return numbers;
  }

  // ---- inside ----

  /**
   * Devices put on a ticket by a technician (an enrolled machine, from its page or an edit) were
   * diagnosed before: their latest snapshot is their "join" for this ticket, as the first snapshot
   * of a support session is for a ticket's link. The timeline shows it, the article drafted from
   * the ticket and the reports' top findings count it. A device never diagnosed gets its findings
   * when its first snapshot arrives (findingsArrived).
   */
  private async latestFindings(tx: Tx, ticketId: string, at: number, deviceIds: readonly string[]): Promise<void> {
    for (const deviceId of deviceIds) {
      const latest = await tx.selectFrom('snapshots').select(['id', 'worst', 'findings_json']).where('device_id', '=', deviceId).orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!latest) continue;
      const count = (JSON.parse(latest.findings_json) as unknown[]).length;
      await this.addEvent(tx, ticketId, at, 'findings', null, 'internal', { deviceId, snapshotId: latest.id, worst: latest.worst, count, join: true });
    }
  }

  /** The transaction of one transition: load, transition(), write row, history, followers, event, sort deadline. */
  private async apply(number: number, action: TicketAction, actor: TicketActor, actorName: string | null): Promise<{ ticket: Ticket; event: TicketEvent }> {
    const now = this.now();
    return this.write(async (tx) => {
      const current = await this.load(tx, number);
      const result = transition(current.ticket, action, actor, now);
      const next = result.ticket;
      const history = [...current.history];
      for (const e of result.events) if (e.from !== e.to) history.push({ at: e.at, status: e.to });
      const { id: _id, number: _number, ...row } = this.rowOf(next, history);
      const updated = await tx.updateTable('tickets').set(row).where('id', '=', next.id).where('version', '=', current.ticket.version).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new RelaisError('TICKET_ERR_VERSION_CONFLICT');
      for (const e of result.events) {
        if (e.from !== e.to) await tx.insertInto('ticket_status_history').values({ ticket_id: next.id, at: e.at, status: e.to }).execute();
        const { kind, at, actorId: _actorId, ...data } = e;
        await this.addEvent(tx, next.id, at, kind, actorName, 'internal', { ...data });
      }
      if (JSON.stringify(next.followerIds) !== JSON.stringify(current.ticket.followerIds)) {
        await tx.deleteFrom('ticket_followers').where('ticket_id', '=', next.id).execute();
        if (next.followerIds.length > 0) {
          await tx.insertInto('ticket_followers').values(next.followerIds.map((f, position) => ({ ticket_id: next.id, user_id: Number(f), position }))).execute();
        }
      }
      return { ticket: next, event: result.events[result.events.length - 1]! };
    });
  }

  /** The ticket with its followers, devices and status history, inside a transaction. */
  private async load(tx: Tx, number: number): Promise<{ ticket: Ticket; history: StatusChange[] }> {
    // Locked until the transaction ends: a change made meanwhile by another node waits, then sees this one's version.
    const row = await forUpdate(tx, tx.selectFrom('tickets').selectAll().where('number', '=', number)).executeTakeFirst();
    if (!row) throw notFound();
    const [followers, devices, history] = await Promise.all([
      tx.selectFrom('ticket_followers').select(['ticket_id', 'user_id']).where('ticket_id', '=', row.id).orderBy('position').execute(),
      tx.selectFrom('ticket_devices').select(['ticket_id', 'device_id']).where('ticket_id', '=', row.id).orderBy('position').execute(),
      tx.selectFrom('ticket_status_history').select(['at', 'status']).where('ticket_id', '=', row.id).orderBy('at').orderBy('id').execute(),
    ]);
    return {
      ticket: ticketOf(row, followers.map((f) => String(f.user_id)), devices.map((d) => d.device_id)),
      history: history.map((h) => ({ at: h.at, status: h.status as TicketStatus })),
    };
  }

  private selectRows(db: Db) {
    return db.selectFrom('tickets').leftJoin('users', 'users.id', 'tickets.assignee_id').selectAll('tickets').select(ASSIGNEE_COLUMNS);
  }

  /** The same columns on any query that has `tickets` in scope (the queue's joins differ). */
  private withColumns(from: any): any {
    return from.leftJoin('users', 'users.id', 'tickets.assignee_id').selectAll('tickets').select(ASSIGNEE_COLUMNS);
  }

  /** Views of rows: followers, devices and histories read in one query each for the whole page. */
  private async views(rows: TicketRow[]): Promise<TicketView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [followers, devices, history] = await Promise.all([
      this.db.selectFrom('ticket_followers').select(['ticket_id', 'user_id']).where('ticket_id', 'in', ids).orderBy('position').execute(),
      this.db.selectFrom('ticket_devices').select(['ticket_id', 'device_id']).where('ticket_id', 'in', ids).orderBy('position').execute(),
      this.db.selectFrom('ticket_status_history').select(['ticket_id', 'at', 'status']).where('ticket_id', 'in', ids).orderBy('at').orderBy('id').execute(),
    ]);
    const group = <T extends { ticket_id: string }, V>(items: T[], value: (item: T) => V) => {
      const map = new Map<string, V[]>();
      for (const item of items) map.set(item.ticket_id, [...(map.get(item.ticket_id) ?? []), value(item)]);
      return map;
    };
    const followersOf = group(followers, (f) => String(f.user_id));
    const devicesOf = group(devices, (d) => d.device_id);
    const historyOf = group(history, (h) => ({ at: h.at, status: h.status as TicketStatus }));
    const now = this.now();
    return rows.map((r) => {
      const t = ticketOf(r, followersOf.get(r.id) ?? [], devicesOf.get(r.id) ?? []);
      const clocks = this.sla.clocks(historyOf.get(r.id) ?? [{ at: r.created_at, status: 'new' }], t.priority, now);
      return {
        ...t,
        assignee: r.assignee_username !== null && r.assignee_name !== null ? { username: r.assignee_username, name: r.assignee_name } : null,
        sla: { own: readingAnswer(clocks.own), resolve: readingAnswer(clocks.resolve) },
        dueAt: r.due_at,
        supportLinkId: r.support_code_id,
      };
    });
  }

  /** The row of a ticket, with its sort deadline computed from the history at the change's time. */
  private rowOf(t: Ticket, history: readonly StatusChange[]): Omit<TicketsTable, 'support_code_id' | 'created_by'> {
    const due = TicketSla.dueOf(this.sla.clocks(history, t.priority, t.updatedAt));
    return {
      id: t.id,
      number: t.number,
      title: t.title,
      description: t.description,
      requester_name: t.requester.name,
      requester_phone: t.requester.phone,
      requester_email: t.requester.email,
      category: t.category,
      impact: t.impact,
      urgency: t.urgency,
      priority: t.priority,
      status: t.status,
      waiting_reason: t.waitingReason,
      escalation_reason: t.escalationReason,
      level: t.level,
      assignee_id: t.assigneeId === null ? null : Number(t.assigneeId),
      resolution: t.resolution?.text ?? null,
      solution_type: t.resolution?.solutionType ?? null,
      version: t.version,
      created_at: t.createdAt,
      updated_at: t.updatedAt,
      resolved_at: t.resolvedAt,
      closed_at: t.closedAt,
      due_at: due === null ? null : Math.round(due),
      due_sort: due === null ? NO_DEADLINE : Math.round(due),
      search: searchText(t),
    };
  }

  /** Indexes the words the queue's search finds the ticket by (again after an edit). */
  private async writeWords(tx: Tx, t: Ticket): Promise<void> {
    await tx.deleteFrom('ticket_words').where('ticket_id', '=', t.id).execute();
    const rows = wordsOf(ticketSearchText(t)).map((word) => ({ word, ticket_id: t.id }));
    for (let i = 0; i < rows.length; i += 400) await tx.insertInto('ticket_words').values(rows.slice(i, i + 400)).execute();
  }

  private async writeDevices(tx: Tx, ticketId: string, deviceIds: readonly string[]): Promise<void> {
    await tx.deleteFrom('ticket_devices').where('ticket_id', '=', ticketId).execute();
    if (deviceIds.length > 0) await tx.insertInto('ticket_devices').values(deviceIds.map((device_id, position) => ({ ticket_id: ticketId, device_id, position }))).execute();
  }

  private async addEvent(tx: Tx, ticketId: string, at: number, kind: string, actor: string | null, visibility: 'internal' | 'person', data: Record<string, unknown>): Promise<number> {
    const { id } = await tx.insertInto('ticket_events').values({ ticket_id: ticketId, at, kind, actor, visibility, data_json: dataJson(data) }).returning('id').executeTakeFirstOrThrow();
    this.written.get(tx)?.push({ ticketId, event: { id, at, kind, actor, visibility } });
    return id;
  }

  /** The role an account acts with on tickets, for `assign` (null: no such account). */
  async assigneeRole(userId: number): Promise<ReturnType<typeof ticketRoleOf> | null> {
    const user = await this.db.selectFrom('users').select(['role']).where('id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst();
    return user ? ticketRoleOf(user) : null;
  }
}

function ticketOf(r: TicketsTable, followerIds: string[], deviceIds: string[]): Ticket {
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    description: r.description,
    requester: { name: r.requester_name, phone: r.requester_phone, email: r.requester_email },
    category: r.category as TicketCategory,
    impact: r.impact as TicketImpact,
    urgency: r.urgency as TicketUrgency,
    priority: r.priority as TicketPriority,
    status: r.status as TicketStatus,
    level: r.level as TicketLevel,
    assigneeId: r.assignee_id === null ? null : String(r.assignee_id),
    followerIds,
    deviceIds,
    waitingReason: r.waiting_reason,
    escalationReason: r.escalation_reason,
    resolution: r.resolution === null ? null : { text: r.resolution, solutionType: (r.solution_type ?? 'other') as SolutionType },
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
  };
}
