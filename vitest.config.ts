import { randomBytes } from 'node:crypto';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Every test runs on SQLite (project `sqlite`). When RELAIS_TEST_DATABASE_URL names a
 * PostgreSQL server (`.ci/run` sets it when one answers), the tests that reach the store —
 * integration, e2e and the store-backed unit tests — run again on PostgreSQL (project
 * `postgres`), each controller or store on a fresh database of that server
 * (test/helpers/test-database.ts). `--project sqlite` or `--project postgres` runs one.
 */
const postgresUrl = process.env.RELAIS_TEST_DATABASE_URL;
/** Names this run's databases, so the global teardown drops what a crashed test left and nothing else. */
const run = (process.env.RELAIS_TEST_RUN ??= randomBytes(3).toString('hex'));

/**
 * Tests of what only PostgreSQL can do (several controller nodes on one store, a pool to
 * exhaust): in the postgres project alone, never counted as skipped on SQLite.
 */
const POSTGRES_ONLY_TESTS = ['test/integration/cluster-*.test.ts', 'test/e2e/cluster-*.test.ts', 'test/integration/agent-admission-storm.test.ts'];

/**
 * Integration tests whose subject has nothing to do with the store: in the sqlite project
 * alone. The Windows executable runs under Wine, whose one prefix two projects would share
 * at once; the job drain holds its thread 7 s.
 */
const ENGINE_INDEPENDENT_TESTS = ['test/integration/agent-executable-windows.test.ts', 'test/integration/job-process-drain.test.ts'];

/** Unit tests whose subject is the store itself (they open one through test/helpers/temp-store.ts). */
const STORE_UNIT_TESTS = [
  'test/unit/audit-log.test.ts',
  'test/unit/audit-append-only.test.ts',
  'test/unit/ticket-store.test.ts',
  'test/unit/store-concurrency.test.ts',
  'test/unit/support-retention.test.ts',
  'test/unit/snapshot-retention.test.ts',
  'test/unit/revoke-settles-runs.test.ts',
  'test/unit/store-engines.test.ts',
  'test/unit/knowledge-store.test.ts',
  'test/unit/reports.test.ts',
  'test/unit/satisfaction.test.ts',
  'test/unit/recording-nodes.test.ts',
  'test/unit/device-index-offline.test.ts',
  'test/unit/job-store-writes.test.ts',
  'test/unit/database-readiness.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Two test files at a time, for two cores: integration and e2e files start real controllers,
    // agents, shells and Chromium, whose CPU adds to the workers'. Vitest runs the slowest files
    // first (from its cache), so the unit files fill the gaps. More workers only trade waiting
    // for contention and push deadlines on a busy machine.
    maxWorkers: 2,
    // Deadlines, not waits: a test that passes never waits for them (nothing sleeps a fixed time).
    // Generous, like the helpers' DEADLINE_MS: on a machine whose cores other work keeps busy,
    // a test that starts a controller and several agents took over a minute.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every agent the suite starts would otherwise ask apt what is pending (seconds of CPU each);
    // the updates probe's own test asks it directly (test/integration/diagnostics-helpdesk.test.ts).
    // A probe that misses its 3 s on a machine loaded by other work says so, correctly; the
    // tests are about what the probes find, so the agents they start wait longer for them.
    env: { RELAIS_NO_UPDATE_CHECK: '1', RELAIS_PROBE_TIME_LIMIT_MS: '15000', RELAIS_TEST_RUN: run },
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-report.json' }]],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...POSTGRES_ONLY_TESTS] } },
      ...(postgresUrl
        ? [{
            extends: true,
            test: {
              name: 'postgres',
              include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', ...STORE_UNIT_TESTS],
              exclude: [...configDefaults.exclude, ...ENGINE_INDEPENDENT_TESTS],
              globalSetup: ['test/global-setup-postgres.ts'],
              env: { RELAIS_TEST_ENGINE: 'postgres' },
            },
          }]
        : []),
    ],
  },
});
