/**
 * Satisfaction (the knowledge-base issue, "Satisfaction"): once a ticket is resolved the
 * person rates it, 1 to 5 with an optional comment, or says it is not solved (which
 * reopens the ticket). The same answer schema serves the agent's terminal (survey.ask /
 * survey.answer on the agent socket), the survey page and the controller's store, so the
 * bounds are checked alike wherever an answer comes from.
 */
import { z } from 'zod';
import { id, text, timestamp } from './fields.js';

export const SURVEY_LIMITS = Object.freeze({
  /** The person's comment: one line of plain text. */
  comment: 1000,
  /** Answers listed per page (GET /api/satisfaction/answers). */
  page: 100,
});

export const SURVEY_RATINGS = [1, 2, 3, 4, 5] as const;
export const surveyRating = z.number().int().min(1).max(5);

/** Optional: empty once trimmed counts as no comment. */
export const surveyComment = text(SURVEY_LIMITS.comment);

/** What the person answers: a rating, or "not solved" (the ticket reopens with the comment on its timeline). */
export const surveyAnswer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rating'), rating: surveyRating, comment: surveyComment.optional() }).strict(),
  z.object({ kind: z.literal('not_solved'), comment: surveyComment.optional() }).strict(),
]);
export type SurveyAnswer = z.infer<typeof surveyAnswer>;

/** Where an answer came from. */
export const surveyVia = z.enum(['agent', 'page']);
export type SurveyVia = z.infer<typeof surveyVia>;

const ticketNumber = z.number().int().min(1).max(2 ** 31);

/** Controller → agent: the ticket of this session was resolved; ask the person (never required to answer). */
export const surveyAskMessage = z.object({
  t: z.literal('survey.ask'),
  surveyId: id,
  ticketNumber,
  /** The ticket's title, shown so the person knows which request is meant. */
  title: text(200),
  /** Who resolved it (the technician's display name). */
  technician: text(128),
});

/** Agent → controller: the person's answer, typed at the agent's terminal. */
export const surveyAnswerMessage = z.object({ t: z.literal('survey.answer'), surveyId: id, answer: surveyAnswer });

/** POST /api/tickets/:number/survey-link: a fresh single-use link for the resolution e-mail. */
export const surveyLinkAnswer = z.object({
  url: z.string().max(2048),
  expiresAt: timestamp,
  ticketNumber,
  /** The requester's language when the controller knows it (they opened the support page or the survey), else null. */
  language: z.enum(['fr', 'en']).nullable(),
});
export type SurveyLinkAnswer = z.infer<typeof surveyLinkAnswer>;

/** One answer as an administrator reads it. */
export const surveyAnswerView = z.object({
  id,
  ticketNumber,
  answeredAt: timestamp,
  rating: surveyRating.nullable(),
  notSolved: z.boolean(),
  comment: z.string().max(SURVEY_LIMITS.comment * 3).nullable(),
  via: surveyVia,
  technician: z.object({ username: z.string().max(64), name: z.string().max(128) }).nullable(),
});
export type SurveyAnswerView = z.infer<typeof surveyAnswerView>;

export const surveyAnswersAnswer = z.object({ answers: z.array(surveyAnswerView).max(SURVEY_LIMITS.page), nextCursor: z.string().max(64).nullable() });

/** GET /api/satisfaction/answers?from=&to=&technician=&cursor=&limit= */
export const surveyAnswersQuery = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  technician: z.coerce.number().int().min(1).max(2 ** 31).optional(),
  cursor: z.string().regex(/^\d{1,16}_[A-Za-z0-9_-]{1,64}$/).optional(),
  limit: z.coerce.number().int().min(1).max(SURVEY_LIMITS.page).default(50),
}).strict();
