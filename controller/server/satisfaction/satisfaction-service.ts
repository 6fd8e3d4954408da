/**
 * Asks the person at the agent: when a ticket is resolved (its `resolve` timeline event,
 * announced once committed) and an agent of a support session linked to that ticket is
 * still connected, it gets `survey.ask`; its `survey.answer` is stored like an answer
 * through a link, after checking that this session belongs to the survey's ticket.
 * Also gives the support page its link (a fresh single-use token) once the ticket of the
 * page's code is resolved.
 */
import { RelaisError, type ControllerToAgent } from '../../../protocol/index.js';
import type { AgentLinks } from '../relay/agent-links.js';
import type { Db } from '../store/database.js';
import type { TicketEventNotice, TicketStore } from '../tickets/ticket-store.js';
import type { SurveyStore } from './survey-store.js';

type SurveyAnswerMessage = { t: 'survey.answer'; surveyId: string; answer: unknown };

export class SatisfactionService {
  private readonly stop: () => void;

  constructor(private readonly db: Db, tickets: TicketStore, private readonly surveys: SurveyStore, private readonly links: Pick<AgentLinks, 'get' | 'send'>) {
    this.stop = tickets.onEvent((notice) => this.heard(notice));
  }

  /** Stops listening (shutdown, tests). */
  close(): void {
    this.stop();
  }

  private heard(notice: TicketEventNotice): void {
    if (notice.event.kind !== 'resolve') return;
    this.askAgents(notice.number).catch((err: unknown) => console.error(`satisfaction: could not ask at the agent for #${notice.number}: ${String(err)}`));
  }

  /** Sends survey.ask to each connected agent of a live session linked to the ticket; how many were asked. */
  async askAgents(number: number): Promise<number> {
    const sessions = await this.db
      .selectFrom('tickets')
      .innerJoin('ticket_support_links', 'ticket_support_links.ticket_id', 'tickets.id')
      .innerJoin('support_sessions', 'support_sessions.code_id', 'ticket_support_links.code_id')
      .leftJoin('users', 'users.id', 'tickets.assignee_id')
      .select(['support_sessions.id as session_id', 'support_sessions.device_id', 'tickets.title', 'users.name as technician'])
      .where('tickets.number', '=', number)
      .where('support_sessions.status', '=', 'active')
      .execute();
    const online = sessions.filter((s) => this.links.get(s.device_id)?.sessionId === s.session_id);
    if (online.length === 0) return 0;
    const survey = await this.surveys.forTicket(number);
    if (!survey || survey.answered_at !== null) return 0;
    let asked = 0;
    for (const s of online) {
      const message: ControllerToAgent = { t: 'survey.ask', surveyId: survey.id, ticketNumber: number, title: s.title.slice(0, 200), technician: (s.technician ?? '').slice(0, 128) };
      if (this.links.send(s.device_id, message)) asked++;
    }
    return asked;
  }

  /** The person answered at the agent; refusals are logged (the agent told the person what it sent). */
  fromAgent(sessionId: string, deviceId: string, message: SurveyAnswerMessage): void {
    this.surveys.answerByAgent(message.surveyId, sessionId, deviceId, message.answer).catch((err: unknown) => {
      if (err instanceof RelaisError) console.warn(`satisfaction: an answer from device ${deviceId} was refused: ${err.code}`);
      else console.error(`satisfaction: an answer from device ${deviceId} could not be stored: ${String(err)}`);
    });
  }

  /**
   * The support page's link for a used code whose ticket is resolved: a fresh single-use
   * token (the page's own), or null when there is nothing to rate.
   */
  async pageLink(codeId: string, language: 'fr' | 'en'): Promise<{ token: string; ticketNumber: number } | null> {
    const linked = await this.db.selectFrom('ticket_support_links').innerJoin('tickets', 'tickets.id', 'ticket_support_links.ticket_id')
      .select(['tickets.number', 'tickets.status']).where('ticket_support_links.code_id', '=', codeId).executeTakeFirst();
    if (!linked || linked.status !== 'resolved') return null;
    const survey = await this.surveys.forTicket(linked.number);
    if (!survey || survey.answered_at !== null || survey.expires_at <= Date.now()) return null;
    await this.surveys.setLanguage(survey.id, language);
    const { token } = await this.surveys.issueLink(linked.number, 'page');
    return { token, ticketNumber: linked.number };
  }
}
