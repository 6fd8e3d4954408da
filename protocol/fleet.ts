/**
 * Fleet identity: what a managed device is (group, tags, its Ed25519 public key),
 * its unattended policy as the machine reports it, the enrollment request, and
 * the exact bytes a device signs to prove it holds its key. Shared by the agent
 * (which signs) and the controller (which verifies), so they cannot disagree.
 */
import { z } from 'zod';
import { id, text } from './fields.js';

/** What a local policy says for one kind of action. With no person at a terminal, `ask` means no. */
export const policyDecision = z.enum(['allow', 'ask', 'deny']);
export type PolicyDecision = z.infer<typeof policyDecision>;

/**
 * The unattended policy a managed device reports. The controller shows it; nothing on the wire writes it.
 * `files` (sending and fetching files) came later: a file or report without it means `ask`.
 */
export const unattendedPolicy = z.object({ script: policyDecision, shell: policyDecision, files: policyDecision.optional() });
export type UnattendedPolicy = z.infer<typeof unattendedPolicy>;

/** The policy file on the machine (`policy.json`), versioned so it can grow. */
export const policyFile = unattendedPolicy.extend({ version: z.literal(1) });
export type PolicyFile = z.infer<typeof policyFile>;

/** The safe default: every action asks, so with nobody at the machine nothing runs. */
export const DEFAULT_POLICY: UnattendedPolicy = Object.freeze({ script: 'ask', shell: 'ask', files: 'ask' });

/** A tag selects devices (e.g. `--tag lab`): short, no spaces, so it is easy to type in a command line. */
export const deviceTag = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, . _ : or -');
export const deviceTags = z.array(deviceTag).max(32);
export const groupName = text(64).min(1).refine((g) => g.trim() === g, 'must not start or end with a space');
export const deviceName = text(128).min(1);

/** An Ed25519 public key: the raw 32 bytes, base64url without padding (43 characters). */
export const devicePublicKey = z.string().regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be a raw 32-byte Ed25519 key in base64url');
/** The controller's challenge: 32 random bytes, base64url (43 characters). */
export const authNonce = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url');
/** An Ed25519 signature: 64 bytes, base64url without padding (86 characters). */
export const authSignature = z.string().regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, 'must be a 64-byte signature in base64url');

/** Domain separation: these bytes can only ever mean "this device, at this controller, for this challenge". */
export const DEVICE_AUTH_CONTEXT = 'relais-device-auth-v1';

/**
 * The text a device signs (UTF-8) in answer to a challenge. The controller's origin
 * is the one recorded at enrollment, so a signature made for one controller is
 * worthless at another; the nonce is fresh per connection, so it is worthless twice.
 */
export function deviceAuthMessage(controllerOrigin: string, deviceId: string, nonce: string): string {
  return `${DEVICE_AUTH_CONTEXT}\n${controllerOrigin}\n${deviceId}\n${nonce}`;
}

/** `POST /api/enroll`: the agent registers its public key with an enrollment token. */
export const enrollRequest = z.object({
  token: z.string().min(16).max(256).regex(/^[A-Za-z0-9_-]+$/, 'must be a token'),
  publicKey: devicePublicKey,
  name: deviceName,
  tags: deviceTags.default([]),
  hostname: text(255),
  platform: text(32),
  policy: unattendedPolicy,
});
export type EnrollRequest = z.input<typeof enrollRequest>;

/** The answer to a successful enrollment. `controller.url` is the origin the device signs and connects to. */
export const enrollResponse = z.object({
  deviceId: id,
  group: groupName,
  controller: z.object({ url: z.string().max(512).regex(/^https?:\/\/[^\s/?#]+$/, 'must be an http(s) origin'), organization: text(128) }),
});
export type EnrollResponse = z.infer<typeof enrollResponse>;
