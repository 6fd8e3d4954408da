/**
 * The bench speaks the real wire contract: protocol/ (frames, schemas, limits)
 * and the browser's credit acknowledgements (controller/web/shell/credit-acks.ts),
 * bundled with esbuild on the fly, so no hand-written copy can drift from them.
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ENTRY = `
export * from './protocol/index.ts';
export { CreditAcks } from './controller/web/shell/credit-acks.ts';
`;

/** Bundles protocol/ and the browser's CreditAcks into dist/bench/protocol.mjs and imports it. */
export async function loadProtocol(root) {
  const outfile = join(root, 'dist', 'bench', 'protocol.mjs');
  mkdirSync(join(root, 'dist', 'bench'), { recursive: true });
  await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'bench-protocol-entry.ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}
