/**
 * The knowledge routes' queries and answers (issue 17), shared like rest-answers.ts: the
 * controller types what it sends with them, the web UI checks what it receives. The
 * README's REST table describes the routes. Lists carry titles and snippets, never
 * bodies; every list is bounded.
 */
import { z } from 'zod';
import { findingCode } from './findings.js';
import { id, person, text, timestamp } from './fields.js';
import { job, scriptName } from './jobs.js';
import {
  ARTICLE_CONTENT_FIELDS,
  KB_LIMITS,
  article,
  articleContent,
  articleTag,
  articleVisibility,
  articleVote,
  highlightRanges,
  markedText,
} from './knowledge-model.js';
import { ticketCategory, ticketStatus } from './ticket-model.js';
import { ticketNumber } from './rest-ticket-answers.js';

const count = z.number().int().min(0);

// ---- queries and requests ----

/** GET /api/knowledge/articles: a search (`q`, ranked) or the newest first; filters narrow either. */
export const articleQuery = z
  .object({
    q: text(KB_LIMITS.queryChars).optional(),
    category: ticketCategory.optional(),
    code: findingCode.optional(),
    tag: articleTag.optional(),
    visibility: articleVisibility.optional(),
    cursor: z.string().regex(/^[0-9A-Za-z_-]{1,80}$/).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ArticleQuery = z.infer<typeof articleQuery>;

/** GET /api/knowledge/suggestions: for a ticket (its devices' findings, then its words) or for one device. */
export const suggestionQuery = z
  .union([
    z.object({ ticket: z.string().regex(/^#?[1-9][0-9]{0,8}$/).transform((v) => Number(v.replace('#', ''))) }).strict(),
    z.object({ device: id }).strict(),
  ]);

/** PUT /api/knowledge/articles/:id/feedback: did it help on this ticket (null takes the vote back). */
export const feedbackRequest = z.object({ ticketNumber, vote: articleVote.nullable() }).strict();

/** POST /api/knowledge/articles/:id/run: the article's script on one enrolled device, for a ticket if given. */
export const runFixRequest = z.object({ deviceId: id, ticketNumber: ticketNumber.optional() }).strict();

/** GET /api/knowledge/articles/:id/versions. */
export const versionsQuery = z
  .object({ cursor: z.string().regex(/^[1-9][0-9]{0,8}$/).transform(Number).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) })
  .strict();

// ---- answers ----

/** One result of a list or a search: its title (with the matched words) and a snippet, not its body. */
export const articleListItem = z.object({
  id,
  title: text(KB_LIMITS.title),
  titleMarks: highlightRanges,
  /** The matched words in their context (a search), or the symptoms' first line (no search). */
  snippet: markedText,
  category: ticketCategory,
  tags: z.array(articleTag).max(KB_LIMITS.tags),
  findingCodes: z.array(findingCode).max(KB_LIMITS.findingCodes),
  scriptName: scriptName.nullable(),
  visibility: articleVisibility,
  updatedAt: timestamp,
  helped: count,
  notHelped: count,
});
export type ArticleListItem = z.infer<typeof articleListItem>;

export const linkedTicket = z.object({
  number: ticketNumber,
  title: text(200),
  status: ticketStatus,
  /** source: written from it; helped / not_helped: its vote; ran: the fix ran for it. */
  relation: z.enum(['source', 'helped', 'not_helped', 'ran']),
  at: timestamp,
});

export const articleVersionItem = z.object({ version: z.number().int().min(1), at: timestamp, author: person, title: text(KB_LIMITS.title) });

/** One line of a diff between two versions: kept, added or removed. */
export const diffLine = z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string().max(KB_LIMITS.steps) });
/** The lines of one changed field (tags and codes one per line). */
export const fieldDiff = z.object({ field: z.enum(ARTICLE_CONTENT_FIELDS), lines: z.array(diffLine).max(50_000) });
export type FieldDiffView = z.infer<typeof fieldDiff>;

export const suggestion = z.object({
  article: articleListItem,
  /** findings: its codes match the device's current findings; text: its words match the ticket's. */
  reason: z.enum(['findings', 'text']),
  matchedCodes: z.array(findingCode).max(KB_LIMITS.findingCodes),
  /** This ticket's vote on it (null on a device page or before any vote). */
  vote: articleVote.nullable(),
});
export type Suggestion = z.infer<typeof suggestion>;

export const knowledgeAnswers = {
  /** GET /api/knowledge/articles. */
  list: z.object({ articles: z.array(articleListItem).max(100), nextCursor: z.string().max(80).nullable() }),
  /** GET, POST (201), PUT /api/knowledge/articles/:id: the article, the tickets it is linked to, its script's title. */
  article: z.object({
    article,
    tickets: z.array(linkedTicket).max(KB_LIMITS.linkedTickets),
    script: z.object({ name: scriptName, title: text(200), interpreter: text(16) }).nullable(),
  }),
  /** GET /api/knowledge/articles/:id/versions: newest first. */
  versions: z.object({ versions: z.array(articleVersionItem).max(100), nextCursor: z.string().max(12).nullable() }),
  /** GET /api/knowledge/articles/:id/versions/:version: its content and its diff against the version before. */
  version: z.object({
    version: articleVersionItem.extend({ content: articleContent }),
    previous: z.number().int().min(1).nullable(),
    diff: z.array(fieldDiff).max(ARTICLE_CONTENT_FIELDS.length),
  }),
  /** GET /api/knowledge/drafts/:ticketNumber: an article prefilled from a ticket ("Document this fix"). */
  draft: z.object({ draft: articleContent.extend({ sourceTicket: ticketNumber }), scriptsRun: z.array(scriptName).max(20) }),
  /** GET /api/knowledge/suggestions. */
  suggestions: z.object({ findingCodes: z.array(findingCode).max(64), suggestions: z.array(suggestion).max(KB_LIMITS.suggestions) }),
  /** PUT /api/knowledge/articles/:id/feedback. */
  feedback: z.object({ helped: count, notHelped: count, vote: articleVote.nullable() }),
  /** POST /api/knowledge/articles/:id/run (201). */
  run: z.object({ job }),
};
