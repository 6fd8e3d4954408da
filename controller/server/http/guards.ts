/**
 * The door checks (checks.ts) as express middleware, so every route passes the same
 * code as the websocket upgrades (upgrade.ts), plus the security headers of every answer.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Account } from '../auth/accounts.js';
import type { ApiTokens } from '../auth/api-tokens.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import { administrator, loginSession, ownHost, ownOrigin, runChecks, type Check } from './checks.js';
import { resolveClientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';

declare module 'express-serve-static-core' {
  interface Request {
    account?: Account;
  }
}

/** Express middleware running `checks` in order; a refusal goes to the error handler. */
export function guard(...checks: Check[]): RequestHandler {
  return (req, _res, next) => {
    runChecks(req, checks).then(() => next(), next);
  };
}

/**
 * First of all: the client address is resolved once for the rest, and a request
 * addressed to a name that is not ours is refused before any route (DNS rebinding).
 */
export function ownHostsOnly(origins: OwnOrigins, trustProxy: boolean): RequestHandler {
  const host = guard(ownHost(origins));
  return (req, res, next) => {
    resolveClientIp(req, trustProxy);
    host(req, res, next);
  };
}

/** State-changing requests from a browser must come from our own pages (defence in depth beside SameSite=Strict). */
export function sameOriginForWrites(origins: OwnOrigins): RequestHandler {
  const origin = guard(ownOrigin(origins, 'if-present'));
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    origin(req, res, next);
  };
}

/** Requires a valid login session or an API token, and puts its account on the request. */
export function requireSession(sessions: LoginSessions, apiTokens: ApiTokens): RequestHandler {
  return guard(loginSession(sessions, apiTokens));
}

/** Requires the account to be an administrator; `task` ends "Only an administrator can …". Use after requireSession. */
export function requireAdminTo(task: string): RequestHandler {
  return guard(administrator(task));
}

/** Requires an administrator for fleet enrollment and revocation. Use after requireSession. */
export const requireAdmin: RequestHandler = requireAdminTo('manage the fleet');

export function securityHeaders(tls: boolean) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    // xterm.js injects a <style> element for its theme, hence 'unsafe-inline' for styles only.
    res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    if (tls) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  };
}
