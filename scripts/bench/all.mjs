// `npm run bench`: every benchmark in turn, each in its own process, even when an earlier
// one misses a target; exits 1 when any missed or failed, after all have printed their tables.
// Options differ from bench to bench: run one directly to pass it options (README, Benchmarks).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = ['run.mjs', 'pty-write-bench.mjs', 'recording-bench.mjs', 'diagnostics-bench.mjs', 'tickets-bench.mjs', 'knowledge-bench.mjs', 'reattach-bench.mjs', 'reports-bench.mjs', 'file-transfer-bench.mjs'];

const outcomes = BENCHES.map((file) => {
  const { status } = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit' });
  return { file, status };
});
console.log('\nbench summary');
for (const { file, status } of outcomes) console.log(`  ${file.padEnd(24)} ${status === 0 ? 'all targets met' : `exit ${status}: a target missed or the bench failed`}`);
process.exitCode = outcomes.every((o) => o.status === 0) ? 0 : 1;
