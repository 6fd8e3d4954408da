/**
 * The person closes the agent's terminal window with a remote shell open: a real agent in a
 * real terminal (node-pty) whose terminal is closed. The agent ends the session (the shell is
 * closed, the controller hears it) and ends as any program in that window does, by the hang-up
 * signal, not by a crash: Node's exit, putting back the modes of a terminal that hung up,
 * aborted (SIGABRT, or SIGSEGV inside the abort).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { startWithConsole, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink } from '../helpers/controller-process.js';

const SIGHUP = 1;

let suite: ControllerWithConsole;
const agents: AgentInTerminal[] = [];

beforeAll(async () => {
  suite = await startWithConsole();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(() => suite?.stop());

describe.skipIf(process.platform === 'win32')('the person closes the agent\'s window', () => {
  it('ends the session, closes the shell, and the agent ends by the hang-up, not by a crash', async () => {
    const { controller: c, cookie, console } = suite;
    const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
    const link = await createSupportLink(c, cookie);
    const agent = startAgentInTerminal(['join', link.url, '--no-prompt'], { LANG: 'en_US.UTF-8', RELAIS_LANG: 'en' });
    agents.push(agent);
    const { device } = await console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
    const channel = await console.requestShell(device.id, 120, 40);
    await agent.waitFor('Allow? [y/N]');
    agent.type('y');
    await console.waitFor('shell.opened', (m) => m.channel === channel);
    const how = await agent.hangUp();
    expect(how, JSON.stringify(how)).toEqual({ exitCode: 0, signal: SIGHUP });
    await console.waitFor('shell.closed', (m) => m.channel === channel, 15_000);
    await console.waitFor('device.update', (m) => m.device.id === device.id && !m.device.online && m.device.sessionStatus === 'ended', 15_000);
  }, 90_000);
});
