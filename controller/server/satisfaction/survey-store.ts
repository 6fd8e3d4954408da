/**
 * Satisfaction surveys: one per resolution of a ticket, made when first needed; answered
 * once, by the requester — through a single-use link (survey-tokens.ts) or at the agent of
 * the ticket's support session — before it expires (`--satisfaction-expiry-days` after the
 * resolution). "Not solved" reopens the ticket through the tickets' one transition, with
 * the comment as the reason; every answer goes on the ticket's timeline and the audit log.
 */
import { RelaisError } from '../../../protocol/index.js';
import { surveyAnswer, type SurveyAnswer, type SurveyAnswerView, type SurveyVia } from '../../../protocol/satisfaction-model.js';
import type { AuditLog } from '../audit/audit.js';
import { newId, sha256 } from '../auth/tokens.js';
import type { Db } from '../store/database.js';
import type { Selectable } from 'kysely';
import type { SatisfactionSurveysTable } from '../store/schema.js';
import type { TicketStore } from '../tickets/ticket-store.js';
import { issueToken, looksLikeToken } from './survey-tokens.js';

export interface SurveyOptions {
  /** How long after the resolution the person may answer. */
  readonly expiryMs: number;
  /** The calendar day of an instant (the reports' days). */
  readonly dayOf: (at: number) => string;
  readonly now?: () => number;
}

export type Survey = Selectable<SatisfactionSurveysTable>;

/** What a link shows before it is used. */
export interface SurveyInvitation {
  readonly survey: Survey;
  readonly title: string;
  readonly technician: string | null;
}

const invalid = (why: string) => new RelaisError('SURVEY_ERR_INVALID_FIELD', `(${why})`); // i18n-ignore: detail for the log

/** An answer from outside (a form, a socket): the protocol's schema, comments trimmed, empty ones dropped. */
export function parseAnswer(value: unknown): SurveyAnswer {
  const parsed = surveyAnswer.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error.issues[0]?.path.join('.') || 'answer');
  const comment = parsed.data.comment?.trim();
  return parsed.data.kind === 'rating'
    ? { kind: 'rating', rating: parsed.data.rating, ...(comment ? { comment } : {}) }
    : { kind: 'not_solved', ...(comment ? { comment } : {}) };
}

export class SurveyStore {
  private readonly now: () => number;

