/**
 * A cluster node's readiness follows Redis: a real node reaches the real Redis through a
 * TCP relay this test owns, so Redis can "go away" (the relay cut and closed) and come
 * back (the relay listening again on the same port) without touching the Redis that
 * other tests share. Liveness never depends on it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, startClusterNodes, type ClusterNodes } from '../helpers/cluster-nodes.js';
import type { RunningController } from '../helpers/controller-process.js';

/** A TCP relay to Redis that can be cut and restored on the same port. */
class RedisRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(TEST_REDIS_URL);
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

async function readiness(node: RunningController): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${node.url}/api/health/ready`);
  return { status: res.status, body: await res.json() };
}

describe('a cluster node whose Redis goes away', () => {
  const relay = new RedisRelay();
  let cluster: ClusterNodes;
  let node: RunningController;

  beforeAll(async () => {
    await relay.open();
    cluster = await startClusterNodes(1, { env: { RELAIS_REDIS_URL: `redis://127.0.0.1:${relay.port}` } });
    node = cluster.nodes[0]!;
  });
  afterAll(async () => {
    await relay.cut();
    await cluster?.stop();
  });

  it('is not ready while Redis is unreachable (liveness unchanged), and ready again once it is back', async () => {
    await expect.poll(() => readiness(node), { timeout: 15_000 }).toEqual({ status: 200, body: { ready: true } });

    await relay.cut();
    await expect.poll(() => readiness(node), { timeout: 15_000 }).toEqual({ status: 503, body: { ready: false, reason: 'redis-unavailable' } });
    expect((await fetch(`${node.url}/api/health/live`)).status).toBe(200);
    await expect.poll(() => node.logs(), { timeout: 5000 }).toMatch(/readiness: a probe failed/);

    await relay.open();
    await expect.poll(() => readiness(node), { timeout: 30_000 }).toEqual({ status: 200, body: { ready: true } });
  });
});
