/**
 * Issue 15, point 7, in Chromium against a real controller and real agents: a job
 * whose devices failed does not read a green "Completed"; "Open shell" is disabled
 * on a device whose local policy says shell: deny, with the policy as the reason.
 * Screenshots go to test-results/ws-small-*.png.
 */
import { describe, expect, it } from 'vitest';
import { loginThroughUi, saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { createSupportLink, login } from '../helpers/controller-process.js';
import { spawnAgent } from '../helpers/agent-process.js';
import { apiWithToken, createJob, createScript, startFleet, waitForJob } from '../helpers/jobs.js';

const suite = useBrowserSuite();

describe('smaller things of the technician workspace', () => {
  it('shows "Completed with failures" and a disabled Open shell on a shell: deny device', async () => {
    const c = suite.controller;
    const cookie = await login(c);
    const { api } = await apiWithToken(c, cookie);
    const [device] = await startFleet(c, cookie, 1, ['--policy-shell', 'deny', '--policy-script', 'allow']);
    suite.track(device!.agent);
    const script = await createScript(api, { name: 'always-fails', body: 'echo trying; exit 3\n' });
    const job = await createJob(api, { scriptId: script.id, target: { deviceIds: [device!.deviceId] } });
    await waitForJob(api, job.id);

    const page = await suite.loggedInPage('ws-small-jobs');
    await page.goto(`${c.url}/#/jobs`);
    const status = page.locator('[data-testid=job-row] [data-testid=job-status]').first();
    await expect.poll(() => status.textContent()).toBe('Completed with failures');
    expect(await status.getAttribute('class')).toContain('badge-warn');
    expect(await page.locator('[data-testid=job-row] [data-testid=job-status-detail]').first().textContent()).toBe('1 of 1 device did not succeed');
    await saveScreenshot(page, 'ws-small-jobs');
    await page.locator('[data-testid=job-row]').first().click();
    await expect.poll(() => page.locator('.job-page [data-testid=job-status]').textContent()).toBe('Completed with failures');

    await page.goto(`${c.url}/#/devices/${device!.deviceId}`);
    const open = page.locator('[data-testid=open-shell]');
    await expect.poll(() => page.locator('.shell-unavailable').textContent()).toContain('local policy refuses remote shells (shell: deny)');
    expect(await open.isDisabled()).toBe(true);
    const reason = (await page.locator('.shell-unavailable').textContent()) ?? '';
    expect(reason).not.toMatch(/person/i);
    expect(await open.getAttribute('title')).toBe(reason);
    await saveScreenshot(page, 'ws-small-shell-deny');
  }, 90_000);

  it('the script editor names the refused field and why, and marks it', async () => {
    const c = suite.controller;
    const page = await suite.loggedInPage('ws-small-editor');
    await page.goto(`${c.url}/#/scripts/new`);
    await page.locator('[data-testid=script-name]').fill('Bad Name');
    await page.locator('[data-testid=script-title]').fill('A title');
    await page.locator('[data-testid=script-body]').fill('echo hi');
    await page.locator('[data-testid=save-script]').click();
    const error = page.locator('.script-editor .form-error');
    await expect.poll(() => error.textContent()).toBe('Name: use lowercase letters, digits and - (starting with a letter or a digit).');
    expect(await page.locator('[data-testid=script-name]').getAttribute('aria-invalid')).toBe('true');
    await saveScreenshot(page, 'ws-small-editor-name');

    // A parameter's name: the row is named by its place, the mark moves to it.
    await page.locator('[data-testid=script-name]').fill('good-name');
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.getByLabel('Parameter name').fill('1st');
    await page.locator('[data-testid=save-script]').click();
    await expect.poll(() => error.textContent()).toBe('Parameter 1, name: use letters, digits and _ (not starting with a digit).');
    expect(await page.locator('[data-testid=script-name]').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Parameter name').getAttribute('aria-invalid')).toBe('true');
    await saveScreenshot(page, 'ws-small-editor-param');
  }, 60_000);

  it('counts down the person\'s time to answer a shell request, from the agent\'s own timeout', async () => {
    const c = suite.controller;
    const link = await createSupportLink(c, await login(c));
    const agent = suite.track(spawnAgent(['join', link.url, '--consent-timeout', '40']));
    await agent.waitFor(/Connected|connect/i, 20_000).catch(() => undefined);
    const page = await suite.loggedInPage('ws-small-countdown');
    await page.goto(`${c.url}/#/`);
    const row = page.locator('[data-testid=device-row][data-online=true]').first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    const open = page.locator('[data-testid=open-shell]');
    await expect.poll(() => open.isEnabled()).toBe(true);
    await open.click();
    const countdown = page.locator('[data-testid=consent-countdown]');
    await expect.poll(() => countdown.textContent(), { timeout: 10_000 }).toMatch(/^(40|39|38) seconds left for the user to answer; no answer means no\.$/);
    const first = Number((await countdown.textContent())!.split(' ')[0]);
    await expect.poll(async () => Number((await countdown.textContent())!.split(' ')[0]), { timeout: 5_000 }).toBeLessThan(first);
    await saveScreenshot(page, 'ws-small-countdown');
    await agent.waitFor(/\[y\/N\]/i, 15_000);
    agent.answer('n');
    await page.locator('[data-testid=shell-status][data-state=refused]').waitFor({ timeout: 15_000 });
    expect(await countdown.count()).toBe(0);
  }, 60_000);

  it('a 390 px phone scrolls no page sideways, and prefers-color-scheme: dark gets the dark theme', async () => {
    const c = suite.controller;
    const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await loginThroughUi(page, c.url, 'admin', c.adminPassword);
      const pages = ['#/', '#/tickets', '#/fleet', '#/scripts', '#/scripts/new', '#/jobs', '#/audit', '#/settings'];
      const overflowing: string[] = [];
      for (const hash of pages) {
        await page.goto(`${c.url}/${hash}`);
        await page.locator('.page').first().waitFor();
        await page.waitForLoadState('networkidle');
        const { scroll, client, culprits } = await page.evaluate(() => {
          const width = document.documentElement.clientWidth;
          const wide = Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
            .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')}`);
          return { scroll: document.documentElement.scrollWidth, client: width, culprits: wide };
        });
        if (scroll > client) overflowing.push(`${hash}: ${scroll} > ${client} (${culprits.join(', ')})`);
        await saveScreenshot(page, `ws-small-phone-${hash.replace(/[#/]+/g, '-') || 'home'}`);
      }
      expect(overflowing).toEqual([]);

      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${c.url}/#/audit`);
      await page.locator('[data-testid=audit-row]').first().waitFor();
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(luminance(background)).toBeLessThan(0.1);
      await saveScreenshot(page, 'ws-small-dark-phone-audit');
    } finally {
      await context.close();
    }
    const wide = await suite.loggedInPage('ws-small-dark');
    await wide.emulateMedia({ colorScheme: 'dark' });
    for (const hash of ['#/', '#/jobs', '#/audit', '#/scripts/new']) {
      await wide.goto(`${c.url}/${hash}`);
      await wide.locator('.page').first().waitFor();
      await wide.waitForLoadState('networkidle');
      await saveScreenshot(wide, `ws-small-dark-${hash.replace(/[#/]+/g, '-')}`);
    }
    const text = await wide.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);
    expect(luminance(text)).toBeGreaterThan(0.6);
  }, 90_000);
});

/** Relative luminance (0 black … 1 white) of a CSS rgb() colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
