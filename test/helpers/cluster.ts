/**
 * A real cluster behind a real balancer for the tests (cluster-nodes.ts starts nodes
 * without one): N controller processes (dist/controller/main.mjs) on one fresh PostgreSQL
 * database (test-database.ts), the real Redis at 127.0.0.1:6379 under a prefix of this
 * cluster's own, a cluster secret, and HAProxy in front (scripts/cluster/cluster.mjs
 * writes its configuration, the one the README shows).
 * Only in the `postgres` test project: a cluster cannot run on SQLite.
 */
import { HAPROXY_PATH, startCluster, type Cluster, type ClusterNode } from '../../scripts/cluster/cluster.mjs';
import { requirePostgres, TEST_REDIS_URL } from './cluster-nodes.js';
import { hasTool } from './system-tools.js';
import type { ControllerAddress } from './controller-process.js';
import { repoRoot } from './paths.js';
import { createTestDatabase } from './test-database.js';

export type { Cluster, ClusterNode };

/**
 * Whether HAProxy is here for the balancer tests: outside CI a missing one skips them; in CI
 * (`.ci/run` installs it) a missing one fails (system-tools.ts).
 */
export function hasHaproxy(): boolean {
  return hasTool('haproxy');
}

export interface TestCluster extends Cluster {
  /** The balancer as the REST helpers take it (login, support links, tokens, consoles). */
  readonly balancer: ControllerAddress;
  /** One node directly, bypassing the balancer. */
  direct(node: ClusterNode): ControllerAddress;
}

/** Starts `size` nodes behind HAProxy on a fresh test database; `stop()` ends every process and drops the database. */
export async function startTestCluster(size = 3, options: { env?: Record<string, string> } = {}): Promise<TestCluster> {
  requirePostgres();
  const database = await createTestDatabase();
  let cluster: Cluster;
  try {
    cluster = await startCluster({ root: repoRoot, size, databaseUrl: database.url, redisUrl: TEST_REDIS_URL, env: options.env ?? {} });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const stopCluster = cluster.stop;
  return Object.assign(cluster, {
    balancer: { url: cluster.url, adminPassword: cluster.adminPassword },
    direct: (node: ClusterNode) => ({ url: node.url, adminPassword: cluster.adminPassword }),
    stop: async () => {
      await stopCluster();
      await database.drop();
    },
  });
}
