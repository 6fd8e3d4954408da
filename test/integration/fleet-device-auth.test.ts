/**
 * Challenge–response on /ws/agent, tried from a protocol-level client that holds
 * its own device key: the right signature is welcomed; a wrong key, a flipped
 * byte, a replayed answer, a signature for another controller, an unknown or
 * revoked device and a late answer are refused, closed and audited; guesses are
 * throttled per address. Real controller processes on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERRORS, type ControllerToAgent } from '../../protocol/index.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollKey, helloWithDevice, signChallenge, testDeviceKey } from '../helpers/fleet.js';
import { connectProtocolAgent, helloWithCode, type ProtocolAgent } from '../helpers/protocol-agent.js';

type Challenge = Extract<ControllerToAgent, { t: 'auth.challenge' }>;

let c: RunningController;
let cookie: string;

beforeAll(async () => {
  // A short challenge lifetime, so the "late answer" case does not make the suite wait 10 s.
  c = await startController({ env: { RELAIS_AUTH_CHALLENGE_MS: '1000' } });
  cookie = await login(c);
});
afterAll(async () => c?.stop());

/** Enrolls a key made by the test; returns the device id and the key. */
async function enrolledDevice(controller = c, session = cookie) {
  const key = testDeviceKey();
  const { token } = await createEnrollmentToken(controller, session, { group: 'auth-tests' });
  const res = await enrollKey(controller, token, key.publicKey);
  expect(res.status).toBe(201);
  const body = (await res.json()) as { deviceId: string; controller: { url: string } };
  expect(body.controller.url).toBe(controller.url);
  return { ...key, deviceId: body.deviceId, origin: body.controller.url };
}

/** Connects, says hello as the device, and returns the challenge. */
async function challenged(deviceId: string, controller = c): Promise<{ agent: ProtocolAgent; nonce: string }> {
  const agent = await connectProtocolAgent(controller.url);
  agent.send(helloWithDevice(deviceId, { script: 'deny', shell: 'ask' }));
  const first = await agent.next();
  expect(first.t).toBe('auth.challenge');
  const { nonce } = first as Challenge;
  expect(Buffer.from(nonce, 'base64url')).toHaveLength(32);
  return { agent, nonce };
}

async function expectRefused(agent: ProtocolAgent, code: keyof typeof ERRORS): Promise<void> {
  expect(await agent.next()).toMatchObject({ t: 'error', code, message: ERRORS[code].message });
  expect((await agent.closed).code).toBe(ERRORS[code].close);
}

async function auditEntries(controller = c, session = cookie): Promise<Array<{ action: string; target: string | null; detail: Record<string, unknown> | null }>> {
  const res = await fetch(`${controller.url}/api/audit?limit=200`, { headers: { cookie: session } });
  return ((await res.json()) as { entries: Array<{ action: string; target: string | null; detail: Record<string, unknown> | null }> }).entries;
}

