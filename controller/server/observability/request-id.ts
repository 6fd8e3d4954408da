/**
 * Each HTTP request and websocket connection gets an id that is on every log line
 * about it and in the `X-Request-Id` answer header, so a technician's report ("it
 * failed at 14:02, request 3f2…") leads to the lines. Behind a trusted reverse proxy
 * (--trust-proxy) the id the proxy set is kept (nginx `$request_id`, HAProxy
 * `unique-id-header`), so its access log and ours agree; it is used only when it is
 * short and plain, so a client cannot write into our lines through it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const PLAIN_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestIdOf(req: IncomingMessage, trustProxy: boolean): string {
  const given = trustProxy ? req.headers['x-request-id'] : undefined;
  return typeof given === 'string' && PLAIN_ID.test(given) ? given : randomUUID();
}
