/**
 * Challenge–response for managed devices. The controller sends 32 fresh random
 * bytes; the device signs deviceAuthMessage(origin, deviceId, nonce) with its
 * Ed25519 key; we verify against the key stored at enrollment. The nonce lives
 * only in this function's frame: it is valid for one answer, on one connection,
 * for `challengeMs`. The private key never leaves the device.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { RelaisError, deviceAuthMessage, type AgentToController, type ControllerToAgent } from '../../../protocol/index.js';
import type { PeerSocket } from '../hubs/peer-socket.js';
import type { ManagedDeviceRecord, ManagedDevices } from './managed-devices.js';

/** Imports a raw Ed25519 public key (32 bytes, base64url); null when it is not one. */
export function importDeviceKey(raw: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** 32 random bytes, base64url: the challenge. */
export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `signature` is the device's signature of the challenge message. */
export function verifyDeviceSignature(device: Pick<ManagedDeviceRecord, 'id' | 'publicKey' | 'controllerOrigin'>, nonce: string, signature: string): boolean {
  const key = importDeviceKey(device.publicKey);
  const bytes = Buffer.from(signature, 'base64url');
  if (!key || bytes.byteLength !== 64) return false;
  return verify(null, Buffer.from(deviceAuthMessage(device.controllerOrigin, device.id, nonce), 'utf8'), key, bytes);
}

export interface DeviceAuthDeps {
  readonly devices: Pick<ManagedDevices, 'byId'>;
  readonly challengeMs: number;
}

/**
 * Proves a device's identity on a fresh connection; resolves with its record or
 * throws the catalog error (unknown, revoked, bad or late answer).
 */
export async function authenticateDevice(
  peer: PeerSocket<AgentToController, ControllerToAgent>,
  deviceId: string,
  deps: DeviceAuthDeps,
): Promise<ManagedDeviceRecord> {
  const device = await deps.devices.byId(deviceId);
  if (!device) throw new RelaisError('AUTH_ERR_UNKNOWN_DEVICE');
  if (device.revokedAt !== null) throw new RelaisError('AUTH_ERR_DEVICE_REVOKED');
  const nonce = newNonce();
  // Listen before asking, so an answer cannot slip between the two.
  const answer = peer.awaitNext('auth.response', deps.challengeMs, { wrong: 'AUTH_ERR_BAD_SIGNATURE', late: 'AUTH_ERR_CHALLENGE_EXPIRED' });
  peer.send({ t: 'auth.challenge', nonce });
  const { signature } = await answer;
  if (!verifyDeviceSignature(device, nonce, signature)) throw new RelaisError('AUTH_ERR_BAD_SIGNATURE');
  // An administrator may have revoked it while it was answering.
  const fresh = await deps.devices.byId(deviceId);
  if (!fresh || fresh.revokedAt !== null) throw new RelaisError('AUTH_ERR_DEVICE_REVOKED');
  return fresh;
}
