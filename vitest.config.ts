import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Two test files at a time, for two cores: integration and e2e files start real controllers,
    // agents, shells and Chromium, whose CPU adds to the workers'. Vitest runs the slowest files
    // first (from its cache), so the unit files fill the gaps. More workers only trade waiting
    // for contention and push deadlines on a busy machine.
    maxWorkers: 2,
    // Deadlines, not waits: a test that passes never waits for them (nothing sleeps a fixed time).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Every agent the suite starts would otherwise ask apt what is pending (seconds of CPU each);
    // the updates probe's own test asks it directly (test/integration/diagnostics-helpdesk.test.ts).
    env: { RELAIS_NO_UPDATE_CHECK: '1' },
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-report.json' }]],
  },
});
