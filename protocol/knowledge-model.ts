/**
 * Knowledge-base articles (issue 17), the pure model: an article's fields and their
 * bounds, shared by the controller (which validates what it receives), the web UI and
 * any client. An article records one problem and its fix: symptoms, cause and steps in
 * Markdown (rendered by protocol/markdown.ts only), the finding codes it fixes, and
 * optionally a library script that applies the fix.
 */
import { z } from 'zod';
import { findingCode } from './findings.js';
import { id, person, text, timestamp } from './fields.js';
import { scriptName } from './jobs.js';
import { multilineText, ticketCategory } from './ticket-model.js';
import { ticketNumber } from './rest-ticket-answers.js';

/** Size bounds in characters (JSON bytes at most 3 per character): an article is at most ~41,000 characters. */
export const KB_LIMITS = Object.freeze({
  title: 200,
  symptoms: 10_000,
  cause: 10_000,
  steps: 20_000,
  tags: 10,
  tag: 32,
  findingCodes: 12,
  /** Words of one search. */
  queryChars: 200,
  /** Suggestions shown on a ticket or a device. */
  suggestions: 8,
  /** Tickets an article's page lists (newest first). */
  linkedTickets: 20,
});

export const ARTICLE_VISIBILITIES = ['internal', 'person'] as const;
/** internal: technicians only; person: also shown to the person on the support page. */
export const articleVisibility = z.enum(ARTICLE_VISIBILITIES);
export type ArticleVisibility = z.infer<typeof articleVisibility>;

const required = <S extends z.ZodType<string>>(schema: S) => schema.refine((value: string) => value.trim().length > 0, 'must not be empty');

/** A tag: one word of letters, digits, `.`, `_` or `-` (`vpn`, `windows-11`, `réseau`). */
export const articleTag = text(KB_LIMITS.tag).regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u, 'must be one word of letters, digits, . _ or -');

/** What a technician writes: the same for creating and editing. */
export const articleFields = z
  .object({
    title: required(text(KB_LIMITS.title)),
    symptoms: required(multilineText(KB_LIMITS.symptoms)),
    cause: multilineText(KB_LIMITS.cause).default(''),
    steps: required(multilineText(KB_LIMITS.steps)),
    category: ticketCategory,
    tags: z.array(articleTag).max(KB_LIMITS.tags).default([]),
    findingCodes: z.array(findingCode).max(KB_LIMITS.findingCodes).default([]),
    /** A script of the library that applies the fix; null or absent: none. */
    scriptName: scriptName.nullable().default(null),
    visibility: articleVisibility.default('internal'),
  })
  .strict();
export type ArticleFields = z.output<typeof articleFields>;
export type ArticleFieldsInput = z.input<typeof articleFields>;

/** POST /api/knowledge/articles: the fields, and the ticket it documents when written from one. */
export const createArticleRequest = articleFields.extend({ sourceTicket: ticketNumber.optional() }).strict();
/** PUT /api/knowledge/articles/:id: every field again, with the version the editor started from. */
export const updateArticleRequest = articleFields.extend({ expectedVersion: z.number().int().min(1) }).strict();

/** An article as stored and shown. */
export const article = z.object({
  id,
  title: text(KB_LIMITS.title),
  symptoms: multilineText(KB_LIMITS.symptoms),
  cause: multilineText(KB_LIMITS.cause),
  steps: multilineText(KB_LIMITS.steps),
  category: ticketCategory,
  tags: z.array(articleTag).max(KB_LIMITS.tags),
  findingCodes: z.array(findingCode).max(KB_LIMITS.findingCodes),
  scriptName: scriptName.nullable(),
  visibility: articleVisibility,
  author: person,
  updatedBy: person,
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int().min(1),
  /** How many tickets said it helped, and did not. */
  helped: z.number().int().min(0),
  notHelped: z.number().int().min(0),
  /** The ticket it was written from, if any. */
  sourceTicket: ticketNumber.nullable(),
});
export type Article = z.infer<typeof article>;

/** The content a version keeps (everything a technician wrote), in the order a diff shows it. */
export const ARTICLE_CONTENT_FIELDS = ['title', 'category', 'visibility', 'tags', 'findingCodes', 'scriptName', 'symptoms', 'cause', 'steps'] as const;
export type ArticleContentField = (typeof ARTICLE_CONTENT_FIELDS)[number];
export const articleContent = article.pick({ title: true, symptoms: true, cause: true, steps: true, category: true, tags: true, findingCodes: true, scriptName: true, visibility: true });
export type ArticleContent = z.infer<typeof articleContent>;

/** The parts of a text to highlight: [start, end) character offsets, in order, not overlapping. */
export const highlightRanges = z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])).max(64);
/** Text with the words a search matched: the client marks the ranges (never HTML from the server). */
export const markedText = z.object({ text: text(1000), marks: highlightRanges });
export type MarkedText = z.infer<typeof markedText>;

export const ARTICLE_VOTES = ['helped', 'not_helped'] as const;
export const articleVote = z.enum(ARTICLE_VOTES);
export type ArticleVote = z.infer<typeof articleVote>;
