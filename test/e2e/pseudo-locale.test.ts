/**
 * Longer words must not be cut: the controller runs with `--lang fr`, the browser
 * asks for French, and the pseudo-locale (`localStorage['relais.pseudo'] = '1'`:
 * accented, about 40 % longer) is on. On every main page — login, dashboard, an
 * enrolled device, settings, audit, fleet, enrollment, scripts, jobs, tickets — no button,
 * label, heading, navigation item, badge or table header may overflow its box or
 * be clipped by a parent that hides overflow. The same pages are then shown in
 * plain French (the words a helpdesk reads) and checked the same way. Every page is
 * screenshotted to test-results/pseudo-*.png and test-results/fr-*.png, kept
 * whether the test passes or fails.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../helpers/agent-process.js';
import { launchBrowser, saveScreenshot } from '../helpers/browser.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent } from '../helpers/fleet.js';

let c: RunningController;
let browser: Browser;
let agent: RunningAgent | null = null;
let deviceId: string | null = null;
let ticketNumber: number | null = null;

beforeAll(async () => {
  browser = await launchBrowser();
  c = await startController({ args: ['--lang', 'fr'] });
  // One enrolled machine, so the fleet and a device page have something to show.
  const cookie = await login(c);
  const token = await createEnrollmentToken(c, cookie);
  // One ticket, so the queue and a ticket page have something to show.
  const created = await fetch(`${c.url}/api/tickets`, {
    method: 'POST',
    headers: { cookie, origin: c.url, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title: "L'imprimante du 2e étage n'imprime plus", description: 'Depuis ce matin.', category: 'hardware', impact: 'medium', urgency: 'high',
      requester: { name: 'Claire Martin', phone: '01 23 45 67 89', email: 'claire.martin@example.com' },
    }),
  });
  if (!created.ok) throw new Error(`creating the sample ticket answered ${created.status}`);
  ticketNumber = ((await created.json()) as { ticket: { number: number } }).ticket.number;
  const enrolled = await enrollAgent(c, token.token, ['--name', 'poste-compta-01', '--tag', 'compta']);
  deviceId = enrolled.device?.deviceId ?? null;
  if (enrolled.exitCode === 0) agent = runAgent(enrolled.stateDir);
});
afterAll(async () => {
  await agent?.stop();
  await browser?.close();
  await c?.stop();
});

/** What the page shows that is cut: elements wider than their own box (when they hide overflow), or sticking out of a parent that hides it. */
async function cutLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const SELECTOR = 'button, label, h1, h2, h3, th, summary, .nav-link, .badge, .btn, .field-label, .card-title, .severity-pill, .chip, .tab, option';
    const hides = (style: CSSStyleDeclaration) => style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
    const out: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>(SELECTOR))) {
      if (element.tagName === 'OPTION') continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 80);
      if (!text) continue;
      const style = getComputedStyle(element);
      const name = `${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? '.' + element.className.trim().split(/\s+/).join('.') : ''}`;
      if (hides(style) && element.scrollWidth > element.clientWidth + 1) {
        out.push(`${name} "${text}" is cut (${element.scrollWidth}px of text in ${element.clientWidth}px)`);
        continue;
      }
      if (style.whiteSpace === 'nowrap' && element.scrollWidth > element.clientWidth + 1 && style.overflowX !== 'visible') {
        out.push(`${name} "${text}" overflows (${element.scrollWidth}px in ${element.clientWidth}px)`);
        continue;
      }
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        const parentStyle = getComputedStyle(parent);
        if (parentStyle.overflowX === 'auto' || parentStyle.overflowX === 'scroll') break; // scrolls: nothing is lost
        if (!hides(parentStyle)) continue;
        const box = parent.getBoundingClientRect();
        if (rect.right > box.right + 1 || rect.left < box.left - 1) out.push(`${name} "${text}" sticks out of ${parent.tagName.toLowerCase()}.${parent.className}`);
        break;
      }
    }
    return out;
  });
}

const PAGES: ReadonlyArray<{ name: string; hash: () => string | null; ready: string }> = [
  { name: 'dashboard', hash: () => '#/', ready: '[data-testid=new-link]' },
  { name: 'device', hash: () => (deviceId ? `#/devices/${encodeURIComponent(deviceId)}` : null), ready: '[data-testid=managed-facts]:not([hidden])' },
  { name: 'settings', hash: () => '#/settings', ready: '[data-testid=user-row]' },
  { name: 'audit', hash: () => '#/audit', ready: '[data-testid=audit-row]' },
  { name: 'fleet', hash: () => '#/fleet', ready: '.page' },
  { name: 'enrollment', hash: () => '#/fleet/enroll', ready: '.page' },
  { name: 'scripts', hash: () => '#/scripts', ready: '.page' },
  { name: 'jobs', hash: () => '#/jobs', ready: '.page' },
  { name: 'tickets', hash: () => '#/tickets', ready: '[data-testid=ticket-row]' },
  { name: 'new-ticket', hash: () => '#/tickets/new', ready: '[data-testid=new-ticket-form]' },
  { name: 'ticket', hash: () => (ticketNumber ? `#/tickets/${ticketNumber}` : null), ready: '[data-testid=timeline-item]' },
  { name: 'knowledge', hash: () => '#/knowledge', ready: '[data-testid=kb-results]' },
  { name: 'knowledge-editor', hash: () => '#/knowledge/new', ready: '[data-testid=kb-editor]' },
];

async function visitAll(pseudo: boolean): Promise<Record<string, string[]>> {
  const prefix = pseudo ? 'pseudo' : 'fr';
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const found: Record<string, string[]> = {};
  try {
    await context.addInitScript((on: boolean) => {
      if (on) localStorage.setItem('relais.pseudo', '1');
      else localStorage.removeItem('relais.pseudo');
    }, pseudo);
    const page = await context.newPage();
    await page.goto(`${c.url}/`);
    await page.locator('[data-testid=login-submit]').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    found.login = await cutLabels(page);
    await saveScreenshot(page, `${prefix}-login`);

    await page.locator('#username').fill('admin');
    await page.locator('#password').fill(c.adminPassword);
    await page.locator('[data-testid=login-submit]').click();
    await page.locator('[data-testid=new-link]').waitFor();
    for (const target of PAGES) {
      const hash = target.hash();
      if (!hash) continue;
      await page.goto(`${c.url}/${hash}`);
      await page.locator(target.ready).first().waitFor({ timeout: 15_000 }).catch(() => undefined);
      await page.waitForTimeout(400);
      found[target.name] = await cutLabels(page);
      await saveScreenshot(page, `${prefix}-${target.name}`);
    }
  } finally {
    await context.close().catch(() => {});
  }
  return found;
}

describe('French and longer words fit', () => {
  it('the pseudo-locale cuts no label on the main pages', async () => {
    const found = await visitAll(true);
    expect(Object.keys(found)).toContain('dashboard');
    expect(Object.entries(found).filter(([, cut]) => cut.length > 0)).toEqual([]);
  });

  it('plain French cuts no label either, and the UI speaks French', async () => {
    const found = await visitAll(false);
    expect(Object.entries(found).filter(([, cut]) => cut.length > 0)).toEqual([]);
  });
});
