/** Plain-text tables: the per-device summary of a job, and the list of jobs. */
import { formatDateTime, formatNumber, plainLine, type JobSummary, type Run } from '../../protocol/index.js';
import { cliLanguage, say } from './cli-language.js';

type Cell = string;

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(header: Cell[], rows: Cell[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: Cell[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** "1.2 s", "340 ms", "-" */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const language = cliLanguage();
  return ms < 1000 ? say('milliseconds', { value: formatNumber(ms, language, 0) }) : say('seconds', { value: formatNumber(ms / 1000, language, 1) });
}

export interface RunRow {
  run: Run;
  deviceLabel: string;
  /** First line of output (stdout, else stderr, else the reason). */
  firstLine: string;
}

/** One line per device: device, status, exit, duration, first line of output. */
export function runsTable(rows: RunRow[]): string {
  return formatTable(
    [say('headDevice'), say('headStatus'), say('headExit'), say('headDuration'), say('headOutput')],
    rows.map(({ run, deviceLabel, firstLine }) => [
      plainLine(deviceLabel, 48),
      say('runStatus', { status: run.status === 'timed-out' ? 'timedOut' : run.status }),
      run.exitCode === null ? '-' : String(run.exitCode),
      formatDuration(run.durationMs),
      firstLine,
    ]),
  );
}

/** One line per job, newest first. */
export function jobsTable(jobs: JobSummary[]): string {
  const count = (n: number) => formatNumber(n, cliLanguage(), 0);
  const failed = (j: JobSummary) => j.counts.failed + j.counts.timedOut + j.counts.cancelled + j.counts.expired + j.counts.refused;
  return formatTable(
    [say('headJob'), say('headScript'), say('headStatus'), say('headDevices'), say('headSucceeded'), say('headNotOk'), say('headCreated')],
    jobs.map((j) => [
      j.id, plainLine(j.scriptName, 40), say('jobStatus', { status: j.status }), count(j.deviceCount), count(j.counts.succeeded), count(failed(j)),
      formatDateTime(j.createdAt, cliLanguage()),
    ]),
  );
}
