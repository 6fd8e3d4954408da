/**
 * Two technicians on one machine, for real: a controller, an agent in a real
 * terminal (the person's), a real shell, and two technicians' consoles. The second
 * technician watches the live shell (scrollback, then live output), the person and
 * the first technician are told, the watcher's keystrokes are refused by the
 * controller, and the keyboard changes hands only with the person's fresh yes —
 * asked on a screen of its own while the shell keeps printing for the technician.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { connectConsole, startWithConsole, type ConsoleClient, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink, createTechnician } from '../helpers/controller-process.js';
import { until } from '../helpers/until.js';

let suite: ControllerWithConsole;
let kim: ConsoleClient;
const agents: AgentInTerminal[] = [];

beforeAll(async () => {
  suite = await startWithConsole();
  const cookie = await createTechnician(suite.controller, suite.cookie, 'kim', 'Kim Roy');
  kim = await connectConsole(suite.controller, cookie);
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  await kim?.close();
  await suite?.stop();
});

/** What the person's terminal showed after `from` (bytes as written, "\r\r\n" folded). */
const shownSince = (agent: AgentInTerminal, from: number) => agent.screen().subarray(from).toString('utf8').replaceAll('\r\r\n', '\r\n');

async function openSharedShell() {
  const { controller: c, cookie, console: admin } = suite;
  const known = new Set(admin.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
  const link = await createSupportLink(c, cookie);
  const agent = startAgentInTerminal(['join', link.url, '--no-prompt', '--consent-timeout', '60']);
  agents.push(agent);
  const { device } = await admin.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
  await admin.waitFor('device.diagnostics', (m) => m.deviceId === device.id, 30_000);
  await agent.waitFor('diagnostics report');
  const channel = await admin.requestShell(device.id, 100, 30);
  await agent.waitFor('[y/N]');
  agent.type('y');
  await admin.waitFor('shell.opened', (m) => m.channel === channel);
  admin.type(channel, 'echo READY-$((3*3))\r');
  await admin.waitForOutput(channel, 'READY-9');
  return { agent, admin, channel, deviceId: device.id };
}

describe('a second technician on a live shell', () => {
  it('watches it, is named to the person and to the first technician, and cannot type in it', async () => {
    const { agent, admin, channel, deviceId } = await openSharedShell();
    admin.send({ t: 'presence.watch', deviceId });
    await admin.waitFor('device.presence', (m) => m.deviceId === deviceId && m.shells.some((s) => s.channel === channel && s.observers.length === 0));

    kim.send({ t: 'shell.observe', requestId: 'obs-1', channel });
    const attached = await kim.waitFor('shell.attached', (m) => m.requestId === 'obs-1');
    expect(attached).toMatchObject({ role: 'observer', cols: 100, rows: 30 });
    // The scrollback first: what the shell printed before the observer came.
    await kim.waitForOutput(channel, 'READY-9');
    // The first technician's page and the person are told who watches.
    await admin.waitFor('device.presence', (m) => m.deviceId === deviceId && m.shells.some((s) => s.observers.some((p) => p.username === 'kim')));
    await agent.waitFor('Kim Roy (kim) is now watching the remote shell');

    // The observer's keystrokes go nowhere: the controller refuses them and says so.
    kim.type(channel, 'echo OBSERVER-TYPED\r');
    const refused = await kim.waitFor('error', (m) => m.code === 'SHELL_ERR_READ_ONLY');
    expect(refused.channel).toBe(channel);
    kim.send({ t: 'shell.resize', channel, cols: 20, rows: 5 });
    // The shell reads input in order: had the observer's line reached it, it would come before this one's output.
    admin.type(channel, 'echo DRIVER-$((2+2)); stty size\r');
    await admin.waitForOutput(channel, /DRIVER-4\r\n30 100/);
    await kim.waitForOutput(channel, /DRIVER-4\r\n30 100/);
    expect(admin.output(channel)).not.toContain('OBSERVER-TYPED');

    kim.send({ t: 'shell.detach', channel });
    await agent.waitFor('Kim Roy (kim) stopped watching the remote shell');
    await admin.waitFor('device.presence', (m) => m.deviceId === deviceId && m.shells.every((s) => s.observers.length === 0));
  });

  it('takes the keyboard only with the person\'s fresh yes: no keeps it, yes swaps the roles', async () => {
    const { agent, admin, channel, deviceId } = await openSharedShell();
    kim.send({ t: 'shell.observe', requestId: 'obs-2', channel });
    await kim.waitFor('shell.attached', (m) => m.requestId === 'obs-2');
    await agent.waitFor('Kim Roy (kim) is now watching');

    // First ask: the person says no.
    let mark = agent.screen().length;
    kim.send({ t: 'shell.takeover', requestId: 'take-1', channel });
    await kim.waitFor('shell.takeover.pending', (m) => m.requestId === 'take-1');
    await until(() => shownSince(agent, mark).includes('asks to TAKE THE KEYBOARD') && shownSince(agent, mark).includes('[y/N]'), 15_000, 'the take-over question');
    agent.type('n');
    expect(await kim.waitFor('shell.takeover.result', (m) => m.requestId === 'take-1')).toMatchObject({ decision: 'declined' });
    await until(() => shownSince(agent, mark).includes('the keyboard stays with Administrator (admin)'), 15_000, 'the refusal on the person\'s screen');
    admin.type(channel, 'echo STILL-ADMIN-$((1+1))\r');
    await kim.waitForOutput(channel, 'STILL-ADMIN-2');

    // Second ask, while the driver's shell keeps printing: the question stays on its own screen.
    mark = agent.screen().length;
    kim.send({ t: 'shell.takeover', requestId: 'take-2', channel });
    await kim.waitFor('shell.takeover.pending', (m) => m.requestId === 'take-2');
    await until(() => shownSince(agent, mark).includes('[y/N]'), 15_000, 'the second question');
    const question = agent.screen().length;
    admin.type(channel, 'echo DURING-$((6*7))\r');
    await admin.waitForOutput(channel, 'DURING-42');
    await kim.waitForOutput(channel, 'DURING-42');
    // Output went to both technicians, and not over the person's question.
    expect(shownSince(agent, question)).not.toContain('DURING-42');
    agent.type('y');
    expect(await kim.waitFor('shell.takeover.result', (m) => m.requestId === 'take-2')).toMatchObject({ decision: 'granted' });
    await kim.waitFor('shell.role', (m) => m.channel === channel && m.role === 'driver');
    await admin.waitFor('shell.role', (m) => m.channel === channel && m.role === 'observer');
    await until(() => /Back to the remote shell[^]*DURING-42/.test(shownSince(agent, question)), 15_000, 'the mirror back, with what was printed meanwhile');
    await until(() => shownSince(agent, question).includes('Kim Roy (kim) now has the keyboard'), 15_000, 'the person told who types now');

    // Kim types now; the former driver is refused.
    kim.type(channel, 'echo KIM-$((5*5))\r');
    await admin.waitForOutput(channel, 'KIM-25');
    await kim.waitForOutput(channel, 'KIM-25');
    admin.type(channel, 'echo ADMIN-AFTER\r');
    await admin.waitFor('error', (m) => m.code === 'SHELL_ERR_READ_ONLY' && m.channel === channel);
    kim.type(channel, 'echo LAST-$((7*7))\r');
    await admin.waitForOutput(channel, 'LAST-49');
    expect(admin.output(channel)).not.toContain('ADMIN-AFTER');
    // And the audit log has the steps (appended in the background: read until they are all there).
    const phases = async () => {
      const audit = await fetch(`${suite.controller.url}/api/audit?action=shell.takeover&target=${encodeURIComponent(deviceId)}`, { headers: { cookie: suite.cookie } });
      const { entries } = (await audit.json()) as { entries: Array<{ detail: { phase: string } }> };
      return entries.map((e) => e.detail.phase).reverse();
    };
    await expect.poll(phases, { timeout: 15_000 }).toEqual(['asked', 'refused', 'asked', 'granted']);
  });
});
