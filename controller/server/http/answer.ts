/**
 * Sends a route's JSON answer typed by its contract schema (protocol/rest-answers.ts,
 * rest-fleet-answers.ts): the compiler checks what the controller sends against what
 * the web UI and the CLI validate, so the two cannot drift apart.
 */
import type { Response } from 'express';
import type { z } from 'zod';

export function answer<S extends z.ZodType>(res: Response, _schema: S, body: z.input<S>, status = 200): void {
  res.status(status).json(body);
}
