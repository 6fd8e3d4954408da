/**
 * A shell's recording played back on the ticket page in a real browser (issue 10,
 * "Recordings"): a ticket, a support link for it, a real agent, a consented shell that
 * ran `echo play-$((6*7))` (through a protocol console, as the recordings integration test
 * does); then the ticket page's "shell closed" item offers Play and Download, the player
 * replays the output into its own xterm.js terminal, and the link returns the .cast file.
 */
import { describe, expect, it } from 'vitest';
import { spawnAgent } from '../helpers/agent-process.js';
import { saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { connectConsole } from '../helpers/console-client.js';
import { login } from '../helpers/controller-process.js';

const suite = useBrowserSuite();

async function call(path: string, cookie: string, body?: unknown): Promise<any> {
  const c = suite.controller;
  const res = await fetch(`${c.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie, origin: c.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.ok, `${path} answered ${res.status}`).toBe(true);
  return res.json();
}

describe('recording player', () => {
  it('plays a recorded shell from the ticket timeline and offers the .cast download', async () => {
    const c = suite.controller;
    const cookie = await login(c);
    const ticket = await call('/api/tickets', cookie, {
      title: 'Session bloquée', description: "L'utilisateur ne peut plus ouvrir sa session.", requester: { name: 'Claire Martin', phone: '+33 1 23 45 67 89', email: 'claire.martin@example.com' },
      category: 'software', impact: 'low', urgency: 'low',
    });
    const number = ticket.ticket.number as number;
    const link = await call('/api/support-links', cookie, { ticketNumber: number });

    const console = await connectConsole(c, cookie);
    try {
      const agent = suite.track(spawnAgent(['join', link.url as string], { env: { RELAIS_LANG: 'en' } }));
      const update = await console.waitFor('device.update', (m) => m.device.online && m.device.brief !== null, 20_000);
      const channel = await console.requestShell(update.device.id, 80, 24);
      await agent.waitFor(/\[y\/N\]/i, 15_000);
      agent.answer('y');
      await console.waitFor('shell.opened', (m) => m.channel === channel);
      console.type(channel, 'echo play-$((6*7))\r');
      await console.waitForOutput(channel, 'play-42');
      console.send({ t: 'shell.close', channel });
      await console.waitFor('shell.closed', (m) => m.channel === channel);
    } finally {
      await console.close();
    }

    const page = await suite.loggedInPage('recording-player');
    await page.goto(`${c.url}/#/tickets/${number}`);
    const closed = page.locator('[data-testid=timeline-item][data-kind=shell_closed]');
    await closed.waitFor({ timeout: 20_000 }).catch(async () => {
      // The end lands on the timeline just after the shell closes: one reload if the page came first.
      await page.reload();
      await closed.waitFor({ timeout: 10_000 });
    });
    await expect.poll(() => closed.textContent()).toMatch(/The remote shell ended: closed by admin\./);
    await expect.poll(() => page.locator('[data-testid=timeline-item][data-kind=shell_opened]').textContent()).toMatch(/admin opened a remote shell/);

    const download = closed.locator('[data-testid=recording-download]');
    const href = await download.getAttribute('href');
    expect(href).toMatch(/^\/api\/recordings\/[A-Za-z0-9_-]+\/cast$/);
    expect(await download.textContent()).toBe('Download (.cast)');
    const cast = await page.request.get(`${c.url}${href}`);
    expect(cast.status()).toBe(200);
    expect(cast.headers()['content-disposition']).toMatch(/^attachment; filename="relais-.+\.cast"$/);
    const text = await cast.text();
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(text).toContain('play-42');

    await closed.locator('[data-testid=recording-play]').click();
    const player = page.locator('[data-testid=recording-player]');
    await player.waitFor();
    const rows = player.locator('[data-testid=recording-terminal] .xterm-rows');
    await expect.poll(async () => (await rows.textContent()) ?? '', { timeout: 15_000 }).toContain('play-42');
    // The recording is short: it plays to its end, then offers to play again.
    await expect.poll(() => player.locator('[data-testid=recording-toggle]').getAttribute('data-state'), { timeout: 15_000 }).toBe('ended');
    const time = (await player.locator('[data-testid=recording-time]').textContent()) ?? '';
    expect(time).toMatch(/^(\d+:\d\d) \/ \1$/);

    // Seeking back to the start empties the terminal; playing at 4× brings the output back.
    await player.locator('[data-testid=recording-seek]').evaluate((input: HTMLInputElement) => {
      input.value = '0';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(async () => (await rows.textContent()) ?? '').not.toContain('play-42');
    await player.locator('[data-testid=recording-speed-4]').click();
    expect(await player.locator('[data-testid=recording-speed-4]').getAttribute('aria-pressed')).toBe('true');
    await player.locator('[data-testid=recording-toggle]').click();
    await expect.poll(async () => (await rows.textContent()) ?? '', { timeout: 15_000 }).toContain('play-42');
    await expect.poll(() => player.locator('[data-testid=recording-toggle]').getAttribute('data-state'), { timeout: 15_000 }).toBe('ended');
    expect(await player.locator('[data-testid=recording-truncated]').count()).toBe(0);
    await saveScreenshot(page, 'recording-player');

    await player.locator('[data-testid=recording-close]').click();
    await expect.poll(() => page.locator('[data-testid=recording-player]').count()).toBe(0);
  });
});
