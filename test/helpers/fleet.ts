/**
 * Fleet test helpers: enrollment tokens through the REST API, enrolling a real
 * agent process into a temporary state folder, and the pieces a protocol-level
 * test needs to play a managed device itself (its own key, signing challenges).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION, deviceAuthMessage, type AgentToController, type UnattendedPolicy } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from './agent-process.js';
import type { ControllerAddress, RunningController } from './controller-process.js';

export interface EnrollmentToken {
  id: string;
  token: string;
  group: string;
  expiresAt: number;
  maxUses: number;
}

/** Creates an enrollment token as the logged-in admin (cookie from login()). */
export async function createEnrollmentToken(
  c: ControllerAddress,
  cookie: string,
  body: { group?: string; expiresInHours?: number; maxUses?: number } = {},
): Promise<EnrollmentToken> {
  const res = await fetch(`${c.url}/api/enrollment-tokens`, {
    method: 'POST',
    headers: { cookie, origin: c.url, 'content-type': 'application/json' },
    body: JSON.stringify({ group: 'lab', expiresInHours: 1, maxUses: 1, ...body }),
  });
  if (res.status !== 201) throw new Error(`creating an enrollment token failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as EnrollmentToken;
}

/** A fresh, empty state folder for one agent. */
export function tempStateDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'relais-state-')), 'state');
}

export interface DeviceFileContent {
  version: 1;
  controllerUrl: string;
  deviceId: string;
  name: string;
  group: string;
  insecure: boolean;
}

/** Runs `relais-agent enroll` to completion; `device` is what it wrote, when it did. */
export async function enrollAgent(
  c: ControllerAddress,
  token: string,
  args: string[] = [],
  stateDir = tempStateDir(),
): Promise<{ agent: RunningAgent; exitCode: number | null; stateDir: string; device: DeviceFileContent | null }> {
  const agent = spawnAgent(['enroll', c.url, '--token', token, '--state-dir', stateDir, ...args]);
  const exitCode = await agent.exited;
  const file = join(stateDir, 'device.json');
  const device = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DeviceFileContent) : null;
  return { agent, exitCode, stateDir, device };
}

/** Starts `relais-agent run` on an enrolled state folder. */
export function runAgent(stateDir: string, args: string[] = []): RunningAgent {
  return spawnAgent(['run', '--state-dir', stateDir, ...args]);
}

/** A device key made by the test itself, so it can sign (or mis-sign) challenges. */
export function testDeviceKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'jwk' }).x as string };
}

/** Enrolls a test-made key straight through the REST API (no agent process). */
export async function enrollKey(
  c: RunningController,
  token: string,
  publicKey: string,
  extra: { name?: string; tags?: string[]; policy?: UnattendedPolicy } = {},
): Promise<Response> {
  return fetch(`${c.url}/api/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, publicKey, name: 'test-device', tags: [], hostname: 'test-host', platform: 'linux', policy: { script: 'ask', shell: 'ask' }, ...extra }),
  });
}

/** The signature a managed device sends in auth.response. */
export function signChallenge(privateKey: KeyObject, controllerOrigin: string, deviceId: string, nonce: string): string {
  return sign(null, Buffer.from(deviceAuthMessage(controllerOrigin, deviceId, nonce), 'utf8'), privateKey).toString('base64url');
}

export function helloWithDevice(deviceId: string, policy?: UnattendedPolicy): AgentToController {
  return {
    t: 'hello',
    v: PROTOCOL_VERSION,
    role: 'agent',
    auth: { kind: 'device', deviceId },
    agent: { version: '0.0.0-test', platform: 'linux', arch: 'x64', hostname: 'test-host' },
    ...(policy ? { policy } : {}),
  };
}
