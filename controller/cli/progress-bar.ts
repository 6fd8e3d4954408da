/**
 * The live line shown while a job runs, on a terminal only: done/total with a
 * bar, and how many succeeded, failed and were refused. Redrawn in place with a
 * carriage return, so it never scrolls the screen.
 */
import { formatNumber, type JobCounts } from '../../protocol/index.js';
import { cliLanguage, say } from './cli-language.js';

export interface ProgressOutput {
  write(text: string): unknown;
  readonly columns?: number;
}

const BAR_WIDTH = 20;

/** The progress line for a job's counts (no control characters besides the caller's \r). */
export function progressLine(counts: JobCounts, total: number): string {
  const failed = counts.failed + counts.timedOut + counts.cancelled + counts.expired;
  const done = counts.succeeded + failed + counts.refused;
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
  const n = (value: number) => formatNumber(value, cliLanguage(), 0);
  return say('progress', { bar, done: n(done), total: n(total), succeeded: n(counts.succeeded), failed: n(failed), refused: n(counts.refused), running: n(counts.running) });
}

/** A progress line that redraws itself; `finish()` clears it before the table. */
export class ProgressBar {
  private lastLength = 0;
  private lastLine = '';

  constructor(private readonly out: ProgressOutput) {}

  update(counts: JobCounts, total: number): void {
    let line = progressLine(counts, total);
    const width = (this.out.columns ?? 100) - 1;
    if (line.length > width) line = line.slice(0, width);
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.out.write(`\r${line}${' '.repeat(Math.max(0, this.lastLength - line.length))}`);
    this.lastLength = line.length;
  }

  finish(): void {
    if (this.lastLength > 0) this.out.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
    this.lastLine = '';
  }
}
