/**
 * The whole remote-shell story with real processes: a controller, agents started
 * from support links, a console on /ws/console, real ptys, and a TCP proxy to drop
 * the agent's connection like a network would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceListItem } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { connectConsole, startWithConsole, stopAll, type ConsoleClient, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink, type RunningController } from '../helpers/controller-process.js';
import { isAlive, processesInSession, shellChildren, waitForExit } from '../helpers/processes.js';
import { proxyAllowance, startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { DEADLINE_MS, until } from '../helpers/until.js';

let suite: ControllerWithConsole;
let c: RunningController;
let cookie: string;
let console: ConsoleClient;
const agents: RunningAgent[] = [];
const QUESTION = /\[y\/N\]/i;

let proxyPort: number;
const GRACE_MS = 2000;

beforeAll(async () => {
  const allowance = await proxyAllowance();
  proxyPort = allowance.port;
  // A short grace period: a shell left without a console ends quickly here (2 minutes by default).
  suite = await startWithConsole({ args: allowance.args, env: { RELAIS_SHELL_GRACE_MS: String(GRACE_MS) } });
  ({ controller: c, cookie, console } = suite);
});
afterEach(() => stopAll(agents));
afterAll(() => suite?.stop());

/** Starts an agent from a fresh link and waits until the console sees it online with its summary (on the suite's controller unless `on` says another). */
async function joinAgent(opts: { via?: TcpProxy; args?: string[]; on?: ControllerWithConsole } = {}): Promise<{ agent: RunningAgent; device: DeviceListItem }> {
  const on = opts.on ?? suite;
  const known = new Set(on.console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
  const link = await createSupportLink(on.controller, on.cookie);
  const url = opts.via ? link.url.replace(on.controller.url, opts.via.url) : link.url;
  const agent = spawnAgent(['join', url, ...(opts.args ?? [])]);
  agents.push(agent);
  const update = await on.console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null);
  return { agent, device: update.device };
}

