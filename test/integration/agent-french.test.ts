/**
 * The agent speaks French to a person whose system is in French: a real agent in a
 * real terminal with LANG=fr_FR.UTF-8 joins a real controller; the person reads the
 * greeting and the consent question in French and answers « o » to open the shell.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { startWithConsole, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink } from '../helpers/controller-process.js';

let suite: ControllerWithConsole;
const agents: AgentInTerminal[] = [];

beforeAll(async () => {
  suite = await startWithConsole();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(() => suite?.stop());

describe('the agent in French', () => {
  it('greets the person in French, asks « Autoriser ? [o/N] », and « o » opens the shell', async () => {
    const { controller: c, cookie, console } = suite;
    const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
    const link = await createSupportLink(c, cookie);
    const agent = startAgentInTerminal(['join', link.url, '--no-prompt'], { LANG: 'fr_FR.UTF-8', LC_ALL: '', LC_MESSAGES: '', RELAIS_LANG: '' });
    agents.push(agent);
    const { device } = await console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
    await agent.waitFor('Ce que le technicien voit dès maintenant');
    await agent.waitFor('Pour mettre fin à la session à tout moment, appuyez sur Ctrl+C.');
    await console.waitFor('device.diagnostics', (m) => m.deviceId === device.id, 30_000);
    await agent.waitFor('rapport de diagnostic');
    const channel = await console.requestShell(device.id, 120, 40);
    await agent.waitFor('Autoriser\u00a0? [o/N]');
    await agent.waitFor('PRENDRE LA MAIN');
    agent.type('o');
    await console.waitFor('shell.opened', (m) => m.channel === channel);
    await agent.waitFor('UN TERMINAL À DISTANCE EST OUVERT');
    console.type(channel, 'echo PRET-$((3*3))\r');
    await console.waitForOutput(channel, 'PRET-9');
    const screen = agent.screen().toString('utf8');
    expect(screen).not.toContain('Allow? [y/N]');
    expect(screen).toContain('Vous avez autorisé');
  }, 90_000);
});
