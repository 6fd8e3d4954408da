/**
 * The first middleware of every request: it gives the request its id (answer header
 * `X-Request-Id`) and a child logger carrying it (`req.log`), and when the answer is
 * done writes one access line and one observation of the duration histogram, both by
 * route template (`/api/jobs/:id`, `/s/:code`): never the URL, whose path or query
 * string may hold a support code or a token, and never a label per raw path.
 * Probes, metrics scrapes and static files are logged at debug: a balancer checking
 * every two seconds should not fill the log.
 */
import type { RequestHandler } from 'express';
import type { Log } from '../observability/logger.js';
import type { Meter } from '../observability/metrics.js';
import { requestIdOf } from '../observability/request-id.js';
import { clientIp } from './origin.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id (X-Request-Id). */
    id: string;
    /** A logger whose lines carry the request id. */
    log: Log;
    /** The template of the route that answered (`/api/devices/:id`), once one matched. */
    routeTemplate?: string;
  }
}

const QUIET_ROUTES = new Set(['/api/health', '/api/health/live', '/api/health/ready', '/metrics']);

export function observeRequests(log: Log, meter: Meter, trustProxy: boolean): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    req.id = requestIdOf(req, trustProxy);
    req.log = log.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);
    rememberRouteTemplate(req);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.statusCode;
      // Unmatched answers are grouped: static files (found) and everything not found.
      const route = req.routeTemplate ?? (status < 400 ? 'static' : 'unmatched');
      meter.httpRequest(route, req.method, status, seconds);
      const quiet = QUIET_ROUTES.has(route) || route === 'static';
      const line = {
        method: req.method, route, status, ms: Math.round(seconds * 10_000) / 10, ip: clientIp(req),
        ...(req.account ? { account: req.account.username } : {}), ...(res.writableFinished ? {} : { aborted: true }),
      };
      req.log[quiet ? 'debug' : 'info'](line, `${req.method} ${route} ${status}`);
    });
    next();
  };
}

/**
 * Express sets `req.route` when a route matches, while `req.baseUrl` still holds the
 * routers' mount path; by the time the answer is done an error may have unwound
 * baseUrl. So the full template is taken at that moment.
 */
function rememberRouteTemplate(req: Parameters<RequestHandler>[0]): void {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value && typeof value.path === 'string') req.routeTemplate = `${req.baseUrl ?? ''}${value.path}`;
    },
  });
}
