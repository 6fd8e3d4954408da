/**
 * How far a transfer is, for the person's terminal: one line per tenth of the file
 * at most, and at most one a second, so a large file is followed without the
 * screen (or a service's log) filling up.
 */
import { formatPercent, formatSize } from '../../protocol/index.js';
import { agentLanguage } from '../cli/agent-language.js';

export interface ProgressFigures {
  readonly percent: string;
  readonly done: string;
  readonly total: string;
  readonly speed: string;
}

const MIN_INTERVAL_MS = 1000;

export class TransferProgress {
  private readonly startedAt: number;
  private lastAt: number;
  private lastTenth = 0;

  constructor(
    private readonly total: number,
    private readonly say: (figures: ProgressFigures) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.lastAt = this.startedAt;
  }

  /** `bytes` are done: says so when a new tenth was passed and a second has gone by. */
  update(bytes: number): void {
    if (this.total <= 0 || bytes >= this.total) return;
    const tenth = Math.floor((bytes * 10) / this.total);
    const at = this.now();
    if (tenth <= this.lastTenth || at - this.lastAt < MIN_INTERVAL_MS) return;
    this.lastTenth = tenth;
    this.lastAt = at;
    const language = agentLanguage();
    const seconds = Math.max((at - this.startedAt) / 1000, 0.001);
    this.say({
      percent: formatPercent((bytes * 100) / this.total, language),
      done: formatSize(bytes, language),
      total: formatSize(this.total, language),
      speed: formatSize(bytes / seconds, language),
    });
  }
}
