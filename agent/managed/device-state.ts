/**
 * A managed device's state folder: its Ed25519 private key (`device.key`, mode
 * 0600, never sent anywhere, never printed), who it is (`device.json`) and its
 * unattended policy (`policy.json`). The folder is 0700. The enrollment token is
 * never stored.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { deviceName, groupName, id } from '../../protocol/index.js';
import { agentWords } from '../cli/agent-language.js';
import { enrollCatalog } from './enroll-catalog.js';

const words = agentWords(enrollCatalog);

export interface StatePaths {
  readonly dir: string;
  readonly device: string;
  readonly key: string;
  readonly policy: string;
}

export function statePaths(dir: string): StatePaths {
  return { dir, device: join(dir, 'device.json'), key: join(dir, 'device.key'), policy: join(dir, 'policy.json') };
}

/**
 * Where the state lives unless --state-dir or RELAIS_STATE_DIR says otherwise:
 * a system folder for a service run by root (or an administrator on Windows),
 * the user's configuration folder otherwise.
 */
export function defaultStateDir(platform: NodeJS.Platform, isRoot: boolean, env: Readonly<Record<string, string | undefined>>, home = homedir()): string {
  if (platform === 'win32') return join(env.ProgramData || 'C:\\ProgramData', 'Relais', 'agent');
  if (isRoot) return platform === 'darwin' ? '/Library/Application Support/Relais/agent' : '/var/lib/relais-agent';
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Relais', 'agent');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'relais-agent');
}

/** Creates the folder (and its parents) readable only by its owner, and tightens it if it already existed. */
export function prepareStateDir(dir: string): void {
  mkdirSync(resolve(dir), { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
}

// ---- who the device is --------------------------------------------------

const deviceFile = z.object({
  version: z.literal(1),
  /** The controller origin given at enrollment: where to connect, and what challenges are signed for. */
  controllerUrl: z.string().max(512).regex(/^https?:\/\/[^\s/]+$/, { error: () => words('notOrigin') }),
  /**
   * The same cluster's other addresses (base addresses, a path prefix allowed), dialled in
   * turn after controllerUrl when it does not answer. Absent in files written before clusters.
   */
  otherControllerUrls: z.array(z.string().max(512).regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { error: () => words('notBaseAddress') })).max(8).optional(),
  deviceId: id,
  name: deviceName,
  group: groupName,
  /** Plain ws:// to a host that is not this machine was explicitly allowed at enrollment. */
  insecure: z.boolean(),
  enrolledAt: z.number().int().min(0),
});
export type DeviceFile = z.infer<typeof deviceFile>;

export type StateRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function readDeviceFile(path: string): StateRead<DeviceFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, message: words('notEnrolled', { path }) };
    return { ok: false, message: words('unreadable', { path, error: error instanceof Error ? error.message : String(error) }) };
  }
  const parsed = deviceFile.safeParse(raw);
  if (!parsed.success) return { ok: false, message: words('damaged', { path, problem: `${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}` }) };
  return { ok: true, value: parsed.data };
}

/** Every address `run` dials, in order: the enrolled origin first, then the cluster's other addresses. */
export function controllerUrlsOf(device: DeviceFile): readonly string[] {
  return [device.controllerUrl, ...(device.otherControllerUrls ?? []).filter((url) => url !== device.controllerUrl)];
}

export function writeDeviceFile(path: string, device: DeviceFile): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(deviceFile.parse(device), null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

// ---- the key ------------------------------------------------------------

/**
 * Makes a new Ed25519 key pair and writes the private key (PKCS#8 PEM) with mode
 * 0600, refusing to overwrite one. Returns the public key as raw 32 bytes in base64url.
 */
export function createDeviceKey(path: string): { publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // 'wx': never replace an existing key; the mode applies when the file is created.
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return { publicKey: rawPublicKey(publicKey) };
}

/** Loads the private key; refuses one that others could read (like ssh does). */
export function loadDeviceKey(path: string): StateRead<{ privateKey: KeyObject; publicKey: string }> {
  try {
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
      return { ok: false, message: words('keyReadableByOthers', { path }) };
    }
    const privateKey = createPrivateKey(readFileSync(path));
    if (privateKey.asymmetricKeyType !== 'ed25519') return { ok: false, message: words('notEd25519', { path }) };
    return { ok: true, value: { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, message: words('keyMissing', { path }) };
    return { ok: false, message: words('keyUnreadable', { path, error: error instanceof Error ? error.message : String(error) }) };
  }
}

/** Removes a key made for an enrollment that did not go through. */
export function discardDeviceKey(path: string): void {
  if (existsSync(path)) unlinkSync(path);
}

/**
 * The key's 32 raw bytes, base64url: the end of its SPKI form (a fixed 12-byte prefix for
 * Ed25519). Not through the JWK export: on Node 20 a collection during that export can deadlock
 * the main thread (seen in CI: an enroll that hung for good after writing its key).
 */
function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.length !== 44) throw new Error('the Ed25519 public key is not 32 bytes'); // i18n-ignore: cannot happen with a key Node made; a developer's assertion
  return der.subarray(12).toString('base64url');
}
