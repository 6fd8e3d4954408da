/**
 * Two technicians on one machine, in a real Chromium with two browser contexts (two
 * accounts): the first opens a shell with the person's yes; the second sees who is on
 * the device, watches the shell read-only (its scrollback first), and the person and
 * the first technician are told; the second asks for the keyboard and gets it only
 * with the person's fresh yes, after which the roles are swapped on both pages. The
 * second technician reads French. The device page with both technicians is saved at
 * 1366×820 (test-results/), in dark mode too, and at 390 px it must not scroll sideways.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { saveScreenshot, terminalText } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { newOnlineDevice, newSupportLink, shownDeviceIds } from '../helpers/dashboard.js';
import { createTechnician, login, technicianPassword } from '../helpers/controller-process.js';

const QUESTIONS = /\[y\/N\]/gi;
const suite = useBrowserSuite();

async function deviceWithAgent(page: Page): Promise<{ agent: RunningAgent; deviceId: string }> {
  await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
  const known = await shownDeviceIds(page);
  const agent = suite.track(spawnAgent(['join', await newSupportLink(page)]));
  const deviceId = await newOnlineDevice(page, known);
  await page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`).click();
  return { agent, deviceId };
}

const questions = (agent: RunningAgent) => (agent.output().match(QUESTIONS) ?? []).length;

async function run(page: Page, command: string): Promise<void> {
  await page.locator('[data-testid=terminal]').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

const shows = (page: Page, text: string) => expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain(text);

describe('two technicians on one machine', () => {
  it('the second watches the live shell, both and the person are told, and takes the keyboard with the person\'s fresh yes', async () => {
    const kimCookie = await createTechnician(suite.controller, await login(suite.controller), 'kim', 'Kim Roy');
    // Kim reads French: both languages on screen in one test.
    const french = await fetch(`${suite.controller.url}/api/me/language`, {
      method: 'PUT', headers: { cookie: kimCookie, origin: suite.controller.url, 'content-type': 'application/json' }, body: JSON.stringify({ language: 'fr' }),
    });
    expect(french.status).toBe(200);
    const sam = await suite.loggedInPage('sharing-first');
    await sam.setViewportSize({ width: 1366, height: 820 });
    const { agent, deviceId } = await deviceWithAgent(sam);
    const asked = questions(agent);
    await sam.locator('[data-testid=open-shell]').click();
    await expect.poll(() => questions(agent), { timeout: 15_000 }).toBeGreaterThan(asked);
    agent.answer('y');
    await sam.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });
    await run(sam, 'echo BEFORE-$((2*3))');
    await shows(sam, 'BEFORE-6');
    // Sam's page names Sam as the one with the keyboard.
    await sam.locator('[data-testid=presence-person][data-username=admin][data-role=driver]').waitFor();

    // Kim, in another browser context, opens the same device and watches.
    const kim = await suite.loggedInPage('sharing-second', { username: 'kim', password: technicianPassword('kim') });
    await kim.setViewportSize({ width: 1366, height: 820 });
    await kim.goto(`${suite.controller.url}/#/devices/${encodeURIComponent(deviceId)}`);
    await kim.locator('[data-testid=presence-person][data-username=admin][data-role=driver]').waitFor({ timeout: 15_000 });
    await kim.locator('[data-testid=watch-shell]').click();
    await kim.locator('[data-testid=shell-status][data-state=watching]').waitFor({ timeout: 15_000 });
    await shows(kim, 'BEFORE-6');
    await expect.poll(() => kim.locator('[data-testid=ask-keyboard]').isVisible()).toBe(true);

    // Sam and the person are told who watches.
    await sam.locator('[data-testid=presence-person][data-username=kim][data-role=observer]').waitFor({ timeout: 15_000 });
    await expect.poll(() => sam.locator('[data-testid=shell-watchers]').textContent()).toContain('Kim Roy');
    await expect.poll(() => agent.output(), { timeout: 15_000 }).toContain('Kim Roy (kim) is now watching the remote shell');

    // Live output reaches the watcher; what the watcher types goes nowhere.
    await run(kim, 'echo FROM-KIM-$((1+1))');
    await run(sam, 'echo LIVE-$((3*3))');
    await shows(kim, 'LIVE-9');
    expect(await terminalText(sam)).not.toContain('FROM-KIM');

    await saveScreenshot(sam, 'shell-sharing-first-technician');
    await saveScreenshot(kim, 'shell-sharing-second-technician');

    // Kim asks for the keyboard: the person is asked afresh and says yes.
    const before = questions(agent);
    await kim.locator('[data-testid=ask-keyboard]').click();
    await kim.locator('[data-testid=shell-status][data-tone=busy]').waitFor();
    expect(await kim.locator('[data-testid=shell-status]').textContent()).toContain('En attente de la personne pour vous passer le clavier');
    await expect.poll(() => questions(agent), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(agent.output()).toContain('Kim Roy (kim) asks to TAKE THE KEYBOARD of the remote shell that Administrator (admin) is using.');
    agent.answer('y');
    await kim.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });
    await sam.locator('[data-testid=shell-status][data-state=watching]').waitFor({ timeout: 15_000 });
    await kim.locator('[data-testid=presence-person][data-username=kim][data-role=driver]').waitFor();
    await sam.locator('[data-testid=presence-person][data-username=admin][data-role=observer]').waitFor();
    expect(await sam.locator('[data-testid=sharing-notice]').textContent()).toBe('The person gave the keyboard to Kim Roy. You are watching now.');
    await expect.poll(() => agent.output(), { timeout: 15_000 }).toContain('Kim Roy (kim) now has the keyboard of the remote shell');

    // Kim types now, and Sam watches it happen.
    await run(kim, 'echo KIM-TYPES-$((5*5))');
    await shows(kim, 'KIM-TYPES-25');
    await shows(sam, 'KIM-TYPES-25');
    await saveScreenshot(kim, 'shell-sharing-after-takeover');

    // Dark mode, and a phone-sized window that must not scroll sideways.
    await sam.emulateMedia({ colorScheme: 'dark' });
    await saveScreenshot(sam, 'shell-sharing-dark');
    await kim.setViewportSize({ width: 390, height: 844 });
    await kim.locator('[data-testid=device-presence]').scrollIntoViewIfNeeded();
    await expect.poll(() => kim.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await saveScreenshot(kim, 'shell-sharing-390');
  });
});
