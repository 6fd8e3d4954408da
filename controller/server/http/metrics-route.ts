/**
 * GET /metrics on the main port: not there (404) unless the controller was started
 * with --metrics-token, and then only for a caller sending that token as
 * `Authorization: Bearer`. The separate address (--metrics-listen) needs no token.
 */
import type { RequestHandler } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import { bearerMatches } from '../observability/metrics-access.js';
import type { Metrics } from '../observability/metrics.js';

export function metricsRoute(metrics: Metrics | null, tokenHash: string | null): RequestHandler {
  return async (req, res, next) => {
    if (!metrics || !tokenHash) return next(new RelaisError('HTTP_ERR_NOT_FOUND'));
    if (!bearerMatches(req.headers.authorization, tokenHash)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new RelaisError('METRICS_ERR_BAD_TOKEN');
    }
    const { contentType, body } = await metrics.render();
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  };
}
