/**
 * Issue 8, points 0 and 3, against a real controller: the frame that used to stop it
 * (a device.summary just under the JSON limit, full of escaped lone surrogates, with a
 * console connected) is refused and nothing else happens; a snapshot with a long mount
 * path at 95 % is stored and reads back (latest, by id, compare) instead of answering 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, finding, type ControllerToAgent, type Snapshot } from '../../protocol/index.js';
import { startWithConsole, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink } from '../helpers/controller-process.js';
import { connectProtocolAgent, helloWithCode, type ProtocolAgent } from '../helpers/protocol-agent.js';

let setup: ControllerWithConsole;

beforeAll(async () => {
  setup = await startWithConsole();
});
afterAll(async () => setup?.stop());

async function joinedAgent(): Promise<{ agent: ProtocolAgent; deviceId: string }> {
  const link = await createSupportLink(setup.controller, setup.cookie);
  const agent = await connectProtocolAgent(setup.controller.url);
  agent.send(helloWithCode(link.code));
  const welcome = (await agent.next()) as Extract<ControllerToAgent, { t: 'welcome' }>;
  expect(welcome.t).toBe('welcome');
  return { agent, deviceId: welcome.deviceId };
}

const health = async () => (await fetch(`${setup.controller.url}/api/health`)).status;

describe('one frame cannot stop the controller', () => {
  it('a device.summary just under 128 KiB of escaped lone surrogates is refused; controller and console stay up', async () => {
    const { agent } = await joinedAgent();
    const lone = '\\ud800'; // six bytes of JSON, one character
    const field = (chars: number) => lone.repeat(chars);
    const disk = `{"mount":"${field(255)}","fs":"${field(64)}","sizeBytes":1,"usedBytes":1}`;
    const frame = (disks: number) =>
      `{"t":"device.summary","summary":{"hostname":"${field(255)}","user":"${field(128)}","os":{"platform":"linux","distro":"d","release":"r","kernel":"k","arch":"x"},` +
      `"cpu":{"brand":"${field(160)}","cores":1},"memory":{"totalBytes":1,"availableBytes":1},"disks":[${Array(disks).fill(disk).join(',')}],"addresses":[],"uptimeSeconds":1,"agentVersion":"1"}}`;
    let disks = 0;
    while (frame(disks + 1).length < LIMITS.maxJsonBytes) disks++;
    expect(frame(disks).length).toBeGreaterThan(LIMITS.maxJsonBytes - disk.length);
    agent.send(frame(disks));
    expect(await agent.next()).toMatchObject({ t: 'error', code: 'PROTO_ERR_INVALID_MESSAGE' });
    expect(await health()).toBe(200);
    // The console is still there and still served.
    setup.console.send({ t: 'diagnostics.refresh', requestId: 'still-here', deviceId: 'no-such-device' });
    await setup.console.waitFor('error', (m) => m.requestId === 'still-here');
    expect(setup.controller.child.exitCode).toBeNull();
    agent.ws.close();
  });
});

describe('what passes validation on the way in reads back', () => {
  it('a 188-character mount at 95 % is stored and reads back: latest, by id and compare answer 200 with valid findings', async () => {
    const { agent, deviceId } = await joinedAgent();
    const mount = `/mnt/${'long-share-name-'.repeat(12)}`.slice(0, 188);
    expect(mount).toHaveLength(188);
    const snapshot = (usePercent: number): Snapshot => ({
      takenAt: Date.now(), durationMs: 5, probes: { storage: { status: 'ok', durationMs: 1 } },
      storage: { disks: [], filesystems: [{ fs: '//nas/share', type: 'cifs', mount, sizeBytes: 1e12, usedBytes: usePercent * 1e10, availableBytes: (100 - usePercent) * 1e10, usePercent }] },
    });
    agent.send({ t: 'diagnostics.snapshot', requestId: null, snapshot: snapshot(95) });
    const pushed = await setup.console.waitFor('device.diagnostics', (m) => m.deviceId === deviceId);
    agent.send({ t: 'diagnostics.snapshot', requestId: null, snapshot: snapshot(50) });
    await setup.console.waitFor('device.diagnostics', (m) => m.deviceId === deviceId && m.snapshotId !== pushed.snapshotId);
    const get = async (path: string) => {
      const res = await fetch(`${setup.controller.url}/api/devices/${deviceId}${path}`, { headers: { cookie: setup.cookie } });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const latest = await get('/snapshots/latest');
    expect(latest.status).toBe(200);
    const byId = await get(`/snapshots/${pushed.snapshotId}`);
    expect(byId.status).toBe(200);
    const full = byId.body.snapshot.findings.find((f: { id: string }) => f.id === `disk.full:${mount}`);
    expect(finding.safeParse(full).success).toBe(true);
    expect(full.title.length).toBeLessThanOrEqual(200);
    const compare = await get(`/compare?before=${pushed.snapshotId}&after=${latest.body.snapshot.id}`);
    expect(compare.status).toBe(200);
    expect(compare.body.fixed.map((f: { id: string }) => f.id)).toContain(`disk.full:${mount}`);
    agent.ws.close();
  });
});
