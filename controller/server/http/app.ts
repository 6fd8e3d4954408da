/** The express application: API, the support-link page, the agent download and the web UI. */
import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { apiRoutes, type ApiDeps } from './api-routes.js';
import { errorHandler, notFound } from './errors.js';
import { ownHostsOnly, sameOriginForWrites, securityHeaders } from './guards.js';
import { supportPage, type SupportPageDeps } from './support-page.js';

export interface Assets {
  /** The built browser UI (index.html, app.js, styles). */
  readonly webDir: string;
  /** The agent package served to people: relais-agent.tgz. */
  readonly agentPackage: string;
}

export function createApp(deps: ApiDeps & SupportPageDeps & { readonly trustProxy: boolean }, assets: Assets): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders(deps.tls));
  app.use(ownHostsOnly(deps.origins, deps.trustProxy));
  app.use(sameOriginForWrites(deps.origins));
  // Script bodies may reach LIMITS.maxScriptBodyBytes (JSON-escaped, larger still); every other body stays small.
  app.use('/api/scripts', express.json({ limit: '512kb' }));
  // A ticket's description, note or resolution may reach 20,000 characters (3 bytes each as JSON).
  app.use('/api/tickets', express.json({ limit: '128kb' }));
  app.use('/api', express.json({ limit: '16kb' }), apiRoutes(deps), notFound);
  app.get('/s/:code', supportPage(deps));
  app.get('/download/relais-agent.tgz', (_req, res, next) => {
    if (!existsSync(assets.agentPackage)) return next();
    res.setHeader('Content-Type', 'application/gzip');
    res.sendFile(assets.agentPackage);
  });
  app.use(express.static(assets.webDir, { index: 'index.html', maxAge: 0 }));
  app.get('/', (_req, res) => res.sendFile(join(assets.webDir, 'index.html')));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
