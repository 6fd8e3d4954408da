/** The reports routes, each answer checked against the contract (protocol/report-model.ts, protocol/satisfaction-model.ts). */
import { reportAnswer, type ReportAnswer, type ReportChart } from '../../../protocol/report-model.js';
import { surveyAnswersAnswer } from '../../../protocol/satisfaction-model.js';
import { request } from '../connection/api.js';

export interface ReportFilter {
  from: string;
  to: string;
  technician: number | null;
}

function query(filter: Partial<ReportFilter>): string {
  const params = new URLSearchParams();
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.technician) params.set('technician', String(filter.technician));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const reportsApi = {
  report: (filter: Partial<ReportFilter>): Promise<ReportAnswer> => request('GET', `/api/reports${query(filter)}`, reportAnswer),
  /** Where a chart's numbers are downloaded as CSV (a plain link: the controller streams the file). */
  csvHref: (chart: ReportChart, filter: ReportFilter): string => `/api/reports/${chart}/csv${query(filter)}`,
  answers: (filter: ReportFilter, limit = 8) => request('GET', `/api/satisfaction/answers${query(filter)}${query(filter) ? '&' : '?'}limit=${limit}`, surveyAnswersAnswer),
};
