/**
 * The numbers behind each dashboard chart as CSV rows (RFC 4180, the audit export's
 * cell rule against spreadsheet formulas). Durations in whole business minutes, rates
 * as fractions with four decimals: a spreadsheet formats them as it likes.
 */
import type { ReportAnswer, ReportChart } from '../../../protocol/report-model.js';
import { csvCell } from '../http/audit-routes.js';

const minutes = (ms: number | null): string => (ms === null ? '' : String(Math.round(ms / 60_000)));
const fraction = (rate: number | null): string => (rate === null ? '' : rate.toFixed(4));
const average = (value: number | null): string => (value === null ? '' : value.toFixed(2));

/** The header, then one row per line of the chart; each a line of CSV ending in CRLF. */
export function* reportCsv(report: ReportAnswer, chart: ReportChart): Generator<string> {
  const line = (cells: Array<string | number>) => `${cells.map((c) => csvCell(String(c))).join(',')}\r\n`;
  switch (chart) {
    case 'daily':
      yield line(['day', 'opened', 'resolved', 'own_breaches', 'resolve_breaches']);
      for (const d of report.days) yield line([d.day, d.opened, d.resolved, d.ownBreaches, d.resolveBreaches]);
      return;
    case 'satisfaction':
      yield line(['answer', 'count']);
      for (let i = 0; i < 5; i++) yield line([String(i + 1), report.ratings[i] ?? 0]);
      yield line(['not_solved', report.cards.notSolved]);
      return;
    case 'categories':
      yield line(['category', 'opened']);
      for (const c of report.categories) yield line([c.category, c.count]);
      return;
    case 'findings':
      yield line(['finding', 'tickets']);
      for (const f of report.findings) yield line([f.code, f.count]);
      return;
    case 'technicians':
      yield line(['username', 'name', 'opened', 'resolved', 'first_contact_rate', 'mean_own_minutes', 'mean_resolve_minutes', 'breaches', 'satisfaction_average', 'answers']);
      for (const t of report.technicians) {
        yield line([t.username, t.name, t.opened, t.resolved, fraction(t.firstContactRate), minutes(t.meanOwnMs), minutes(t.meanResolveMs), t.breaches, average(t.satisfactionAverage), t.answers]);
      }
      return;
    default: {
      const never: never = chart;
      return never;
    }
  }
}
