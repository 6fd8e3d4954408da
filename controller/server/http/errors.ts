/**
 * Turns anything thrown by a route into the catalog's JSON error; unknown errors are
 * logged, not shown. The code never changes; the message is in the reader's language
 * (the account's, then --lang, then the browser's): English keeps the detail a route
 * added, French gives the catalog's French words for the code.
 */
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { errorWords, RelaisError, restAnswers, type ErrorCode, type FieldProblem, type Language } from '../../../protocol/index.js';
import { plainText } from '../../../protocol/text.js';
import { answer } from './answer.js';
import { readerLanguage } from './server-language.js';

/**
 * The words of an error for a reader: English as thrown (with its detail), other languages
 * from the catalog. Made plain text: a detail may quote the client's own input (a key it
 * sent), which must not reorder or hide what the reader sees (bidi overrides, controls).
 */
export function errorMessage(err: RelaisError, language: Language): string {
  return plainText(language === 'en' ? err.message : errorWords(err.code, language), 1024);
}

function languageOf(res: Response): Language {
  return res.req ? readerLanguage(res.req) : 'en';
}

/** A refused body that names the field it is about, so a form can mark it (under a feature's own code, if it has one). */
export class FieldError extends RelaisError {
  constructor(detail: string, readonly field: FieldProblem, code: ErrorCode = 'HTTP_ERR_BAD_REQUEST') {
    super(code, detail);
  }
}

/** A zod issue as a form reads it: which field (`parameters.0.name`), why, and the limit, never the value. */
export function fieldProblemOf(issue: z.core.$ZodIssue): FieldProblem {
  const path = issue.path.map(String).join('.').slice(0, 256) || 'body';
  const at = (reason: FieldProblem['reason'], limit?: number | bigint): FieldProblem =>
    limit === undefined ? { path, reason } : { path, reason, limit: Number(limit) };
  switch (issue.code) {
    case 'invalid_type': {
      // zod leaves the value out of its issues unless asked (reportInput); its message then says what came: "received undefined" when missing.
      const missing = 'input' in issue ? issue.input === undefined : /received undefined$/.test(issue.message);
      return at(missing ? 'required' : 'invalid');
    }
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? at('required') : at('tooShort', issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') return at('required', issue.minimum);
      return at('tooSmall', issue.minimum);
    case 'too_big':
      if (issue.origin === 'string') return at('tooLong', issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') return at('tooMany', issue.maximum);
      return at('tooLarge', issue.maximum);
    case 'invalid_format':
      return at('format');
    case 'invalid_value':
      return at('notOneOf');
    case 'custom': {
      const bytes = (issue.params as { maxJsonBytes?: number } | undefined)?.maxJsonBytes;
      if (bytes !== undefined) return at('tooManyBytes', bytes);
      // A text's refinements: control characters are a matter of format; a blank required text is missing.
      return issue.message.startsWith('must not contain') ? at('format') : issue.message === 'must not be empty' ? at('required') : at('invalid');
    }
    default:
      return at('invalid');
  }
}

/** A body that failed its schema, described by its first problem and field name only: a value (a password, a token) is never echoed. */
export function badRequest(error: z.ZodError, code: ErrorCode = 'HTTP_ERR_BAD_REQUEST'): RelaisError {
  const issue = error.issues[0];
  const detail = `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}.`;
  return issue ? new FieldError(detail, fieldProblemOf(issue), code) : new RelaisError(code, detail);
}

export function sendError(res: Response, err: RelaisError, retryAfterMs?: number): void {
  if (retryAfterMs) res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
  const field = err instanceof FieldError ? { field: err.field } : {};
  answer(res, restAnswers.error, { error: { code: err.code, message: errorMessage(err, languageOf(res)), ...field } }, err.status);
}

/**
 * What the client sent that could not be read before any route ran — the body parsers'
 * errors (by their `type`) and a path whose %-escapes are not UTF-8 — as a catalog error
 * with the status the problem calls for; null for anything else.
 */
function unreadableRequest(err: unknown): { error: RelaisError; status: number } | null {
  const bad = (detail: string, status = 400) => ({ error: new RelaisError('HTTP_ERR_BAD_REQUEST', detail), status });
  // Express could not decode a route parameter (`/api/tickets/%E0%A4%A`).
  if (err instanceof URIError) return bad('The address holds an invalid %-escape.');
  const { status, type } = err as { status?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  switch (type) {
    case 'entity.too.large':
      return bad('The body is too large.', 413);
    case 'parameters.too.many':
      return bad('The form has too many fields.', 413);
    case 'encoding.unsupported':
      return bad('The body\'s Content-Encoding is not supported (send it as is, or gzip, deflate or br).', 415);
    case 'charset.unsupported':
      return bad('The body\'s character set is not supported (send UTF-8).', 415);
    case 'entity.parse.failed':
      return bad('The body is not valid JSON.');
    default:
      // An aborted upload, a length that does not match the body...
      return bad('The body could not be read.', status);
  }
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) return;
  if (err instanceof RelaisError) return sendError(res, err);
  const unreadable = unreadableRequest(err);
  // The catalog's code for a malformed request, under the status of what was wrong with it.
  if (unreadable) return answer(res, restAnswers.error, { error: { code: unreadable.error.code, message: errorMessage(unreadable.error, languageOf(res)) } }, unreadable.status);
  // By route template, never the path: /s/:code holds a support code.
  req.log.error({ err, method: req.method, route: req.routeTemplate ?? null, ...(req.account ? { account: req.account.username } : {}) }, 'http: a request failed');
  sendError(res, new RelaisError('HTTP_ERR_INTERNAL'));
}

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new RelaisError('HTTP_ERR_NOT_FOUND'));
}

/** A refused query string, naming the parameter without repeating its value. */
export function badQuery(error: z.ZodError): RelaisError {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ').slice(0, 80) : 'query');
  return new RelaisError('HTTP_ERR_BAD_REQUEST', `${where}: ${issue?.message ?? 'invalid'}.`);
}
