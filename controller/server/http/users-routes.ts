/**
 * Technician accounts (documented in the README): administrators list, add, change
 * and remove them; everyone changes their own password. No password is ever logged
 * or audited, only that it changed.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { LANGUAGES, RelaisError, isPlainText, restAnswers, roleInput, type Language } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import { AccountDirectory, MAX_PASSWORD_LENGTH } from '../auth/account-directory.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import { setAccountLanguage } from '../auth/accounts.js';
import { answer } from './answer.js';
import { badRequest } from './errors.js';
import { requireAdminTo } from './guards.js';
import { clientIp } from './origin.js';
import { technicianLanguage } from './request-language.js';

export interface UsersDeps {
  readonly sessions: LoginSessions;
  readonly audit: AuditLog;
  /** The controller's --lang: the language of accounts that choose none (after nothing else: see request-language.ts). */
  readonly language?: Language | null;
}

// l1, l2 or admin; `technician` (the name before level 2) still means l1.
const role = roleInput;
// A technician's name is shown to the people they help, in their terminal: the wire's text rules apply.
const displayName = z.string().trim().min(1).max(64).refine(isPlainText, 'must not contain control characters, bidirectional overrides or lone surrogates');
// Shape rules (username pattern, password length) are checked by AccountDirectory with the catalog's words.
const password = z.string().max(MAX_PASSWORD_LENGTH);
const createBody = z.object({ username: z.string().max(64), name: displayName, password, role });
const updateBody = z
  .object({ name: displayName.optional(), role: role.optional(), password: password.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.role !== undefined || b.password !== undefined, { message: 'Give at least one of name, role or password to change.' });
const ownPasswordBody = z.object({ current: z.string().max(MAX_PASSWORD_LENGTH), next: password });
// null: no choice of one's own (the browser's language, then the controller's --lang).
const ownLanguageBody = z.object({ language: z.enum(LANGUAGES).nullable() }).strict();

function userId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new RelaisError('USER_ERR_NOT_FOUND');
  return id;
}

/** Routes under /api, mounted after requireSession. */
export function usersRoutes(deps: UsersDeps): Router {
  const routes = Router();
  const directory = new AccountDirectory(deps.sessions.db);
  const requireAdmin = requireAdminTo('manage technician accounts');

  routes.post('/me/password', async (req, res) => {
    const body = ownPasswordBody.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const account = req.account!;
    const apiTokens = await directory.changeOwnPassword(account, body.data.current, body.data.next);
    // Whoever knew the old password keeps nothing: other sessions, their consoles and every API token end; this browser stays in.
    const ended = await deps.sessions.endAllFor(account.id, deps.sessions.keyOf(req));
    deps.audit.note({ actor: account.username, action: 'password.changed', target: account.username, detail: { by: 'self', ended: { ...ended, apiTokens } }, ip: clientIp(req) });
    res.status(204).end();
  });

  // Anyone logged in chooses the language the UI speaks to them; it is theirs alone, so no administrator is needed.
  routes.put('/me/language', async (req, res) => {
    const body = ownLanguageBody.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const account = req.account!;
    if (!(await setAccountLanguage(deps.sessions.db, account.id, body.data.language))) throw new RelaisError('USER_ERR_NOT_FOUND');
    req.account = { ...account, language: body.data.language };
    deps.audit.note({ actor: account.username, action: 'user.updated', target: account.username, detail: { id: account.id, fields: ['language'], by: 'self', language: body.data.language }, ip: clientIp(req) });
    answer(res, restAnswers.meLanguage, { language: technicianLanguage(req, deps.language ?? null), languageChoice: body.data.language });
  });

  routes.get('/users', requireAdmin, async (_req, res) => {
    answer(res, restAnswers.users, { users: await directory.list() });
  });

  routes.post('/users', requireAdmin, async (req, res) => {
    const body = createBody.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const user = await directory.create(body.data);
    deps.audit.note({ actor: req.account!.username, action: 'user.created', target: user.username, detail: { id: user.id, role: user.role }, ip: clientIp(req) });
    answer(res, restAnswers.user, { user }, 201);
  });

  routes.patch('/users/:id', requireAdmin, async (req, res) => {
    const id = userId(req);
    const body = updateBody.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const { apiTokensEnded, ...user } = await directory.update(id, body.data);
    const fields = Object.keys(body.data).filter((k) => body.data[k as keyof typeof body.data] !== undefined);
    deps.audit.note({ actor: req.account!.username, action: 'user.updated', target: user.username, detail: { id, fields, role: user.role }, ip: clientIp(req) });
    if (body.data.password !== undefined) {
      // A reset password ends every credential of the account: sessions, consoles, and (above) API tokens;
      // only the admin's own browser stays in when resetting their own.
      const self = id === req.account!.id;
      const ended = await deps.sessions.endAllFor(id, self ? deps.sessions.keyOf(req) : null);
      deps.audit.note({ actor: req.account!.username, action: 'password.changed', target: user.username, detail: { by: 'admin', ended: { ...ended, apiTokens: apiTokensEnded } }, ip: clientIp(req) });
    }
    answer(res, restAnswers.user, { user });
  });

  routes.delete('/users/:id', requireAdmin, async (req, res) => {
    const user = await directory.remove(userId(req));
    // Removed at once: every browser of theirs is logged out and its live console closed.
    await deps.sessions.endAllFor(user.id);
    deps.audit.note({ actor: req.account!.username, action: 'user.deleted', target: user.username, detail: { id: user.id, role: user.role }, ip: clientIp(req) });
    res.status(204).end();
  });

  return routes;
}
