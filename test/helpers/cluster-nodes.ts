/**
 * Several real controller processes as one cluster, for the cluster-* integration tests:
 * one PostgreSQL database (test-database.ts) and the real Redis at 127.0.0.1:6379 under a
 * prefix of their own (so clusters of parallel tests never meet), the same cluster secret
 * and administrator password, each node reached directly (no balancer here).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startController, type RunningController } from './controller-process.js';
import { createTestDatabase, testEngine, type TestDatabase } from './test-database.js';

export const TEST_REDIS_URL = process.env.RELAIS_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Cluster nodes share one PostgreSQL database: the cluster tests run in the postgres project only (vitest.config.ts). */
export function requirePostgres(): void {
  if (testEngine() !== 'postgres') throw new Error('cluster nodes share one PostgreSQL database: run this file in the postgres project (RELAIS_TEST_DATABASE_URL set)');
}

export interface ClusterNodes {
  readonly nodes: RunningController[];
  readonly prefix: string;
  readonly database: TestDatabase;
  /** Starts one more node on the same database and Redis prefix. */
  add(env?: Record<string, string>): Promise<RunningController>;
  stop(): Promise<void>;
}

export async function startClusterNodes(count: number, opts: { env?: Record<string, string>; args?: string[] } = {}): Promise<ClusterNodes> {
  requirePostgres();
  const database = await createTestDatabase();
  const prefix = `test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('hex');
  const adminPassword = `cluster-admin-${randomBytes(6).toString('hex')}`;
  const nodes: RunningController[] = [];
  const add = async (env: Record<string, string> = {}): Promise<RunningController> => {
    const node = await startController({
      args: opts.args ?? [],
      env: {
        RELAIS_DATABASE_URL: database.url, RELAIS_REDIS_URL: TEST_REDIS_URL, RELAIS_REDIS_PREFIX: prefix, RELAIS_CLUSTER_SECRET: secret,
        RELAIS_ADMIN_PASSWORD: adminPassword, RELAIS_NODE_ID: `node-${nodes.length}-${prefix}`, ...opts.env, ...env,
      },
    });
    // The first node made the administrator; every node logs it in with that password.
    node.adminPassword = adminPassword;
    nodes.push(node);
    return node;
  };
  try {
    for (let i = 0; i < count; i++) await add();
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    await database.drop();
    throw err;
  }
  return {
    nodes, prefix, database, add,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await database.drop();
      await dropRedisKeys(prefix);
    },
  };
}

/** Removes a test cluster's keys from Redis. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`relais:${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
