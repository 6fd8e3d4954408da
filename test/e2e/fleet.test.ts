/**
 * The fleet screens in a real browser: an admin creates an enrollment token in the
 * UI, two real agents enroll with it and appear live on the Fleet page, the tag
 * filter narrows the list, and a script created in the UI runs on both, each run
 * succeeding live with its own output. Screenshots of each screen go to
 * /tmp/relais-shots/fleet-*.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../helpers/agent-process.js';
import { launchBrowser, loginThroughUi, newPage, saveScreenshot } from '../helpers/browser.js';
import { startController, type RunningController } from '../helpers/controller-process.js';
import { enrollAgent, runAgent } from '../helpers/fleet.js';

const SHOTS = '/tmp/relais-shots';
let c: RunningController;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  c = await startController();
  ({ context, page } = await newPage(browser));
  await loginThroughUi(page, c.url, 'admin', c.adminPassword);
});
afterAll(async () => {
  if (page && !page.isClosed()) await saveScreenshot(page, 'e2e-fleet-last');
  await context?.close().catch(() => {});
  await browser?.close();
  await Promise.all(agents.map((a) => a.stop()));
  await c?.stop();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/fleet-${name}.png`, fullPage: true });

describe('fleet screens', () => {
  it('enrolls two agents from a token made in the UI and runs a script on both, live', async () => {
    // 1. An enrollment token, shown once with the exact command.
    await page.goto(`${c.url}/#/fleet/enroll`);
    await page.locator('[data-testid=token-group]').fill('lab-group');
    await page.locator('[data-testid=token-uses]').fill('2');
    await page.locator('[data-testid=create-token]').click();
    const token = ((await page.locator('[data-testid=enrollment-token]').textContent()) ?? '').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(await page.locator('[data-testid=enroll-command]').textContent()).toBe(`relais-agent enroll ${c.url} --token ${token}`);
    expect(await page.locator('[data-testid=enroll-npx-command]').textContent()).toContain(`npx --yes ${c.url}/download/relais-agent.tgz enroll`);
    await page.locator('[data-testid=token-row][data-status=active]').waitFor();
    await shot('enroll');

    // 2. The Fleet page, open before the agents exist: they must appear live.
    await page.goto(`${c.url}/#/fleet`);
    await page.locator('[data-testid=fleet][data-loaded=true]').waitFor();
    const names = ['pc-1', 'pc-2'];
    for (const name of names) {
      const enrolled = await enrollAgent(c, token, ['--name', name, '--tag', 'lab', '--tag', name === 'pc-1' ? 'floor-1' : 'floor-2', '--policy-script', 'allow']);
      expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
      agents.push(runAgent(enrolled.stateDir));
    }
    await page.locator('[data-testid=fleet-row][data-online=true]').nth(1).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('[data-testid=fleet-row] [data-testid=policy-script]').first().getAttribute('data-decision')).toBe('allow');
    await shot('devices');

    // 3. Filter by tag: only pc-1 carries floor-1.
    await page.locator('[data-testid=filter-tag]').selectOption('floor-1');
    await expect.poll(() => page.locator('[data-testid=fleet-row]').count()).toBe(1);
    await page.locator('[data-testid=filter-tag]').selectOption('lab');
    await expect.poll(() => page.locator('[data-testid=fleet-row]').count()).toBe(2);
    await page.locator('[data-testid=select-all]').check();
    expect(await page.locator('[data-testid=run-on-selected]').textContent()).toContain('Run script on 2 devices');
    await shot('devices-selected');

    // 4. A script of our own, made in the UI, echoing a marker (and a parameter, from the environment).
    await page.goto(`${c.url}/#/scripts`);
    await page.locator('[data-testid=script-row]').first().waitFor();
    await shot('scripts');
    await page.locator('[data-testid=new-script]').click();
    await page.locator('[data-testid=script-name]').fill('say-marker');
    await page.locator('[data-testid=script-title]').fill('Say the marker');
    await page.locator('[data-testid=script-description]').fill('Prints a marker and the host name, to prove the run happened.');
    await page.locator('[data-testid=script-body]').fill('echo "MARKER-$RELAIS_PARAM_WORD from $(hostname)"\necho "warning line" >&2\n');
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.getByLabel('Parameter name').fill('WORD');
    await page.getByLabel('Parameter description').fill('a word to print');
    await page.getByLabel('Default value').fill('ok');
    await page.locator('[data-testid=save-script]').click();
    await page.locator('[data-testid=run-this-script]').waitFor();
    await shot('script');

    // 5. Run it on the two chosen devices.
    await page.locator('[data-testid=run-this-script]').click();
    const dialog = page.locator('[data-testid=run-dialog]');
    await dialog.locator('input[data-param=WORD]').fill('e2e42');
    await expect.poll(() => dialog.locator('[data-testid=run-reach]').textContent()).toContain('Runs on 2 devices');
    await shot('run-dialog');
    await dialog.locator('[data-testid=run-submit]').click();
    await page.waitForURL(/#\/jobs\//);

    // 6. Both runs succeed, live, with their own output.
    await expect.poll(() => page.locator('[data-testid=run-row][data-status=succeeded]').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid=job-status]').textContent(), { timeout: 10_000 }).toBe('Completed');
    await expect.poll(async () => (await page.locator('[data-testid=run-first-line]').allTextContents()).filter((t) => t.includes('MARKER-e2e42')).length).toBe(2);
    await page.locator('[data-testid=run-row]').first().click();
    await expect.poll(() => page.locator('[data-testid=output-stdout]').textContent()).toContain('MARKER-e2e42 from');
    expect(await page.locator('[data-testid=output-stderr]').textContent()).toContain('warning line');
    await shot('job');

    // 7. The jobs list and the API token settings.
    await page.goto(`${c.url}/#/jobs`);
    await page.locator('[data-testid=job-row]').first().waitFor();
    expect(await page.locator('[data-testid=job-row] [data-testid=job-status]').first().textContent()).toBe('Completed');
    await shot('jobs');
    await page.goto(`${c.url}/#/settings`);
    await page.locator('[data-testid=api-token-name]').fill('e2e laptop');
    await page.locator('[data-testid=create-api-token]').click();
    await page.locator('[data-testid=api-token]').waitFor();
    await page.locator('[data-testid=api-token-row]').first().waitFor();
    await shot('settings');
  }, 120_000);

  it('reads French to a technician whose browser asks for it: the fleet, the jobs and a job', async () => {
    // A French browser and no language on the account: the UI follows navigator.languages.
    // It reads the fleet, the script and the job the test above made (tests of a file run in order).
    const fr = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    try {
      const p = await fr.newPage();
      await loginThroughUi(p, c.url, 'admin', c.adminPassword);
      await p.goto(`${c.url}/#/fleet`);
      await p.locator('[data-testid=fleet][data-loaded=true]').waitFor();
      await expect.poll(() => p.locator('[data-testid=fleet-count]').textContent()).toMatch(/^2 en ligne · 2 postes inscrits$/);
      expect(await p.locator('[data-testid=run-on-selected]').textContent()).toBe('Lancer un script');
      expect(await p.locator('[data-testid=fleet-table] thead').textContent()).toContain('Règle locale');
      await p.locator('[data-testid=select-all]').check();
      expect(await p.locator('[data-testid=run-on-selected]').textContent()).toBe('Lancer un script sur 2 postes');
      await saveScreenshot(p, 'fleet-fr');

      await p.goto(`${c.url}/#/jobs`);
      await p.locator('[data-testid=job-row]').first().waitFor();
      expect(await p.locator('.jobs-page h1').textContent()).toBe('Tâches');
      expect(await p.locator('[data-testid=job-row] [data-testid=job-status]').first().textContent()).toBe('Terminée');
      expect(await p.locator('[data-testid=job-row]').first().textContent()).toContain('2 postes choisis');
      await p.locator('[data-testid=job-row]').first().click();
      await expect.poll(() => p.locator('[data-testid=run-row][data-status=succeeded]').count()).toBe(2);
      expect(await p.locator('[data-testid=run-row] [data-testid=run-status]').first().textContent()).toBe('Réussie');
      expect(await p.locator('.job-page .page-subtitle').textContent()).toMatch(/^Cible\u00a0: 2 postes choisis · lancée le /);
      expect(await p.locator('[data-testid=count-succeeded]').textContent()).toBe('2réussis');
      await p.locator('[data-testid=run-row]').first().click();
      await expect.poll(() => p.locator('[data-testid=output-stdout]').textContent()).toContain('MARKER-e2e42 from');
      await saveScreenshot(p, 'job-fr');

      // The script library, the run dialog and enrolling, in French too; the commands stay as they are.
      await p.goto(`${c.url}/#/scripts`);
      await p.locator('[data-testid=script-row]').first().waitFor();
      expect(await p.locator('[data-testid=scripts-table] thead').textContent()).toContain('Interpréteur');
      await p.locator('[data-testid=script-row][data-script-name=say-marker] [data-testid=run-script-button]').click();
      await expect.poll(() => p.locator('[data-testid=run-dialog] [data-testid=run-reach]').textContent()).toMatch(/^Lancement sur 2 postes\u00a0: 2 en ligne maintenant\.$/);
      await saveScreenshot(p, 'run-dialog-fr');
      await p.keyboard.press('Escape');
      await p.goto(`${c.url}/#/fleet/enroll`);
      await p.locator('[data-testid=token-uses]').fill('1');
      await p.locator('[data-testid=create-token]').click();
      await p.locator('[data-testid=enroll-command]').waitFor();
      expect(await p.locator('[data-testid=token-result] .notice').textContent()).toMatch(/^Jeton pour le groupe «\u00a0default\u00a0»\u00a0: jusqu'à 1 poste, valable jusqu'au /);
      expect(await p.locator('.tell-them').textContent()).toContain('Ensuite, relais-agent install-service le garde connecté.');
      expect(await p.locator('.tell-them code').count()).toBe(4);
      await saveScreenshot(p, 'enroll-fr');
    } finally {
      await fr.close();
    }
  }, 60_000);
});
