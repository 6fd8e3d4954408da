/**
 * The audit log's filters, paging and export against a real controller: filters
 * are applied by the database, pages follow `nextBefore`, a bad filter is a 400
 * naming it, and the export streams every kept row as CSV (formula-looking cells
 * defused) or JSON, itself audited.
 */
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, exportFileName } from '../../controller/server/http/audit-routes.js';
import type { AuditLogTable } from '../../controller/server/store/schema.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { withControllerStore } from '../helpers/controller-store.js';

let c: RunningController;
let cookie: string;
const base = Date.UTC(2026, 0, 15, 9, 0, 0);

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
  // Rows written as the controller would, straight into its database: 1,200 shell openings by two technicians
  // on three devices, one minute apart, and a failed login whose user name looks like a spreadsheet formula.
  const rows: Array<Insertable<AuditLogTable>> = Array.from({ length: 1200 }, (_, i) => ({
    at: base + i * 60_000, actor: i % 2 ? 'marie' : 'paul', action: 'shell.opened', target: `ch-${i}`,
    detail_json: JSON.stringify({ deviceId: `dev-${i % 3}`, hostname: `PC-COMPTA-${i % 3}` }), ip: '10.0.0.7', count: 1, last_at: null,
  }));
  rows.push({ at: base - 60_000, actor: '=HYPERLINK("http://x")', action: 'login.failed', target: null, detail_json: null, ip: '10.0.0.9', count: 1, last_at: null });
  await withControllerStore(c, (db) =>
    db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += 200) await tx.insertInto('audit_log').values(rows.slice(i, i + 200)).execute();
    }),
  );
});
afterAll(async () => c?.stop());

const get = async (path: string) => {
  const res = await fetch(`${c.url}${path}`, { headers: { cookie } });
  const file = res.headers.get('content-disposition') !== null;
  return { res, status: res.status, json: !file && res.headers.get('content-type')?.includes('json') ? await res.json() : null };
};

describe('GET /api/audit filters and pages', () => {
  it('filters by actor, action, device (in the detail), time range and free text', async () => {
    const marie = (await get('/api/audit?actor=marie&action=shell.opened&limit=1000')).json;
    expect(marie.entries).toHaveLength(600);
    expect(marie.entries.every((e: any) => e.actor === 'marie')).toBe(true);
    const device = (await get('/api/audit?target=dev-1&limit=1000')).json;
    expect(device.entries).toHaveLength(400);
    expect(device.entries.every((e: any) => e.detail.deviceId === 'dev-1')).toBe(true);
    const hour = (await get(`/api/audit?from=${base}&to=${base + 3_600_000}&limit=1000`)).json;
    expect(hour.entries).toHaveLength(60);
    const words = (await get('/api/audit?q=pc-compta-2%20PAUL&limit=1000')).json;
    expect(words.entries.length).toBe(200);
    expect(words.entries.every((e: any) => e.actor === 'paul' && e.detail.hostname === 'PC-COMPTA-2')).toBe(true);
    // LIKE's wildcards are the text they are.
    expect((await get('/api/audit?q=%25&limit=10')).json.entries).toHaveLength(0);
  });

  it('pages newest first with nextBefore until null', async () => {
    const seen: number[] = [];
    let before: number | null | undefined;
    do {
      const page = (await get(`/api/audit?actor=paul&limit=250${before ? `&before=${before}` : ''}`)).json;
      seen.push(...page.entries.map((e: any) => e.id));
      before = page.nextBefore;
    } while (before !== null);
    expect(seen).toHaveLength(600);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(new Set(seen).size).toBe(600);
  });

  it('refuses a bad filter with 400, naming it', async () => {
    for (const query of ['limit=0', 'from=yesterday', 'action=DROP%20TABLE', 'colour=red', 'actor=a&actor=b']) {
      const { status, json } = await get(`/api/audit?${query}`);
      expect(status, query).toBe(400);
      expect(json.error.code).toBe('HTTP_ERR_BAD_REQUEST');
    }
  });
});

describe('GET /api/audit/export', () => {
  it('streams every kept row as CSV, formulas defused, and is itself audited', async () => {
    const { res, status } = await get('/api/audit/export?format=csv&action=shell.opened');
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="relais-audit-\d{8}-\d{6}\.csv"$/);
    expect(res.headers.get('content-length')).toBeNull();
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('id,at,actor,action,target,detail,ip,count,lastAt');
    expect(lines).toHaveLength(1 + 1200);
    expect(lines[1]).toMatch(/^\d+,2026-01-16T04:59:00\.000Z,marie,shell\.opened,ch-1199,"\{""deviceId"":""dev-2"",""hostname"":""PC-COMPTA-2""\}",10\.0\.0\.7,1,$/);

    const failed = await (await get('/api/audit/export?format=csv&action=login.failed')).res.text();
    expect(failed).toContain(`,"'=HYPERLINK(""http://x"")",login.failed,`);

    const audit = (await get('/api/audit?action=audit.exported&limit=10')).json;
    expect(audit.entries[0].actor).toBe('admin');
    expect(audit.entries[0].detail).toEqual({ format: 'csv', action: 'login.failed' });
  });

  it('streams JSON as one array, the same rows as the filtered page', async () => {
    const { res } = await get('/api/audit/export?format=json&actor=marie&target=dev-0');
    expect(res.headers.get('content-disposition')).toMatch(/\.json"$/);
    const rows = (await res.json()) as Array<{ id: number; actor: string }>;
    const page = (await get('/api/audit?actor=marie&target=dev-0&limit=1000')).json;
    expect(rows).toEqual(page.entries);
    expect(rows).toHaveLength(200);
    const none = await (await get('/api/audit/export?format=json&actor=nobody')).res.json();
    expect(none).toEqual([]);
  });

  it('refuses an unknown format', async () => {
    expect((await get('/api/audit/export?format=xlsx')).status).toBe(400);
    expect((await get('/api/audit/export')).status).toBe(400);
  });
});

describe('CSV cells and file names', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@x,y')).toBe(`"'@x,y"`);
    expect(exportFileName('json', Date.UTC(2026, 10, 29, 14, 5, 1))).toBe('relais-audit-20261129-140501.json');
  });
});
