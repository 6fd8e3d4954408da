/**
 * The frame every relay bench shares: read the options (a bad one exits 2), clean up the
 * processes it starts even on Ctrl+C, and on failure print why and write a `failed` report
 * where the figures would have gone. `measure` does the work and returns the exit code.
 */
import { resolve } from 'node:path';
import { cleanupAll, cleanUpOnSignals } from './cleanup.mjs';
import { machine, writeJson } from './report.mjs';

/**
 * @param {{ root: string, parseOptions: (argv: string[]) => { out: string },
 *   measure: (options: any, run: { outPath: string, startedAt: Date, config: object }) => Promise<number>,
 *   onFailure?: () => Promise<void> }} bench
 */
export async function runBench({ root, parseOptions, measure, onFailure }) {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${error.message}`);
    return 2;
  }
  cleanUpOnSignals();
  const run = { outPath: resolve(root, options.out), startedAt: new Date(), config: { ...options, out: undefined } };
  try {
    return await measure(options, run);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\nbench: FAILED — ${message}`);
    await onFailure?.();
    writeJson(run.outPath, { status: 'failed', error: message, timestamp: run.startedAt.toISOString(), machine: machine(), config: run.config });
    return 1;
  } finally {
    await cleanupAll();
  }
}
