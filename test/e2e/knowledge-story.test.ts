/**
 * The knowledge-base story in Chromium (issue 11, "Done when"), with a real controller and
 * real agents. Every machine's disk is "full" (test/helpers/knowledge.ts's thresholds).
 *
 * Léa, a level-1 technician whose browser speaks French, opens a ticket from the page of an
 * enrolled machine (compta-01), a script clears it, she resolves the ticket and "Document this
 * fix" turns it into an article (prefilled from the ticket, with its script). A second machine
 * (accueil-02, a person at its terminal, local policy "ask" for scripts) joins with the same
 * finding: on the new ticket opened from its page the article is suggested first, for the
 * finding, before anyone typed a word of the problem. "Run this fix" asks the person at the
 * machine, who says « o », and the script runs there. Léa resolves; the person rates the help
 * on the survey page reached by the link of the resolution e-mail; the administrator (in
 * English) reads the rating on the reports dashboard, for Léa.
 *
 * Screenshots go to test-results/kb-story-*.png. Finer checks of each part live in
 * knowledge.test.ts (search marks, versions, phone sizes) and satisfaction.test.ts (the
 * survey page's errors and once-only link, the e-mail's words, charts and CSV).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { connectConsole } from '../helpers/console-client.js';
import { createTechnician, login, technicianPassword } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent } from '../helpers/fleet.js';
import { apiWithToken, createScript, waitForJob } from '../helpers/jobs.js';
import { diskFullThresholds, showsDiskFull } from '../helpers/knowledge.js';

const thresholds = diskFullThresholds();
const suite = useBrowserSuite(() => ({ args: ['--thresholds', thresholds] }));

const LEA = { username: 'lea.moreau', name: 'Léa Moreau' };
const FRENCH_TERMINAL = { LANG: 'fr_FR.UTF-8', LC_ALL: '', LC_MESSAGES: '', RELAIS_LANG: '' };
const VIEW = { width: 1366, height: 820 };
const LONG = 30_000;
const ARTICLE = 'Disque plein : libérer de la place';

const shot = (page: Page, name: string) => saveScreenshot(page, `kb-story-${name}`);

/** Enrolls a machine with its script policy; returns its id and state folder. */
async function enroll(name: string, scriptPolicy: 'allow' | 'ask'): Promise<{ deviceId: string; stateDir: string }> {
  const c = suite.controller;
  const { token } = await createEnrollmentToken(c, await login(c), { group: 'accueil', maxUses: 1 });
  const enrolled = await enrollAgent(c, token, ['--name', name, '--policy-script', scriptPolicy]);
  if (!enrolled.device) throw new Error(enrolled.agent.output());
  return { deviceId: enrolled.device.deviceId, stateDir: enrolled.stateDir };
}

/** Once the machine is connected and its snapshot shows the full disk, Léa opens a ticket from its page with the form. */
async function ticketFromDevicePage(page: Page, deviceId: string, connected: Promise<unknown>, ticket: { title: string; description: string; requester: string }): Promise<number> {
  const c = suite.controller;
  await connected;
  const cookie = await login(c);
  const console = await connectConsole(c, cookie);
  try {
    await showsDiskFull(c, cookie, console, deviceId);
  } finally {
    await console.close();
  }
  await page.goto(`${c.url}/#/devices/${deviceId}`);
  await page.locator('[data-testid=device-status]').waitFor();
  await shot(page, `device-${ticket.requester.split(' ')[0]!.toLowerCase()}`);
  await page.locator('[data-testid=device-new-ticket]').click();
  await page.locator('[data-testid=new-ticket-form]').waitFor();
  await expect.poll(() => page.locator('[data-testid=new-ticket-device]').textContent()).not.toBe('…');
  await page.locator('[data-testid=ticket-title]').fill(ticket.title);
  await page.locator('[data-testid=ticket-description]').fill(ticket.description);
  await page.locator('[data-testid=requester-name]').fill(ticket.requester);
  await page.locator('[data-testid=ticket-category]').selectOption('system');
  await shot(page, `new-ticket-${ticket.requester.split(' ')[0]!.toLowerCase()}`);
  return await createFromForm(page);
}

