/**
 * The dashboard: figures brought up to date (figures-sync.ts), then summed
 * (report-queries.ts) for a range of days, by default the last 30 ending today.
 */
import { FieldError } from '../http/errors.js';
import { REPORT_MAX_DAYS, addDays, daysBetween, isRealDay, type ReportAnswer, type ReportQuery } from '../../../protocol/report-model.js';
import type { Db } from '../store/database.js';
import { FiguresSync } from './figures-sync.js';
import { ReportQueries } from './report-queries.js';

export const DEFAULT_RANGE_DAYS = 30;

export class ReportService {
  readonly figures: FiguresSync;
  private readonly queries: ReportQueries;

  constructor(db: Db, private readonly now: () => number = Date.now, figures?: FiguresSync) {
    this.figures = figures ?? new FiguresSync(db);
    this.queries = new ReportQueries(db, now, (at) => this.figures.day(at));
  }

  /** The range a query names, checked: real dates, from ≤ to, at most REPORT_MAX_DAYS days. */
  range(query: ReportQuery): { from: string; to: string; technician: number | null } {
    const today = this.figures.day(this.now());
    const to = query.to ?? (query.from ? addDays(query.from, DEFAULT_RANGE_DAYS - 1) : today);
    const from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (!isRealDay(value)) throw new FieldError(`(${name})`, { path: name, reason: 'format' }, 'REPORT_ERR_INVALID_FIELD'); // i18n-ignore: field name for the log
    }
    // The range is refused at its end, the field the page offers to move.
    if (from > to) throw new FieldError('(from, to)', { path: 'to', reason: 'tooSmall' }, 'REPORT_ERR_INVALID_FIELD'); // i18n-ignore: field names for the log
    if (daysBetween(from, to).length > REPORT_MAX_DAYS) throw new FieldError('(from, to)', { path: 'to', reason: 'tooLarge', limit: REPORT_MAX_DAYS }, 'REPORT_ERR_INVALID_FIELD'); // i18n-ignore: field names for the log
    return { from, to, technician: query.technician ?? null };
  }

  async report(query: ReportQuery): Promise<ReportAnswer> {
    const range = this.range(query);
    await this.figures.catchUp();
    return this.queries.report(range);
  }
}
