/**
 * A helpdesk with a few hundred enrolled machines (issue 8, point 1): 400 devices
 * enroll through the REST API with their own keys and connect on real websockets
 * (past the ~364 where the whole list in one message broke the console). Consoles
 * connected before and after stay connected and get changes only, and the REST list
 * walks every device a page at a time, with its filters and search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, devicePage, deviceFacets, type ControllerToAgent, type DevicePage } from '../../protocol/index.js';
import { connectConsole, startWithConsole, type ControllerWithConsole } from '../helpers/console-client.js';
import { createEnrollmentToken, enrollKey, helloWithDevice, signChallenge, testDeviceKey } from '../helpers/fleet.js';
import { connectProtocolAgent, type ProtocolAgent } from '../helpers/protocol-agent.js';
import { until } from '../helpers/until.js';

const DEVICES = 400;
let suite: ControllerWithConsole;
const devices: Array<{ id: string; agent: ProtocolAgent }> = [];
const ids: string[] = [];

/** Enrolls one key and connects it as that device (challenge signed); resolves once welcomed. */
async function enrollAndConnect(token: string, i: number): Promise<void> {
  const key = testDeviceKey();
  const name = `desk-${String(i).padStart(3, '0')}`;
  const res = await enrollKey(suite.controller, token, key.publicKey, { name, tags: ['paging', i % 2 === 0 ? 'even' : 'odd'] });
  if (res.status !== 201) throw new Error(`enroll ${i}: ${res.status} ${await res.text()}`);
  const { deviceId, controller } = (await res.json()) as { deviceId: string; controller: { url: string } };
  ids.push(deviceId);
  const agent = await connectProtocolAgent(suite.controller.url);
  devices.push({ id: deviceId, agent });
  agent.send(helloWithDevice(deviceId, { script: 'deny', shell: 'deny' }));
  const challenge = (await agent.next()) as Extract<ControllerToAgent, { t: 'auth.challenge' }>;
  agent.send({ t: 'auth.response', signature: signChallenge(key.privateKey, controller.url, deviceId, challenge.nonce) });
  expect((await agent.next()).t).toBe('welcome');
}

async function page(query: string): Promise<DevicePage> {
  const res = await fetch(`${suite.controller.url}/api/devices?${query}`, { headers: { cookie: suite.cookie } });
  expect(res.status, await res.clone().text()).toBe(200);
  const text = await res.text();
  return devicePage.parse(JSON.parse(text));
}

/** Every device the list holds for `query`, following the cursor. */
async function walk(query: string): Promise<{ ids: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const answer: DevicePage = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...answer.devices.map((d) => d.id));
    cursor = answer.nextCursor;
    pages++;
  } while (cursor !== null);
  return { ids: seen, pages };
}

beforeAll(async () => {
  suite = await startWithConsole();
  const { token } = await createEnrollmentToken(suite.controller, suite.cookie, { group: 'paging-lab', maxUses: DEVICES });
  // A few at a time: enrollment and the challenge are quick, but the machine is shared.
  for (let i = 0; i < DEVICES; i += 20) await Promise.all(Array.from({ length: Math.min(20, DEVICES - i) }, (_, k) => enrollAndConnect(token, i + k)));
}, 120_000);
afterAll(async () => {
  for (const { agent } of devices) agent.ws.terminate();
  await suite?.stop();
});

describe(`${DEVICES} enrolled devices`, () => {
  it('the console that watched them arrive is still connected and got one bounded change per event, never the list', async () => {
    await until(() => new Set(suite.console.messages.flatMap((m) => (m.t === 'device.update' && m.device.online ? [m.device.id] : []))).size === DEVICES, 20_000, 'every device online on the console');
    expect(suite.console.ws.readyState).toBe(suite.console.ws.OPEN);
    for (const message of suite.console.messages) expect(JSON.stringify(message).length).toBeLessThan(LIMITS.maxJsonBytes / 32);
  });

  it('a console connecting now is welcomed without the list and stays connected', async () => {
    const late = await connectConsole(suite.controller, suite.cookie);
    try {
      await late.waitFor('welcome');
      expect(late.messages.map((m) => m.t)).toEqual(['welcome']);
      // Still open after the controller had every chance to push something too large.
      const answer = await page('kind=managed&limit=1');
      expect(answer.total).toBe(DEVICES);
      expect(late.ws.readyState).toBe(late.ws.OPEN);
    } finally {
      await late.close();
    }
  });

  it('the REST list walks every device a page at a time, sorted by name, and counts them', async () => {
    const first = await page('kind=managed&limit=50');
    expect(first).toMatchObject({ total: DEVICES, online: DEVICES });
    expect(first.devices).toHaveLength(50);
    expect(first.devices[0]).toMatchObject({ name: 'desk-000', kind: 'managed', group: 'paging-lab', online: true });
    const { ids: walked, pages } = await walk('kind=managed&limit=50');
    expect(pages).toBe(DEVICES / 50);
    expect(new Set(walked).size).toBe(DEVICES);
    expect(new Set(walked)).toEqual(new Set(ids));
    const names = (await walk('kind=managed&limit=200')).ids;
    expect(names).toEqual(walked);
  });

  it('filters (tag, online, group, text) and facets are answered by the controller', async () => {
    expect((await page('kind=managed&tag=even&limit=1')).total).toBe(DEVICES / 2);
    expect((await page('kind=managed&online=false&limit=1')).total).toBe(0);
    expect((await page('kind=managed&group=paging-lab&limit=1')).total).toBe(DEVICES);
    const found = await page('q=DESK-123');
    expect(found.devices.map((d) => d.name)).toEqual(['desk-123']);
    const facets = deviceFacets.parse(await (await fetch(`${suite.controller.url}/api/devices/facets`, { headers: { cookie: suite.cookie } })).json());
    expect(facets.tags).toEqual(expect.arrayContaining([{ value: 'even', count: DEVICES / 2 }, { value: 'paging', count: DEVICES }]));
    expect(facets.groups).toEqual([{ value: 'paging-lab', count: DEVICES }]);
  });

  it('a device going offline is one change, and the list says so at once', async () => {
    const { id, agent } = devices[7]!;
    // Its enrollment was an offline update too: only what comes after the disconnect counts.
    const before = suite.console.messages.length;
    agent.ws.terminate();
    await until(() => suite.console.messages.slice(before).some((m) => m.t === 'device.update' && m.device.id === id && !m.device.online), 10_000, 'the device offline on the console');
    expect((await page('kind=managed&online=false&limit=5')).devices.map((d) => d.id)).toEqual([id]);
  });

  it('refuses a bad query with a catalog error naming the parameter', async () => {
    for (const [query, where] of [['limit=100000', 'limit'], ['online=maybe', 'online'], ['cursor=%2F%2F', 'cursor'], ['colour=red', 'colour'], ['cursor=eyJ4IjoxfQ', 'cursor']]) {
      const res = await fetch(`${suite.controller.url}/api/devices?${query}`, { headers: { cookie: suite.cookie } });
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('HTTP_ERR_BAD_REQUEST');
      expect(body.error.message, query).toContain(where);
    }
  });
});
