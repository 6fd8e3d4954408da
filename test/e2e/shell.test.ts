/**
 * The technician's whole path in a real browser: log in, create a support link,
 * a real agent joins from it, the device appears live, a shell is requested, the
 * person answers on the agent's own terminal, and the technician types in xterm.js.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { terminalText } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { shellChildren } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const QUESTION = /\[y\/N\]/i;

// A short grace period: a shell whose page is gone ends soon after (2 minutes by default).
const suite = useBrowserSuite(() => ({ env: { RELAIS_SHELL_GRACE_MS: '1500' } }));
const loggedInPage = (name: string) => suite.loggedInPage(name);

/** Creates a link in the UI, starts an agent with it, and waits for its row to appear online without a reload. */
async function joinFromUi(page: Page): Promise<{ agent: RunningAgent; deviceId: string }> {
  await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
  const known = new Set(await page.locator('[data-testid=device-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device-id'))));
  await page.locator('[data-testid=new-link]').click();
  const url = (await page.locator('[data-testid=link-url]').textContent())?.trim() ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/\d{9}$/);
  expect(await page.locator('[data-testid=link-code]').textContent()).toMatch(/^\d{3} \d{3} \d{3}$/);
  expect(await page.locator('[data-testid=link-command]').textContent()).toContain(url);

  const agent = spawnAgent(['join', url]);
  suite.track(agent);
  // No reload: the row must arrive through the console websocket's device.update.
  const handle = await page.waitForFunction(
    (before) => {
      const rows = document.querySelectorAll<HTMLElement>('[data-testid=device-row][data-online=true]');
      for (const row of Array.from(rows)) if (!before.includes(row.dataset.deviceId ?? '')) return row.dataset.deviceId;
      return undefined;
    },
    [...known].filter((id): id is string => id !== null),
    { timeout: 20_000 },
  );
  const deviceId = (await handle.jsonValue()) as string;
  return { agent, deviceId };
}

/** Opens the device page from its row and asks for a shell; returns once the consent question is on the agent's terminal. */
async function requestShell(page: Page, agent: RunningAgent, deviceId: string): Promise<void> {
  await page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`).click();
  await expect.poll(() => page.url()).toContain(`#/devices/${deviceId}`);
  const open = page.locator('[data-testid=open-shell]');
  await expect.poll(() => open.isEnabled()).toBe(true);
  await open.click();
  const status = page.locator('[data-testid=shell-status]');
  // The agent decides its own consent timeout, so the page names no number.
  await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/Waiting for .+'s user to allow the shell.*no answer means no/);
  expect(await status.textContent()).not.toMatch(/\d+ s\b/);
  await agent.waitFor(QUESTION, 15_000);
}

describe('the technician in a real browser', () => {
  it('logs in, creates a link, sees the device live, opens a consented shell and runs a command', async () => {
    const page = await loggedInPage('shell-granted');
    const { agent, deviceId } = await joinFromUi(page);
    await requestShell(page, agent, deviceId);
    expect(await page.locator('[data-testid=shell-status]').textContent()).toContain('Waiting for');
    agent.answer('y');

    await page.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=terminal]').click();
    await page.keyboard.type('echo relais-$((6*7))');
    await page.keyboard.press('Enter');
    // The typed line shows "$((6*7))"; only the shell's output can show 42.
    await expect
      .poll(() => terminalText(page), { timeout: 15_000 })
      .toContain('relais-42')
      // Which side stalled: the person's mirror shows what the shell itself printed.
      .catch((error: Error) => {
        throw new Error(`${error.message}\nthe person's screen (end): ${JSON.stringify(agent.output().slice(-1500))}`);
      });

    // More output than the agent's initial window (1 MiB): it only gets through if the
    // browser acknowledges what xterm.js has rendered.
    await page.keyboard.type('seq 1 200000; echo flow-$((40+2))');
    await page.keyboard.press('Enter');
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/200000\s*flow-42/);

    await page.locator('[data-testid=close-shell]').click();
    await expect.poll(() => page.locator('[data-testid=shell-status]').textContent()).toMatch(/Shell closed/);
    await agent.waitFor(/remote shell closed/i, 10_000);
    await expect.poll(() => page.locator('[data-testid=open-shell]').isEnabled()).toBe(true);
  });

  it('shows a declined request and opens no terminal', async () => {
    const page = await loggedInPage('shell-declined');
    const { agent, deviceId } = await joinFromUi(page);
    await requestShell(page, agent, deviceId);
    agent.answer('n');

    const status = page.locator('[data-testid=shell-status]');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('Declined by the user');
    expect(await status.getAttribute('data-state')).toBe('refused');
    expect(await page.locator('[data-testid=terminal] .xterm').count()).toBe(0);
    expect(await page.locator('[data-testid=close-shell]').isVisible()).toBe(false);
    // The agent's diagnostics probes run short-lived `sh` children too: wait them out, then no shell may remain.
    await until(() => shellChildren(agent.pid).length === 0, 10_000, 'no shell process under the agent');
    expect(agent.output()).not.toMatch(/remote shell is open/i);
    // Asking again is possible, and would ask the person again.
    await expect.poll(() => page.locator('[data-testid=open-shell]').isEnabled()).toBe(true);
  });

  it('ends the shell on the device once the grace period passes after the technician closed the tab', async () => {
    const page = await loggedInPage('shell-tab-closed');
    const { agent, deviceId } = await joinFromUi(page);
    await requestShell(page, agent, deviceId);
    agent.answer('y');
    await page.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });
    await until(() => shellChildren(agent.pid).length > 0, 10_000, 'the shell process on the agent');

    await page.close();
    await agent.waitFor(/remote shell closed.*without coming back/i, 15_000);
    await until(() => shellChildren(agent.pid).length === 0, 10_000, 'the shell process to end');
  });
});
