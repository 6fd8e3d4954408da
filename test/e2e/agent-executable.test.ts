/**
 * The Linux agent executable end to end, as the person gets it: downloaded from the
 * support page in Chromium with the session attached, started with no argument in a real
 * terminal, joining; the person says yes, and the technician types in a real pty shell in
 * the browser. Without its pty asset the same executable runs the shell over pipes and
 * says so; a tampered trailer is refused before anything connects, and a trailer whose
 * code the controller does not know is refused by the controller.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOwnTrailer } from '../../agent/executable/own-trailer.js';
import { encodeTrailerPayload, plainTrailer } from '../../protocol/executable/index.js';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { buildAgentExecutable } from '../helpers/agent-executables.js';
import { newPage, terminalText } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { createSupportLink, login } from '../helpers/controller-process.js';
import { eventually } from '../helpers/until.js';

const suite = useBrowserSuite(() => ({ env: { RELAIS_SHELL_GRACE_MS: '1500' } }));
let exe: string;
let withoutPty: string;
let work: string;
const terminals: AgentInTerminal[] = [];

beforeAll(() => {
  // Cached by their inputs: only a changed agent pays for a build (about 10 s each).
  exe = buildAgentExecutable('linux-x64');
  withoutPty = buildAgentExecutable('linux-x64', { withoutPty: true });
  work = mkdtempSync(join(tmpdir(), 'relais-exe-'));
}, 600_000);
afterAll(async () => {
  await Promise.all(terminals.map((t) => t.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** Runs an executable in a real terminal with its own home and cache folder, as a person would. */
function start(program: string): AgentInTerminal {
  const home = mkdtempSync(join(work, 'home-'));
  const terminal = startAgentInTerminal([], { HOME: home, RELAIS_AGENT_CACHE: join(home, 'cache') }, program);
  terminals.push(terminal);
  return terminal;
}

async function onlineDevices(cookie: string): Promise<string[]> {
  const res = await fetch(`${suite.controller.url}/api/devices?kind=attended&online=true`, { headers: { cookie } });
  return ((await res.json()) as { devices: Array<{ id: string }> }).devices.map((d) => d.id);
}

/** The one device that came online since `before`. */
async function newDevice(cookie: string, before: readonly string[]): Promise<string> {
  const fresh = (ids: string[]) => ids.filter((id) => !before.includes(id));
  return fresh(await eventually(() => onlineDevices(cookie), (ids) => fresh(ids).length > 0, 20_000, "the executable's device online"))[0]!;
}

/** From the device page: Open shell, the person's yes on the terminal, the shell live. */
async function openConsentedShell(page: Page, deviceId: string, person: AgentInTerminal): Promise<void> {
  await page.goto(`${suite.controller.url}/#/devices/${deviceId}`);
  const open = page.locator('[data-testid=open-shell]');
  await expect.poll(() => open.isEnabled(), { timeout: 15_000 }).toBe(true);
  await open.click();
  await person.waitFor('[y/N]', 15_000);
  person.type('y\r');
  await page.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 15_000 });
}

