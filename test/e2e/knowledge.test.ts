/**
 * The knowledge base in a real browser (issue 17, "done when"): a technician resolves a
 * disk-full ticket, clicks "Document this fix", reads the prefilled article (live preview)
 * and saves it; a second enrolled device connects with the same finding and its ticket shows
 * that article first in "Suggested articles" before anyone types; "Run this fix" runs the
 * script there and the ticket's timeline records it. The list's search marks the matched words
 * (as <mark> elements built from ranges), and the article shows its versions and their diff.
 * Screenshots at 1366×820 go to test-results/knowledge-*.png; a 390 px phone scrolls none of
 * these pages sideways, and the dark theme applies.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loginThroughUi, saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { login } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent, tempStateDir } from '../helpers/fleet.js';
import { apiWithToken, createScript, waitForJob } from '../helpers/jobs.js';
import { eventually } from '../helpers/until.js';
import { connectConsole } from '../helpers/console-client.js';
import { diskFullThresholds, showsDiskFull } from '../helpers/knowledge.js';

const thresholds = diskFullThresholds();
const suite = useBrowserSuite(() => ({ args: ['--thresholds', thresholds] }));

let cookie: string | null = null;
async function rest(method: string, path: string, body?: unknown): Promise<any> {
  const c = suite.controller;
  cookie ??= await login(c);
  const res = await fetch(`${c.url}/api${path}`, { method, headers: { cookie, origin: c.url, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** An enrolled device (scripts allowed by its policy), connected, on a new ticket; resolves once its findings are on the ticket. */
async function deviceOnTicket(name: string, title: string, description: string): Promise<{ deviceId: string; ticket: number }> {
  const c = suite.controller;
  const { token } = await createEnrollmentToken(c, await login(c), { group: 'accueil', maxUses: 1 });
  const enrolled = await enrollAgent(c, token, ['--name', name, '--policy-script', 'allow'], tempStateDir());
  if (!enrolled.device) throw new Error(enrolled.agent.output());
  const deviceId = enrolled.device.deviceId;
  const { ticket } = await rest('POST', '/tickets', { title, description, requester: { name: 'Claire Martin', phone: null, email: null }, category: 'system', impact: 'medium', urgency: 'medium', deviceIds: [deviceId] });
  const agent = suite.track(runAgent(enrolled.stateDir));
  await agent.waitFor(/Connected to/, 30_000);
  await eventually(() => rest('GET', `/tickets/${ticket.number}/timeline`), (r) => r.events.some((e: any) => e.kind === 'findings' && e.data.deviceId === deviceId), 30_000, 'findings on the ticket');
  const console = await connectConsole(c, cookie!);
  try {
    await showsDiskFull(c, cookie!, console, deviceId);
  } finally {
    await console.close();
  }
  return { deviceId, ticket: ticket.number };
}

async function noSideScroll(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')}`);
  });
}

