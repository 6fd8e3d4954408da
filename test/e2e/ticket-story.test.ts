/**
 * The whole helpdesk story in a real Chromium (issue 10, "Done when"): an administrator adds a
 * level-1 and a level-2 technician on the Settings page; level 1 (its own browser context, a real
 * login) types a ticket during a phone call, takes it and makes a support link from it; the person
 * starts the real agent in a real terminal, describes the problem in one line, and the join and
 * the findings land on the ticket's timeline; level 1 opens a recorded shell (the person says
 * yes), runs a command, waits for the user with a reason, and the person's chat answer ends the
 * wait — the resolution clock did not run meanwhile (the API's readings exclude the paused
 * interval exactly); level 1 escalates with a reason and follows the ticket; level 2 finds it in
 * the level-2 queue, watches the live shell while level 1 types (the person is told), takes the
 * ticket and resolves it; the shell ends, its recording plays on the ticket page and downloads as
 * asciicast v2. The timeline holds every step in order and the audit log the escalation's reason.
 *
 * The controller's business hours are set to every hour of every day, so that the SLA clocks run
 * whenever the test does (the default calendar is closed at night and at weekends). Screenshots go
 * to test-results/story-*.png.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ticketAnswers } from '../../protocol/rest-ticket-answers.js';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { saveScreenshot, terminalText } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { login } from '../helpers/controller-process.js';

const ALWAYS_OPEN = { timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5, 6, 7], opens: '00:00', closes: '24:00', holidays: [] };
const hoursDir = mkdtempSync(join(tmpdir(), 'relais-hours-'));
const suite = useBrowserSuite(() => {
  const file = join(hoursDir, 'business-hours.json');
  writeFileSync(file, JSON.stringify(ALWAYS_OPEN));
  return { args: ['--business-hours', file] };
});
afterAll(() => rmSync(hoursDir, { recursive: true, force: true }));

const LEA = { username: 'lea.l1', name: 'Léa Moreau', password: 'lea has a long password' };
const MAX = { username: 'max.l2', name: 'Max Girard', password: 'max has a long password' };
const VIEW = { width: 1366, height: 820 };
const LONG = 30_000;

type Reading = ReturnType<typeof ticketAnswers.ticket.parse>['ticket']['sla']['resolve'];

/** The ticket as the API gives it to this page's account, with the instants just before and after the request. */
async function ticketNow(page: Page, number: number) {
  const before = Date.now();
  const res = await page.request.get(`${suite.controller.url}/api/tickets/${number}`);
  const after = Date.now();
  expect(res.status()).toBe(200);
  return { ticket: ticketAnswers.ticket.parse(await res.json()).ticket, before, after };
}

async function timelineEvents(page: Page, number: number) {
  const res = await page.request.get(`${suite.controller.url}/api/tickets/${number}/timeline?limit=200`);
  expect(res.status()).toBe(200);
  return ticketAnswers.timeline.parse(await res.json()).events;
}

const kindsOnPage = (page: Page) => page.locator('[data-testid=timeline-item]').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind') ?? ''));
const statusOf = (page: Page) => page.locator('[data-testid=ticket-status]').getAttribute('data-status');

/** Waits until the ticket page's timeline shows an item of this kind (pushed live, no reload). */
async function onTimeline(page: Page, kind: string, timeout = LONG): Promise<void> {
  await expect.poll(() => kindsOnPage(page), { timeout, message: `timeline item ${kind}` }).toContain(kind);
}

/** Clicks an action on the ticket page, fills its dialog, and waits for the status it leads to. */
async function act(page: Page, action: string, to: string, words: { reason?: string; resolution?: string; solutionType?: string } = {}): Promise<void> {
  await page.locator(`[data-testid=action-${action}]`).click();
  if (words.reason !== undefined) {
    await page.locator('[data-testid=ticket-reason]').fill(words.reason);
    await page.locator('[data-testid=dialog-confirm]').click();
  }
  if (words.resolution !== undefined) {
    await page.locator('[data-testid=ticket-resolution]').fill(words.resolution);
    await page.locator('[data-testid=ticket-solution-type]').selectOption(words.solutionType ?? 'fix');
    await page.locator('[data-testid=dialog-confirm]').click();
  }
  await expect.poll(() => statusOf(page), { timeout: LONG }).toBe(to);
}

