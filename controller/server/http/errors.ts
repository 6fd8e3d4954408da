/**
 * Turns anything thrown by a route into the catalog's JSON error; unknown errors are
 * logged, not shown. The code never changes; the message is in the reader's language
 * (the account's, then --lang, then the browser's): English keeps the detail a route
 * added, French gives the catalog's French words for the code.
 */
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { errorWords, RelaisError, restAnswers, type Language } from '../../../protocol/index.js';
import { answer } from './answer.js';
import { readerLanguage } from './server-language.js';

/** The words of an error for a reader: English as thrown (with its detail), other languages from the catalog. */
export function errorMessage(err: RelaisError, language: Language): string {
  return language === 'en' ? err.message : errorWords(err.code, language);
}

function languageOf(res: Response): Language {
  return res.req ? readerLanguage(res.req) : 'en';
}

/** A body that failed its schema, described by its first problem and field name only: a value (a password, a token) is never echoed. */
export function badRequest(error: z.ZodError): RelaisError {
  const issue = error.issues[0];
  return new RelaisError('HTTP_ERR_BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}.`);
}

export function sendError(res: Response, err: RelaisError, retryAfterMs?: number): void {
  if (retryAfterMs) res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
  answer(res, restAnswers.error, { error: { code: err.code, message: errorMessage(err, languageOf(res)) } }, err.status);
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) return;
  if (err instanceof RelaisError) return sendError(res, err);
  const status = (err as { status?: number; type?: string }).status;
  // A body too large keeps its own status (413) under the catalog's code for a malformed request.
  if (status === 413) {
    const tooLarge = new RelaisError('HTTP_ERR_BAD_REQUEST', 'The body is too large.');
    return answer(res, restAnswers.error, { error: { code: tooLarge.code, message: errorMessage(tooLarge, languageOf(res)) } }, 413);
  }
  if (status === 400) return sendError(res, new RelaisError('HTTP_ERR_BAD_REQUEST', 'The body is not valid JSON.'));
  console.error(`http: ${req.method} ${req.path} failed: ${err instanceof Error ? err.stack : String(err)}`);
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
