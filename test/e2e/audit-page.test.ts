/**
 * The audit page in Chromium against a real controller holding 250 seeded entries:
 * filters by who, action, device, time range and words are applied by the
 * controller; older entries load a page at a time; details read as words; both
 * exports download the filtered rows. Screenshot: test-results/audit-page.png.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { withControllerStore } from '../helpers/controller-store.js';

const suite = useBrowserSuite();
const base = Date.UTC(2026, 2, 10, 8, 0, 0);

beforeAll(async () => {
  const rows = Array.from({ length: 250 }, (_, i) => ({
    at: base + i * 3_600_000, actor: i % 2 ? 'marie' : 'paul', action: i % 5 === 0 ? 'consent.answered' : 'shell.opened', target: `ch-${i}`,
    detail_json: JSON.stringify({ deviceId: `dev-${i % 3}`, hostname: `PC-ACCUEIL-${i % 3}`, ...(i % 5 === 0 ? { decision: 'granted' } : {}) }), ip: '10.0.0.7', count: 1, last_at: null,
  }));
  await withControllerStore(suite.controller, (db) => db.insertInto('audit_log').values(rows).execute());
});

describe('audit page', () => {
  it('filters on the controller, pages, reads details as words and exports what is filtered', async () => {
    const page = await suite.loggedInPage('audit-page');
    await page.goto(`${suite.controller.url}/#/audit`);
    const rows = page.locator('[data-testid=audit-row]');
    await expect.poll(() => rows.count()).toBe(100);
    expect(await page.locator('[data-testid=audit-count]').textContent()).toBe('Showing 100 entries.');

    // Older entries, a page at a time.
    await page.locator('[data-testid=audit-more]').click();
    await expect.poll(() => rows.count()).toBe(200);

    // An action from the list applies at once and reads as words, not a code.
    await page.locator('[data-testid=audit-action]').selectOption('consent.answered');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().locator('td').nth(2).textContent()).toBe('Consent answered');
    expect(await rows.first().locator('[data-testid=audit-detail]').textContent()).toBe('devicedev-2host namePC-ACCUEIL-2decisiongranted');

    // Who, device, and a time range: 50 consent answers, half by marie (odd i: i % 10 === 5), on dev-2 and in the range.
    await page.locator('[data-testid=audit-actor]').fill('marie');
    await page.locator('[data-testid=audit-target]').fill('dev-2');
    await page.locator('[data-testid=audit-apply]').click();
    // i = 5, 35, 65, … (i % 10 === 5 and i % 3 === 2): 5, 35, 65, 95, 125, 155, 185, 215, 245.
    await expect.poll(() => rows.count()).toBe(9);
    await page.locator('[data-testid=audit-from]').fill(localInput(base + 30 * 3_600_000));
    await page.locator('[data-testid=audit-to]').fill(localInput(base + 100 * 3_600_000));
    await page.locator('[data-testid=audit-apply]').click();
    await expect.poll(() => rows.count()).toBe(3); // 35, 65, 95
    await saveScreenshot(page, 'audit-page');

    // The export carries the same filters and downloads every kept row.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=audit-export-csv]').click()]);
    expect(download.suggestedFilename()).toMatch(/^relais-audit-\d{8}-\d{6}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(csv).toHaveLength(1 + 3);
    expect(csv.slice(1).every((line) => line.includes(',marie,consent.answered,'))).toBe(true);
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=audit-export-json]').click()]);
    const exported = JSON.parse(readFileSync((await json.path())!, 'utf8')) as Array<{ target: string }>;
    expect(exported.map((e) => e.target)).toEqual(['ch-95', 'ch-65', 'ch-35']);

    // Words anywhere; then Clear brings every entry back.
    await page.locator('[data-testid=audit-clear]').click();
    await expect.poll(() => rows.count()).toBe(100);
    await page.locator('[data-testid=audit-q]').fill('accueil-0 PAUL');
    await page.locator('[data-testid=audit-q]').press('Enter');
    await expect.poll(() => page.locator('[data-testid=audit-count]').textContent()).toBe('Showing 42 entries.');
    await page.locator('[data-testid=audit-q]').fill('nothing-like-this');
    await page.locator('[data-testid=audit-q]').press('Enter');
    await expect.poll(() => page.locator('[data-testid=audit-empty]').textContent()).toBe('No entry matches these filters.');
  }, 60_000);
});

/** A datetime-local value for the browser's time zone (the test's, same machine). */
function localInput(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
