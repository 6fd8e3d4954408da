/**
 * Chat with the person in a real browser (issue 15, point 4): the device page's panel
 * sends to a real agent in a real terminal, where the person reads it and answers
 * (M, the text, Enter); the answer appears in the panel live; the support page shows
 * the conversation and takes a message too, which reaches the panel as well.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';

const suite = useBrowserSuite();
const agents: AgentInTerminal[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

describe('the chat panel', () => {
  it('talks with the person both ways: the agent\'s terminal and the support page', async () => {
    const page = await suite.loggedInPage('chat');
    const link = await page.evaluate(async () => (await fetch('/api/support-links', { method: 'POST' })).json() as Promise<{ id: string; url: string; code: string }>);
    const agent = startAgentInTerminal(['join', link.url, '--no-prompt']);
    agents.push(agent);
    await agent.waitFor('press M', 30_000);
    const deviceId = await page.evaluate(async (id) => {
      const { links } = (await (await fetch('/api/support-links')).json()) as { links: Array<{ id: string; deviceId: string | null }> };
      return links.find((l) => l.id === id)?.deviceId ?? null;
    }, link.id);
    expect(deviceId).toBeTruthy();
    await page.goto(`${suite.controller.url}/#/devices/${deviceId}`);

    const panel = page.locator('[data-testid=chat-panel]');
    await panel.waitFor();
    await expect.poll(() => panel.locator('.chat-empty').count()).toBe(1);
    await page.locator('[data-testid=chat-input]').fill('Bonjour, je vais prendre la main dans un instant.');
    await page.locator('[data-testid=chat-send]').click();
    await agent.waitFor('Bonjour, je vais prendre la main dans un instant.');
    await expect.poll(() => page.locator('[data-testid=chat-message][data-side=technician]').textContent()).toContain('prendre la main');
    expect(await page.locator('[data-testid=chat-input]').inputValue()).toBe('');

    agent.type('m');
    await agent.waitFor('Your message to the technician');
    agent.type('OK, merci !\r');
    await expect.poll(() => page.locator('[data-testid=chat-message][data-side=person]').textContent(), { timeout: 10_000 }).toContain('OK, merci !');
    expect(await page.locator('[data-testid=chat-message][data-side=person] .chat-author').textContent()).toBe('The person');

    // The person's support page: the same conversation, and a message from there.
    const personPage = await page.context().newPage();
    await personPage.goto(link.url);
    const log = personPage.locator('[data-testid=support-chat-log]');
    await expect.poll(() => log.locator('li').count(), { timeout: 10_000 }).toBe(2);
    expect(await log.textContent()).toContain('prendre la main');
    await personPage.locator('[data-testid=support-chat-input]').fill('Je suis devant mon poste.');
    await personPage.locator('[data-testid=support-chat-send]').click();
    await expect.poll(() => log.locator('li').count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => page.locator('[data-testid=chat-message][data-side=person]').count()).toBe(2);
    expect(await page.locator('[data-testid=chat-log]').textContent()).toContain('Je suis devant mon poste.');

    // A reload shows the stored history.
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=chat-message]').count(), { timeout: 10_000 }).toBe(3);
  }, 90_000);
});
