/** The REST API the web UI uses (documented in the README). */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { RelaisError, deviceQuery, restAnswers, type Language } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import { checkCredentials } from '../auth/accounts.js';
import type { FailedLogins } from '../auth/failed-logins.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { groupCode } from '../auth/tokens.js';
import type { DeviceDirectory } from '../devices/device-directory.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import { chatRoutes, type ChatDeps } from './chat-routes.js';
import { auditRoutes } from './audit-routes.js';
import { diagnosticsRoutes } from './diagnostics-routes.js';
import { enrollRoute, fleetRoutes, type FleetDeps } from './fleet-routes.js';
import { healthRoutes } from './health-routes.js';
import { fileRoutes, type FileDeps } from './file-routes.js';
import { jobRoutes, type JobDeps } from './job-routes.js';
import { knowledgeRoutes, type KnowledgeDeps } from './knowledge-routes.js';
import { recordingRoutes, type RecordingDeps } from './recording-routes.js';
import { reportRoutes, type ReportDeps } from './report-routes.js';
import { satisfactionRoutes, type SatisfactionDeps } from './satisfaction-routes.js';
import { ticketRoutes, type TicketDeps } from './ticket-routes.js';
import { usersRoutes } from './users-routes.js';
import type { AgentHub } from '../hubs/agent-hub.js';
import type { SupportCodes } from '../support/support-codes.js';
import type { SupportSessions } from '../support/support-sessions.js';
import type { Meter } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';
import { answer } from './answer.js';
import { badQuery, sendError } from './errors.js';
import { requireSession } from './guards.js';
import { clientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';
import { technicianLanguage } from './request-language.js';

export interface ApiDeps extends FleetDeps, JobDeps, TicketDeps, RecordingDeps, ChatDeps, SatisfactionDeps, ReportDeps, KnowledgeDeps, FileDeps {
  readonly sessions: LoginSessions;
  readonly supportSessions: SupportSessions;
  readonly codes: SupportCodes;
  readonly devices: DeviceRegistry;
  readonly directory: DeviceDirectory;
  readonly agents: AgentHub;
  readonly audit: AuditLog;
  readonly diagnostics: DiagnosticsStore;
  readonly loginThrottle: LoginThrottle;
  readonly failedLogins: FailedLogins;
  readonly organization: string;
  readonly tls: boolean;
  readonly origins: OwnOrigins;
  /** The controller's --lang (config.language): for accounts that choose no language, before their browser's. */
  readonly language?: Language | null;
  /** Answers GET /api/health/ready. */
  readonly readiness: Readiness;
  /** Counts login failures (NO_METRICS when metrics are off). */
  readonly meter: Pick<Meter, 'loginFailed'>;
}

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const supportLinkBody = z.object({ ticketNumber: z.number().int().min(1).max(999_999_999).optional() });

export function apiRoutes(deps: ApiDeps): Router {
  const api = Router();
  // Links are built from our own origins only (public URL first), never from a Host we do not know.
  const base = (req: Request) => deps.origins.baseUrl(req.headers.host);

  api.use(healthRoutes(deps.readiness));

  api.post('/login', async (req, res) => {
    const body = loginBody.safeParse(req.body);
    if (!body.success) throw new RelaisError('HTTP_ERR_BAD_REQUEST', 'Give a username and a password.');
    const ip = clientIp(req);
    const { username } = body.data;
    const wait = deps.loginThrottle.retryAfterMs(username, ip);
    if (wait > 0) return sendError(res, new RelaisError('AUTH_ERR_THROTTLED'), wait);
    const account = await checkCredentials(deps.sessions.db, username, body.data.password);
    if (!account) {
      deps.loginThrottle.failed(username, ip);
      deps.meter.loginFailed();
      // The owner is shown these after logging in: where, when, how many. Not awaited, so the
      // answer takes as long whether or not the account exists.
      deps.failedLogins.record(username, ip).catch((err: unknown) => req.log.error({ err }, 'failed logins: could not record one'));
      deps.audit.note({ actor: username.slice(0, 64), action: 'login.failed', ip });
      // The username stays in the audit log: people type their password in it by mistake.
      req.log.info({ ip }, 'login refused: wrong username or password');
      throw new RelaisError('AUTH_ERR_BAD_CREDENTIALS');
    }
    deps.loginThrottle.succeeded(username, ip);
    res.setHeader('Set-Cookie', await deps.sessions.start(account));
    deps.audit.note({ actor: account.username, action: 'login.ok', ip });
    answer(res, restAnswers.login, { user: { username: account.username, name: account.name } });
  });

  api.post('/logout', async (req, res) => {
    const account = await deps.sessions.fromRequest(req);
    res.setHeader('Set-Cookie', await deps.sessions.end(req));
    if (account) deps.audit.note({ actor: account.username, action: 'logout', ip: clientIp(req) });
    res.status(204).end();
  });

  // Public: a machine enrolls with a token, not a session.
  api.use(enrollRoute(deps));

  api.use(requireSession(deps.sessions, deps.apiTokens));

  api.get('/me', async (req, res) => {
    const account = req.account!;
    answer(res, restAnswers.me, {
      user: { username: account.username, name: account.name }, role: account.role, organization: deps.organization, controllerUrl: base(req), version: __RELAIS_VERSION__,
      failedLogins: await deps.failedLogins.unseen(account.id),
      language: technicianLanguage(req, deps.language ?? null), languageChoice: account.language ?? null,
    });
  });

  // The owner has seen the failed logins /api/me listed.
  api.delete('/me/failed-logins', async (req, res) => {
    await deps.failedLogins.acknowledge(req.account!.id);
    res.status(204).end();
  });

  api.post('/support-links', async (req, res) => {
    // Optionally from a ticket: the agent that joins with this link lands on the ticket's timeline.
    const linkBody = supportLinkBody.safeParse(req.body ?? {});
    if (!linkBody.success) throw new RelaisError('TICKET_ERR_INVALID_FIELD', '(ticketNumber)'); // i18n-ignore: field name for the log
    const ticketNumber = linkBody.data.ticketNumber;
    if (ticketNumber !== undefined) await deps.tickets.mayLink(ticketNumber, req.account!);
    const issued = await deps.codes.issue(req.account!);
    const url = `${base(req)}/s/${issued.code}`;
    deps.audit.note({ actor: req.account!.username, action: 'link.created', target: issued.id, detail: { expiresAt: issued.expiresAt, ...(ticketNumber !== undefined ? { ticket: ticketNumber } : {}) }, ip: clientIp(req) });
    if (ticketNumber !== undefined) await deps.tickets.linkCreated(ticketNumber, issued.id, { account: req.account!, ip: clientIp(req) });
    answer(res, restAnswers.supportLinkCreated, {
      id: issued.id,
      code: issued.code,
      codeDisplay: groupCode(issued.code),
      url,
      command: `npx --yes ${base(req)}/download/relais-agent.tgz join ${url}`,
      expiresAt: issued.expiresAt,
    }, 201);
  });

  api.get('/support-links', async (_req, res) => {
    const now = Date.now();
    const links = (await deps.codes.list()).map((l) => ({
      id: l.id,
      createdAt: l.createdAt,
      expiresAt: l.expiresAt,
      status: l.usedAt !== null ? ('joined' as const) : l.expiresAt <= now ? ('expired' as const) : ('waiting' as const),
      technician: l.technician,
      deviceId: l.deviceId,
    }));
    answer(res, restAnswers.supportLinks, { links });
  });

  // Paged and filtered on the server: an answer never grows with the fleet.
  api.get('/devices', async (req, res) => {
    const query = deviceQuery.safeParse(req.query);
    if (!query.success) throw badQuery(query.error);
    answer(res, restAnswers.devices, await deps.directory.page(query.data));
  });

  api.get('/devices/facets', async (_req, res) => answer(res, restAnswers.deviceFacets, await deps.directory.facets()));

  api.get('/devices/:id', (req, res) => {
    const view = deps.devices.view(String(req.params.id));
    if (!view) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such device.');
    answer(res, restAnswers.device, { device: view });
  });

  api.post('/devices/:id/end-session', async (req: Request, res: Response) => {
    const view = deps.devices.view(String(req.params.id));
    if (!view) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such device.');
    if (!view.sessionId) throw new RelaisError('HTTP_ERR_BAD_REQUEST', 'A managed device has no support session to end; revoke it to refuse its key.');
    const account = req.account!;
    // A technician ends their own support sessions; ending someone else's is an administrator's action.
    const owner = (await deps.supportSessions.byId(view.sessionId))?.technician.username ?? null;
    if (owner !== account.username && account.role !== 'admin') {
      throw new RelaisError('AUTH_ERR_FORBIDDEN', 'Only an administrator can end another technician\'s support session.');
    }
    if (await deps.supportSessions.end(view.sessionId, `ended by ${account.username}`)) {
      deps.audit.note({ actor: account.username, action: 'session.ended', target: view.sessionId, detail: { by: account.role, owner, deviceId: view.id }, ip: clientIp(req) });
    }
    deps.agents.endSession(view.id, `${account.name} ended the support session.`);
    res.status(204).end();
  });

  api.use(usersRoutes(deps));
  api.use(diagnosticsRoutes(deps.devices, deps.diagnostics));
  api.use(fleetRoutes(deps));
  api.use(jobRoutes(deps));
  api.use(ticketRoutes(deps));
  api.use(recordingRoutes(deps));
  api.use(chatRoutes(deps));
  api.use(satisfactionRoutes(deps));
  api.use(reportRoutes(deps));
  api.use(knowledgeRoutes(deps));
  api.use(fileRoutes(deps));

  api.use(auditRoutes(deps.audit));

  return api;
}
