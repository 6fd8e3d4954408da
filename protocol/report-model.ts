/**
 * Reports (the knowledge-base issue, "Reports"): the dashboard's query and answer, shared
 * by the controller (which checks what it sends) and the web UI (which checks what it
 * reads). Days are calendar days of the business calendar's time zone (Europe/Paris), as
 * `YYYY-MM-DD`; durations are business milliseconds, the SLA clocks' own measure.
 */
import { z } from 'zod';

/** The longest range one report covers (a year and a bit): the daily series stays bounded. */
export const REPORT_MAX_DAYS = 400;
/** Rows in the top lists. */
export const REPORT_TOP = Object.freeze({ categories: 20, findings: 20, technicians: 200 });

const day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);

/** GET /api/reports?from=&to=&technician= (both dates included). */
export const reportQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  technician: z.coerce.number().int().min(1).max(2 ** 31).optional(),
}).strict();
export type ReportQuery = z.infer<typeof reportQuery>;

/** The numbers behind each chart, each exported as CSV by GET /api/reports/:chart.csv. */
export const REPORT_CHARTS = ['daily', 'satisfaction', 'categories', 'findings', 'technicians'] as const;
export const reportChart = z.enum(REPORT_CHARTS);
export type ReportChart = z.infer<typeof reportChart>;

const count = z.number().int().min(0);
const meanMs = z.number().min(0).nullable();
const rate = z.number().min(0).max(1).nullable();

export const reportCards = z.object({
  opened: count,
  resolved: count,
  /** Share of the tickets resolved in the range that were resolved at first contact (never waited, escalated or reopened). */
  firstContactRate: rate,
  /** Business time to own (first response), mean over the tickets opened in the range that were owned. */
  meanOwnMs: meanMs,
  /** Business time to resolve, mean over the tickets resolved in the range. */
  meanResolveMs: meanMs,
  /** Deadlines passed in the range, per clock. */
  ownBreaches: count,
  resolveBreaches: count,
  satisfactionAverage: z.number().min(1).max(5).nullable(),
  /** Survey answers in the range (ratings and "not solved"). */
  answers: count,
  notSolved: count,
});

export const reportDay = z.object({ day, opened: count, resolved: count, ownBreaches: count, resolveBreaches: count });

export const reportTechnician = z.object({
  id: z.number().int(),
  username: z.string().max(64),
  name: z.string().max(128),
  opened: count,
  resolved: count,
  firstContactRate: rate,
  meanOwnMs: meanMs,
  meanResolveMs: meanMs,
  breaches: count,
  satisfactionAverage: z.number().min(1).max(5).nullable(),
  answers: count,
});

export const reportAnswer = z.object({
  from: day,
  to: day,
  technician: z.number().int().nullable(),
  cards: reportCards,
  days: z.array(reportDay).max(REPORT_MAX_DAYS),
  /** Answers per rating 1–5 (index 0 is rating 1). */
  ratings: z.array(count).length(5),
  categories: z.array(z.object({ category: z.string().max(64), count })).max(REPORT_TOP.categories),
  findings: z.array(z.object({ code: z.string().max(128), count })).max(REPORT_TOP.findings),
  technicians: z.array(reportTechnician).max(REPORT_TOP.technicians),
});
export type ReportAnswer = z.infer<typeof reportAnswer>;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a date's calendar fields. */
function dayString(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days from `from` to `to`, both included (UTC arithmetic on calendar dates: no time zone involved). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const out: string[] = [];
  for (let t = start; t <= end && out.length <= REPORT_MAX_DAYS; t += DAY_MS) {
    const d = new Date(t);
    out.push(dayString(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
  }
  return out;
}

/** A calendar date shifted by whole days. */
export function addDays(date: string, days: number): string {
  const d = new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);
  return dayString(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Whether a `YYYY-MM-DD` names a real date (the schema checks only its shape). */
export function isRealDay(date: string): boolean {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === date;
}
