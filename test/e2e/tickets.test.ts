/**
 * Tickets in a real browser (issue 10): a technician creates a ticket through the
 * form, finds it in the queue, opens it, takes it, adds a note, waits for the user
 * (the resolution clock shows paused), escalates and resolves it with words, and the
 * history lists every step. A change made behind the page's back is refused with
 * what changed. In French, the page speaks French. Screenshots go to
 * test-results/tickets-*.png whether the test passes or fails.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loginThroughUi, newPage, saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';

const suite = useBrowserSuite();

async function createThroughForm(page: Page, title: string): Promise<number> {
  await page.goto(`${suite.controller.url}/#/tickets`);
  await page.locator('[data-testid=new-ticket]').click();
  await page.locator('[data-testid=new-ticket-form]').waitFor();
  // The form checks before sending: an empty title and a bad e-mail are refused on the spot.
  await page.locator('[data-testid=requester-email]').fill('not an address');
  await page.locator('[data-testid=create-ticket]').click();
  await expect.poll(() => page.locator('[data-testid=error-title]').isVisible()).toBe(true);
  await expect.poll(() => page.locator('[data-testid=error-email]').isVisible()).toBe(true);

  await page.locator('[data-testid=ticket-title]').fill(title);
  await page.locator('[data-testid=ticket-description]').fill('Nothing prints since this morning.\n<b>Second line</b> stays text.');
  await page.locator('[data-testid=requester-name]').fill('Claire Martin');
  await page.locator('[data-testid=requester-phone]').fill('+33 1 23 45 67 89');
  await page.locator('[data-testid=requester-email]').fill('claire.martin@example.com');
  await page.locator('[data-testid=ticket-category]').selectOption('hardware');
  await page.locator('[data-testid=ticket-impact]').selectOption('high');
  await page.locator('[data-testid=ticket-urgency]').selectOption('medium');
  expect(await page.locator('[data-testid=priority-preview]').textContent()).toContain('P2');
  await saveScreenshot(page, 'tickets-new');
  await page.locator('[data-testid=create-ticket]').click();
  await page.locator('[data-testid=ticket-page] [data-testid=ticket-number]').waitFor();
  const match = /#\/tickets\/(\d+)$/.exec(page.url());
  expect(match).not.toBeNull();
  return Number(match![1]);
}

async function timelineKinds(page: Page): Promise<string[]> {
  return page.locator('[data-testid=timeline-item]').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind') ?? ''));
}

async function act(page: Page, action: string, words?: { reason?: string; resolution?: string; solutionType?: string }): Promise<void> {
  const before = (await timelineKinds(page)).length;
  await page.locator(`[data-testid=action-${action}]`).click();
  if (words?.reason !== undefined) {
    await page.locator('[data-testid=ticket-dialog]').waitFor();
    // A reason is required: the dialog says so instead of sending.
    await page.locator('[data-testid=dialog-confirm]').click();
    await expect.poll(() => page.locator('[data-testid=dialog-error]').isVisible()).toBe(true);
    await page.locator('[data-testid=ticket-reason]').fill(words.reason);
    await page.locator('[data-testid=dialog-confirm]').click();
  }
  if (words?.resolution !== undefined) {
    await page.locator('[data-testid=ticket-dialog]').waitFor();
    await page.locator('[data-testid=ticket-resolution]').fill(words.resolution);
    await page.locator('[data-testid=ticket-solution-type]').selectOption(words.solutionType ?? 'fix');
    await page.locator('[data-testid=dialog-confirm]').click();
  }
  await expect.poll(async () => (await timelineKinds(page)).length, { timeout: 10_000 }).toBeGreaterThan(before);
}

describe('tickets in the web UI', () => {
  it('creates, finds, takes, notes, waits, escalates and resolves a ticket, with the whole history', async () => {
    const page = await suite.loggedInPage('tickets');
    // The console socket runs through the test so that live timeline pushes can be held back
    // for a moment: that is how a page ends up acting on a ticket someone else has just changed.
    let holdTicketEvents = false;
    await page.routeWebSocket(/\/ws\/console$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        if (holdTicketEvents && typeof message === 'string' && message.includes('"t":"ticket.event"')) return;
        ws.send(message);
      });
    });
    await page.reload();
    try {
      const number = await createThroughForm(page, 'Printer on 2nd floor does not print');
      expect(await page.locator('[data-testid=ticket-heading]').textContent()).toBe('Printer on 2nd floor does not print');
      // The description is text: the <b> typed by the technician is shown, not rendered.
      expect(await page.locator('[data-testid=ticket-description]').textContent()).toContain('<b>Second line</b>');
      expect(await page.locator('[data-testid=ticket-description] b').count()).toBe(0);
      expect(await page.locator('[data-testid=requester-name]').textContent()).toBe('Claire Martin');
      expect(await page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('new');

      // The queue lists it, and opens it.
      await page.goto(`${suite.controller.url}/#/tickets`);
      const row = page.locator(`[data-testid=ticket-row][data-number="${number}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('Printer on 2nd floor does not print');
      expect(await row.locator('[data-testid=ticket-priority]').textContent()).toBe('P2');
      await saveScreenshot(page, 'tickets-queue');
      // A search that matches nothing shows the helpful empty state.
      await page.locator('[data-testid=tickets-search]').fill('zzz-nothing-matches');
      await page.locator('[data-testid=tickets-empty]').waitFor();
      await page.locator('[data-testid=tickets-search]').fill('');
      await row.waitFor();
      await row.click();
      await page.locator('[data-testid=action-take]').waitFor();

      await act(page, 'take');
      await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('in_progress');

      await page.locator('[data-testid=note-body]').fill('Checked the **cable**.\n- `lpstat -p` idle\n- [driver](https://printers.example/x) [bad](javascript:alert(1))\n<img src=x onerror="document.title=1">');
      await page.locator('[data-testid=add-note]').click();
      await expect.poll(async () => (await timelineKinds(page)).includes('note')).toBe(true);
      // Markdown in notes is formatted, never executed: no raw HTML, only http(s) links.
      const note = page.locator('[data-kind=note] .markdown-text');
      expect(await note.locator('strong').textContent()).toBe('cable');
      expect(await note.locator('li code').textContent()).toBe('lpstat -p');
      expect(await note.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['https://printers.example/x']);
      expect(await note.locator('img').count()).toBe(0);
      expect(await note.textContent()).toContain('<img src=x');

      await act(page, 'wait_for_user', { reason: 'Asked Claire to switch the printer off and on.' });
      await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('waiting_user');
      expect(await page.locator('[data-testid=sla-resolve]').getAttribute('data-sla')).toBe('paused');
      await saveScreenshot(page, 'tickets-waiting');

      await act(page, 'escalate', { reason: 'The fuser is faulty: needs a level 2 technician on site.' });
      await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('escalated');
      expect(await page.locator('[data-testid=ticket-level]').textContent()).toContain('2');

      await act(page, 'resolve', { resolution: 'Replaced the fuser unit.', solutionType: 'hardware_replaced' });
      // The resolution e-mail with its satisfaction link is offered at once (test/e2e/satisfaction.test.ts reads it).
      await page.locator('[data-testid=survey-mail-close]').click();
      await expect.poll(() => page.locator('[data-testid=survey-mail-dialog]').count()).toBe(0);
      await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('resolved');
      expect(await page.locator('[data-testid=ticket-resolution]').textContent()).toBe('Replaced the fuser unit.');

      expect(await timelineKinds(page)).toEqual(['created', 'take', 'note', 'wait_for_user', 'escalate', 'resolve']);
      const history = (await page.locator('[data-testid=timeline]').textContent()) ?? '';
      expect(history).toContain('Asked Claire to switch the printer off and on.');
      expect(history).toContain('needs a level 2 technician on site');
      expect(history).toContain('Replaced the fuser unit.');
      expect(history).toContain('lpstat -p idle');
      await saveScreenshot(page, 'tickets-resolved');

      // Someone else reopens it while the push has not reached this page yet: closing is refused, and the page says what changed.
      holdTicketEvents = true;
      const status = await page.evaluate(async (n) => {
        const res = await fetch(`/api/tickets/${n}/actions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'reopen' }) });
        return res.status;
      }, number);
      expect(status).toBe(200);
      await page.locator('[data-testid=action-close]').click();
      await page.locator('[data-testid=ticket-conflict]:not([hidden])').waitFor();
      const changed = (await page.locator('[data-testid=conflict-changes]').textContent()) ?? '';
      expect(changed).toContain('Resolved');
      expect(changed).toContain('In progress');
      await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('in_progress');
      await saveScreenshot(page, 'tickets-conflict');
      holdTicketEvents = false;

      // Pushed live: a colleague's note appears on this page without a reload.
      const noted = await page.evaluate(async (n) => {
        const res = await fetch(`/api/tickets/${n}/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ body: 'Colleague: spare fuser ordered.', visibility: 'internal' }) });
        return res.status;
      }, number);
      expect(noted).toBeLessThan(300);
      await expect.poll(() => page.locator('[data-testid=timeline]').textContent(), { timeout: 10_000 }).toContain('Colleague: spare fuser ordered.');

      // A support link made from the ticket shows its code and goes on the ticket's history.
      await page.locator('[data-testid=new-link]').click();
      expect(await page.locator('[data-testid=link-code]').textContent()).toMatch(/^\d{3} \d{3} \d{3}$/);
      await expect.poll(async () => (await timelineKinds(page)).includes('link_created')).toBe(true);
      await saveScreenshot(page, 'tickets-link');
    } finally {
      await saveScreenshot(page, 'tickets-last');
    }
  }, 90_000);

  it('speaks French to a French browser', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    try {
      const page = await context.newPage();
      await page.goto(`${suite.controller.url}/`);
      await page.locator('#username').fill('admin');
      await page.locator('#password').fill(suite.controller.adminPassword);
      await page.locator('[data-testid=login-submit]').click();
      await page.locator('[data-testid=new-link]').waitFor();
      await page.goto(`${suite.controller.url}/#/tickets`);
      await page.locator('[data-testid=ticket-row]').first().waitFor();
      expect(await page.locator('h1').textContent()).toBe('Tickets');
      expect(await page.locator('[data-testid=new-ticket]').textContent()).toBe('Nouveau ticket');
      await saveScreenshot(page, 'tickets-fr-queue');
      await page.locator('[data-testid=new-ticket]').click();
      // The form replaces the queue on the hashchange after the click; until then ticket-title names a queue row's link.
      await page.locator('[data-testid=new-ticket-form]').waitFor();
      await page.locator('[data-testid=ticket-title]').fill('Outlook ne démarre plus');
      await page.locator('[data-testid=requester-name]').fill('Jean Dupont');
      await page.locator('[data-testid=ticket-category]').selectOption('software');
      await page.locator('[data-testid=create-ticket]').click();
      await page.locator('[data-testid=action-escalate]').waitFor();
      expect(await page.locator('[data-testid=action-escalate]').textContent()).toBe('Escalader');
      expect(await page.locator('[data-testid=action-take]').textContent()).toBe('Prendre en charge');
      expect(await page.locator('[data-testid=ticket-status]').textContent()).toBe('Nouveau');
      expect(await page.locator('[data-testid=sla-own]').textContent()).toContain('Délai de prise en charge');
      await saveScreenshot(page, 'tickets-fr-ticket');
      await page.locator('[data-testid=action-escalate]').click();
      await page.locator('[data-testid=ticket-dialog]').waitFor();
      expect(await page.locator('#ticket-dialog-title').textContent()).toBe('Transmettre au niveau 2');
      await saveScreenshot(page, 'tickets-fr-escalate');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows level-2 actions only to level 2: the level-1 follower reads and annotates, level 2 sends it back to level 1', async () => {
    const url = suite.controller.url;
    const api = async (cookie: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { cookie, origin: url, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return res.json();
    };
    const session = async (username: string, password: string) => {
      const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      return res.headers.get('set-cookie')!.split(';')[0]!;
    };
    const admin = await session('admin', suite.controller.adminPassword);
    for (const [username, role] of [['lea.level1', 'l1'], ['max.level2', 'l2']]) {
      await api(admin, 'POST', '/api/users', { username, name: username, password: `${username} has a long password`, role });
    }
    const lea = await session('lea.level1', 'lea.level1 has a long password');
    const created = await api(lea, 'POST', '/api/tickets', { title: 'Scanner sends blank pages', description: '', requester: { name: 'Paul Girard', phone: null, email: null }, category: 'hardware', impact: 'medium', urgency: 'medium' });
    const number = created.ticket.number as number;
    await api(lea, 'POST', `/api/tickets/${number}/actions`, { type: 'escalate', reason: 'The firmware needs an update: level 2.' });

    const { context: leaContext, page: leaPage } = await newPage(suite.browser);
    const { context: maxContext, page: maxPage } = await newPage(suite.browser);
    try {
      await loginThroughUi(leaPage, url, 'lea.level1', 'lea.level1 has a long password');
      await leaPage.goto(`${url}/#/tickets`);
      await leaPage.locator('[data-testid=filter-assignee]').selectOption('followed');
      await leaPage.locator(`[data-testid=ticket-row][data-number="${number}"]`).click();
      await leaPage.locator('[data-testid=ticket-following]').waitFor();
      expect(await leaPage.locator('[data-testid=ticket-actions] button').count()).toBe(0);
      await saveScreenshot(leaPage, 'tickets-level1-follower');
      await leaPage.locator('[data-testid=note-body]').fill('The user reset the scanner once.');
      await leaPage.locator('[data-testid=add-note]').click();
      await expect.poll(() => timelineKinds(leaPage)).toContain('note');

      await loginThroughUi(maxPage, url, 'max.level2', 'max.level2 has a long password');
      await maxPage.goto(`${url}/#/tickets/${number}`);
      await maxPage.locator('[data-testid=action-de_escalate]').waitFor();
      expect(await maxPage.locator('[data-testid=ticket-actions] button').evaluateAll((b) => b.map((x) => x.getAttribute('data-testid')))).toEqual(['action-take', 'action-de_escalate', 'action-resolve']);
      expect(await maxPage.locator('[data-testid=ticket-following]').count()).toBe(0);
      await act(maxPage, 'de_escalate', { reason: 'Firmware is current: a cleaning of the glass will do.' });
      await expect.poll(() => maxPage.locator('[data-testid=ticket-level]').textContent()).toBe('Level 1');
      // Back at level 1: the follower's page offers the level-1 moves again (it hears the change live).
      await expect.poll(() => leaPage.locator('[data-testid=action-take]').count(), { timeout: 15_000 }).toBe(1);
      expect(await leaPage.locator('[data-testid=ticket-following]').count()).toBe(0);
      expect(await leaPage.locator('[data-testid=timeline-item][data-kind=de_escalate]').textContent()).toContain('max.level2 sent the ticket back to level 1: Firmware is current');
      await saveScreenshot(leaPage, 'tickets-level1-back');
    } finally {
      await leaContext.close();
      await maxContext.close();
    }
  }, 90_000);
});
