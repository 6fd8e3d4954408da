/**
 * Files, with consent, in a real browser: the technician sends a file from the
 * device page's file picker and fetches one by its path; a real agent asks its person
 * (who answers on its stdin) with the name, the size and where; on yes the file lands
 * in the person's Downloads folder, or in the browser's downloads, SHA-256 equal on
 * both ends and shown in the page; on no nothing moves and the page says so.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';

const suite = useBrowserSuite();
const QUESTION = /\[y\/N\]/;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A real agent joined from a link made in the page, and the device page open on it. */
async function deviceWithAgent(page: Page): Promise<{ agent: RunningAgent; home: string }> {
  const link = await page.evaluate(async () => (await fetch('/api/support-links', { method: 'POST' })).json() as Promise<{ id: string; url: string }>);
  const home = mkdtempSync(join(tmpdir(), 'relais-e2e-files-'));
  const agent = suite.track(spawnAgent(['join', link.url, '--no-prompt'], { env: { HOME: home } }));
  await agent.waitFor('Your technician', 30_000);
  const deviceId = await page.evaluate(async (id) => {
    const { links } = (await (await fetch('/api/support-links')).json()) as { links: Array<{ id: string; deviceId: string | null }> };
    return links.find((l) => l.id === id)?.deviceId ?? null;
  }, link.id);
  expect(deviceId).toBeTruthy();
  await page.goto(`${suite.controller.url}/#/devices/${deviceId}`);
  await expect.poll(() => page.locator('[data-testid=send-file]').isEnabled(), { timeout: 15_000 }).toBe(true);
  return { agent, home };
}

/** Waits until the agent has printed a new question after `since` characters of output; returns what it printed. */
async function nextQuestion(agent: RunningAgent, since: number): Promise<string> {
  await expect.poll(() => QUESTION.test(agent.output().slice(since)), { timeout: 15_000 }).toBe(true);
  return agent.output().slice(since);
}

describe('files in the device page', () => {
  it('a transfer the page can no longer follow (its connection to the controller dropped) is shown stopped, never live', async () => {
    const page = await suite.loggedInPage('files-lost');
    // The page's console socket passes through the test, which can cut it like a network would.
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/ws\/console/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    const { agent } = await deviceWithAgent(page);
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=send-file]').isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(sockets.length).toBeGreaterThan(0);
    const since = agent.output().length;
    await page.locator('[data-testid=file-picker]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await nextQuestion(agent, since);
    const row = page.locator('[data-testid=file-transfer]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('asking');
    await sockets.at(-1)!.close({ code: 1006 });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    expect(await row.locator('[data-testid=file-status]').textContent()).toBe('The connection to the controller was lost, so this transfer was stopped. Ask again once the page is connected.');
    expect(await row.locator('[data-testid=file-cancel]').count()).toBe(0);
    // The page connects again and can ask anew.
    await expect.poll(() => page.locator('[data-testid=send-file]').isEnabled(), { timeout: 15_000 }).toBe(true);
  }, 60_000);

  it('sends a file to the person and fetches one from them, each with their yes, SHA-256 checked', async () => {
    const page = await suite.loggedInPage('files-yes');
    const { agent, home } = await deviceWithAgent(page);

    // Send: the browser's file picker; the person is asked with the name, size and folder.
    const sent = randomBytes(5 * 1024 * 1024 + 123);
    let since = agent.output().length;
    await page.locator('[data-testid=file-picker]').setInputFiles({ name: 'Procédure VPN.pdf', mimeType: 'application/pdf', buffer: sent });
    const asked = await nextQuestion(agent, since);
    expect(asked).toContain('wants to SEND YOU A FILE: "Procédure VPN.pdf" (5\u00a0MB)');
    expect(asked).toContain(`saved in ${join(home, 'Downloads')} as "Procédure VPN.pdf"`);
    const row = page.locator('[data-testid=file-transfer][data-direction=send]');
    await expect.poll(() => row.getAttribute('data-state')).toBe('asking');
    expect(await row.locator('[data-testid=file-status]').textContent()).toMatch(/Waiting for the person to allow it/);
    // What the page shows while the bytes move: the states and the progress line, as they change.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStatuses: string[] }).seenStatuses = seen;
      new MutationObserver(() => {
        const item = document.querySelector('[data-testid=file-transfer][data-direction=send]');
        seen.push(`${item?.getAttribute('data-state')}: ${item?.querySelector('[data-testid=file-status]')?.textContent}`);
      }).observe(document.querySelector('[data-testid=file-transfers]')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    agent.answer('y');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    const seen = await page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
    // The bar and the bytes while it moves (how many updates a fast machine shows varies; the unit tests count them).
    expect(seen.some((line) => /^moving: [\d.,]+\u00a0(B|KB|MB) of 5\u00a0MB/.test(line)), seen.join('\n')).toBe(true);
    const saved = join(home, 'Downloads', 'Procédure VPN.pdf');
    expect(sha(readFileSync(saved))).toBe(sha(sent));
    expect(await row.locator('[data-testid=file-sha]').textContent()).toBe(`SHA-256 ${sha(sent)}`);
    expect(await row.locator('[data-testid=file-status]').textContent()).toContain(saved);
    await agent.waitFor('File received');

    // Fetch: one path typed; the browser downloads the file once the person said yes.
    const log = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(join(home, 'crash.log'), log);
    since = agent.output().length;
    await page.locator('[data-testid=fetch-path]').fill('~/crash.log');
    await page.locator('[data-testid=fetch-file]').click();
    const question = await nextQuestion(agent, since);
    expect(question).toContain(`COPY OF ONE FILE from this computer: ${join(home, 'crash.log')} (3\u00a0MB)`);
    const downloaded = page.waitForEvent('download', { timeout: 30_000 });
    agent.answer('y');
    const download = await downloaded;
    expect(download.suggestedFilename()).toBe('crash.log');
    const path = await download.path();
    expect(sha(readFileSync(path))).toBe(sha(log));
    const fetched = page.locator('[data-testid=file-transfer][data-direction=fetch]');
    await expect.poll(() => fetched.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect(await fetched.locator('[data-testid=file-sha]').textContent()).toBe(`SHA-256 ${sha(log)}`);
  }, 90_000);

  it('shows the person\u2019s no, and nothing moves', async () => {
    const page = await suite.loggedInPage('files-no');
    const { agent, home } = await deviceWithAgent(page);
    const since = agent.output().length;
    await page.locator('[data-testid=file-picker]').setInputFiles({ name: 'outil.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ...') });
    await nextQuestion(agent, since);
    agent.answer('n');
    const row = page.locator('[data-testid=file-transfer]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    expect(await row.locator('[data-testid=file-status]').textContent()).toBe('The person declined the file transfer; nothing was sent or read.');
    expect(await row.locator('[data-testid=file-cancel]').count()).toBe(0);
    expect(existsSync(join(home, 'Downloads', 'outil.exe'))).toBe(false);
  }, 60_000);
});