async function typeInShell(page: Page, command: string): Promise<void> {
  await page.locator('[data-testid=terminal]').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** The administrator adds an account on the Settings page, with its role. */
async function addAccount(admin: Page, who: typeof LEA, role: 'l1' | 'l2'): Promise<void> {
  await admin.locator('[data-testid=new-user-username]').fill(who.username);
  await admin.locator('[data-testid=new-user-name]').fill(who.name);
  await admin.locator('[data-testid=new-user-password]').fill(who.password);
  await admin.locator('[data-testid=create-user]').click();
  const roleSelect = admin.locator(`[data-testid=user-row][data-username="${who.username}"] [data-testid=user-role]`);
  await roleSelect.waitFor({ timeout: LONG });
  if (role !== 'l1') {
    await roleSelect.selectOption(role);
    await expect.poll(() => admin.locator('[data-testid=users-done]').textContent()).toContain('level 2');
  }
  expect(await roleSelect.inputValue()).toBe(role);
}

describe('the whole ticket story', () => {
  it('a call becomes a ticket, the person joins, level 1 works and escalates, level 2 watches and resolves, the recording plays', async () => {
    const c = suite.controller;
    const admin = await suite.loggedInPage('story-admin');
    await admin.goto(`${c.url}/#/settings`);
    await admin.locator('[data-testid=technicians]').waitFor();
    await addAccount(admin, LEA, 'l1');
    await addAccount(admin, MAX, 'l2');

    // ---- Level 1 takes a phone call: the new-ticket form ----
    const lea = await suite.loggedInPage('story-l1', LEA);
    await lea.setViewportSize(VIEW);
    await lea.goto(`${c.url}/#/tickets`);
    await lea.locator('[data-testid=new-ticket]').click();
    await lea.locator('[data-testid=new-ticket-form]').waitFor();
    await lea.locator('[data-testid=ticket-title]').fill('Outlook cannot send mail');
    await lea.locator('[data-testid=ticket-description]').fill('Called at 9:40: mails stay in the outbox since this morning.');
    await lea.locator('[data-testid=requester-name]').fill('Claire Martin');
    await lea.locator('[data-testid=requester-phone]').fill('+33 1 23 45 67 89');
    await lea.locator('[data-testid=requester-email]').fill('claire.martin@example.com');
    await lea.locator('[data-testid=ticket-category]').selectOption('software');
    await lea.locator('[data-testid=ticket-impact]').selectOption('medium');
    await lea.locator('[data-testid=ticket-urgency]').selectOption('high');
    expect(await lea.locator('[data-testid=priority-preview]').textContent()).toContain('P2');
    await lea.locator('[data-testid=create-ticket]').click();
    await lea.locator('[data-testid=ticket-page] [data-testid=ticket-number]').waitFor();
    const number = Number(/#\/tickets\/(\d+)$/.exec(lea.url())?.[1]);
    expect(number).toBeGreaterThan(1000);
    expect(await lea.locator('[data-testid=requester-name]').textContent()).toBe('Claire Martin');
    await act(lea, 'take', 'in_progress');
    expect(await lea.locator('[data-testid=ticket-assignee]').textContent()).toContain(LEA.name);

    // ---- A support link from the ticket; the person joins and says what is wrong ----
    await lea.locator('[data-testid=new-link]').click();
    const url = ((await lea.locator('[data-testid=link-url]').textContent()) ?? '').trim();
    expect(url).toMatch(/\/s\/\d{9}$/);
    await onTimeline(lea, 'link_created');
    const person: AgentInTerminal = startAgentInTerminal(['join', url], { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', RELAIS_LANG: 'en' });
    try {
      await person.waitFor('Describe your problem in one sentence', LONG);
      person.type('My mails stay in the outbox\r');
      await person.waitFor('press M', LONG);
      for (const kind of ['person_described', 'agent_joined', 'findings']) await onTimeline(lea, kind);
      const described = lea.locator('[data-testid=timeline-item][data-kind=person_described]');
      expect(await described.textContent()).toContain('My mails stay in the outbox');
      // The link made here was used: it stops counting down.
      await lea.locator('[data-testid=link-joined]').waitFor({ timeout: LONG });
      expect(await lea.locator('[data-testid=link-expiry]').textContent()).toBe('Used');
      // The device is on the ticket, by its name and state, and so are its findings.
      const deviceItem = lea.locator('[data-testid=ticket-device]');
      await expect.poll(() => deviceItem.locator('a').textContent(), { timeout: LONG }).toBe(hostname());
      const deviceId = (await deviceItem.getAttribute('data-device-id')) ?? '';
      expect(deviceId).not.toBe('');
      expect(await deviceItem.locator('[data-testid=ticket-device-state]').textContent()).toBe('Online');
      const findings = (await lea.locator('[data-testid=timeline-item][data-kind=findings]').textContent()) ?? '';
      expect(findings).toContain(`Diagnostics of ${hostname()}`);
      expect(findings).not.toContain(deviceId);
      // Level 1 opens the device in a second tab; the ticket stays open in the first.
      const deviceHref = (await deviceItem.locator('a').getAttribute('href')) ?? '';
      expect(deviceHref).toBe(`#/devices/${encodeURIComponent(deviceId)}`);

      // ---- A recorded shell, with the person's yes ----
      const leaShell = await lea.context().newPage();
      await leaShell.setViewportSize(VIEW);
      await leaShell.goto(`${c.url}/${deviceHref}`);
      const open = leaShell.locator('[data-testid=open-shell]');
      await expect.poll(() => open.isEnabled(), { timeout: LONG }).toBe(true);
      await open.click();
      await person.waitFor('Allow? [y/N]', LONG);
      expect(person.screen().toString()).toContain('This remote shell is recorded');
      person.type('y');
      await leaShell.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: LONG });
      await typeInShell(leaShell, 'echo outbox-$((6*7))');
      await expect.poll(() => terminalText(leaShell), { timeout: LONG }).toContain('outbox-42');
      await onTimeline(lea, 'shell_opened');

      // ---- Waiting for the user: the resolution clock pauses ----
      await lea.bringToFront();
      const running = await ticketNow(lea, number);
      expect(running.ticket.sla.resolve).toMatchObject({ paused: false, stopped: false });
      await act(lea, 'wait_for_user', 'waiting_user', { reason: 'Asked Claire to close Outlook and tell me when done.' });
      await expect.poll(() => lea.locator('[data-testid=sla-resolve]').getAttribute('data-sla')).toBe('paused');
      const shownPaused = await lea.locator('[data-testid=sla-resolve]').textContent();
      // Paused, the card still says how much time is left: the time the clock resumes with.
      expect(shownPaused).toMatch(/Paused while waiting for the user, \d[^,]* left/);
      const paused1 = await ticketNow(lea, number);
      expect(paused1.ticket.sla.resolve).toMatchObject({ paused: true, deadline: null });

      // The person answers in the agent's chat (M, the text, Enter): the controller records the reply.
      person.type('m');
      await person.waitFor('Your message to the technician', LONG);
      // Read once more while still waiting, later than the first reading: the clock has not moved.
      const paused2 = await ticketNow(lea, number);
      expect(paused2.ticket.status).toBe('waiting_user');
      expect(paused2.before).toBeGreaterThan(paused1.after);
      expect(paused2.ticket.sla.resolve.elapsedMs).toBe(paused1.ticket.sla.resolve.elapsedMs);
      expect(await lea.locator('[data-testid=sla-resolve]').textContent()).toBe(shownPaused);
      person.type('Outlook is closed now\r');
      await onTimeline(lea, 'user_replied');
      await expect.poll(() => statusOf(lea), { timeout: LONG }).toBe('in_progress');
      await expect.poll(() => lea.locator('[data-testid=sla-resolve]').getAttribute('data-sla')).not.toBe('paused');

      // The API's reading excludes exactly the wait: elapsed = (now − created) − (reply − wait).
      const events = await timelineEvents(lea, number);
      const waitAt = events.find((e) => e.kind === 'wait_for_user')!.at;
      const replyAt = events.find((e) => e.kind === 'user_replied')!.at;
      const after = await ticketNow(lea, number);
      const created = after.ticket.createdAt;
      const pausedMs = replyAt - waitAt;
      const resolve: Reading = after.ticket.sla.resolve;
      // The pause is longer than the request's own uncertainty, so counting it would show.
      expect(pausedMs).toBeGreaterThan(after.after - after.before + 2);
      expect(resolve.elapsedMs).toBeGreaterThanOrEqual(after.before - created - pausedMs - 1);
      expect(resolve.elapsedMs).toBeLessThanOrEqual(after.after - created - pausedMs + 2);
      expect(resolve.remainingMs).toBe(resolve.targetMs - resolve.elapsedMs);
      expect(resolve.deadline).not.toBeNull();

      // ---- Escalation with a reason; level 1 follows the ticket ----
      await act(lea, 'escalate', 'escalated', { reason: 'SMTP relay refuses the account: needs level 2 on the mail server.' });
      expect(await lea.locator('[data-testid=ticket-level]').textContent()).toContain('2');
      await lea.locator('[data-testid=ticket-following]').waitFor();
      expect(await lea.locator('[data-testid=action-take]').count()).toBe(0);
      expect(await lea.locator('[data-testid=action-resolve]').count()).toBe(0);
      await saveScreenshot(lea, 'story-l1-following');
      const leaQueue = await lea.context().newPage();
      await leaQueue.setViewportSize(VIEW);
      await leaQueue.goto(`${c.url}/#/tickets`);
      await leaQueue.locator('[data-testid=filter-assignee]').selectOption('followed');
      await leaQueue.locator(`[data-testid=ticket-row][data-number="${number}"]`).waitFor({ timeout: LONG });
      await leaQueue.close();

      // ---- Level 2 finds it in the level-2 queue and watches the live shell ----
      const max = await suite.loggedInPage('story-l2', MAX);
      await max.setViewportSize(VIEW);
      await max.goto(`${c.url}/#/tickets`);
      await max.locator('[data-testid=filter-level]').selectOption('L2');
      const row = max.locator(`[data-testid=ticket-row][data-number="${number}"]`);
      await row.waitFor({ timeout: LONG });
      expect(await row.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('escalated');
      await row.click();
      await max.locator('[data-testid=action-take]').waitFor();
      await max.locator(`[data-testid=ticket-device] a[href="${deviceHref}"]`).click();
      await max.locator('[data-testid=presence-person][data-username="lea.l1"][data-role=driver]').waitFor({ timeout: LONG });
      await max.locator('[data-testid=watch-shell]').click();
      await max.locator('[data-testid=shell-status][data-state=watching]').waitFor({ timeout: LONG });
      await expect.poll(() => terminalText(max), { timeout: LONG }).toContain('outbox-42');
      await person.waitFor('Max Girard (max.l2) is now watching the remote shell', LONG);
      await leaShell.locator('[data-testid=presence-person][data-username="max.l2"][data-role=observer]').waitFor({ timeout: LONG });
      await typeInShell(leaShell, 'echo relay-$((7*6+1))');
      await expect.poll(() => terminalText(max), { timeout: LONG }).toContain('relay-43');
      await saveScreenshot(max, 'story-l2-watching');

      // ---- Level 2 takes the ticket and resolves it ----
      await max.goto(`${c.url}/#/tickets/${number}`);
      await act(max, 'take', 'in_progress');
      expect(await max.locator('[data-testid=ticket-assignee]').textContent()).toContain(MAX.name);
      await act(max, 'resolve', 'resolved', { resolution: 'Reset the SMTP password on the relay; Outlook sends again.', solutionType: 'fix' });
      // The resolution e-mail with its satisfaction link is offered at once (test/e2e/satisfaction.test.ts reads it).
      await max.locator('[data-testid=survey-mail-close]').click();
      await expect.poll(() => max.locator('[data-testid=survey-mail-dialog]').count()).toBe(0);
      expect(await max.locator('[data-testid=ticket-resolution]').textContent()).toBe('Reset the SMTP password on the relay; Outlook sends again.');

      // ---- The shell ends; its recording plays on the ticket page ----
      await leaShell.locator('[data-testid=close-shell]').click();
      await onTimeline(max, 'shell_closed');
      const closed = max.locator('[data-testid=timeline-item][data-kind=shell_closed]');
      await closed.locator('[data-testid=recording-play]').waitFor({ timeout: LONG });
      const href = (await closed.locator('[data-testid=recording-download]').getAttribute('href')) ?? '';
      expect(href).toMatch(/^\/api\/recordings\/[A-Za-z0-9_-]+\/cast$/);
      const cast = await max.request.get(`${c.url}${href}`);
      expect(cast.status()).toBe(200);
      const castText = await cast.text();
      expect(JSON.parse(castText.split('\n')[0]!)).toMatchObject({ version: 2 });
      expect(castText).toContain('outbox-42');
      expect(castText).toContain('relay-43');
      await closed.locator('[data-testid=recording-play]').click();
      const player = max.locator('[data-testid=recording-player]');
      await player.waitFor();
      await expect.poll(async () => (await player.locator('[data-testid=recording-terminal] .xterm-rows').textContent()) ?? '', { timeout: LONG }).toContain('relay-43');
      expect(await player.locator('[data-testid=recording-subtitle]').textContent()).toMatch(new RegExp(`^lea\\.l1 on ${hostname()}, `));
      await saveScreenshot(max, 'story-recording');
      await player.locator('[data-testid=recording-close]').click();

      // ---- Every step on the timeline, in order ----
      const order = ['created', 'take', 'link_created', 'person_described', 'agent_joined', 'findings', 'shell_opened', 'wait_for_user', 'chat', 'user_replied', 'escalate', 'take', 'resolve', 'shell_closed'];
      const all = await timelineEvents(max, number);
      const kinds = all.map((e) => e.kind);
      let at = -1;
      for (const kind of order) {
        const next = kinds.indexOf(kind, at + 1);
        expect(next, `${kind} after position ${at} in ${kinds.join(', ')}`).toBeGreaterThan(at);
        at = next;
      }
      expect(all.find((e) => e.kind === 'escalate')).toMatchObject({ actor: LEA.username, data: { reason: 'SMTP relay refuses the account: needs level 2 on the mail server.' } });
      expect(all.filter((e) => e.kind === 'take').map((e) => e.actor)).toEqual([LEA.username, MAX.username]);
      expect(all.find((e) => e.kind === 'user_replied')).toMatchObject({ actor: null });
      expect(all.find((e) => e.kind === 'chat')).toMatchObject({ data: { side: 'person', text: 'Outlook is closed now' } });
      expect(all.find((e) => e.kind === 'resolve')).toMatchObject({ actor: MAX.username });
      expect(await kindsOnPage(max)).toEqual(kinds);

      // The audit log has the escalation with its reason.
      const adminCookie = await login(c);
      const audit = await fetch(`${c.url}/api/audit?action=ticket.action&target=${encodeURIComponent(`#${number}`)}&limit=50`, { headers: { cookie: adminCookie } });
      expect(audit.status).toBe(200);
      const entries = ((await audit.json()) as { entries: Array<{ actor: string; detail: Record<string, unknown> }> }).entries;
      expect(entries).toContainEqual(expect.objectContaining({
        actor: LEA.username, detail: expect.objectContaining({ action: 'escalate', to: 'escalated', reason: 'SMTP relay refuses the account: needs level 2 on the mail server.' }),
      }));

      // The ticket page at the end, as each technician sees it.
      await max.reload();
      await max.locator('[data-testid=timeline-item][data-kind=shell_closed]').waitFor({ timeout: LONG });
      await saveScreenshot(max, 'story-ticket-l2');
      await lea.bringToFront();
      await expect.poll(() => statusOf(lea), { timeout: LONG }).toBe('resolved');
      // Level 1 still follows it, and reads that level 2 resolved it.
      await expect.poll(() => lea.locator('[data-testid=ticket-following]').textContent()).toContain('Level 2 resolved this ticket');
      await saveScreenshot(lea, 'story-ticket-l1');
      // Dark mode, and a phone-sized window that must not scroll sideways.
      await lea.emulateMedia({ colorScheme: 'dark' });
      await saveScreenshot(lea, 'story-ticket-l1-dark');
      await lea.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => lea.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await saveScreenshot(lea, 'story-ticket-l1-390');
    } finally {
      await person.stop();
    }
  }, 240_000);
});
