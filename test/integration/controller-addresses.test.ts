/**
 * An agent given several controller addresses, with real processes: controller A was
 * started and stopped (down), controller B runs. An attended agent given the code with
 * `--controller A,B` and a managed device enrolled with A first both end up on B, the
 * managed one after trying every address in turn (its enrolled address cut by a proxy).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../helpers/agent-process.js';
import { spawnAgent } from '../helpers/agent-process.js';
import { startWithConsole, stopAll, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink, startController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent } from '../helpers/fleet.js';
import { proxyAllowance, startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let down: string;
let b: ControllerWithConsole;
let proxyPort: number;
const agents: RunningAgent[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  const a = await startController();
  down = a.url;
  await a.stop();
  const allowance = await proxyAllowance();
  proxyPort = allowance.port;
  b = await startWithConsole({ args: allowance.args });
});
afterEach(async () => {
  await stopAll(agents);
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});
afterAll(() => b?.stop());

describe('an agent with several controller addresses, the first one down', () => {
  it('attended: the code with --controller A,B joins the session on B', async () => {
    const link = await createSupportLink(b.controller, b.cookie);
    const agent = spawnAgent(['join', link.code, '--controller', `${down},${b.controller.url}`, '--no-prompt']);
    agents.push(agent);
    const connected = await agent.waitFor(/Connected to/, 30_000);
    expect(connected).toBeTruthy();
    // It tried A first, said so, and moved on.
    const output = agent.output();
    expect(output.indexOf('Cannot reach the controller')).toBeGreaterThan(-1);
    expect(output.indexOf('Cannot reach the controller')).toBeLessThan(output.indexOf('Connected to'));
    expect(output).toContain(new URL(down).host);
    await b.console.waitFor('device.update', (m) => m.device.online && m.device.kind === 'attended', 15_000);
  });

  it('managed: enroll tries A then B and keeps both; run tries every address in turn until one answers', async () => {
    const proxy = await startTcpProxy(b.controller.port, proxyPort);
    proxies.push(proxy);
    const { token } = await createEnrollmentToken(b.controller, b.cookie);
    // A does not answer: the enrollment goes to the next address (B, through the proxy), the token counted once.
    const enrolled = await enrollAgent({ ...b.controller, url: down }, token, ['--controller', proxy.url, '--controller', b.controller.url]);
    expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
    expect(enrolled.agent.output()).toMatch(/No answer from http:\/\/127\.0\.0\.1/);
    const device = JSON.parse(readFileSync(join(enrolled.stateDir, 'device.json'), 'utf8')) as { controllerUrl: string; otherControllerUrls: string[]; deviceId: string };
    // The address that enrolled it comes first (it is what the device signs for), then the others in order.
    expect(device.controllerUrl).toBe(proxy.url);
    expect(device.otherControllerUrls).toEqual([down, b.controller.url]);

    // The enrolled address is cut now, and A is down: only B directly is left.
    proxy.setDown(true);
    const agent = runAgent(enrolled.stateDir);
    agents.push(agent);
    await agent.waitFor(/Connected to/, 30_000);
    expect(proxy.accepted()).toBeGreaterThanOrEqual(2); // the enrollment, then run's first attempt
    await b.console.waitFor('device.update', (m) => m.device.id === device.deviceId && m.device.online, 15_000);
  });
});
