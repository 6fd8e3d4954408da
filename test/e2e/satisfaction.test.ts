/**
 * Satisfaction and reports in Chromium, the parts test/e2e/knowledge-story.test.ts does not look
 * at (that story reads the survey link from the resolution e-mail, rates on the survey page and
 * finds the rating, its comment and its technician on the dashboard): the e-mail's words in
 * French; the survey page on a phone, light and dark, refusing a send without a rating while
 * keeping the comment, its rating buttons driven by the keyboard, and its link once only; the
 * dashboard's charts drawn, a chart's CSV, the dashboard on a phone; and a technician kept out.
 * Screenshots go to test-results/satisfaction-*.png whether the test passes or fails.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { login } from '../helpers/controller-process.js';

const suite = useBrowserSuite();

async function rest(cookie: string, method: string, path: string, body?: unknown): Promise<any> {
  const url = suite.controller.url;
  const res = await fetch(`${url}${path}`, { method, headers: { origin: url, cookie, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.json();
}

const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

describe('the person rates the help, the dashboard shows it', () => {
  it('resolve on the ticket page → e-mail text with the link → the person rates 4 with a comment → the admin sees it on the dashboard', async () => {
    const cookie = await login(suite.controller);
    const { ticket } = await rest(cookie, 'POST', '/api/tickets', {
      title: 'Imprimante du 2e étage hors ligne', description: '', requester: { name: 'Claire Martin', phone: null, email: 'claire.martin@example.com' },
      category: 'hardware', impact: 'medium', urgency: 'high',
    });
    await rest(cookie, 'POST', `/api/tickets/${ticket.number}/actions`, { type: 'take' });

    const page = await suite.loggedInPage('satisfaction-ticket');
    await page.goto(`${suite.controller.url}/#/tickets/${ticket.number}`);
    await page.locator('[data-testid=action-resolve]').click();
    await page.locator('[data-testid=ticket-resolution]').fill('Pilote réinstallé, impression rétablie.');
    await page.locator('[data-testid=ticket-solution-type]').selectOption('fix');
    await page.locator('[data-testid=dialog-confirm]').click();
    // Right after the resolution: the e-mail to copy, with a single-use link.
    const mail = page.locator('[data-testid=survey-mail-text]');
    await mail.waitFor();
    await page.locator('[data-testid=survey-mail-language]').selectOption('fr');
    const text = await mail.inputValue();
    expect(text).toContain('Bonjour Claire Martin');
    expect(text).toContain('Pilote réinstallé');
    const url = /(http:\/\/\S+\/survey\/[A-Za-z0-9_-]{43})/.exec(text)?.[1];
    expect(url).toBeTruthy();
    await saveScreenshot(page, 'satisfaction-mail-dialog');
    await page.locator('[data-testid=survey-mail-close]').click();
    await expect.poll(() => page.locator('[data-testid=survey-mail-dialog]').count()).toBe(0);
    // The ticket page offers the e-mail again while the ticket is resolved.
    await page.locator('[data-testid=survey-mail]').waitFor();

    // The person, on a phone: French page, no sideways scrolling, light then dark.
    const phone = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', extraHTTPHeaders: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    try {
      const person = await phone.newPage();
      await person.goto(url!);
      await person.locator('[data-testid=survey-form]').waitFor();
      expect(await person.locator('h1').textContent()).toContain('Votre problème est-il résolu');
      expect(await noSideScroll(person)).toBe(true);
      await saveScreenshot(person, 'satisfaction-survey-390');
      await person.emulateMedia({ colorScheme: 'dark' });
      expect(await noSideScroll(person)).toBe(true);
      await saveScreenshot(person, 'satisfaction-survey-390-dark');
      // Sending without a rating keeps the comment and says what is missing.
      await person.locator('[data-testid=survey-comment]').fill('Rapide et efficace, merci !');
      await person.locator('[data-testid=survey-send]').click();
      await person.locator('[data-testid=survey-error]').waitFor();
      expect(await person.locator('[data-testid=survey-comment]').inputValue()).toBe('Rapide et efficace, merci !');
      // The big buttons are radio inputs: a label click chooses, the keyboard works too.
      await person.locator('label:has([data-testid=survey-rating-3])').click();
      await person.keyboard.press('ArrowRight');
      expect(await person.locator('[data-testid=survey-rating-4]').isChecked()).toBe(true);
      await person.locator('[data-testid=survey-send]').click();
      await person.locator('[data-testid=survey-thanks]').waitFor();
      await saveScreenshot(person, 'satisfaction-thanks-390-dark');
      // Once only: the link now says it was answered.
      await person.goto(url!);
      expect(await person.locator('[data-testid=survey-problem]').getAttribute('data-code')).toBe('SURVEY_ERR_USED');
    } finally {
      await phone.close();
    }

    // The dashboard (administrator): the charts drawn, and the numbers behind one as CSV.
    await page.goto(`${suite.controller.url}/#/reports`);
    await page.locator('[data-testid=report-answers]').waitFor();
    await expect.poll(() => page.locator('.uplot canvas').count()).toBeGreaterThanOrEqual(3);
    // A chart's canvas holds drawn pixels, not a blank box.
    const drawn = await page.locator('[data-testid=chart-satisfaction] canvas').first().evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return painted;
    });
    expect(drawn).toBeGreaterThan(100);
    const href = await page.locator('[data-testid=csv-satisfaction]').first().getAttribute('href');
    const csv = await page.request.get(`${suite.controller.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('4,1');
    await page.setViewportSize({ width: 1366, height: 820 });
    await saveScreenshot(page, 'satisfaction-dashboard');
    await page.emulateMedia({ colorScheme: 'dark' });
    await saveScreenshot(page, 'satisfaction-dashboard-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // A phone: nothing scrolls sideways (the technicians' table scrolls in its own box).
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => noSideScroll(page)).toBe(true);
    await saveScreenshot(page, 'satisfaction-dashboard-390');

    // Desktop survey page screenshots (a second ticket, in English).
    await rest(cookie, 'POST', `/api/tickets/${ticket.number}/actions`, { type: 'reopen' });
    await rest(cookie, 'POST', `/api/tickets/${ticket.number}/actions`, { type: 'resolve', resolution: 'Toner replaced.', solutionType: 'hardware_replaced' });
    const link = await rest(cookie, 'POST', `/api/tickets/${ticket.number}/survey-link`);
    const desk = await suite.browser.newContext({ viewport: { width: 1366, height: 820 }, extraHTTPHeaders: { 'accept-language': 'en' } });
    try {
      const person = await desk.newPage();
      await person.goto(link.url);
      await person.locator('[data-testid=survey-form]').waitFor();
      await saveScreenshot(person, 'satisfaction-survey-desktop');
      await person.emulateMedia({ colorScheme: 'dark' });
      await saveScreenshot(person, 'satisfaction-survey-desktop-dark');
    } finally {
      await desk.close();
    }
  }, 120_000);

  it('a technician has no Reports in the navigation, and the page refuses them', async () => {
    const cookie = await login(suite.controller);
    await rest(cookie, 'POST', '/api/users', { username: 'sam.lee', name: 'Sam Lee', password: 'long-enough-password-1', role: 'technician' });
    const { context, page } = await (await import('../helpers/browser.js')).newPage(suite.browser);
    try {
      await (await import('../helpers/browser.js')).loginThroughUi(page, suite.controller.url, 'sam.lee', 'long-enough-password-1');
      expect(await page.locator('a[href="#/reports"]').count()).toBe(0);
      await page.goto(`${suite.controller.url}/#/reports`);
      await page.locator('[data-testid=report-error]').waitFor({ state: 'visible' });
      expect(await page.locator('[data-testid=report-error]').textContent()).toContain('You are not allowed to do this.');
    } finally {
      await context.close();
    }
  }, 60_000);
});
