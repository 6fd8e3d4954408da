/** Middleware every route passes: who is asking, and from which site. The websocket upgrade uses the same checks. */
import type { NextFunction, Request, Response } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import { bearerToken, type ApiTokens } from '../auth/api-tokens.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import { resolveClientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';

declare module 'express-serve-static-core' {
  interface Request {
    account?: Account;
  }
}

/**
 * First of all: a request addressed to a name that is not ours is refused before any
 * route (DNS rebinding), and the client address is resolved once for the rest.
 */
export function ownHostsOnly(origins: OwnOrigins, trustProxy: boolean) {
  return (req: Request, _res: Response, next: NextFunction) => {
    resolveClientIp(req, trustProxy);
    if (origins.ownHost(req.headers.host) === null) return next(new RelaisError('HTTP_ERR_UNKNOWN_HOST'));
    next();
  };
}

/** State-changing requests from a browser must come from our own pages (defence in depth beside SameSite=Strict). */
export function sameOriginForWrites(origins: OwnOrigins) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (req.headers.origin === undefined) return next(); // not a browser: no ambient credentials to abuse
    if (!origins.isOwnOrigin(req.headers.origin)) return next(new RelaisError('AUTH_ERR_BAD_ORIGIN'));
    next();
  };
}

/**
 * Requires a valid login session, or an API token (`Authorization: Bearer`, for the
 * command line), and puts its account on the request. A bearer header that is
 * present but wrong is refused as such, never silently replaced by a cookie.
 */
export function requireSession(sessions: LoginSessions, apiTokens: ApiTokens) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (req.headers.authorization !== undefined) {
      const token = bearerToken(req.headers.authorization);
      const byToken = token ? await apiTokens.accountFor(token) : null;
      if (!byToken) return next(new RelaisError('AUTH_ERR_BAD_API_TOKEN'));
      req.account = byToken;
      return next();
    }
    const account = await sessions.fromRequest(req);
    if (!account) return next(new RelaisError('AUTH_ERR_NO_SESSION'));
    req.account = account;
    next();
  };
}

/** Requires the account to be an administrator; `task` ends "Only an administrator can …". Use after requireSession. */
export function requireAdminTo(task: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.account?.role !== 'admin') return next(new RelaisError('AUTH_ERR_FORBIDDEN', `Only an administrator can ${task}.`));
    next();
  };
}

/** Requires an administrator for fleet enrollment and revocation. Use after requireSession. */
export const requireAdmin = requireAdminTo('manage the fleet');

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
