/** Turns anything thrown by a route into the catalog's JSON error; unknown errors are logged, not shown. */
import type { NextFunction, Request, Response } from 'express';
import { ERRORS, RelaisError } from '../../../protocol/index.js';

export function sendError(res: Response, err: RelaisError, retryAfterMs?: number): void {
  if (retryAfterMs) res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
  res.status(err.status).json({ error: { code: err.code, message: err.message } });
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) return;
  if (err instanceof RelaisError) return sendError(res, err);
  const status = (err as { status?: number; type?: string }).status;
  if (status === 413) return void res.status(413).json({ error: { code: 'HTTP_ERR_BAD_REQUEST', message: `${ERRORS.HTTP_ERR_BAD_REQUEST.message} The body is too large.` } });
  if (status === 400) return void res.status(400).json({ error: { code: 'HTTP_ERR_BAD_REQUEST', message: `${ERRORS.HTTP_ERR_BAD_REQUEST.message} The body is not valid JSON.` } });
  console.error(`http: ${req.method} ${req.path} failed: ${err instanceof Error ? err.stack : String(err)}`);
  res.status(500).json({ error: { code: 'HTTP_ERR_INTERNAL', message: ERRORS.HTTP_ERR_INTERNAL.message } });
}

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new RelaisError('HTTP_ERR_NOT_FOUND'));
}