async function typeInShell(page: Page, line: string): Promise<void> {
  await page.locator('[data-testid=terminal]').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

describe('the Linux agent executable', () => {
  it('is downloaded from the support page with the session attached, joins with no argument, and gives a consented pty shell', async () => {
    const cookie = await login(suite.controller);
    const link = await createSupportLink(suite.controller, cookie);
    const { context, page: personPage } = await newPage(suite.browser);
    try {
      await personPage.goto(link.url);
      // Chromium on Linux: the Linux download is the one offered first, the others under "other ways".
      const primary = personPage.locator('a.download');
      expect(await primary.getAttribute('data-testid')).toBe('download-linux-x64');
      expect(await personPage.locator('[data-testid=support-steps] li').count()).toBe(4);
      expect(await personPage.locator('details.other-ways [data-testid=support-command]').count()).toBe(1);
      const [download] = await Promise.all([personPage.waitForEvent('download'), primary.click()]);
      expect(download.suggestedFilename()).toBe('relais-agent-linux-x64');
      const file = join(work, 'relais-agent-linux-x64');
      await download.saveAs(file);
      chmodSync(file, 0o755);
      const trailer = readOwnTrailer(file);
      expect(trailer).toEqual({ kind: 'found', trailer: { v: 1, controller: suite.controller.url, code: link.code, lang: 'en' } });
      expect(readFileSync(file).subarray(0, statSync(exe).size).equals(readFileSync(exe))).toBe(true);

      const before = await onlineDevices(cookie);
      const person = start(file);
      await person.waitFor('Describe your problem');
      person.type('\r');
      await person.waitFor('Connected to');
      const deviceId = await newDevice(cookie, before);
      // The page the person still has open now says who they are connected to.
      await personPage.locator('h1', { hasText: 'You are connected to' }).waitFor({ timeout: 15_000 });

      const page = await suite.loggedInPage('agent-executable');
      await openConsentedShell(page, deviceId, person);
      expect(await page.locator('.notice-warn', { hasText: 'No terminal on this machine' }).isVisible()).toBe(false);
      await typeInShell(page, 'tty; echo relais-$((6*7))');
      await expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain('relais-42');
      expect(await terminalText(page)).toMatch(/\/dev\/pts\/\d+/);
      await person.waitFor('relais-42');
    } finally {
      await context.close();
    }
  });

  it('without its pty asset runs the shell over pipes and says so', async () => {
    const cookie = await login(suite.controller);
    const link = await createSupportLink(suite.controller, cookie);
    const file = join(work, 'without-pty');
    copyFileSync(withoutPty, file);
    appendFileSync(file, plainTrailer(encodeTrailerPayload({ v: 1, controller: suite.controller.url, code: link.code })));
    chmodSync(file, 0o755);
    const before = await onlineDevices(cookie);
    const person = start(file);
    await person.waitFor('Describe your problem');
    person.type('\r');
    await person.waitFor('Connected to');
    const page = await suite.loggedInPage('agent-executable-pipes');
    await openConsentedShell(page, await newDevice(cookie, before), person);
    await page.locator('.notice-warn', { hasText: 'No terminal on this machine' }).waitFor({ timeout: 10_000 });
    await person.waitFor('node-pty could not be loaded');
    await typeInShell(page, 'tty; echo relais-$((6*7))');
    await expect.poll(() => terminalText(page), { timeout: 15_000 }).toContain('relais-42');
    expect(await terminalText(page)).toContain('not a tty');
  });

  it('refuses a tampered trailer before connecting, and the controller refuses an unknown code', async () => {
    const cookie = await login(suite.controller);
    const link = await createSupportLink(suite.controller, cookie);
    const good = plainTrailer(encodeTrailerPayload({ v: 1, controller: suite.controller.url, code: link.code }));
    const tampered = Buffer.from(good);
    const at = tampered.indexOf(link.code);
    tampered.write('12345678x', at, 'latin1');
    const file = join(work, 'tampered');
    copyFileSync(exe, file);
    appendFileSync(file, tampered);
    chmodSync(file, 0o755);
    const home = mkdtempSync(join(work, 'home-'));
    const refused = spawnSync(file, [], { env: { ...process.env, HOME: home, RELAIS_AGENT_CACHE: join(home, 'cache') }, encoding: 'utf8', timeout: 30_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('damaged or were changed');
    expect(refused.stderr).not.toContain(link.code);
    // Nothing was written or loaded: no pty folder for a refused start.
    expect(spawnSync('ls', [join(home, 'cache')]).status).not.toBe(0);

    // Well-formed but unknown to the controller: the code is still checked there.
    const unknown = join(work, 'unknown-code');
    copyFileSync(exe, unknown);
    appendFileSync(unknown, plainTrailer(encodeTrailerPayload({ v: 1, controller: suite.controller.url, code: link.code === '000000001' ? '000000002' : '000000001' })));
    chmodSync(unknown, 0o755);
    const person = start(unknown);
    await person.waitFor('Describe your problem');
    person.type('\r');
    await person.waitFor('This support code is not valid');
    // The real link still works: nothing above used it.
    const page = await fetch(link.url);
    expect(await page.text()).toContain('data-testid="download-linux-x64"');
  });
});
