/** The express application: API, the support-link page, the agent download and the web UI. */
import express, { type Express } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Language } from '../../../protocol/index.js';
import { apiRoutes, type ApiDeps } from './api-routes.js';
import type { Log } from '../observability/logger.js';
import type { Meter, Metrics } from '../observability/metrics.js';
import { errorHandler, notFound } from './errors.js';
import { ownHostsOnly, sameOriginForWrites, securityHeaders } from './guards.js';
import { metricsRoute } from './metrics-route.js';
import { observeRequests } from './request-log.js';
import { setControllerLanguage } from './server-language.js';
import { SUPPORT_CHAT_SCRIPT, SUPPORT_PAGE_SCRIPT } from './support-chat-script.js';
import { agentDownload } from './agent-download.js';
import { AgentExecutables } from '../downloads/agent-executables.js';
import { supportChatRead, supportChatWrite, supportPage, supportPageUnreadable, supportProblem, type SupportPageDeps } from './support-page.js';
import { surveyAnswerPost, surveyPage, surveyPageUnreadable, type SurveyPageDeps } from '../satisfaction/survey-page.js';

export interface Assets {
  /** The built browser UI (index.html, app.js, styles). */
  readonly webDir: string;
  /** The agent package served to people: relais-agent.tgz. */
  readonly agentPackage: string;
  /** The agent executables (dist/agents/), when built. */
  readonly agentExecutables?: string;
}

/** What the app logs and measures with, from the composition root. */
export interface Observability {
  readonly log: Log;
  readonly meter: Meter;
  /** The registry served at /metrics, or null when metrics are off. */
  readonly metrics: Metrics | null;
  /** SHA-256 of --metrics-token; null: /metrics is not served on this port. */
  readonly metricsTokenHash: string | null;
}

export function createApp(appDeps: ApiDeps & SupportPageDeps & SurveyPageDeps & Observability & { readonly trustProxy: boolean }, assets: Assets): Express {
  const deps = { ...appDeps, executables: new AgentExecutables(assets.agentExecutables ?? join(assets.webDir, '..', 'agents')) };
  const app = express();
  app.disable('x-powered-by');
  // First: every answer, refused ones included, has a request id, an access line and a duration.
  app.use(observeRequests(deps.log, deps.meter, deps.trustProxy));
  setControllerLanguage(app, deps.language);
  app.set('etag', false);
  app.use(securityHeaders(deps.tls));
  app.use(ownHostsOnly(deps.origins, deps.trustProxy));
  app.use(sameOriginForWrites(deps.origins));
  app.get('/metrics', metricsRoute(deps.metrics, deps.metricsTokenHash));
  // Script bodies may reach LIMITS.maxScriptBodyBytes (JSON-escaped, larger still); every other body stays small.
  app.use('/api/scripts', express.json({ limit: '512kb' }));
  // A ticket's description, note or resolution may reach 20,000 characters (3 bytes each as JSON).
  app.use('/api/tickets', express.json({ limit: '128kb' }));
  // An article is at most ~41,000 characters (protocol/knowledge-model.ts KB_LIMITS).
  app.use('/api/knowledge', express.json({ limit: '160kb' }));
  app.use('/api', express.json({ limit: '16kb' }), apiRoutes(deps), notFound);
  app.get('/s/support.js', (_req, res) => void res.type('text/javascript').setHeader('Cache-Control', 'no-store').send(SUPPORT_PAGE_SCRIPT));
  app.get('/s/chat.js', (_req, res) => void res.type('text/javascript').setHeader('Cache-Control', 'no-store').send(SUPPORT_CHAT_SCRIPT));
  app.get('/s/:code', supportPage(deps));
  app.get('/s/:code/chat', supportChatRead(deps));
  app.post('/s/:code/chat', express.json({ limit: '16kb' }), supportChatWrite(deps));
  app.post('/s/:code/problem', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 }), supportProblem(deps));
  // The satisfaction survey: a single-use link is the credential (satisfaction/survey-page.ts).
  app.get('/survey/:token', surveyPage(deps));
  app.post('/survey/:token', express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 4 }), surveyAnswerPost(deps));
  // A page address that could not be decoded gets the page's own answer (HTML, the person's language).
  app.use('/s', supportPageUnreadable(deps));
  app.use('/survey', surveyPageUnreadable(deps));
  app.get('/download/relais-agent.tgz', (_req, res, next) => {
    if (!existsSync(assets.agentPackage)) return next();
    res.setHeader('Content-Type', 'application/gzip');
    res.sendFile(assets.agentPackage);
  });
  app.get('/download/agent/:platform', agentDownload(deps));
  // The page carries the controller's --lang, so the login screen speaks the helpdesk's language before anyone logs in.
  const page = (_req: express.Request, res: express.Response, next: express.NextFunction) => {
    const file = join(assets.webDir, 'index.html');
    if (!existsSync(file)) return next();
    res.type('html').send(withDefaultLanguage(readFileSync(file, 'utf8'), deps.language ?? null));
  };
  app.get('/', page);
  app.use('/index.html', (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? page(req, res, next) : next()));
  app.use(express.static(assets.webDir, { index: false, maxAge: 0 }));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** index.html with `data-default-lang` (and `lang`) on `<html>` when the controller has a --lang. */
export function withDefaultLanguage(html: string, language: Language | null): string {
  if (!language) return html;
  return html.replace(/<html\b[^>]*>/i, `<html lang="${language}" data-default-lang="${language}">`); // i18n-ignore: markup, not words
}
