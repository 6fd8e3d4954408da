/**
 * A real Chromium for the browser tests, driven by playwright-core. Chromium is
 * required: without it the tests fail with a clear message, they never skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './paths.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Launches headless Chromium; throws when it is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install chromium). They fail rather than skip without it.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** A fresh context (own cookies) and page with a desktop-sized viewport; a `locale` (e.g. fr-FR) makes the browser ask for that language. */
export async function newPage(browser: Browser, options: { locale?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const { locale } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...(locale ? { locale, extraHTTPHeaders: { 'accept-language': locale } } : {}) });
  const page = await context.newPage();
  return { context, page };
}

/** Saves a full-page screenshot to test-results/<name>.png and returns its path (never throws). */
export async function saveScreenshot(page: Page, name: string): Promise<string | null> {
  const dir = join(repoRoot, 'test-results');
  const file = join(dir, `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`);
  try {
    mkdirSync(dir, { recursive: true });
    if (page.isClosed()) return null;
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return null;
  }
}

/** Logs in through the login form and waits for the dashboard. */
export async function loginThroughUi(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('[data-testid=login-submit]').click();
  await page.locator('[data-testid=new-link]').waitFor();
}

/** The text currently on the xterm.js screen (its DOM rows). */
export async function terminalText(page: Page): Promise<string> {
  return (await page.locator('[data-testid=terminal] .xterm-rows').textContent()) ?? '';
}
