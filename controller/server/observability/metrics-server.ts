/**
 * The separate metrics address (--metrics-listen 127.0.0.1:9464): a plain HTTP
 * server that answers GET /metrics and nothing else, without a token (the address is
 * the protection: bind it to loopback or to a network only Prometheus reaches).
 */
import { createServer, type Server } from 'node:http';
import type { Log } from './logger.js';
import { metricsHostAllowed } from './metrics-access.js';
import type { Metrics } from './metrics.js';

export interface MetricsAddress {
  readonly host: string;
  readonly port: number;
}

export async function listenForMetrics(metrics: Metrics, address: MetricsAddress, allowedHosts: readonly string[], log: Log): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: number) => void res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(`${status}\n`);
    if (!metricsHostAllowed(req.headers.host, allowedHosts)) return refuse(421);
    if (path !== '/metrics') return refuse(404);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405);
    metrics.render().then(
      ({ contentType, body }) => void res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      (err: unknown) => {
        log.error({ err }, 'metrics: could not render the metrics');
        refuse(500);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