  constructor(private readonly db: Db, private readonly tickets: TicketStore, private readonly audit: AuditLog, private readonly options: SurveyOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The survey of the ticket's current resolution, made when first needed; null when the ticket is not resolved (or closed). */
  async forTicket(number: number): Promise<Survey | null> {
    const t = await this.db.selectFrom('tickets').select(['id', 'number', 'status', 'resolved_at', 'assignee_id']).where('number', '=', number).executeTakeFirst();
    if (!t) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    if ((t.status !== 'resolved' && t.status !== 'closed') || t.resolved_at === null) return null;
    const now = this.now();
    await this.db.insertInto('satisfaction_surveys').values({
      id: newId(), ticket_id: t.id, ticket_number: t.number, resolved_at: t.resolved_at, technician_id: t.assignee_id, created_at: now,
      expires_at: t.resolved_at + this.options.expiryMs, language: null, not_solved: 0, answered_at: null, answered_day: null, rating: null, comment: null, via: null,
    }).onConflict((oc) => oc.columns(['ticket_id', 'resolved_at']).doNothing()).execute();
    return (await this.db.selectFrom('satisfaction_surveys').selectAll().where('ticket_id', '=', t.id).where('resolved_at', '=', t.resolved_at).executeTakeFirst()) ?? null;
  }

  async byId(id: string): Promise<Survey | null> {
    return (await this.db.selectFrom('satisfaction_surveys').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  /** A fresh single-use link token for the ticket's survey; SURVEY_ERR_NOT_RESOLVED when the ticket is not resolved. */
  async issueLink(number: number, purpose: 'mail' | 'page'): Promise<{ token: string; survey: Survey }> {
    const survey = await this.forTicket(number);
    if (!survey) throw new RelaisError('SURVEY_ERR_NOT_RESOLVED');
    if (survey.answered_at !== null) throw new RelaisError('SURVEY_ERR_USED');
    const token = await issueToken(this.db, survey.id, purpose, survey.expires_at, this.now());
    return { token, survey };
  }

  /** The person's language, once seen (the survey page, the support page): the next e-mail text uses it. */
  async setLanguage(surveyId: string, language: 'fr' | 'en'): Promise<void> {
    await this.db.updateTable('satisfaction_surveys').set({ language }).where('id', '=', surveyId).where('answered_at', 'is', null).execute();
  }

  /** What a link is for, without using it; throws SURVEY_ERR_NOT_FOUND, SURVEY_ERR_USED or SURVEY_ERR_EXPIRED. */
  async inspect(token: string): Promise<SurveyInvitation> {
    if (!looksLikeToken(token)) throw new RelaisError('SURVEY_ERR_NOT_FOUND');
    const row = await this.db
      .selectFrom('satisfaction_tokens')
      .innerJoin('satisfaction_surveys', 'satisfaction_surveys.id', 'satisfaction_tokens.survey_id')
      .innerJoin('tickets', 'tickets.id', 'satisfaction_surveys.ticket_id')
      .leftJoin('users', 'users.id', 'satisfaction_surveys.technician_id')
      .selectAll('satisfaction_surveys')
      .select(['satisfaction_tokens.used_at as token_used_at', 'satisfaction_tokens.expires_at as token_expires_at', 'tickets.title', 'tickets.resolved_at as ticket_resolved_at', 'users.name as technician_name'])
      .where('satisfaction_tokens.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row) throw new RelaisError('SURVEY_ERR_NOT_FOUND');
    const { token_used_at, token_expires_at, title, ticket_resolved_at, technician_name, ...survey } = row;
    this.checkOpen(survey, ticket_resolved_at, token_used_at, token_expires_at);
    return { survey, title, technician: technician_name };
  }

  /** The person answers through a link: the link is used up, the survey answered, in one transaction. */
  async answerByToken(token: string, value: unknown): Promise<Survey> {
    const answer = parseAnswer(value);
    const { survey } = await this.inspect(token);
    const now = this.now();
    await this.db.transaction().execute(async (tx) => {
      const used = await tx.updateTable('satisfaction_tokens').set({ used_at: now })
        .where('token_hash', '=', sha256(token)).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw new RelaisError('SURVEY_ERR_USED');
      await this.markAnswered(tx, survey.id, answer, 'page', now);
    });
    return this.afterAnswer(survey, answer, 'page', 'person');
  }

  /** The person answers at the agent of a support session linked to the survey's ticket. */
  async answerByAgent(surveyId: string, sessionId: string, deviceId: string, value: unknown): Promise<Survey> {
    const answer = parseAnswer(value);
    const survey = await this.byId(surveyId);
    if (!survey) throw new RelaisError('SURVEY_ERR_NOT_FOUND');
    // Only the requester's own session: the survey's ticket must be the one its support link belongs to.
    const linked = await this.db.selectFrom('support_sessions')
      .innerJoin('ticket_support_links', 'ticket_support_links.code_id', 'support_sessions.code_id')
      .select('ticket_support_links.ticket_id').where('support_sessions.id', '=', sessionId).where('ticket_support_links.ticket_id', '=', survey.ticket_id).executeTakeFirst();
    if (!linked) throw new RelaisError('SURVEY_ERR_NOT_FOUND');
    const ticket = await this.db.selectFrom('tickets').select('resolved_at').where('id', '=', survey.ticket_id).executeTakeFirst();
    this.checkOpen(survey, ticket?.resolved_at ?? null, null, survey.expires_at);
    const now = this.now();
    await this.db.transaction().execute(async (tx) => this.markAnswered(tx, survey.id, answer, 'agent', now));
    return this.afterAnswer(survey, answer, 'agent', `device:${deviceId}`);
  }

  /** Answers, newest first, a page at a time (administrators read them). */
  async answers(query: { from?: string; to?: string; technician?: number; cursor?: string; limit: number }): Promise<{ answers: SurveyAnswerView[]; nextCursor: string | null }> {
    let q = this.db.selectFrom('satisfaction_surveys').leftJoin('users', 'users.id', 'satisfaction_surveys.technician_id')
      .select(['satisfaction_surveys.id', 'ticket_number', 'answered_at', 'rating', 'not_solved', 'comment', 'via', 'users.username', 'users.name'])
      .where('answered_at', 'is not', null);
    if (query.from) q = q.where('answered_day', '>=', query.from);
    if (query.to) q = q.where('answered_day', '<=', query.to);
    if (query.technician !== undefined) q = q.where('technician_id', '=', query.technician);
    if (query.cursor) {
      const [at, id] = [Number(query.cursor.split('_')[0]), query.cursor.slice(query.cursor.indexOf('_') + 1)];
      q = q.where((eb) => eb(eb.refTuple('answered_at', 'satisfaction_surveys.id'), '<', eb.tuple(at, id)));
    }
    const rows = await q.orderBy('answered_at', 'desc').orderBy('satisfaction_surveys.id', 'desc').limit(query.limit + 1).execute();
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return {
      answers: shown.map((r) => ({
        id: r.id, ticketNumber: r.ticket_number, answeredAt: r.answered_at!, rating: r.rating, notSolved: r.not_solved === 1, comment: r.comment,
        via: r.via ?? 'page', technician: r.username !== null && r.name !== null ? { username: r.username, name: r.name } : null,
      })),
      nextCursor: rows.length > query.limit && last ? `${last.answered_at}_${last.id}` : null,
    };
  }

  private checkOpen(survey: Survey, ticketResolvedAt: number | null, tokenUsedAt: number | null, tokenExpiresAt: number): void {
    if (survey.answered_at !== null || tokenUsedAt !== null) throw new RelaisError('SURVEY_ERR_USED');
    // Reopened since (by a technician) or past the expiry: this resolution can no longer be rated.
    if (ticketResolvedAt !== survey.resolved_at || Math.min(survey.expires_at, tokenExpiresAt) <= this.now()) throw new RelaisError('SURVEY_ERR_EXPIRED');
  }

  /** Answered once: the conditional update is what makes a second answer (or a race) fail. */
  private async markAnswered(tx: Db, surveyId: string, answer: SurveyAnswer, via: SurveyVia, now: number): Promise<void> {
    const done = await tx.updateTable('satisfaction_surveys').set({
      answered_at: now, answered_day: this.options.dayOf(now), rating: answer.kind === 'rating' ? answer.rating : null,
      not_solved: answer.kind === 'not_solved' ? 1 : 0, comment: answer.comment ?? null, via,
    }).where('id', '=', surveyId).where('answered_at', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new RelaisError('SURVEY_ERR_USED');
    // The survey's other links are of no use any more.
    await tx.deleteFrom('satisfaction_tokens').where('survey_id', '=', surveyId).where('used_at', 'is', null).execute();
  }

  /** The timeline, the audit log and, for "not solved", the reopening (after the answer is stored: the answer counts even if the ticket moved meanwhile). */
  private async afterAnswer(survey: Survey, answer: SurveyAnswer, via: SurveyVia, actor: string): Promise<Survey> {
    const notSolved = answer.kind === 'not_solved';
    await this.tickets.personEvent(survey.ticket_number, 'survey_answered', {
      rating: answer.kind === 'rating' ? answer.rating : null, notSolved, ...(answer.comment ? { comment: answer.comment } : {}), via,
    });
    this.audit.note({ actor, action: 'survey.answered', target: `#${survey.ticket_number}`, detail: { surveyId: survey.id, rating: answer.kind === 'rating' ? answer.rating : null, notSolved, via, comment: answer.comment !== undefined } });
    if (notSolved) {
      try {
        await this.tickets.reopenForPerson(survey.ticket_number, survey.resolved_at, answer.comment);
      } catch (err) {
        // Closed or reopened meanwhile: the answer and its comment are on the timeline for the technician.
        if (!(err instanceof RelaisError)) throw err;
      }
    }
    return (await this.byId(survey.id))!;
  }
}
