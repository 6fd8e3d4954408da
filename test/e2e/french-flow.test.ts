/**
 * The whole story once in French, as a French helpdesk runs it: a controller started
 * with `--lang fr`, a technician whose account chose nothing, a person whose browser
 * and terminal are French. Link, support page, consent answered « o », a shell,
 * the findings, then a fleet job on an enrolled machine — and on every screen, no
 * English sentence. Screenshots go to test-results/flow-fr-*.png.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { saveScreenshot, terminalText } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { createEnrollmentToken, enrollAgent, runAgent } from '../helpers/fleet.js';
import { login } from '../helpers/controller-process.js';

const FRENCH = { LANG: 'fr_FR.UTF-8', LC_ALL: '', LC_MESSAGES: '' };

/**
 * Words that only English sentences use. Data on the page (host names, OS names,
 * command output in the terminal, code blocks) is left out of the reading.
 */
const ENGLISH_ONLY = [
  'the', 'and', 'your', 'you', 'with', 'this', 'that', 'was', 'has', 'have', 'will', 'from', 'into', 'been', 'which', 'there', 'these',
  'when', 'what', 'would', 'should', 'could', 'not', 'are', 'is', 'of', 'to', 'no', 'yes', 'open', 'close', 'device', 'devices', 'shell',
  'run', 'settings', 'log', 'out', 'refresh', 'loading', 'waiting', 'online', 'offline', 'ago', 'just', 'now',
  'succeeded', 'failed', 'completed', 'running', 'pending', 'allow', 'deny', 'show', 'more', 'new', 'link',
];

async function englishOn(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    for (const skip of Array.from(clone.querySelectorAll('.xterm, [data-testid=terminal], pre, code, script, style, [data-data]'))) skip.remove();
    return clone.innerText;
  });
  const words = new Set(text.toLowerCase().split(/[^a-zà-ÿ'’]+/).filter(Boolean));
  return ENGLISH_ONLY.filter((w) => words.has(w));
}

const suite = useBrowserSuite(() => ({ args: ['--lang', 'fr'] }));

describe('the whole flow in French', () => {
  it('link, support page, consent « o », shell, findings and a fleet job, without one English sentence', async () => {
    const page = await suite.loggedInPage('flow-fr');
    const shot = (name: string) => saveScreenshot(page, `flow-fr-${name}`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
    expect(await englishOn(page), 'dashboard').toEqual([]);

    // A support link, and the page the person opens from it, in their browser's French.
    await page.locator('[data-testid=new-link]').click();
    const url = ((await page.locator('[data-testid=link-url]').textContent()) ?? '').trim();
    expect(url).toMatch(/\/s\/\d{9}$/);
    expect(await englishOn(page), 'link panel').toEqual([]);
    await shot('link');
    const personContext = await suite.browser.newContext({ locale: 'fr-FR', extraHTTPHeaders: { 'Accept-Language': 'fr-FR,fr;q=0.9' } });
    try {
      const support = await personContext.newPage();
      await support.goto(url);
      expect(await support.evaluate(() => document.documentElement.lang)).toBe('fr');
      expect(await englishOn(support), 'support page').toEqual([]);
      await saveScreenshot(support, 'flow-fr-support-page');
    } finally {
      await personContext.close();
    }

    // The person starts the agent in their French terminal.
    let agent: AgentInTerminal | null = startAgentInTerminal(['join', url, '--no-prompt'], FRENCH);
    try {
      await agent.waitFor('Connecté à', 30_000);
      const row = page.locator('[data-testid=device-row][data-online=true]').first();
      await row.waitFor({ timeout: 20_000 });
      await row.click();
      const open = page.locator('[data-testid=open-shell]');
      await expect.poll(() => open.isEnabled(), { timeout: 15_000 }).toBe(true);
      await open.click();
      await agent.waitFor('Autoriser\u00a0? [o/N]', 15_000);
      expect(await englishOn(page), 'device page, waiting for consent').toEqual([]);
      agent.type('o\r');
      await page.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid=terminal]').click();
      await page.keyboard.type('echo relais-$((6*7))');
      await page.keyboard.press('Enter');
      await expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain('relais-42');

      // The findings of the join snapshot, in French.
      await page.locator('[data-testid=findings-card]').waitFor();
      await expect.poll(() => page.locator('[data-testid=collected-at]').textContent(), { timeout: 30_000 }).toMatch(/Relevé/);
      expect(await englishOn(page), 'device page with a live shell and findings').toEqual([]);
      await shot('device');
      await page.locator('[data-testid=close-shell]').click();
    } finally {
      await agent?.stop();
      agent = null;
    }

    // A fleet job on an enrolled machine, run from the script library.
    const c = suite.controller;
    const { token } = await createEnrollmentToken(c, await login(c));
    const enrolled = await enrollAgent(c, token, ['--name', 'poste-compta', '--policy-script', 'allow', '--lang', 'fr']);
    expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
    suite.track(runAgent(enrolled.stateDir, ['--lang', 'fr']));
    await page.goto(`${c.url}/#/scripts`);
    await page.locator('[data-testid=script-row][data-script-name=disk-usage]').waitFor();
    expect(await englishOn(page), 'script library').toEqual([]);
    await page.goto(`${c.url}/#/fleet`);
    await page.locator('[data-testid=fleet-row][data-online=true]').waitFor({ timeout: 20_000 });
    expect(await englishOn(page), 'fleet page').toEqual([]);
    await page.locator('[data-testid=select-all]').check();
    await page.locator('[data-testid=run-on-selected]').click();
    const dialog = page.locator('[data-testid=run-dialog]');
    const select = dialog.locator('[data-testid=run-script]');
    await expect.poll(() => select.locator('option', { hasText: 'disk-usage' }).count()).toBe(1);
    await select.selectOption({ value: (await select.locator('option', { hasText: 'disk-usage' }).getAttribute('value')) ?? '' });
    await expect.poll(() => dialog.locator('[data-testid=run-reach]').textContent()).toMatch(/1 poste/);
    expect(await englishOn(page), 'run dialog').toEqual([]);
    await dialog.locator('[data-testid=run-submit]').click();
    await page.waitForURL(/#\/jobs\//);
    await expect.poll(() => page.locator('[data-testid=run-row][data-status=succeeded]').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('[data-testid=job-status]').textContent(), { timeout: 10_000 }).toBe('Terminée');
    expect(await englishOn(page), 'job page').toEqual([]);
    await shot('job');
  }, 180_000);
});
