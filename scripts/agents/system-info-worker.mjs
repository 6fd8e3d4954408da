// The agent's systeminformation worker (agent/diagnostics/system-info-worker.ts) as one
// CommonJS script in a string: the agent bundles start it with `new Worker(code, { eval: true })`,
// which needs no file beside the bundle and works inside a single executable.
// Used by scripts/build.mjs, scripts/build-agents.mjs and the diagnostics bench.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** esbuild `define` entries that give a bundle the worker's code. */
export async function systemInfoWorkerDefine(target = 'node20') {
  const result = await build({
    entryPoints: [join(root, 'agent', 'diagnostics', 'system-info-worker.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target,
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  return { __RELAIS_SYSTEM_INFO_WORKER__: JSON.stringify(result.outputFiles[0].text) };
}
