/**
 * The technician's workspace in a real browser: once the person allows the shell,
 * the terminal is in view without scrolling on a 1366×820 screen and uses the width
 * of a 1920×1080 one; it goes full screen and back; emoji take two cells (Unicode 11
 * widths); the scrollback can be searched. Screenshots of both sizes go to
 * test-results/workspace-1366.png and workspace-1920.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { terminalText } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { repoRoot } from '../helpers/paths.js';

const suite = useBrowserSuite();

/** Creates a link in the UI, starts an agent with it, and returns the device once it is online. */
async function joinFromUi(page: Page): Promise<{ agent: RunningAgent; deviceId: string }> {
  await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
  await page.locator('[data-testid=new-link]').click();
  const url = (await page.locator('[data-testid=link-url]').textContent())?.trim() ?? '';
  const agent = suite.track(spawnAgent(['join', url]));
  const row = page.locator('[data-testid=device-row][data-online=true]').first();
  await row.waitFor({ timeout: 20_000 });
  return { agent, deviceId: (await row.getAttribute('data-device-id')) ?? '' };
}

interface Box { x: number; y: number; width: number; height: number }

async function terminalBox(page: Page): Promise<Box> {
  const box = await page.locator('[data-testid=terminal]').boundingBox();
  if (!box) throw new Error('the terminal is not on screen');
  return box;
}

/** Runs `code` against the xterm.js instance the page exposes on the terminal pane for tests. */
async function inTerminal<T>(page: Page, code: string): Promise<T> {
  return page.locator('[data-testid=terminal]').evaluate((pane, body) => {
    const term = (pane as HTMLElement & { relaisTerminal?: unknown }).relaisTerminal;
    if (!term) throw new Error('no terminal instance on the pane');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('term', body)(term) as unknown;
  }, code) as Promise<T>;
}

