/**
 * Agents admitted while the store is overwhelmed (thousands reconnecting at once): a store that
 * times out refuses the agent with the retryable SERVER_ERR_BUSY, never an unhandled rejection
 * (which stops the controller); the admission gate bounds the store work; and only real failed
 * authentications count against the agents' shared address.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdmissionGate } from '../../controller/server/hubs/admission-gate.js';
import { AgentHub, type AgentHubDeps } from '../../controller/server/hubs/agent-hub.js';
import { Throttle } from '../../controller/server/auth/throttle.js';
import { DeviceRegistry } from '../../controller/server/devices/devices.js';
import type { DeviceIndex } from '../../controller/server/devices/device-index.js';
import type { SupportSessions } from '../../controller/server/support/support-sessions.js';
import { AgentLinks } from '../../controller/server/relay/agent-links.js';
import type { ManagedDeviceRecord } from '../../controller/server/fleet/managed-devices.js';
import { quietLog } from '../../controller/server/observability/logger.js';
import { CLOSE_CODES, PROTOCOL_VERSION, RelaisError, deviceAuthMessage } from '../../protocol/index.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';

const ORIGIN = 'http://127.0.0.1:8080';
const POOL_TIMEOUT = () => new Error('timeout exceeded when trying to connect');

const keys = generateKeyPairSync('ed25519');
const device: ManagedDeviceRecord = {
  id: 'dev-1', name: 'pc-1', group: '', tags: [], hostname: 'pc-1', platform: 'linux', policy: null,
  publicKey: keys.publicKey.export({ format: 'jwk' }).x!, controllerOrigin: ORIGIN, enrolledAt: 0, revokedAt: null, lastSeen: 0, summaryJson: null,
} as ManagedDeviceRecord;

interface Store {
  byId: (id: string) => Promise<ManagedDeviceRecord | null>;
  reported: () => Promise<ManagedDeviceRecord | null>;
}

function hubWith(store: Store, gate = new AdmissionGate({ limit: 2, maxWaiting: 10 })) {
  const throttle = new Throttle({ maxFailures: 10, windowMs: 60_000 });
  const refused: string[] = [];
  const audit = { note: vi.fn() };
  const deps = {
    config: { authChallengeMs: 1_000, heartbeatMs: 0, organization: 'Test' },
    managedDevices: store,
    throttle,
    resumes: { admit: () => true },
    audit,
    devices: { remember: vi.fn(), rememberManaged: vi.fn(), connected: vi.fn(), disconnected: vi.fn() },
    jobs: { deviceOnline: vi.fn() },
    relay: { agentGone: vi.fn() },
    files: { agentGone: vi.fn() },
    links: new AgentLinks(),
    controllerUrl: () => ORIGIN,
    meter: { refused: (code: string) => void refused.push(code) },
    gate,
  } as unknown as AgentHubDeps;
  return { hub: new AgentHub(deps), throttle, refused, audit };
}

function hello(deviceId = device.id) {
  return { t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth: { kind: 'device', deviceId }, agent: { version: '0.0.0-test', platform: 'linux', arch: 'x64', hostname: 'pc-1' } };
}

/** Plays one agent: hello, then (when `answer`) the signed answer to the challenge. */
async function connect(hub: AgentHub, answer: boolean): Promise<FakeWebSocket> {
  const ws = new FakeWebSocket();
  const accepted = hub.accept(ws.asWebSocket, '203.0.113.7', quietLog);
  ws.receiveText(hello());
  if (answer) {
    await vi.waitFor(() => expect(ws.messages().some((m) => m.t === 'auth.challenge')).toBe(true));
    const nonce = String(ws.messages().find((m) => m.t === 'auth.challenge')!.nonce);
    ws.receiveText({ t: 'auth.response', signature: sign(null, Buffer.from(deviceAuthMessage(ORIGIN, device.id, nonce)), keys.privateKey).toString('base64url') });
  }
  await accepted;
  return ws;
}

const errorCodes = (ws: FakeWebSocket) => ws.messages().filter((m) => m.t === 'error').map((m) => m.code);