describe('remote shell through the relay', () => {
  it('joins by code, shows the summary at once, and relays a consented shell both ways', async () => {
    const { agent, device } = await joinAgent();
    expect(device.hostname.length).toBeGreaterThan(0);
    expect(device.brief!.os.platform.length).toBeGreaterThan(0);
    expect(device.technician).toEqual({ username: 'admin', name: 'Administrator' });
    expect(agent.output()).toMatch(/Administrator/);

    const channel = await console.requestShell(device.id, 100, 30);
    await agent.waitFor(QUESTION);
    expect(agent.output()).toMatch(/Administrator/);
    agent.answer('y');
    await console.waitFor('shell.consent', (m) => m.channel === channel && m.decision === 'granted');
    const opened = await console.waitFor('shell.opened', (m) => m.channel === channel);
    expect(opened.mode).toBe('pty');
    console.type(channel, 'echo relais-$((6*7)); stty size\r');
    await console.waitForOutput(channel, 'relais-42');
    await console.waitForOutput(channel, '30 100');
    // The person sees what happens in the shell on their own screen.
    await agent.waitFor('relais-42');

    console.send({ t: 'shell.resize', channel, cols: 90, rows: 20 });
    console.type(channel, 'stty size\r');
    await console.waitForOutput(channel, '20 90');

    const [shellPid] = shellChildren(agent.pid);
    expect(shellPid).toBeDefined();
    console.send({ t: 'shell.close', channel });
    expect((await console.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('technician');
    await waitForExit(shellPid!);
  });

  it('a declined shell spawns nothing, and the technician is told', async () => {
    const { agent, device } = await joinAgent();
    const channel = await console.requestShell(device.id);
    await agent.waitFor(QUESTION);
    agent.answer('n');
    await console.waitFor('shell.consent', (m) => m.channel === channel && m.decision === 'declined');
    expect((await console.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('declined');
    console.type(channel, 'touch /tmp/relais-should-not-exist\r');
    // The agent answers requests in order: once it asks again, it has long dealt with the first.
    const again = await console.requestShell(device.id);
    await until(() => (agent.output().match(/\[y\/N\]/gi) ?? []).length === 2, 10_000, 'the second question');
    expect(shellChildren(agent.pid)).toEqual([]);
    expect(console.messages.some((m) => m.t === 'shell.opened' && m.channel === channel)).toBe(false);
    agent.answer('n');
    await console.waitFor('shell.consent', (m) => m.channel === again && m.decision === 'declined');
  });

  // No answer in time: the agent reports `timeout` and spawns nothing (agent-consent.test.ts, test 2, a real
  // agent with --consent-timeout); the relay passes it on and closes with reason `timeout` (unit/relay.test.ts).

  it('closing the browser leaves the shell open for the grace period, then ends it on the machine', async () => {
    const { agent, device } = await joinAgent();
    const tab = await connectConsole(c, cookie);
    const channel = await tab.requestShell(device.id);
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await tab.waitFor('shell.opened', (m) => m.channel === channel);
    // The diagnostics at join run probes as short-lived `sh` children: let them finish, so
    // the shell found is the remote shell (and it may still be exec'ing when shell.opened arrives).
    await console.waitFor('device.diagnostics', (m) => m.deviceId === device.id);
    await until(() => shellChildren(agent.pid).length === 1, DEADLINE_MS, 'the remote shell alone');
    const [shellPid] = shellChildren(agent.pid);
    expect(isAlive(shellPid!)).toBe(true);
    const closedAt = Date.now();
    await tab.close();
    // The controller keeps it, detached: the same technician's other console lists it, and it still runs.
    for (let n = 0; ; n++) {
      const requestId = `list-${n}`;
      console.send({ t: 'shell.list', requestId, deviceId: device.id });
      const live = await console.waitFor('shell.live', (m) => m.requestId === requestId);
      if (live.shells.some((shell) => shell.channel === channel && !shell.attached)) break;
      if (n > 200) throw new Error('the shell was never listed as detached');
    }
    expect(isAlive(shellPid!)).toBe(true);
    await waitForExit(shellPid!);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 200);
    await agent.waitFor(/closed.*without coming back/i);
  });

  it('a console that comes back reattaches: the output produced while away first, then live output both ways', async () => {
    // A controller of its own, with the default grace (2 minutes): the shell must outlive the time a
    // busy machine takes to print 5.6 MB and open a console again, which the suite's 2 s does not promise.
    const own = await startWithConsole();
    try {
      const { agent, device } = await joinAgent({ on: own });
      const tab = await connectConsole(own.controller, own.cookie);
      const channel = await tab.requestShell(device.id, 100, 30);
      await agent.waitFor(QUESTION);
      agent.answer('y');
      await tab.waitFor('shell.opened', (m) => m.channel === channel);
      tab.type(channel, 'echo before-$((2*3))\r');
      await tab.waitForOutput(channel, 'before-6');
      tab.send({ t: 'shell.detach', channel });
      const back = await connectConsole(own.controller, own.cookie);
      back.send({ t: 'shell.list', requestId: 'l1', deviceId: device.id });
      expect((await back.waitFor('shell.live', (m) => m.requestId === 'l1')).shells).toEqual([
        expect.objectContaining({ channel, mode: 'pty', attached: false, technician: { username: 'admin', name: 'Administrator' } }),
      ]);
      await tab.close();
      back.send({ t: 'shell.attach', requestId: 'a0', channel, cols: 100, rows: 30 });
      await back.waitFor('shell.attached', (m) => m.requestId === 'a0');
      // More than the agent's window (4 MiB, LIMITS.initialWindowBytes): most of it comes while no console acknowledges anything.
      back.type(channel, 'yes relais-filler | head -n 400000; echo away-$((6*7))\r');
      back.send({ t: 'shell.detach', channel });
      await back.close();
      // The relay gave the agent credit for what it kept: the shell did not stall.
      await agent.waitFor('away-42', 30_000);
      const again = await connectConsole(own.controller, own.cookie);
      const started = Date.now();
      again.send({ t: 'shell.attach', requestId: 'a1', channel, cols: 90, rows: 20 });
      const attached = await again.waitFor('shell.attached', (m) => m.requestId === 'a1');
      expect(attached.scrollbackBytes).toBeGreaterThan(0);
      expect(attached.scrollbackBytes).toBeLessThanOrEqual(256 * 1024);
      await again.waitForOutput(channel, 'away-42');
      globalThis.console.info(`reattach to scrollback on a real controller: ${Date.now() - started} ms`);
      again.type(channel, 'stty size\r');
      await again.waitForOutput(channel, '20 90');
      again.send({ t: 'shell.close', channel });
      expect((await again.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('technician');
      await again.close();
    } finally {
      await stopAll(agents);
      await own.stop();
    }
  });

  it('the person can end the shell, and a new shell needs a new yes', async () => {
    const { agent, device } = await joinAgent();
    const first = await console.requestShell(device.id);
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await console.waitFor('shell.opened', (m) => m.channel === first);
    const [shellPid] = shellChildren(agent.pid);
    agent.answer('end');
    expect((await console.waitFor('shell.closed', (m) => m.channel === first)).reason).toBe('user');
    await waitForExit(shellPid!);

    const questions = (agent.output().match(/\[y\/N\]/gi) ?? []).length;
    const second = await console.requestShell(device.id);
    await until(() => (agent.output().match(/\[y\/N\]/gi) ?? []).length > questions, 10_000, 'a new consent question');
    agent.answer('n');
    await console.waitFor('shell.consent', (m) => m.channel === second && m.decision === 'declined');
  });

  it('a dropped connection ends the shell; the agent reconnects and the next shell asks again', async () => {
    const proxy = await startTcpProxy(c.port, proxyPort);
    try {
      const { agent, device } = await joinAgent({ via: proxy });
      const channel = await console.requestShell(device.id);
      await agent.waitFor(QUESTION);
      agent.answer('y');
      await console.waitFor('shell.opened', (m) => m.channel === channel);
      const [shellPid] = shellChildren(agent.pid);
      const updatesBefore = console.messages.length;

      proxy.cutAll();
      await waitForExit(shellPid!);
      expect((await console.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('agent-offline');
      await console.waitFor('device.update', (m) => m.device.id === device.id && !m.device.online);
      // Back online through the proxy with the resume token, same device.
      await console.waitFor('device.update', (m) => m.device.id === device.id && m.device.online && console.messages.indexOf(m) > updatesBefore, 20_000);
      expect(proxy.accepted()).toBeGreaterThanOrEqual(2);

      const questions = (agent.output().match(/\[y\/N\]/gi) ?? []).length;
      const next = await console.requestShell(device.id);
      await until(() => (agent.output().match(/\[y\/N\]/gi) ?? []).length > questions, 10_000, 'a new consent question');
      agent.answer('n');
      await console.waitFor('shell.consent', (m) => m.channel === next && m.decision === 'declined');
    } finally {
      await proxy.close();
    }
  });

  it('the person ends the session: the agent exits and the device shows the session ended', async () => {
    const { agent, device } = await joinAgent();
    agent.answer('quit');
    const code = await new Promise<number | null>((r) => agent.child.once('exit', (exitCode) => r(exitCode)));
    expect(code).toBe(0);
    await console.waitFor('device.update', (m) => m.device.id === device.id && m.device.sessionStatus === 'ended');
  });

  it('nothing started from the shell outlives it: background jobs, nohup and SIGHUP-deaf ones, also when the agent exits at once', async () => {
    for (const end of ['shell-close', 'end-session'] as const) {
      const { agent, device } = await joinAgent();
      const channel = await console.requestShell(device.id);
      await agent.waitFor(QUESTION);
      agent.answer('y');
      await console.waitFor('shell.opened', (m) => m.channel === channel);
      // Each job gets a process group of its own from bash: the shell's group alone misses them.
      console.type(channel, 'sleep 4101 & nohup sleep 4102 >/dev/null 2>&1 & (trap "" HUP; exec sleep 4103) & echo jobs-$((40+2)) $! \r');
      const started = await console.waitForOutput(channel, /jobs-42 (\d+)/);
      const [shellPid] = shellChildren(agent.pid);
      const jobs = processesInSession(shellPid!);
      expect(jobs.length, started).toBeGreaterThanOrEqual(4);
      if (end === 'shell-close') {
        console.send({ t: 'shell.close', channel });
        await console.waitFor('shell.closed', (m) => m.channel === channel);
      } else {
        const exited = new Promise<number | null>((r) => agent.child.once('exit', (exitCode) => r(exitCode)));
        const res = await fetch(`${c.url}/api/devices/${device.id}/end-session`, { method: 'POST', headers: { cookie, origin: c.url } });
        expect(res.status).toBe(204);
        expect(await exited).toBe(0);
        // The technician hears why the shell ended: the session did, not the link.
        expect((await console.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('session-ended');
      }
      for (const pid of jobs) await waitForExit(pid);
    }
  });

  it('the technician ends the session: the agent is told and exits', async () => {
    const { agent, device } = await joinAgent();
    const exited = new Promise<number | null>((r) => agent.child.once('exit', (exitCode) => r(exitCode)));
    const res = await fetch(`${c.url}/api/devices/${device.id}/end-session`, { method: 'POST', headers: { cookie, origin: c.url } });
    expect(res.status).toBe(204);
    expect(await exited).toBe(0);
    expect(agent.output()).toMatch(/ended/i);
  });
});
