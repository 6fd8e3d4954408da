/**
 * The knowledge base (issue 17), documented in the README's REST table. Mounted after the
 * session guard: technicians and administrators read and write articles, vote and run an
 * article's fix; only administrators delete an article. Every refused field or parameter is
 * the catalog's KB_ERR_INVALID_FIELD naming it (never its value); every answer carries
 * `Server-Timing: app;dur=<ms>, cpu;dur=<ms>` (read by scripts/bench/knowledge-bench.mjs).
 */
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { RelaisError } from '../../../protocol/index.js';
import {
  articleQuery,
  feedbackRequest,
  knowledgeAnswers,
  runFixRequest,
  suggestionQuery,
  versionsQuery,
} from '../../../protocol/knowledge-answers.js';
import { createArticleRequest, updateArticleRequest, type ArticleFields } from '../../../protocol/knowledge-model.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { KnowledgeCaller } from '../knowledge/article-store.js';
import type { ScriptLibrary } from '../jobs/script-library.js';
import { scriptInLanguage } from '../store/script-words.js';
import { answer } from './answer.js';
import { FieldError, badRequest } from './errors.js';
import { requireAdminTo } from './guards.js';
import { clientIp } from './origin.js';
import { readerLanguage } from './server-language.js';
import { serverTiming } from './server-timing.js';

export interface KnowledgeDeps {
  readonly knowledge: Knowledge;
  readonly scripts: ScriptLibrary;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw badRequest(parsed.error, 'KB_ERR_INVALID_FIELD');
  return parsed.data;
}

/** `:id` as an article id; anything else names no article. */
function articleId(req: Request): string {
  const id = String(req.params.id);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new RelaisError('KB_ERR_NOT_FOUND');
  return id;
}

const fieldError = (path: string, detail: string) => new FieldError(`${path}: ${detail}`, { path, reason: 'notOneOf' }, 'KB_ERR_INVALID_FIELD');

export function knowledgeRoutes(deps: KnowledgeDeps): Router {
  const routes = Router();
  routes.use('/knowledge', serverTiming);
  const caller = (req: Request): KnowledgeCaller => ({ account: req.account!, ip: clientIp(req) });
  const kb = () => deps.knowledge;

  /** The script must be in the library when the article is saved (it may go later: running it then says so). */
  const checkScript = async (fields: ArticleFields) => {
    if (fields.scriptName !== null && !(await deps.scripts.byName(fields.scriptName))) throw fieldError('scriptName', 'not in the script library.');
  };

  /** The article with the tickets it is linked to and its script's title in the reader's language. */
  const full = async (req: Request, id: string) => {
    const article = await kb().articles.get(id);
    if (!article) throw new RelaisError('KB_ERR_NOT_FOUND');
    const [tickets, script] = await Promise.all([kb().articles.linkedTickets(id), article.scriptName ? deps.scripts.byName(article.scriptName) : null]);
    const shown = script ? scriptInLanguage(script, readerLanguage(req)) : null;
    return { article, tickets, script: shown ? { name: shown.name, title: shown.title, interpreter: shown.interpreter } : null };
  };

  routes.get('/knowledge/articles', async (req, res) => {
    answer(res, knowledgeAnswers.list, await kb().articles.list(parse(articleQuery, req.query)));
  });

  routes.post('/knowledge/articles', async (req, res) => {
    const { sourceTicket, ...fields } = parse(createArticleRequest, req.body);
    await checkScript(fields);
    const source = sourceTicket === undefined ? null : await kb().ticketRef(sourceTicket);
    if (sourceTicket !== undefined && !source) throw fieldError('sourceTicket', 'no ticket has that number.');
    const article = await kb().articles.create(fields, source, caller(req));
    answer(res, knowledgeAnswers.article, await full(req, article.id), 201);
  });

  routes.get('/knowledge/articles/:id', async (req, res) => answer(res, knowledgeAnswers.article, await full(req, articleId(req))));

  routes.put('/knowledge/articles/:id', async (req, res) => {
    const id = articleId(req);
    const { expectedVersion, ...fields } = parse(updateArticleRequest, req.body);
    await checkScript(fields);
    await kb().articles.update(id, expectedVersion, fields, caller(req));
    answer(res, knowledgeAnswers.article, await full(req, id));
  });

  routes.delete('/knowledge/articles/:id', requireAdminTo('delete an article'), async (req, res) => {
    await kb().articles.remove(articleId(req), caller(req));
    res.status(204).end();
  });

  routes.get('/knowledge/articles/:id/versions', async (req, res) => {
    const query = parse(versionsQuery, req.query);
    answer(res, knowledgeAnswers.versions, await kb().versions.versions(articleId(req), query.cursor, query.limit));
  });

  routes.get('/knowledge/articles/:id/versions/:version', async (req, res) => {
    const version = /^[1-9][0-9]{0,8}$/.test(String(req.params.version)) ? Number(req.params.version) : null;
    if (version === null) throw new RelaisError('KB_ERR_NOT_FOUND');
    answer(res, knowledgeAnswers.version, await kb().versions.version(articleId(req), version));
  });

  routes.put('/knowledge/articles/:id/feedback', async (req, res) => {
    const id = articleId(req);
    const body = parse(feedbackRequest, req.body);
    const ticket = await kb().ticketRef(body.ticketNumber);
    if (!ticket) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    answer(res, knowledgeAnswers.feedback, await kb().feedback.vote(id, ticket.id, body.vote, req.account!.username));
  });

  routes.post('/knowledge/articles/:id/run', async (req, res) => {
    const id = articleId(req);
    const body = parse(runFixRequest, req.body);
    const article = await kb().articles.get(id);
    if (!article) throw new RelaisError('KB_ERR_NOT_FOUND');
    const ticket = body.ticketNumber === undefined ? null : await kb().ticketRef(body.ticketNumber);
    if (body.ticketNumber !== undefined && !ticket) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    answer(res, knowledgeAnswers.run, { job: await kb().fixRuns.run(article, body.deviceId, ticket, caller(req)) }, 201);
  });

  routes.get('/knowledge/drafts/:ticketNumber', async (req, res) => {
    const m = /^#?([1-9][0-9]{0,8})$/.exec(String(req.params.ticketNumber));
    if (!m) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    answer(res, knowledgeAnswers.draft, await kb().drafts.draft(Number(m[1]), readerLanguage(req)));
  });

  routes.get('/knowledge/suggestions', async (req, res) => {
    const query = parse(suggestionQuery, req.query);
    answer(res, knowledgeAnswers.suggestions, 'ticket' in query ? await kb().suggestions.forTicket(query.ticket) : await kb().suggestions.forDevice(query.device));
  });

  return routes;
}