describe('a managed device proves its identity with its key', () => {
  it('the right signature is welcomed: no support session, no resume token, no technician', async () => {
    const device = await enrolledDevice();
    const { agent, nonce } = await challenged(device.deviceId);
    agent.send({ t: 'auth.response', signature: signChallenge(device.privateKey, device.origin, device.deviceId, nonce) });
    expect(await agent.next()).toMatchObject({ t: 'welcome', deviceId: device.deviceId, sessionId: null, resumeToken: null, technician: null });
    // The nonce was for that connection only: a second connection gets a fresh one.
    const again = await challenged(device.deviceId);
    expect(again.nonce).not.toBe(nonce);
    again.agent.ws.close();
    agent.ws.close();
    // Audit entries are written a moment after what they record (on PostgreSQL too): awaited, not read once.
    await expect.poll(async () => (await auditEntries()).find((e) => e.action === 'device.connected' && e.target === device.deviceId)?.detail, { timeout: 10_000 })
      .toMatchObject({ policy: { script: 'deny', shell: 'ask' } });
  });

  it('a signature made with another key is refused, closed and audited', async () => {
    const device = await enrolledDevice();
    const impostor = testDeviceKey();
    const { agent, nonce } = await challenged(device.deviceId);
    agent.send({ t: 'auth.response', signature: signChallenge(impostor.privateKey, device.origin, device.deviceId, nonce) });
    await expectRefused(agent, 'AUTH_ERR_BAD_SIGNATURE');
    // The refusal is audited as the socket closes: on a busy machine (or PostgreSQL) the entry may land just after.
    await expect.poll(async () => (await auditEntries()).find((e) => e.action === 'agent.refused' && e.target === device.deviceId)?.detail, { timeout: 10_000 })
      .toMatchObject({ reason: 'AUTH_ERR_BAD_SIGNATURE', auth: 'device' });
  });

  it('a signature with one byte flipped is refused', async () => {
    const device = await enrolledDevice();
    const { agent, nonce } = await challenged(device.deviceId);
    const bytes = Buffer.from(signChallenge(device.privateKey, device.origin, device.deviceId, nonce), 'base64url');
    bytes[10] = bytes[10]! ^ 0x01;
    agent.send({ t: 'auth.response', signature: bytes.toString('base64url') });
    await expectRefused(agent, 'AUTH_ERR_BAD_SIGNATURE');
  });

  it('an answer replayed on a second connection is refused (each nonce is valid once)', async () => {
    const device = await enrolledDevice();
    const first = await challenged(device.deviceId);
    const signature = signChallenge(device.privateKey, device.origin, device.deviceId, first.nonce);
    first.agent.send({ t: 'auth.response', signature });
    expect((await first.agent.next()).t).toBe('welcome');
    first.agent.ws.close();
    const second = await challenged(device.deviceId);
    second.agent.send({ t: 'auth.response', signature });
    await expectRefused(second.agent, 'AUTH_ERR_BAD_SIGNATURE');
  });

  it('a signature made for another controller is refused (the origin is part of what is signed)', async () => {
    const device = await enrolledDevice();
    const { agent, nonce } = await challenged(device.deviceId);
    agent.send({ t: 'auth.response', signature: signChallenge(device.privateKey, 'https://other-controller.example', device.deviceId, nonce) });
    await expectRefused(agent, 'AUTH_ERR_BAD_SIGNATURE');
  });

  it('an unknown device is refused before any challenge', async () => {
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithDevice('no-such-device-123'));
    await expectRefused(agent, 'AUTH_ERR_UNKNOWN_DEVICE');
  });

  it('an answer that comes too late is refused', async () => {
    const device = await enrolledDevice();
    const { agent, nonce } = await challenged(device.deviceId);
    await expectRefused(agent, 'AUTH_ERR_CHALLENGE_EXPIRED');
    // Whatever it sends after the close reaches nobody.
    expect(() => agent.send({ t: 'auth.response', signature: signChallenge(device.privateKey, device.origin, device.deviceId, nonce) })).not.toThrow();
  });

  it('a revoked device is refused even with the right key', async () => {
    const device = await enrolledDevice();
    const res = await fetch(`${c.url}/api/devices/${device.deviceId}/revoke`, { method: 'POST', headers: { cookie, origin: c.url } });
    expect(res.status).toBe(204);
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithDevice(device.deviceId));
    await expectRefused(agent, 'AUTH_ERR_DEVICE_REVOKED');
    expect((await agent.closed).code).toBe(CLOSE_CODES.forbidden);
  });
});

