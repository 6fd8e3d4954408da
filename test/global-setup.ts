/** Builds the controller, the web UI and the agent once before the suite: tests run the real bundles. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

export default function setup(): void {
  // Once per run, though each vitest project (sqlite, postgres) calls it.
  if (process.env.RELAIS_SKIP_BUILD === '1' || process.env.RELAIS_TEST_BUILT === '1') return;
  process.env.RELAIS_TEST_BUILT = '1';
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
}
