/**
 * Health checks for agents, balancers and orchestrators, public like the login page:
 * - `GET /api/health`: the process answers (and its clock: agents measure their skew).
 * - `GET /api/health/live`: liveness: the process is up. Fails only when the process
 *   is stuck or gone; a failing liveness check calls for a restart.
 * - `GET /api/health/ready`: readiness: send traffic here. 503 with the reason while
 *   the database does not answer in time, migrations are pending, or the node is
 *   shutting down; a failing readiness check takes the node out of rotation only.
 */
import { Router } from 'express';
import { restAnswers } from '../../../protocol/index.js';
import type { Readiness } from '../observability/readiness.js';
import { answer } from './answer.js';

export function healthRoutes(readiness: Readiness): Router {
  const health = Router();
  // `time` lets agents measure their clock skew against the controller.
  health.get('/health', (_req, res) => answer(res, restAnswers.health, { ok: true, version: __RELAIS_VERSION__, time: Date.now() }));
  health.get('/health/live', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    answer(res, restAnswers.live, { ok: true });
  });
  health.get('/health/ready', async (_req, res) => {
    const state = await readiness.check();
    res.setHeader('Cache-Control', 'no-store');
    answer(res, restAnswers.ready, state, state.ready ? 200 : 503);
  });
  return health;
}
