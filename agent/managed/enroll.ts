/**
 * `relais-agent enroll`: make this machine's key pair, register the public key
 * with the controller using the administrator's token, then write device.json and
 * policy.json. The private key is written (0600) before the request so it can
 * never be lost after the controller counted the token; it is removed again if
 * the enrollment is refused. The token is sent once and never stored or printed.
 */
import { existsSync } from 'node:fs';
import { describeError, enrollResponse, isErrorCode, plainText, type EnrollRequest } from '../../protocol/index.js';
import { agentSocketUrl, transportRefusal } from '../link/controller-url.js';
import { createDeviceKey, discardDeviceKey, prepareStateDir, readDeviceFile, statePaths, writeDeviceFile } from './device-state.js';
import type { EnrollConfig } from '../cli/fleet-cli.js';
import { writePolicyFile } from '../consent/local-policy.js';

export interface EnrollHost {
  readonly stateDir: string;
  readonly hostname: string;
  readonly platform: string;
  readonly say: (text: string) => void;
  readonly warn: (text: string) => void;
}

const REQUEST_TIMEOUT_MS = 20_000;

/** Enrolls; returns the process exit code. */
export async function enroll(config: EnrollConfig, host: EnrollHost): Promise<number> {
  const paths = statePaths(host.stateDir);
  const existing = readDeviceFile(paths.device);
  if (existing.ok) {
    host.warn(`This machine is already enrolled as device ${existing.value.deviceId} with ${existing.value.controllerUrl} (state in ${paths.dir}). To enroll it again, remove that folder first or choose another --state-dir.`);
    return 1;
  }
  if (existsSync(paths.key)) {
    host.warn(`${paths.key} already exists but the machine is not enrolled. Remove it (it is of no use without device.json), or choose another --state-dir.`);
    return 1;
  }
  try {
    prepareStateDir(paths.dir);
  } catch (error) {
    host.warn(`Cannot create the state folder ${paths.dir}: ${(error as Error).message}. Run as the service's account (root for a system service) or choose --state-dir.`);
    return 1;
  }
  const { publicKey } = createDeviceKey(paths.key);
  const name = config.name ?? plainText(host.hostname, 128);
  const request: EnrollRequest = {
    token: config.token,
    publicKey,
    name,
    tags: [...config.tags],
    hostname: plainText(host.hostname, 255),
    platform: plainText(host.platform, 32),
    policy: config.policy,
  };
  host.say(`Enrolling this machine with ${config.controllerUrl} …`);
  const answer = await post(`${config.controllerUrl}/api/enroll`, request);
  if (!answer.ok) {
    discardDeviceKey(paths.key);
    host.warn(`Enrollment refused: ${answer.message}`);
    return 1;
  }
  const controllerUrl = answer.value.controller.url;
  writeDeviceFile(paths.device, {
    version: 1,
    controllerUrl,
    deviceId: answer.value.deviceId,
    name,
    group: answer.value.group,
    insecure: config.insecure,
    enrolledAt: Date.now(),
  });
  writePolicyFile(paths.policy, config.policy);
  host.say(
    [
      `Enrolled as device ${answer.value.deviceId} ("${name}") in group "${answer.value.group}" of ${answer.value.controller.organization}.`,
      `  controller:  ${controllerUrl}`,
      `  tags:        ${config.tags.length > 0 ? config.tags.join(', ') : '(none)'}`,
      `  policy:      scripts ${config.policy.script}, shells ${config.policy.shell} — ${paths.policy}; edits apply at the next request (the console sees them after a restart)`,
      `  state:       ${paths.dir} (the private key is ${paths.key}, readable only by this account)`,
      'Next: "relais-agent install-service" (as root) to run it at boot, or "relais-agent run" to connect now.',
    ].join('\n'),
  );
  const refusal = transportRefusal(agentSocketUrl(new URL(controllerUrl)), config.insecure);
  if (refusal) host.warn(`Warning: the controller names itself ${controllerUrl}; "run" will refuse it: ${refusal}`);
  return 0;
}

type Answer = { ok: true; value: ReturnType<typeof enrollResponse.parse> } | { ok: false; message: string };

async function post(url: string, body: EnrollRequest): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    return { ok: false, message: `the controller could not be reached (${plainText(cause, 200)}). Check the address and the network.` };
  }
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    // Not JSON: described by the status below.
  }
  if (!response.ok) {
    const code = (json as { error?: { code?: unknown } } | null)?.error?.code;
    const detail = (json as { error?: { message?: unknown } } | null)?.error?.message;
    if (isErrorCode(code)) return { ok: false, message: code === 'HTTP_ERR_BAD_REQUEST' && typeof detail === 'string' ? plainText(detail, 300) : describeError(code) };
    return { ok: false, message: `the controller answered HTTP ${response.status}. Is ${new URL(url).origin} a Relais controller?` };
  }
  const parsed = enrollResponse.safeParse(json);
  if (!parsed.success) return { ok: false, message: 'the controller answered something that is not an enrollment. Is this a Relais controller?' };
  return { ok: true, value: parsed.data };
}