let unhandled: unknown[];
const onUnhandled = (err: unknown) => void unhandled.push(err);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Lets rejected promises nobody caught reach 'unhandledRejection'. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('agent admission while the store times out', () => {
  it('refuses the agent as busy (retryable, not counted), and accept() itself does not reject', async () => {
    const { hub, throttle, refused } = hubWith({ byId: () => Promise.reject(POOL_TIMEOUT()), reported: () => Promise.resolve(null) });
    const ws = await connect(hub, false);
    expect(errorCodes(ws)).toEqual(['SERVER_ERR_BUSY']);
    expect(ws.closedWith).toEqual({ code: CLOSE_CODES.serverBusy, reason: 'SERVER_ERR_BUSY' });
    expect(refused).toEqual(['SERVER_ERR_BUSY']);
    expect(throttle.counts('agent:device:203.0.113.7')).toBe(false);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('admits the device even when storing what it reported fails, with no unhandled rejection', async () => {
    const { hub } = hubWith({ byId: () => Promise.resolve(device), reported: () => Promise.reject(POOL_TIMEOUT()) });
    const ws = await connect(hub, true);
    expect(ws.messages().some((m) => m.t === 'welcome')).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('a device summary whose write times out is logged, not an unhandled rejection', async () => {
    const sessions = { saveDevice: () => Promise.reject(POOL_TIMEOUT()) } as unknown as SupportSessions;
    const registry = new DeviceRegistry(sessions, {} as DeviceIndex, quietLog);
    registry.summary('dev-unknown', { hostname: 'pc-1' } as Parameters<DeviceRegistry['summary']>[1]);
    await settle();
    expect(unhandled).toEqual([]);
  });
});

/** A device agent from one address that said hello and now has its challenge. */
async function challenged(hub: AgentHub) {
  const ws = new FakeWebSocket();
  const accepted = hub.accept(ws.asWebSocket, '203.0.113.7', quietLog);
  ws.receiveText(hello());
  await vi.waitFor(() => expect(ws.messages().some((m) => m.t === 'auth.challenge')).toBe(true));
  return { ws, accepted };
}

describe('what counts against the address', () => {
  it('a challenge left unanswered (the agent went away) is no failed authentication', async () => {
    const { hub, throttle } = hubWith({ byId: () => Promise.resolve(device), reported: () => Promise.resolve(null) });
    for (let i = 0; i < 12; i++) {
      const { ws, accepted } = await challenged(hub);
      ws.peerClosed(1006);
      await accepted;
    }
    expect(throttle.counts('agent:device:203.0.113.7')).toBe(false);
    // The next agent from that address is admitted, not throttled.
    expect((await connect(hub, true)).messages().some((m) => m.t === 'welcome')).toBe(true);
  });

  it('a wrong signature still counts, and ten of them throttle the address', async () => {
    const { hub, throttle } = hubWith({ byId: () => Promise.resolve(device), reported: () => Promise.resolve(null) });
    for (let i = 0; i < 10; i++) {
      const { ws, accepted } = await challenged(hub);
      ws.receiveText({ t: 'auth.response', signature: Buffer.alloc(64).toString('base64url') });
      await accepted;
      expect(errorCodes(ws)).toEqual(['AUTH_ERR_BAD_SIGNATURE']);
    }
    expect(throttle.retryAfterMs('agent:device:203.0.113.7')).toBeGreaterThan(0);
    expect(errorCodes(await connect(hub, false))).toEqual(['AUTH_ERR_THROTTLED']);
  });
});

describe('AdmissionGate', () => {
  it('runs at most `limit` at a time, queues up to `maxWaiting`, refuses the rest as busy', async () => {
    const gate = new AdmissionGate({ limit: 2, maxWaiting: 3 });
    let inside = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const work = () => gate.run(() => {
      inside += 1;
      most = Math.max(most, inside);
      return new Promise<void>((resolve) => releases.push(() => { inside -= 1; resolve(); }));
    });
    const admitted = Array.from({ length: 5 }, work);
    await expect(work()).rejects.toEqual(new RelaisError('SERVER_ERR_BUSY'));
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    while (releases.length > 0 || gate.load.running > 0) {
      releases.shift()?.();
      await settle();
    }
    await Promise.all(admitted);
    expect(most).toBe(2);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('a failing piece of work frees its turn', async () => {
    const gate = new AdmissionGate({ limit: 1, maxWaiting: 1 });
    await expect(gate.run(() => Promise.reject(POOL_TIMEOUT()))).rejects.toThrow('timeout exceeded');
    await expect(gate.run(() => Promise.resolve(7))).resolves.toBe(7);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('an agent that gave up while waiting for its turn costs the store nothing', async () => {
    const asked: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const store: Store = {
      byId: async (id) => {
        asked.push(id);
        await held;
        return null;
      },
      reported: () => Promise.resolve(null),
    };
    const { hub, throttle } = hubWith(store, new AdmissionGate({ limit: 1, maxWaiting: 10 }));
    const first = new FakeWebSocket();
    const firstDone = hub.accept(first.asWebSocket, '203.0.113.7', quietLog);
    first.receiveText(hello('dev-a'));
    await vi.waitFor(() => expect(asked).toEqual(['dev-a']));
    const second = new FakeWebSocket();
    const secondDone = hub.accept(second.asWebSocket, '203.0.113.7', quietLog);
    second.receiveText(hello('dev-b'));
    second.peerClosed(1006);
    release();
    await Promise.all([firstDone, secondDone]);
    expect(asked).toEqual(['dev-a']);
    expect(errorCodes(first)).toEqual(['AUTH_ERR_UNKNOWN_DEVICE']);
    expect(throttle.counts('agent:device:203.0.113.7')).toBe(true);
  });

  it('bounds the store calls of a storm of agents to the limit', async () => {
    let inside = 0;
    let most = 0;
    const store: Store = {
      byId: async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inside -= 1;
        return device;
      },
      reported: () => Promise.resolve(null),
    };
    const { hub } = hubWith(store, new AdmissionGate({ limit: 3, maxWaiting: 1_000 }));
    const sockets = await Promise.all(Array.from({ length: 40 }, () => connect(hub, true)));
    // Each was welcomed (one device id here, so each replaced the one before).
    expect(sockets.every((ws) => ws.messages().some((m) => m.t === 'welcome'))).toBe(true);
    expect(most).toBeLessThanOrEqual(3);
  });
});
