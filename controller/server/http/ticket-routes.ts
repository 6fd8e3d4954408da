/**
 * Tickets (issue 10), documented in the README's REST table. Mounted after the session
 * guard: any logged-in account (cookie or API token) may call them; what each may do on
 * a ticket is the transition's rule (tickets/ticket-roles.ts maps accounts to roles).
 * Every refused field is the catalog's TICKET_ERR_INVALID_FIELD naming the field; a
 * stale `expectedVersion` is 409 TICKET_ERR_VERSION_CONFLICT with the current ticket.
 */
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { RelaisError } from '../../../protocol/index.js';
import {
  createTicketRequest,
  patchTicketRequest,
  ticketActionRequest,
  ticketAnswers,
  ticketNoteRequest,
  ticketQuery,
  timelineQuery,
} from '../../../protocol/rest-ticket-answers.js';
import type { SolutionType } from '../../../protocol/ticket-model.js';
import type { TicketAction } from '../../../protocol/ticket-transitions.js';
import type { TicketCaller, TicketStore } from '../tickets/ticket-store.js';
import { answer } from './answer.js';
import { errorMessage, FieldError, fieldProblemOf, sendError } from './errors.js';
import { clientIp } from './origin.js';
import { readerLanguage } from './server-language.js';
import { serverTiming } from './server-timing.js';

export interface TicketDeps {
  readonly tickets: TicketStore;
}

/** A refused body or query: the catalog's code, naming the first field (never its value). */
export function invalidTicketField(error: z.ZodError): RelaisError {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ').slice(0, 80) : 'body');
  const detail = `(${where})`; // i18n-ignore: field name for the log
  // The shared FieldError puts the field in the answer (error.field), so the form marks it without reading the message.
  return issue ? new FieldError(detail, fieldProblemOf(issue), 'TICKET_ERR_INVALID_FIELD') : new RelaisError('TICKET_ERR_INVALID_FIELD', detail);
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidTicketField(parsed.error);
  return parsed.data;
}

/** `:number`, as `1042` or `#1042` (encoded); anything else names no ticket. */
function numberOf(req: Request): number {
  const m = /^(?:#|%23)?([1-9][0-9]{0,8})$/.exec(String(req.params.number));
  if (!m) throw new RelaisError('TICKET_ERR_NOT_FOUND');
  return Number(m[1]);
}

export function ticketRoutes(deps: TicketDeps): Router {
  const routes = Router();
  routes.use('/tickets', serverTiming);
  const caller = (req: Request): TicketCaller => ({ account: req.account!, ip: clientIp(req) });

  /** A version conflict answers with the ticket as it is now, so the UI can show what changed. */
  const guarded = async (req: Request, res: Response, number: number, change: () => Promise<void>): Promise<void> => {
    try {
      await change();
    } catch (err) {
      if (!(err instanceof RelaisError) || err.code !== 'TICKET_ERR_VERSION_CONFLICT') throw err;
      const current = await deps.tickets.view(number);
      if (!current) return sendError(res, new RelaisError('TICKET_ERR_NOT_FOUND'));
      answer(res, ticketAnswers.conflict, { error: { code: err.code, message: errorMessage(err, readerLanguage(req)) }, ticket: current }, err.status);
    }
  };

  routes.post('/tickets', async (req, res) => {
    const body = parse(createTicketRequest, req.body);
    answer(res, ticketAnswers.ticket, { ticket: await deps.tickets.create(body, caller(req)) }, 201);
  });

  routes.get('/tickets', async (req, res) => {
    const query = parse(ticketQuery, req.query);
    answer(res, ticketAnswers.queue, await deps.tickets.queue(query, req.account!));
  });

  routes.get('/tickets/:number', async (req, res) => {
    const ticket = await deps.tickets.view(numberOf(req));
    if (!ticket) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    answer(res, ticketAnswers.ticket, { ticket });
  });

  routes.patch('/tickets/:number', async (req, res) => {
    const number = numberOf(req);
    const body = parse(patchTicketRequest, req.body);
    await guarded(req, res, number, async () => answer(res, ticketAnswers.ticket, { ticket: await deps.tickets.patch(number, body, caller(req)) }));
  });

  routes.post('/tickets/:number/actions', async (req, res) => {
    const number = numberOf(req);
    const body = parse(ticketActionRequest, req.body);
    const action = await toAction(body, deps.tickets);
    await guarded(req, res, number, async () => answer(res, ticketAnswers.ticket, { ticket: await deps.tickets.act(number, action, caller(req)) }));
  });

  routes.post('/tickets/:number/notes', async (req, res) => {
    const number = numberOf(req);
    const body = parse(ticketNoteRequest, req.body);
    answer(res, ticketAnswers.note, { event: await deps.tickets.addNote(number, body.body, body.visibility, caller(req)) }, 201);
  });

  routes.get('/tickets/:number/timeline', async (req, res) => {
    const number = numberOf(req);
    const query = parse(timelineQuery, req.query);
    answer(res, ticketAnswers.timeline, await deps.tickets.timeline(number, query.cursor, query.limit));
  });

  return routes;
}

/** The request as the transition's action; `assign` looks up the assignee's role. */
async function toAction(body: z.output<typeof ticketActionRequest>, tickets: TicketStore): Promise<TicketAction> {
  const version = body.expectedVersion === undefined ? {} : { expectedVersion: body.expectedVersion };
  switch (body.type) {
    case 'assign': {
      const role = await tickets.assigneeRole(body.assigneeId);
      if (role === null) throw new RelaisError('TICKET_ERR_INVALID_FIELD', '(assigneeId)'); // i18n-ignore: field name for the log
      return { type: 'assign', assigneeId: String(body.assigneeId), assigneeRole: role, ...version };
    }
    case 'wait_for_user':
    case 'escalate':
    case 'de_escalate':
      return { type: body.type, reason: body.reason ?? '', ...version };
    case 'reopen':
      return { type: 'reopen', ...(body.reason !== undefined ? { reason: body.reason } : {}), ...version };
    case 'resolve':
      return { type: 'resolve', resolution: body.resolution ?? '', solutionType: (body.solutionType ?? '') as SolutionType, ...version };
    default:
      return { type: body.type, ...version };
  }
}
