/**
 * The checks every door of the controller applies, defined once over the raw
 * request so that express routes (guards.ts) and websocket upgrades (upgrade.ts)
 * run the very same code: which name it is addressed to, which site it comes
 * from, and who is asking.
 * A check resolves when the request may go on and throws a catalog error when not.
 */
import type { IncomingMessage } from 'node:http';
import { RelaisError } from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import { bearerToken, type ApiTokens } from '../auth/api-tokens.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import type { OwnOrigins } from './own-origins.js';

/** A request on its way in; the session check records the account it belongs to. */
export type GuardedRequest = IncomingMessage & { account?: Account };

export type Check = (req: GuardedRequest) => void | Promise<void>;

/** The request must be addressed to one of our own names: any other Host is refused before any route (DNS rebinding). */
export function ownHost(origins: OwnOrigins): Check {
  return (req) => {
    if (origins.ownHost(req.headers.host) === null) throw new RelaisError('HTTP_ERR_UNKNOWN_HOST');
  };
}

/**
 * The Origin header must name our own site. `if-present`: a request without one is
 * not from a browser (an agent, the command line), so it carries no ambient
 * credentials to abuse; `required`: a browser is expected and always sends it.
 */
export function ownOrigin(origins: OwnOrigins, mode: 'required' | 'if-present'): Check {
  return (req) => {
    if (mode === 'if-present' && req.headers.origin === undefined) return;
    if (!origins.isOwnOrigin(req.headers.origin)) throw new RelaisError('AUTH_ERR_BAD_ORIGIN');
  };
}

/**
 * A valid login session (cookie), or with `apiTokens` an API token (`Authorization:
 * Bearer`, for the command line). A bearer header that is present but wrong is
 * refused as such, never silently replaced by a cookie.
 */
export function loginSession(sessions: LoginSessions, apiTokens: ApiTokens | null): Check {
  return async (req) => {
    if (apiTokens && req.headers.authorization !== undefined) {
      const token = bearerToken(req.headers.authorization);
      const account = token ? await apiTokens.accountFor(token) : null;
      if (!account) throw new RelaisError('AUTH_ERR_BAD_API_TOKEN');
      req.account = account;
      return;
    }
    const account = await sessions.fromRequest(req);
    if (!account) throw new RelaisError('AUTH_ERR_NO_SESSION');
    req.account = account;
  };
}

/** The account (after loginSession) must be an administrator; `task` ends "Only an administrator can …". */
export function administrator(task: string): Check {
  return (req) => {
    if (req.account?.role !== 'admin') throw new RelaisError('AUTH_ERR_FORBIDDEN', `Only an administrator can ${task}.`);
  };
}

/** Runs checks in order; the first refusal stops the request. */
export async function runChecks(req: GuardedRequest, checks: readonly Check[]): Promise<void> {
  for (const check of checks) await check(req);
}