describe('guessing is throttled per address', () => {
  it('after 10 failures the address waits, even with the right key', async () => {
    const fresh = await startController();
    try {
      const session = await login(fresh);
      const device = await enrolledDevice(fresh, session);
      const codes: string[] = [];
      for (let i = 0; i < 11; i++) {
        const agent = await connectProtocolAgent(fresh.url);
        agent.send(helloWithDevice(`guess-${i}-abcdefgh`));
        codes.push(((await agent.next()) as { code: string }).code);
      }
      expect(codes.slice(0, 10).every((code) => code === 'AUTH_ERR_UNKNOWN_DEVICE')).toBe(true);
      expect(codes[10]).toBe('AUTH_ERR_THROTTLED');
      const agent = await connectProtocolAgent(fresh.url);
      agent.send(helloWithDevice(device.deviceId));
      await expectRefused(agent, 'AUTH_ERR_THROTTLED');
    } finally {
      await fresh.stop();
    }
  });

  it('one office behind one address: code guesses do not lock its devices out, a device getting in forgives no guess, a dead link retried is no guess', async () => {
    const fresh = await startController();
    try {
      const session = await login(fresh);
      const device = await enrolledDevice(fresh, session);
      const signIn = async () => {
        const { agent, nonce } = await challenged(device.deviceId, fresh);
        agent.send({ t: 'auth.response', signature: signChallenge(device.privateKey, device.origin, device.deviceId, nonce) });
        expect(await agent.next()).toMatchObject({ t: 'welcome', deviceId: device.deviceId });
        agent.ws.close();
        await agent.closed;
      };
      const tryCode = async (code: string) => {
        const agent = await connectProtocolAgent(fresh.url);
        agent.send(helloWithCode(code));
        const answer = (await agent.next()) as { t: string; code?: string };
        agent.ws.close();
        return answer.t === 'welcome' ? 'welcome' : String(answer.code);
      };
      // Someone starts the agent again and again from a link already used: each time told so, never throttled.
      const used = await createSupportLink(fresh, session);
      expect(await tryCode(used.code)).toBe('welcome');
      const retries: string[] = [];
      for (let i = 0; i < 12; i++) retries.push(await tryCode(used.code));
      expect(retries.every((code) => code === 'AUTH_ERR_CODE_USED'), retries.join()).toBe(true);
      // Nine wrong codes, the device gets in, one more wrong code: the tenth guess locks code joins.
      for (let i = 0; i < 9; i++) expect(await tryCode(String(200000000 + i))).toBe('AUTH_ERR_BAD_CODE');
      await signIn();
      expect(await tryCode('299999999')).toBe('AUTH_ERR_BAD_CODE');
      const live = await createSupportLink(fresh, session);
      expect(await tryCode(live.code)).toBe('AUTH_ERR_THROTTLED');
      // The enrolled device, from the same address, still gets in.
      await signIn();
    } finally {
      await fresh.stop();
    }
  });

  it('challenges left unanswered (late, or the agent went away) are no guesses: the address is never throttled for them', async () => {
    const fresh = await startController({ env: { RELAIS_AUTH_CHALLENGE_MS: '300' } });
    try {
      const session = await login(fresh);
      const device = await enrolledDevice(fresh, session);
      for (let i = 0; i < 6; i++) {
        const { agent } = await challenged(device.deviceId, fresh);
        await expectRefused(agent, 'AUTH_ERR_CHALLENGE_EXPIRED');
      }
      for (let i = 0; i < 6; i++) {
        const { agent } = await challenged(device.deviceId, fresh);
        agent.ws.terminate();
        await agent.closed;
      }
      const { agent, nonce } = await challenged(device.deviceId, fresh);
      agent.send({ t: 'auth.response', signature: signChallenge(device.privateKey, device.origin, device.deviceId, nonce) });
      expect(await agent.next()).toMatchObject({ t: 'welcome', deviceId: device.deviceId });
      agent.ws.close();
    } finally {
      await fresh.stop();
    }
  });

  it('behind a trusted proxy, the address counted is the agent own one (the last X-Forwarded-For entry), not the proxy one', async () => {
    const fresh = await startController({ args: ['--trust-proxy'] });
    try {
      const session = await login(fresh);
      const device = await enrolledDevice(fresh, session);
      const from = (address: string) => ({ 'x-forwarded-for': `198.51.100.1, ${address}` });
      for (let i = 0; i < 10; i++) {
        const guesser = await connectProtocolAgent(fresh.url, from('203.0.113.5'));
        guesser.send(helloWithDevice(`guess-${i}-abcdefgh`));
        await expectRefused(guesser, 'AUTH_ERR_UNKNOWN_DEVICE');
      }
      const locked = await connectProtocolAgent(fresh.url, from('203.0.113.5'));
      locked.send(helloWithDevice(device.deviceId));
      await expectRefused(locked, 'AUTH_ERR_THROTTLED');
      // Another agent through the same proxy (same socket address) is not the guesser.
      const other = await connectProtocolAgent(fresh.url, from('203.0.113.6'));
      other.send(helloWithDevice(device.deviceId));
      const { nonce } = (await other.next()) as Challenge;
      other.send({ t: 'auth.response', signature: signChallenge(device.privateKey, device.origin, device.deviceId, nonce) });
      expect(await other.next()).toMatchObject({ t: 'welcome', deviceId: device.deviceId });
      other.ws.close();
      const refused = (await auditEntries(fresh, session)).filter((e) => e.action === 'agent.refused');
      expect(refused.length).toBeGreaterThanOrEqual(10);
    } finally {
      await fresh.stop();
    }
  });
});
