/**
 * What the CLI prints about a finished (or running) job: each device's run with
 * the first line of its output, as a table or as JSON, and the exit status the
 * results stand for.
 */
import type { FleetApi } from './api-client.js';
import { FINAL_RUN_STATUSES, type Job, type Run, type RunWithOutput } from '../../protocol/index.js';
import { EXIT } from './cli-errors.js';
import { plainLine } from '../../protocol/index.js';
import { runsTable, type RunRow } from './summary-table.js';
import { say } from './cli-language.js';

/** Output requests in flight at once: quick for a few hundred devices, gentle on the controller. */
const PARALLEL_FETCHES = 8;

/** Every run with its output, fetched a few at a time, in the order given. */
export async function runsWithOutput(api: FleetApi, jobId: string, runs: Run[]): Promise<RunWithOutput[]> {
  const out: RunWithOutput[] = new Array(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      out[i] = await api.run(jobId, runs[i]!.deviceId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, runs.length) }, worker));
  return out;
}

/** 0 when every device succeeded; 1 when any ended otherwise (failed, refused, timed out, cancelled, expired, error). */
export function exitStatusFor(runs: readonly Run[]): number {
  if (runs.length === 0) return EXIT.someFailed;
  return runs.every((r) => r.status === 'succeeded') ? EXIT.ok : EXIT.someFailed;
}

/** The first non-empty line of output (base64), made safe for a terminal. */
export function firstLine(base64: string, max = 60): string {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return plainLine(line.trim(), max);
}

/** The summary table with a closing line of totals. */
export function textReport(job: Job, runs: RunWithOutput[], names: Map<string, string>): string {
  const rows: RunRow[] = runs.map((run) => {
    const name = names.get(run.deviceId);
    const line = firstLine(run.stdout) || firstLine(run.stderr) || (run.reason ? plainLine(run.reason, 60) : '');
    return { run, deviceLabel: name ? `${name} (${run.deviceId})` : run.deviceId, firstLine: line };
  });
  const succeeded = runs.filter((r) => r.status === 'succeeded').length;
  const notOk = runs.filter((r) => FINAL_RUN_STATUSES.has(r.status) && r.status !== 'succeeded').length;
  const open = runs.length - succeeded - notOk;
  const totals = say('totals', {
    id: job.id, script: plainLine(job.scriptName, 64), status: say('jobStatus', { status: job.status }), succeeded, total: runs.length, notOk, open,
  });
  return `${runsTable(rows)}\n\n${totals}\n`;
}

/** The JSON printed with --json: the job and every run with its output (base64, as the controller sends it). */
export function jsonReport(job: Job, runs: RunWithOutput[]): string {
  return `${JSON.stringify({ job, runs }, null, 2)}\n`;
}