describe('the knowledge base in the web UI', () => {
  it('resolve, document this fix, the next device with the same finding gets it first, and the fix runs', async () => {
    const c = suite.controller;
    const { api } = await apiWithToken(c, await login(c));
    await createScript(api, { name: 'clear-old-temp', body: 'echo "cleared old temporary files"\n' });
    const first = await deviceOnTicket('compta-01', 'Plus de place sur le poste de la compta', 'Les enregistrements échouent : « disque plein ».');
    const job = await api('POST', '/jobs', { scriptName: 'clear-old-temp', target: { deviceIds: [first.deviceId] } });
    await waitForJob(api, job.json.job.id, (j) => j.counts.succeeded === 1);

    const page = await suite.loggedInPage('knowledge');
    await page.setViewportSize({ width: 1366, height: 820 });
    // Resolve the first ticket in the browser.
    await page.goto(`${c.url}/#/tickets/${first.ticket}`);
    await page.locator('[data-testid=action-take]').click();
    await page.locator('[data-testid=action-resolve]').click();
    await page.locator('[data-testid=ticket-resolution]').fill('1. Vider les fichiers temporaires anciens.\n2. Vérifier la place libre.');
    await page.locator('[data-testid=ticket-solution-type]').selectOption('fix');
    await page.locator('[data-testid=dialog-confirm]').click();
    // The resolution e-mail with its satisfaction link is offered at once (test/e2e/satisfaction.test.ts reads it).
    await page.locator('[data-testid=survey-mail-close]').click();
    await expect.poll(() => page.locator('[data-testid=survey-mail-dialog]').count()).toBe(0);

    // Document this fix: the form comes prefilled from the ticket.
    await page.locator('[data-testid=document-fix]').click();
    await page.locator('[data-testid=kb-from-ticket]').waitFor();
    await expect.poll(() => page.locator('[data-testid=kb-title]').inputValue()).toBe('Plus de place sur le poste de la compta');
    expect(await page.locator('[data-testid=kb-symptoms-input]').inputValue()).toContain('« disque plein »');
    expect(await page.locator('[data-testid=kb-steps-input]').inputValue()).toContain('`clear-old-temp`');
    await expect.poll(() => page.locator('[data-testid=kb-script]').inputValue()).toBe('clear-old-temp');
    expect(await page.locator('[data-code="disk.full"]').isChecked()).toBe(true);
    // The technician keeps only the code of the problem solved, and the title a colleague would search for.
    for (const box of await page.locator('[data-testid=kb-codes] input:checked').all()) if ((await box.getAttribute('data-code')) !== 'disk.full') await box.uncheck();
    await page.locator('[data-testid=kb-title]').fill('Disque plein : libérer de la place');
    await page.locator('[data-testid=kb-tags]').fill('disque, espace');
    await page.locator('[data-testid=kb-cause-input]').fill('Les fichiers **temporaires** ne sont jamais vidés.');
    // The live preview renders the Markdown.
    await expect.poll(() => page.locator('[data-testid=kb-preview] strong').allTextContents()).toContain('temporaires');
    await saveScreenshot(page, 'knowledge-editor');
    await page.locator('[data-testid=kb-save]').click();
    await page.locator('[data-testid=kb-article-page]').waitFor();
    await expect.poll(() => page.locator('[data-testid=kb-article-title]').textContent()).toBe('Disque plein : libérer de la place');
    expect(await page.locator('[data-testid=kb-steps] li').first().textContent()).toBe('Vider les fichiers temporaires anciens.');
    await page.locator('[data-testid=kb-linked-tickets] a').first().waitFor();

    // A second device connects with the same finding: on its ticket, the article is suggested first.
    const second = await deviceOnTicket('accueil-02', 'Appel de Mme Leroy', '');
    await page.goto(`${c.url}/#/tickets/${second.ticket}`);
    const top = page.locator('[data-testid=kb-suggestion]').first();
    await top.waitFor();
    expect(await top.getAttribute('data-reason')).toBe('findings');
    expect(await top.locator('[data-testid=kb-suggestion-title]').textContent()).toBe('Disque plein : libérer de la place');
    await saveScreenshot(page, 'knowledge-ticket-suggestions');
    // Run this fix: the script runs on that device, and the ticket says so.
    await top.locator('[data-testid=kb-run-fix]').click();
    await top.locator('[data-testid=kb-run-status][data-status=succeeded]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=timeline-item][data-kind=kb_fix_result]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=timeline-item][data-kind=kb_fix_run]').count()).toBe(1);
    await top.locator('[data-testid=kb-helped]').click();
    await expect.poll(() => page.locator('[data-testid=kb-suggestion]').first().locator('[data-testid=kb-helped]').getAttribute('aria-pressed')).toBe('true');
    await saveScreenshot(page, 'knowledge-ticket-fix-ran');
    const card = await page.locator('[data-testid=kb-suggestions]').boundingBox();
    if (card) await page.screenshot({ path: join('test-results', 'knowledge-suggestion-card.png'), clip: { x: card.x, y: card.y, width: card.width, height: Math.min(card.height, 600) } });

    // The list: a search marks the matched words; accents do not matter.
    await page.goto(`${c.url}/#/knowledge`);
    await page.locator('[data-testid=kb-search]').fill('liberer plac');
    await expect.poll(() => page.locator('[data-testid=kb-result] mark').count()).toBeGreaterThan(1);
    expect(await page.locator('[data-testid=kb-result-title] mark').allTextContents()).toEqual(['libérer', 'place']);
    await saveScreenshot(page, 'knowledge-list');

    // An edit makes a version; its changes are shown.
    await page.locator('[data-testid=kb-result-title]').first().click();
    await page.locator('[data-testid=kb-edit]').click();
    await expect.poll(() => page.locator('[data-testid=kb-title]').inputValue()).toBe('Disque plein : libérer de la place');
    await page.locator('[data-testid=kb-steps-input]').fill(`${await page.locator('[data-testid=kb-steps-input]').inputValue()}\n3. Prévenir la personne.`);
    await page.locator('[data-testid=kb-save]').click();
    await page.locator('[data-testid=kb-version][data-version="2"]').waitFor();
    await page.locator('[data-testid=kb-version][data-version="2"] [data-testid=kb-show-changes]').click();
    await expect.poll(() => page.locator('[data-testid=kb-diff] [data-op=insert]').allTextContents()).toEqual(['+3. Prévenir la personne.']);
    await saveScreenshot(page, 'knowledge-article');
  }, 180_000);

  it('a 390 px phone scrolls none of the knowledge pages sideways, and the dark theme applies', async () => {
    const c = suite.controller;
    const { articles } = await rest('GET', '/knowledge/articles');
    const id = articles[0]?.id ?? (await rest('POST', '/knowledge/articles', { title: 'Imprimante bloquée', symptoms: 'Rien ne sort.', steps: '1. Relancer le spouleur.', category: 'hardware', findingCodes: ['printer.jobs-stuck'] })).article.id;
    const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await loginThroughUi(page, c.url, 'admin', c.adminPassword);
      const overflowing: string[] = [];
      for (const hash of ['#/knowledge', `#/knowledge/${id}`, '#/knowledge/new', `#/knowledge/${id}/edit`]) {
        await page.goto(`${c.url}/${hash}`);
        await page.locator('.page').first().waitFor();
        await page.waitForLoadState('networkidle');
        const culprits = await noSideScroll(page);
        if (culprits.length > 0) overflowing.push(`${hash}: ${culprits.join(', ')}`);
      }
      expect(overflowing).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${c.url}/#/knowledge/${id}`);
      await page.locator('[data-testid=kb-article-title]').waitFor();
      await saveScreenshot(page, 'knowledge-dark-phone-article');
    } finally {
      await context.close();
    }
    const wide = await suite.loggedInPage('knowledge-dark');
    await wide.setViewportSize({ width: 1366, height: 820 });
    await wide.emulateMedia({ colorScheme: 'dark' });
    await wide.goto(`${c.url}/#/knowledge`);
    await wide.locator('[data-testid=kb-result]').first().waitFor();
    await saveScreenshot(wide, 'knowledge-dark-list');
    const background = await wide.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(243, 245, 249)');
  }, 90_000);
});
