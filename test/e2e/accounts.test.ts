/**
 * Technician accounts in a real browser: the admin sees the failed logins for their
 * account once, adds a technician on the Settings page (the reset dialog says what a
 * new password ends), logs out, and the technician logs in and sees their own password
 * form but no Technicians section, no fleet enrollment and no script editing.
 * Screenshots go to /tmp/relais-shots/accounts-*.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../protocol/index.js';
import { launchBrowser, loginThroughUi, newPage, saveScreenshot } from '../helpers/browser.js';
import { startController, type RunningController } from '../helpers/controller-process.js';

const SHOTS = '/tmp/relais-shots';
let c: RunningController;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  c = await startController();
  ({ context, page } = await newPage(browser));
});
afterAll(async () => {
  if (page && !page.isClosed()) await saveScreenshot(page, 'e2e-accounts-last');
  await context?.close().catch(() => {});
  await browser?.close();
  await c?.stop();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/accounts-${name}.png`, fullPage: true });

describe('technician accounts in the UI', () => {
  it('an admin adds a technician, who logs in and sees no Technicians section', async () => {
    // Someone got the admin password wrong twice: the admin is told once, after logging in.
    for (const password of ['wrong guess 1', 'wrong guess 2']) {
      const res = await fetch(`${c.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect(res.status).toBe(401);
    }
    const acknowledged = page.waitForResponse((r) => r.url().endsWith('/api/me/failed-logins') && r.request().method() === 'DELETE');
    await loginThroughUi(page, c.url, 'admin', c.adminPassword);
    const notice = page.locator('[data-testid=failed-logins]');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('2 failed logins for your account');
    expect(await notice.textContent()).toContain('127.0.0.1');
    await shot('failed-logins');
    expect((await acknowledged).status()).toBe(204);
    await page.reload();
    await page.locator('[data-testid=new-link]').waitFor();
    expect(await page.locator('[data-testid=failed-logins]').count()).toBe(0);

    await page.goto(`${c.url}/#/settings`);
    await page.locator('[data-testid=technicians]').waitFor();
    await page.locator('[data-testid=user-row][data-username=admin]').waitFor();

    // A too-short password is refused in the catalog's words, and nothing is created.
    await page.locator('[data-testid=new-user-username]').fill('sam.lee');
    await page.locator('[data-testid=new-user-name]').fill('Sam Lee');
    await page.locator('[data-testid=new-user-password]').fill('short');
    await page.locator('[data-testid=create-user]').click();
    await expect.poll(() => page.locator('[data-testid=users-error]').textContent()).toBe(ERRORS.USER_ERR_WEAK_PASSWORD.message);

    await page.locator('[data-testid=new-user-password]').fill('sam has a long password');
    await page.locator('[data-testid=create-user]').click();
    await page.locator('[data-testid=user-row][data-username="sam.lee"]').waitFor();
    expect(await page.locator('[data-testid=users-done]').textContent()).toContain('Sam Lee can now log in as sam.lee');
    const samRole = page.locator('[data-testid=user-row][data-username="sam.lee"] [data-testid=user-role]');
    expect(await samRole.inputValue()).toBe('l1');
    expect(await samRole.locator('option').allTextContents()).toEqual(['Level 1 technician', 'Level 2 technician', 'Administrator']);
    // Level 2 and back: each change is said in words.
    await samRole.selectOption('l2');
    await expect.poll(() => page.locator('[data-testid=users-done]').textContent()).toBe('Sam Lee is now a level 2 technician.');
    await page.locator('[data-testid=user-row][data-username="sam.lee"] [data-testid=user-role]').selectOption('l1');
    await expect.poll(() => page.locator('[data-testid=users-done]').textContent()).toBe('Sam Lee is now a level 1 technician.');
    // No one removes themselves from here.
    expect(await page.locator('[data-testid=user-row][data-username=admin] [data-testid=delete-user]').count()).toBe(0);
    await shot('settings-admin');
    // Before a reset, the dialog says every credential ends, API tokens included.
    await page.locator('[data-testid=user-row][data-username="sam.lee"] [data-testid=reset-password]').click();
    expect(await page.locator('[data-testid=reset-password-consequences]').textContent()).toMatch(/logged out everywhere.*consoles close.*API tokens are deleted/);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=reset-password-dialog]').waitFor({ state: 'detached' });

    await page.locator('[data-testid=logout]').click();
    await page.locator('#username').waitFor();

    await loginThroughUi(page, c.url, 'sam.lee', 'sam has a long password');
    expect(await page.locator('[data-testid=user-name]').textContent()).toBe('Sam Lee');
    await page.goto(`${c.url}/#/settings`);
    await page.locator('[data-testid=own-password]').waitFor();
    await page.locator('[data-testid=api-token-name]').waitFor();
    expect(await page.locator('[data-testid=technicians]').count()).toBe(0);
    expect(await page.locator('[data-testid=user-table]').count()).toBe(0);
    await shot('settings-technician');

    // The technician changes their own password from the same page, told first what it ends.
    expect(await page.locator('[data-testid=own-password-consequences]').textContent()).toMatch(/logs you out of every other browser.*deletes all your API tokens/);
    await page.locator('[data-testid=current-password]').fill('sam has a long password');
    await page.locator('[data-testid=new-password]').fill('sam chose a new one');
    await page.locator('[data-testid=new-password-again]').fill('sam chose a new one');
    await page.locator('[data-testid=change-password]').click();
    await page.locator('[data-testid=password-done]').waitFor();

    await page.goto(`${c.url}/#/fleet`);
    await page.locator('[data-testid=fleet][data-loaded=true]').waitFor();
    expect(await page.locator('[data-testid=enroll-devices]').count()).toBe(0);

    // Scripts: the technician runs them but does not write them.
    await page.goto(`${c.url}/#/scripts`);
    await page.locator('[data-testid=script-row][data-script-name=flush-dns]').waitFor();
    expect(await page.locator('[data-testid=new-script]').count()).toBe(0);
    expect(await page.locator('[data-testid=run-script-button]').count()).toBeGreaterThan(0);
    await page.locator('[data-testid=script-row][data-script-name=flush-dns] a').click();
    await page.locator('[data-testid=script-read-only]').waitFor();
    expect(await page.locator('[data-testid=save-script]').count()).toBe(0);
    expect(await page.locator('[data-testid=run-this-script]').count()).toBe(1);
    await shot('script-technician');
  });

  it('an account chooses its language in Settings: the UI switches at once and keeps it on the next visit', async () => {
    await context.clearCookies(); // the technician of the test above may still be logged in
    await loginThroughUi(page, c.url, 'admin', c.adminPassword);
    // No choice of its own to begin with (also when this test is retried).
    await page.evaluate(() => fetch('/api/me/language', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: null }) }));
    await page.goto(`${c.url}/#/settings`);
    await page.reload();
    await page.locator('[data-testid=language-card]').waitFor();
    expect(await page.locator('[data-testid=language-browser]').isChecked()).toBe(true);

    const saved = page.waitForResponse((r) => r.url().endsWith('/api/me/language') && r.request().method() === 'PUT');
    await page.locator('[data-testid=language-fr]').check();
    expect((await saved).status()).toBe(200);
    // Redrawn in French without a reload: the navigation, the page, the title.
    await expect.poll(() => page.locator('.nav-link').first().textContent()).toBe('Assistance et postes');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Paramètres');
    expect(await page.title()).toContain('Paramètres');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.locator('[data-testid=language-fr]').isChecked()).toBe(true);
    await shot('settings-french');

    // The choice belongs to the account: a reload (or another browser) speaks French too.
    await page.goto(`${c.url}/#/`);
    await page.reload();
    await page.locator('[data-testid=new-link]').waitFor();
    expect(await page.locator('[data-testid=new-link]').textContent()).toContain("Nouveau lien d'assistance");
    const me = await page.evaluate(async () => (await fetch('/api/me')).json());
    expect(me).toMatchObject({ language: 'fr', languageChoice: 'fr' });

    // Back to "as my browser" (English here): English again at once.
    await page.goto(`${c.url}/#/settings`);
    await page.locator('[data-testid=language-browser]').check();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Settings');
    expect(await page.evaluate(async () => (await fetch('/api/me')).json())).toMatchObject({ language: 'en', languageChoice: null });
  });
});
