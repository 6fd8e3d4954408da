/** The ticket routes as `relais tickets` uses them, each answer checked against protocol/rest-ticket-answers.ts. */
import { ticketAnswers, type TicketEventView, type TicketView } from '../../protocol/rest-ticket-answers.js';
import { RestClient } from './api-client.js';

/** The queue's filters as the controller reads them (see the README's REST table). */
export interface TicketFilter {
  readonly status?: string;
  readonly level?: 'L1' | 'L2';
  readonly assignee?: 'mine';
  readonly follower?: 'mine';
  readonly q?: string;
}

/** Events of one ticket the CLI reads at most (its timeline is paged; a longer one says so). */
export const MAX_SHOWN_EVENTS = 1000;

export class TicketsApi extends RestClient {
  /** The queue's first `limit` tickets in its order (nearest deadline first), page after page, and how many match. */
  async list(filter: TicketFilter, limit: number): Promise<{ tickets: TicketView[]; total: number }> {
    const tickets: TicketView[] = [];
    let total = 0;
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter)) if (value !== undefined) params.set(key, value);
      params.set('limit', String(Math.min(200, limit - tickets.length)));
      if (cursor) params.set('cursor', cursor);
      const page = await this.request('GET', `/api/tickets?${params.toString()}`, ticketAnswers.queue);
      tickets.push(...page.tickets);
      total = page.total;
      cursor = page.nextCursor;
    } while (cursor !== null && tickets.length < limit);
    return { tickets, total };
  }

  async ticket(number: number): Promise<TicketView> {
    return (await this.request('GET', `/api/tickets/${number}`, ticketAnswers.ticket)).ticket;
  }

  /** The timeline, oldest first, up to MAX_SHOWN_EVENTS events; `more` when there were more. */
  async timeline(number: number): Promise<{ events: TicketEventView[]; more: boolean }> {
    const events: TicketEventView[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=500' : `?limit=500&cursor=${encodeURIComponent(cursor)}`;
      const page = await this.request('GET', `/api/tickets/${number}/timeline${query}`, ticketAnswers.timeline);
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor !== null && events.length < MAX_SHOWN_EVENTS);
    return { events: events.slice(0, MAX_SHOWN_EVENTS), more: cursor !== null || events.length > MAX_SHOWN_EVENTS };
  }

  async note(number: number, body: string, visibility: 'internal' | 'person'): Promise<TicketEventView> {
    return (await this.request('POST', `/api/tickets/${number}/notes`, ticketAnswers.note, { body, visibility })).event;
  }
}
