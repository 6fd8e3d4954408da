/** The ticket routes (issue 10), each answer checked against the contract's schema (protocol/rest-ticket-answers.ts). */
import { ticketAnswers as T, type TicketView } from '../../../protocol/rest-ticket-answers.js';
import type { NewTicketInput } from '../../../protocol/ticket-model.js';
import { ApiError, request } from '../connection/api.js';

export type { TicketEventView, TicketView } from '../../../protocol/rest-ticket-answers.js';

const seg = encodeURIComponent;
const base = (n: number) => `/api/tickets/${n}`;

/** The queue's filters as the controller reads them (lists comma-separated). */
export interface QueueFilter {
  status: string;
  level: string;
  assignee: string;
  /** `mine`: the tickets you follow (an escalated one you handed to level 2). */
  follower: string;
  category: string;
  priority: string;
  q: string;
}

export type TicketActionBody =
  | { type: 'take' | 'start' | 'user_replied' | 'close' }
  | { type: 'wait_for_user' | 'escalate' | 'de_escalate' | 'reopen'; reason: string }
  | { type: 'resolve'; resolution: string; solutionType: string };

function queuePath(filter: QueueFilter, cursor: string | null, limit: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value.trim() !== '') params.set(key, value.trim());
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return `/api/tickets?${params.toString()}`;
}

export const ticketsApi = {
  /** One page of the queue, nearest deadline first. */
  queue: (filter: QueueFilter, cursor: string | null, limit = 50) => request('GET', queuePath(filter, cursor, limit), T.queue),
  ticket: (n: number) => request('GET', base(n), T.ticket),
  create: (input: NewTicketInput & { supportLinkId?: string }) => request('POST', '/api/tickets', T.ticket, input),
  act: (n: number, action: TicketActionBody, expectedVersion: number) => request('POST', `${base(n)}/actions`, T.ticket, { ...action, expectedVersion }),
  note: (n: number, body: string, visibility: 'internal' | 'person') => request('POST', `${base(n)}/notes`, T.note, { body, visibility }),
  /** The timeline, oldest first, after the event id `cursor`. */
  timeline: (n: number, cursor: string | null, limit = 100) =>
    request('GET', `${base(n)}/timeline?limit=${limit}${cursor ? `&cursor=${seg(cursor)}` : ''}`, T.timeline),
};

/** The ticket as it is now, when a change was refused because someone else changed it first. */
export function conflictTicket(err: unknown): TicketView | null {
  if (!(err instanceof ApiError) || err.code !== 'TICKET_ERR_VERSION_CONFLICT') return null;
  const parsed = T.conflict.safeParse(err.body);
  return parsed.success ? parsed.data.ticket : null;
}
