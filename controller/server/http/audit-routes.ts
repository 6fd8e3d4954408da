/**
 * The audit log over REST: a filtered page (GET /api/audit) and the same filter as
 * a CSV or JSON file (GET /api/audit/export), streamed row by row as the database
 * gives them, a page at a time: nothing held grows with the log.
 */
import { Router, type Request, type Response } from 'express';
import { auditExportQuery, auditQuery, restAnswers } from '../../../protocol/index.js';
import type { AuditFilter, AuditLog, AuditRow } from '../audit/audit.js';
import { answer } from './answer.js';
import { badQuery } from './errors.js';
import { clientIp } from './origin.js';

// i18n-ignore: column names of a file for tools, the same in every language
const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'target', 'detail', 'ip', 'count', 'lastAt'];

export function auditRoutes(audit: AuditLog): Router {
  const routes = Router();

  routes.get('/audit', async (req, res) => {
    const query = auditQuery.safeParse(req.query);
    if (!query.success) throw badQuery(query.error);
    const { limit, before, ...filter } = query.data;
    answer(res, restAnswers.audit, await audit.page(filter, limit, before));
  });

  routes.get('/audit/export', async (req, res) => {
    const query = auditExportQuery.safeParse(req.query);
    if (!query.success) throw badQuery(query.error);
    const { format, ...filter } = query.data;
    await audit.record({ actor: req.account!.username, action: 'audit.exported', detail: { format, ...filter }, ip: clientIp(req) });
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(format, Date.now())}"`);
    res.setHeader('Cache-Control', 'no-store');
    await streamRows(req, res, audit, filter, format);
  });

  return routes;
}

/** Writes the rows one by one, waiting for the socket to drain, and stops when the client goes away. */
async function streamRows(req: Request, res: Response, audit: AuditLog, filter: AuditFilter, format: 'csv' | 'json'): Promise<void> {
  let gone = false;
  const onClose = () => (gone = true);
  res.once('close', onClose);
  const write = async (chunk: string) => {
    if (res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  };
  try {
    // A byte-order mark lets spreadsheet programs read the CSV's accents as UTF-8.
    await write(format === 'csv' ? `\uFEFF${CSV_COLUMNS.join(',')}\r\n` : '[');
    let first = true;
    for await (const row of audit.scan(filter)) {
      if (gone || req.destroyed) return;
      await write(format === 'csv' ? csvLine(row) : `${first ? '\n' : ',\n'}${JSON.stringify(row)}`);
      first = false;
    }
    if (!gone) res.end(format === 'csv' ? '' : `${first ? '' : '\n'}]\n`);
  } finally {
    res.off('close', onClose);
  }
}

/** One row as CSV (RFC 4180, CRLF); the time in ISO 8601 UTC, the detail as JSON. */
export function csvLine(row: AuditRow): string {
  const cells = [
    String(row.id), new Date(row.at).toISOString(), row.actor, row.action, row.target ?? '',
    row.detail === null || row.detail === undefined ? '' : JSON.stringify(row.detail), row.ip ?? '', String(row.count),
    row.lastAt === null ? '' : new Date(row.lastAt).toISOString(),
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Quotes a cell when needed; a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with '. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** relais-audit-20261129-140501.csv (UTC). */
export function exportFileName(format: 'csv' | 'json', now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `relais-audit-${stamp}.${format}`;
}
