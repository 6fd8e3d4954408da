/**
 * The reports dashboard's data (README route table): administrators only — it shows every
 * technician's figures and the people's satisfaction answers. Each chart's numbers are also
 * served as CSV, written row by row.
 */
import { Router, type Request, type Response } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import { reportAnswer, reportChart, reportQuery, type ReportQuery } from '../../../protocol/report-model.js';
import type { ReportService } from '../reports/report-service.js';
import { reportCsv } from '../reports/report-csv.js';
import { answer } from './answer.js';
import { requireAdminTo } from './guards.js';

export interface ReportDeps {
  readonly reports: ReportService;
}

function queryOf(req: Request): ReportQuery {
  const parsed = reportQuery.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ').slice(0, 80) : 'query');
    throw new RelaisError('REPORT_ERR_INVALID_FIELD', `(${where})`); // i18n-ignore: field name for the log
  }
  return parsed.data;
}

/** `Server-Timing: app;dur=` (the bench reads it, as for the ticket routes). */
function timed(res: Response, started: number): void {
  res.setHeader('Server-Timing', `app;dur=${(performance.now() - started).toFixed(2)}`); // i18n-ignore: HTTP header
}

export function reportRoutes(deps: ReportDeps): Router {
  const routes = Router();
  const adminOnly = requireAdminTo('read the reports');

  routes.get('/reports', adminOnly, async (req, res) => {
    const started = performance.now();
    const report = await deps.reports.report(queryOf(req));
    timed(res, started);
    answer(res, reportAnswer, report);
  });

  routes.get('/reports/:chart/csv', adminOnly, async (req, res) => {
    const chart = reportChart.safeParse(req.params.chart);
    if (!chart.success) throw new RelaisError('HTTP_ERR_NOT_FOUND');
    const report = await deps.reports.report(queryOf(req));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="relais-${chart.data}-${report.from}-${report.to}${report.technician === null ? '' : `-${report.technician}`}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    // A byte-order mark lets spreadsheet programs read accents as UTF-8.
    res.write('\uFEFF');
    for (const line of reportCsv(report, chart.data)) {
      if (res.destroyed) return;
      if (!res.write(line)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    }
    res.end();
  });

  return routes;
}
