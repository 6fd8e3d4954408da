/**
 * Runs probes in parallel, each under its own time limit, so one slow or failing
 * probe yields a partial snapshot with that probe's error — never a hang.
 */
import type { ProbeName, ProbeOutcome } from '../../protocol/index.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

export type Probe<T> = () => Promise<T>;

export interface ProbeResults {
  readonly values: Partial<Record<ProbeName, unknown>>;
  readonly outcomes: Partial<Record<ProbeName, ProbeOutcome>>;
}

class ProbeTimeout extends Error {}

/** Runs every probe at once; a probe's value is missing when it failed or ran out of time. */
export async function runProbes(probes: Partial<Record<ProbeName, Probe<unknown>>>, limits: Partial<Record<ProbeName, number>>, defaultLimitMs: number): Promise<ProbeResults> {
  const values: Partial<Record<ProbeName, unknown>> = {};
  const outcomes: Partial<Record<ProbeName, ProbeOutcome>> = {};
  await Promise.all(
    (Object.entries(probes) as Array<[ProbeName, Probe<unknown>]>).map(async ([name, probe]) => {
      const limit = limits[name] ?? defaultLimitMs;
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ProbeTimeout()), limit)));
        values[name] = await Promise.race([Promise.resolve().then(probe), late]);
        outcomes[name] = { status: 'ok', durationMs: Math.round(performance.now() - started) };
      } catch (err) {
        const durationMs = Math.round(performance.now() - started);
        outcomes[name] = err instanceof ProbeTimeout
          ? { status: 'timeout', durationMs, error: probeWords('noAnswerWithin', { ms: String(limit) }) }
          : { status: 'error', durationMs, error: String(err instanceof Error ? err.message : err).slice(0, 500) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { values, outcomes };
}