async function run(page: Page, command: string): Promise<void> {
  await page.locator('[data-testid=terminal]').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(repoRoot, 'test-results');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

describe('the device workspace', () => {
  it('puts the live terminal in view, full width, full screen, with emoji widths and search', async () => {
    const page = await suite.loggedInPage('workspace');
    await page.setViewportSize({ width: 1366, height: 820 });
    const { agent, deviceId } = await joinFromUi(page);
    await page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`).click();
    await expect.poll(() => page.url()).toContain(`#/devices/${deviceId}`);
    const body = page.locator('[data-testid=device-workspace]');
    expect(await body.getAttribute('data-layout')).toBe('overview');

    // Before a shell: findings first, and "Open shell" within the first screen.
    const open = page.locator('[data-testid=open-shell]');
    await expect.poll(() => open.isEnabled(), { timeout: 15_000 }).toBe(true);
    await open.waitFor({ state: 'visible' });
    const shellCard = page.locator('.shell-card');
    const first = await shellCard.boundingBox();
    const findings = await page.locator('[data-testid=findings-card]').boundingBox();
    const openBox = await open.boundingBox();
    expect(findings && openBox && findings.y < openBox.y && findings.x < openBox.x).toBe(true);
    expect((openBox?.y ?? Infinity) + (openBox?.height ?? 0)).toBeLessThanOrEqual(820);

    // The full diagnostics arrive without moving the shell card.
    await page.locator('[data-testid=snapshot-details]:not([hidden])').waitFor({ state: 'attached', timeout: 20_000 });
    expect(await shellCard.boundingBox()).toEqual(first);
    await screenshot(page, 'workspace-overview-1366');
    await open.click();
    await expect.poll(() => body.getAttribute('data-layout')).toBe('workspace');
    await agent.waitFor(/\[y\/N\]/i, 15_000);
    agent.answer('y');
    await page.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });

    // 1366×820: the whole terminal is on screen, without scrolling.
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    // The layout settles within a frame or two of whatever moved above it.
    await expect.poll(async () => { const box = await terminalBox(page); return box.y + box.height; }).toBeLessThanOrEqual(820);
    const small = await terminalBox(page);
    expect(small.y).toBeGreaterThanOrEqual(0);
    expect(small.x).toBeGreaterThanOrEqual(0);
    expect(small.y + small.height).toBeLessThanOrEqual(820);
    expect(small.x + small.width).toBeLessThanOrEqual(1366);
    expect(small.height).toBeGreaterThan(300);
    // Something appearing above (here the connection banner, as on a reconnect) moves the
    // workspace down: it re-measures, and the terminal stays within the window.
    await page.locator('[data-testid=connection-banner]').evaluate((banner: HTMLElement) => {
      banner.textContent = 'Reconnecting…';
      banner.hidden = false;
    });
    await expect.poll(async () => { const box = await terminalBox(page); return box.y + box.height; }).toBeLessThanOrEqual(820);
    expect((await terminalBox(page)).y).toBeGreaterThan(small.y);
    await page.locator('[data-testid=connection-banner]').evaluate((banner: HTMLElement) => { banner.hidden = true; });
    await expect.poll(async () => (await terminalBox(page)).y).toBe(small.y);
    // Findings beside it, in tabs.
    expect(await page.locator('[data-testid=workspace-tab-findings]').getAttribute('aria-selected')).toBe('true');
    const [tabsWidth, tabsRoom] = await page.locator('.workspace-tabs').evaluate((n) => [n.scrollWidth, n.clientWidth]);
    expect(tabsWidth).toBeLessThanOrEqual(tabsRoom!);
    const side = await page.locator('[data-testid=findings-card]').boundingBox();
    expect(side && side.x > small.x + small.width).toBe(true);

    // Emoji are two cells wide: the bar after three of them lands in column 7.
    await run(page, String.raw`printf '\360\237\230\200\360\237\230\200\360\237\230\200|\n'`);
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toContain('😀😀😀|');
    const barColumn = await inTerminal<number>(page, `
      const buffer = term.buffer.active;
      for (let y = buffer.length - 1; y >= 0; y--) {
        const line = buffer.getLine(y);
        const text = line ? line.translateToString(true) : '';
        if (!text.includes('\\u{1F600}|')) continue;
        for (let x = 0; x < line.length; x++) if (line.getCell(x).getChars() === '|') return x + 1;
      }
      return -1;`);
    expect(barColumn).toBe(7);
    expect(await inTerminal<number>(page, `
      const buffer = term.buffer.active;
      for (let y = buffer.length - 1; y >= 0; y--) {
        const line = buffer.getLine(y);
        if (line && line.translateToString(true).startsWith('\\u{1F600}')) return line.getCell(0).getWidth();
      }
      return -1;`)).toBe(2);

    // Search in the scrollback: the word has scrolled out of view.
    await run(page, 'echo needle-$((6*7)); seq 1 400; echo end-$((3*3))');
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toMatch(/400\s*end-9/);
    const search = page.locator('[data-testid=terminal-search]');
    await page.locator('[data-testid=terminal]').click();
    await page.keyboard.press('Control+Shift+F');
    await expect.poll(() => search.evaluate((input) => input === document.activeElement)).toBe(true);
    await search.fill('needle-42');
    await search.press('Enter');
    await expect.poll(() => page.locator('[data-testid=terminal-search-count]').textContent()).toMatch(/^1 of 1 match$/);
    expect(await inTerminal<string>(page, 'return term.getSelection();')).toBe('needle-42');
    // Scrolled back to it: the match is on screen, far above the bottom.
    expect(await inTerminal<string>(page, 'const b = term.buffer.active; return `${b.viewportY} ${b.baseY}`;')).toMatch(/^\d+ \d+$/);
    const [viewportY, baseY] = (await inTerminal<string>(page, 'const b = term.buffer.active; return `${b.viewportY} ${b.baseY}`;')).split(' ').map(Number);
    expect(viewportY).toBeLessThan(baseY! - 100);
    await search.fill('no-such-word-here');
    await search.press('Enter');
    await expect.poll(() => page.locator('[data-testid=terminal-search-count]').textContent()).toBe('No match');
    await search.press('Escape');
    expect(await search.inputValue()).toBe('');
    await run(page, 'clear; printf "\\360\\237\\230\\200 emoji line, columns right: 😀|\\n"; uname -srm; df -h / | tail -1; echo see https://example.com/relais');
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toContain('example.com/relais');
    await screenshot(page, 'workspace-1366');

    // A web link in the output opens in a new tab, without a handle back to this one.
    await page.evaluate(() => {
      const opened: unknown[][] = [];
      (window as unknown as { openedLinks: unknown[][] }).openedLinks = opened;
      window.open = (...args: unknown[]) => { opened.push(args); return null; };
    });
    const link = await page.locator('[data-testid=terminal]').evaluate((pane) => {
      const term = (pane as HTMLElement & { relaisTerminal?: { cols: number } }).relaisTerminal!;
      const screen = pane.querySelector('.xterm-screen')!.getBoundingClientRect();
      const rows = Array.from(pane.querySelectorAll('.xterm-rows > div'));
      const row = rows.find((r) => (r.textContent ?? '').includes('https://example.com/relais'))!;
      const box = row.getBoundingClientRect();
      const cell = screen.width / term.cols;
      const column = (row.textContent ?? '').indexOf('https://') + 10;
      return { x: screen.left + (column + 0.5) * cell, y: box.top + box.height / 2 };
    });
    await page.mouse.move(link.x - 30, link.y);
    await page.mouse.move(link.x, link.y, { steps: 3 });
    await expect.poll(async () => {
      await page.mouse.click(link.x, link.y);
      return page.evaluate(() => (window as unknown as { openedLinks: unknown[][] }).openedLinks.length);
    }).toBeGreaterThan(0);
    const [url, target, features] = await page.evaluate(() => (window as unknown as { openedLinks: unknown[][] }).openedLinks[0]!) as [string, string, string];
    expect(url).toBe('https://example.com/relais');
    expect(target).toBe('_blank');
    expect(features).toContain('noopener');

    // Full screen, and back with the button and with Esc.
    const main = page.locator('[data-testid=workspace-main]');
    const full = page.locator('[data-testid=terminal-fullscreen]');
    await full.click();
    await expect.poll(() => main.getAttribute('data-fullscreen')).not.toBeNull();
    await expect.poll(async () => (await terminalBox(page)).width).toBeGreaterThan(1300);
    await screenshot(page, 'workspace-fullscreen-1366');
    await full.click();
    await expect.poll(() => main.getAttribute('data-fullscreen')).toBeNull();
    await full.click();
    await expect.poll(() => main.getAttribute('data-fullscreen')).not.toBeNull();
    await full.focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => main.getAttribute('data-fullscreen')).toBeNull();
    await expect.poll(async () => (await terminalBox(page)).width).toBeLessThan(1000);
    // Where the Fullscreen API is refused, the workspace covers the page instead.
    await page.evaluate(() => {
      Element.prototype.requestFullscreen = () => Promise.reject(new Error('not allowed here'));
    });
    await full.click();
    await expect.poll(() => main.getAttribute('data-fullscreen')).toBe('css');
    await expect.poll(async () => (await terminalBox(page)).width).toBeGreaterThan(1300);
    expect(await page.locator('[data-testid=fullscreen-hint]').textContent()).toMatch(/Esc/);
    await full.focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => main.getAttribute('data-fullscreen')).toBeNull();

    // 1920×1080: the terminal takes the width it is given.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await expect.poll(async () => (await terminalBox(page)).width).toBeGreaterThan(1200);
    const large = await terminalBox(page);
    expect(large.y + large.height).toBeLessThanOrEqual(1080);
    await screenshot(page, 'workspace-1920');
  });
});
