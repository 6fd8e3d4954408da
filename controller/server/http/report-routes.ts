/**
 * The reports dashboard's data (README route table): administrators only — it shows every
 * technician's figures and the people's satisfaction answers. Each chart's numbers are also
 * served as CSV, written row by row.
 */
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { RelaisError } from '../../../protocol/index.js';
import { reportAnswer, reportChart, reportQuery, type ReportQuery } from '../../../protocol/report-model.js';
import type { ReportService } from '../reports/report-service.js';
import { reportCsv } from '../reports/report-csv.js';
import { answer } from './answer.js';
import { badRequest } from './errors.js';
import { requireAdminTo } from './guards.js';
import { serverTiming } from './server-timing.js';

export interface ReportDeps {
  readonly reports: ReportService;
}

/** The filters, or REPORT_ERR_INVALID_FIELD naming the refused one in error.field (never its value). */
export function reportFilters<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(parsed.error, 'REPORT_ERR_INVALID_FIELD');
  return parsed.data;
}

const queryOf = (req: Request): ReportQuery => reportFilters(reportQuery, req.query);

export function reportRoutes(deps: ReportDeps): Router {
  const routes = Router();
  const adminOnly = requireAdminTo('read the reports');

  routes.use('/reports', serverTiming);
  routes.get('/reports', adminOnly, async (req, res) => {
    answer(res, reportAnswer, await deps.reports.report(queryOf(req)));
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