async function createFromForm(page: Page): Promise<number> {
  await page.locator('[data-testid=create-ticket]').click();
  await page.locator('[data-testid=ticket-page] [data-testid=ticket-number]').waitFor();
  const number = Number(/#\/tickets\/(\d+)$/.exec(page.url())?.[1]);
  expect(number).toBeGreaterThan(0);
  // The machine is on the ticket, and so are its findings (taken when the ticket was opened).
  await page.locator('[data-testid=ticket-device]').waitFor();
  await page.locator('[data-testid=timeline-item][data-kind=findings]').waitFor({ timeout: LONG });
  return number;
}

/** Takes the ticket and resolves it on its page; returns the survey link of the resolution e-mail (in French). */
async function resolve(page: Page, resolution: string): Promise<string> {
  await page.locator('[data-testid=action-take]').click();
  await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('in_progress');
  await page.locator('[data-testid=action-resolve]').click();
  await page.locator('[data-testid=ticket-resolution]').fill(resolution);
  await page.locator('[data-testid=ticket-solution-type]').selectOption('fix');
  await page.locator('[data-testid=dialog-confirm]').click();
  const mail = page.locator('[data-testid=survey-mail-text]');
  await mail.waitFor();
  await page.locator('[data-testid=survey-mail-language]').selectOption('fr');
  const url = /(http:\/\/\S+\/survey\/[A-Za-z0-9_-]{43})/.exec(await mail.inputValue())?.[1];
  expect(url).toBeTruthy();
  await page.locator('[data-testid=survey-mail-close]').click();
  await expect.poll(() => page.locator('[data-testid=ticket-status]').getAttribute('data-status')).toBe('resolved');
  return url!;
}

describe('the knowledge-base story', () => {
  it('resolve, document, the next machine with the same finding gets the article first, the fix runs with consent, the person rates it, the dashboard shows it', async () => {
    const c = suite.controller;
    const adminCookie = await login(c);
    const { api } = await apiWithToken(c, adminCookie);
    await createScript(api, { name: 'clear-old-temp', body: 'echo "cleared old temporary files"\n' });
    await createTechnician(c, adminCookie, LEA.username, LEA.name);
    const lea = await suite.loggedInPage('kb-story-lea', { username: LEA.username, password: technicianPassword(LEA.username) }, { locale: 'fr-FR' });
    await lea.setViewportSize(VIEW);
    expect(await lea.evaluate(() => document.documentElement.lang)).toBe('fr');

    // ---- The first machine: a ticket from its page, a script clears the disk, resolved ----
    const first = await enroll('compta-01', 'allow');
    const firstAgent = suite.track(runAgent(first.stateDir));
    const firstTicket = await ticketFromDevicePage(lea, first.deviceId, firstAgent.waitFor(/Connected to/, LONG), {
      title: 'Plus de place sur le poste de la compta', description: 'Les enregistrements échouent : « disque plein ».', requester: 'Claire Martin',
    });
    const job = await api('POST', '/jobs', { scriptName: 'clear-old-temp', target: { deviceIds: [first.deviceId] } });
    await waitForJob(api, job.json.job.id, (j) => j.counts.succeeded === 1);
    await resolve(lea, '1. Vider les fichiers temporaires anciens.\n2. Vérifier la place libre.');

    // ---- Document this fix: the article comes prefilled from the ticket ----
    await lea.locator('[data-testid=document-fix]').click();
    await lea.locator('[data-testid=kb-from-ticket]').waitFor();
    await expect.poll(() => lea.locator('[data-testid=kb-title]').inputValue()).toBe('Plus de place sur le poste de la compta');
    expect(await lea.locator('[data-testid=kb-symptoms-input]').inputValue()).toContain('« disque plein »');
    expect(await lea.locator('[data-testid=kb-steps-input]').inputValue()).toContain('Vider les fichiers temporaires anciens.');
    expect(await lea.locator('[data-testid=kb-steps-input]').inputValue()).toContain('`clear-old-temp`');
    await expect.poll(() => lea.locator('[data-testid=kb-script]').inputValue()).toBe('clear-old-temp');
    expect(await lea.locator('[data-code="disk.full"]').isChecked()).toBe(true);
    // Léa keeps the code of the problem solved, and a title a colleague would search for.
    // (The codes are read first: unchecking one changes which boxes are checked.)
    const proposed = await lea.locator('[data-testid=kb-codes] input:checked').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('data-code') ?? ''));
    for (const code of proposed) if (code !== 'disk.full') await lea.locator(`[data-testid=kb-codes] [data-code="${code}"]`).uncheck();
    expect(await lea.locator('[data-testid=kb-codes] input:checked').count()).toBe(1);
    await lea.locator('[data-testid=kb-title]').fill(ARTICLE);
    await lea.locator('[data-testid=kb-tags]').fill('disque, espace');
    await lea.locator('[data-testid=kb-cause-input]').fill('Les fichiers **temporaires** ne sont jamais vidés.');
    await shot(lea, 'editor-fr');
    await lea.locator('[data-testid=kb-save]').click();
    await lea.locator('[data-testid=kb-article-page]').waitFor();
    await expect.poll(() => lea.locator('[data-testid=kb-article-title]').textContent()).toBe(ARTICLE);
    // Linked back to the ticket it came from.
    expect(await lea.locator('[data-testid=kb-linked-tickets] a').first().getAttribute('href')).toBe(`#/tickets/${firstTicket}`);
    await shot(lea, 'article-fr');

    // ---- A second machine joins with the same finding; a person is at its terminal ----
    const second = await enroll('accueil-02', 'ask');
    const person: AgentInTerminal = startAgentInTerminal(['run', '--state-dir', second.stateDir], FRENCH_TERMINAL);
    try {
      // Its page already suggests the article, for what the machine shows.
      const ticket = await ticketFromDevicePage(lea, second.deviceId, person.waitFor('Connecté à', LONG), { title: 'Appel de Mme Leroy', description: '', requester: 'Nadia Leroy' });
      // On the ticket, before anyone typed a word of the problem: the article first, for the finding.
      const top = lea.locator('[data-testid=kb-suggestion]').first();
      await top.waitFor({ timeout: LONG });
      expect(await top.getAttribute('data-reason')).toBe('findings');
      expect(await top.locator('[data-testid=kb-suggestion-title]').textContent()).toBe(ARTICLE);
      expect(await top.locator('.kb-reason').textContent()).toContain('Disque presque plein');
      await shot(lea, 'suggested-fr');

      // ---- Run this fix: the machine's policy asks the person, who says « o » ----
      await top.locator('[data-testid=kb-run-fix]').click();
      await person.waitFor('Autoriser\u00a0? [o/N]', LONG);
      expect(person.screen().toString()).toContain('clear-old-temp');
      await shot(lea, 'fix-waiting-fr');
      person.type('o');
      await top.locator('[data-testid=kb-run-status][data-status=succeeded]').waitFor({ timeout: LONG });
      await lea.locator('[data-testid=timeline-item][data-kind=kb_fix_result]').waitFor({ timeout: LONG });
      expect(await lea.locator('[data-testid=timeline-item][data-kind=kb_fix_run]').count()).toBe(1);
      await top.locator('[data-testid=kb-helped]').click();
      await expect.poll(() => lea.locator('[data-testid=kb-suggestion]').first().locator('[data-testid=kb-helped]').getAttribute('aria-pressed')).toBe('true');
      // The card drawn again with the vote still says how the fix went.
      expect(await lea.locator('[data-testid=kb-suggestion]').first().locator('[data-testid=kb-run-status]').getAttribute('data-status')).toBe('succeeded');
      await shot(lea, 'fix-ran-fr');

      // ---- Resolved; the person rates it on the page of the e-mail's link ----
      const surveyUrl = await resolve(lea, 'Fichiers temporaires vidés avec le correctif de la base de connaissances.');
      const personBrowser = await suite.browser.newContext({ viewport: VIEW, locale: 'fr-FR', extraHTTPHeaders: { 'accept-language': 'fr-FR,fr;q=0.9' } });
      try {
        const survey = await personBrowser.newPage();
        await survey.goto(surveyUrl);
        await survey.locator('[data-testid=survey-form]').waitFor();
        expect(await survey.locator('h1').textContent()).toContain('Votre problème est-il résolu');
        await survey.locator('label:has([data-testid=survey-rating-5])').click();
        await survey.locator('[data-testid=survey-comment]').fill('Le poste refonctionne, merci Léa !');
        await shot(survey, 'survey-fr');
        await survey.locator('[data-testid=survey-send]').click();
        await survey.locator('[data-testid=survey-thanks]').waitFor();
        await shot(survey, 'survey-thanks-fr');
      } finally {
        await personBrowser.close();
      }
      // The answer is on the ticket's timeline, live.
      await lea.locator('[data-testid=timeline-item][data-kind=survey_answered]').waitFor({ timeout: LONG });
      expect(await lea.locator('[data-testid=timeline-item][data-kind=survey_answered]').textContent()).toContain('Le poste refonctionne, merci Léa !');
      await shot(lea, 'ticket-rated-fr');

      // ---- The administrator's dashboard (English): the rating, its comment, for Léa ----
      const admin = await suite.loggedInPage('kb-story-admin', null, { locale: 'en-GB' });
      await admin.setViewportSize(VIEW);
      await admin.goto(`${c.url}/#/reports`);
      await expect.poll(() => admin.locator('[data-testid=stat-satisfaction-value]').textContent(), { timeout: LONG }).toMatch(/^5([.,]0)?\s*\/\s*5$/);
      const answers = admin.locator('[data-testid=report-answers] li');
      expect(await answers.count()).toBe(1);
      expect(await answers.first().textContent()).toContain('Le poste refonctionne, merci Léa !');
      expect(await answers.first().textContent()).toContain(LEA.name);
      expect(await answers.first().locator('a').getAttribute('href')).toBe(`#/tickets/${ticket}`);
      const leaRow = admin.locator('[data-testid=report-technician-row]', { hasText: LEA.name });
      expect(await leaRow.locator('td').last().textContent()).toMatch(/^5([.,]0)?\s*\/\s*5 \(1\)$/);
      // Both tickets count the finding their machine showed when it came onto them, named in words.
      const diskFull = admin.locator('[data-testid=chart-findings] li', { has: admin.locator('[data-code="disk.full"]') });
      expect(await diskFull.locator('.report-bar-label').textContent()).toBe('Disk nearly full');
      expect(await diskFull.locator('.report-bar-count').textContent()).toBe('2');
      await shot(admin, 'dashboard-en');
      // The filters: Léa alone gives the same rating; a range before the story has no ticket, and its CSV is of that range.
      await admin.locator('[data-testid=report-technician]').selectOption({ label: LEA.name });
      await expect.poll(() => admin.locator('[data-testid=report-technician]').inputValue()).not.toBe('');
      await expect.poll(() => admin.locator('[data-testid=chart-daily] [data-testid=csv-daily]').getAttribute('href')).toContain('technician=');
      expect(await admin.locator('[data-testid=stat-satisfaction-value]').textContent()).toMatch(/^5([.,]0)?\s*\/\s*5$/);
      await admin.locator('[data-testid=report-technician]').selectOption('');
      await admin.locator('[data-testid=report-from]').fill('2025-01-01');
      await admin.locator('[data-testid=report-to]').fill('2025-01-31');
      await expect.poll(() => admin.locator('[data-testid=chart-daily] [data-testid=csv-daily]').getAttribute('href')).toContain('from=2025-01-01');
      expect(await admin.locator('[data-testid=stat-opened-value]').textContent()).toBe('0');
      expect(await admin.locator('[data-testid=report-answers]').count()).toBe(0);
      const csv = await admin.request.get(`${c.url}${await admin.locator('[data-testid=chart-daily] [data-testid=csv-daily]').getAttribute('href')}`);
      const days = (await csv.text()).trim().split('\r\n');
      expect(days).toHaveLength(32);
      expect(days[1]).toBe('2025-01-01,0,0,0,0');
      // The same pages in the other language, for the screenshots: the ticket in English, the dashboard in French.
      await admin.goto(`${c.url}/#/tickets/${ticket}`);
      await admin.locator('[data-testid=timeline-item][data-kind=survey_answered]').waitFor();
      await shot(admin, 'ticket-en');
      const adminFr = await suite.loggedInPage('kb-story-admin-fr', null, { locale: 'fr-FR' });
      await adminFr.setViewportSize(VIEW);
      await adminFr.goto(`${c.url}/#/reports`);
      await adminFr.locator('[data-testid=report-answers]').waitFor();
      await shot(adminFr, 'dashboard-fr');
    } finally {
      await person.stop();
    }
  }, 300_000);
});
