/**
 * The sessions list tells sessions apart when machines share a name (every test VM is
 * "vm"): each row leads with the person's own line about their problem, else who is
 * at the machine, with the machine's name and system as a label under it; the
 * technician's name is never cut. Real Chromium, real agents; the dashboard is saved
 * at 1366×820 (test-results/).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnAgent } from '../helpers/agent-process.js';
import { saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { newOnlineDevice, newSupportLink, shownDeviceIds } from '../helpers/dashboard.js';

const suite = useBrowserSuite();

/** A new support link from the dashboard; `problem` is what the person types on the support page before joining. */
async function join(page: Page, problem: string | null): Promise<string> {
  const known = await shownDeviceIds(page);
  const url = await newSupportLink(page);
  if (problem !== null) {
    const res = await fetch(`${url}/problem`, {
      method: 'POST', headers: { origin: suite.controller.url, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ problem }).toString(),
    });
    expect(res.status).toBe(200);
  }
  suite.track(spawnAgent(['join', url, '--no-prompt']));
  return newOnlineDevice(page, known);
}

describe('the sessions list', () => {
  it('shows the person\'s words or who is at the machine, with the machine as a label, and the technician\'s name whole', async () => {
    const page = await suite.loggedInPage('device-rows');
    await page.setViewportSize({ width: 1366, height: 820 });
    await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
    const printer = await join(page, "L'imprimante du 2e étage n'imprime plus");
    const plain = await join(page, null);
    const row = (id: string) => page.locator(`[data-testid=device-row][data-device-id="${id}"]`);
    await expect.poll(() => row(printer).locator('[data-testid=device-problem]').textContent(), { timeout: 30_000 }).toBe("L'imprimante du 2e étage n'imprime plus");
    // Without a line of their own, the row names who is at the machine (once the summary is in).
    await expect.poll(() => row(plain).locator('.hostname').textContent(), { timeout: 30_000 }).toMatch(/^User \S+/);
    for (const id of [printer, plain]) {
      await expect.poll(() => row(id).locator('[data-testid=device-label]').textContent(), { timeout: 30_000 }).toMatch(/^\S+ · .+/);
    }
    // The two rows no longer read the same.
    expect(await row(printer).locator('.device-name').textContent()).not.toBe(await row(plain).locator('.device-name').textContent());
    // The technician's name is whole: nothing of it is hidden.
    const cut = await row(printer).locator('.device-technician').evaluate((cell) => cell.scrollWidth > cell.clientWidth);
    expect(cut).toBe(false);
    expect(await row(printer).locator('.device-technician').textContent()).toBe('Administrator');
    await saveScreenshot(page, 'device-rows-dashboard');
  }, 150_000);
});
