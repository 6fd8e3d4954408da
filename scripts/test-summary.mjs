// Prints one plain closing line from vitest's JSON report ("Tests: N passed, N failed"),
// so whoever reads the end of a CI log sees the count without parsing vitest's own format.
import { existsSync, readFileSync } from 'node:fs';

const report = 'test-results/vitest-report.json';
if (!existsSync(report)) {
  console.log('Tests: no report was written (the test run did not finish).');
  process.exit(0);
}
const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(readFileSync(report, 'utf8'));
const skipped = numPendingTests + numTodoTests;
// The postgres project runs only when RELAIS_TEST_DATABASE_URL is set (vitest.config.ts).
const engines = process.env.RELAIS_TEST_DATABASE_URL ? 'SQLite and PostgreSQL' : 'SQLite';
console.log(`Tests: ${numPassedTests} passed, ${numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''} (engines: ${engines})`);
