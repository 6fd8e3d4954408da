/**
 * `relais-agent enroll`: make this machine's key pair, register the public key
 * with the controller using the administrator's token, then write device.json and
 * policy.json. The private key is written (0600) before the request so it can
 * never be lost after the controller counted the token; it is removed again if
 * the enrollment is refused. The token is sent once and never stored or printed.
 */
import { existsSync } from 'node:fs';
import { errorWords, enrollResponse, isErrorCode, plainText, type EnrollRequest } from '../../protocol/index.js';
import { agentSocketUrl, transportRefusal } from '../link/controller-url.js';
import { createDeviceKey, discardDeviceKey, prepareStateDir, readDeviceFile, statePaths, writeDeviceFile } from './device-state.js';
import type { EnrollConfig } from '../cli/fleet-cli.js';
import { writePolicyFile } from '../consent/local-policy.js';
import { agentLanguage, agentWords } from '../cli/agent-language.js';
import { enrollCatalog } from './enroll-catalog.js';

const words = agentWords(enrollCatalog);

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
    host.warn(words('alreadyEnrolled', { deviceId: existing.value.deviceId, url: existing.value.controllerUrl, dir: paths.dir }));
    return 1;
  }
  if (existsSync(paths.key)) {
    host.warn(words('strayKey', { path: paths.key }));
    return 1;
  }
  try {
    prepareStateDir(paths.dir);
  } catch (error) {
    host.warn(words('cannotCreateState', { dir: paths.dir, error: (error as Error).message }));
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
  // The token counts once: another address is tried only when this one did not answer at all.
  const urls = [config.controllerUrl, ...config.otherControllerUrls];
  let answer: Answer = { ok: false, message: '' };
  for (const [index, url] of urls.entries()) {
    host.say(words('enrolling', { url }));
    answer = await post(`${url}/api/enroll`, request);
    if (answer.ok || !answer.unreachable || index === urls.length - 1) break;
    host.warn(words('notAnswered', { url, reason: answer.message }));
  }
  if (!answer.ok) {
    discardDeviceKey(paths.key);
    host.warn(words('refused', { reason: answer.message }));
    return 1;
  }
  const controllerUrl = answer.value.controller.url;
  const otherControllerUrls = [config.controllerUrl, ...config.otherControllerUrls].filter((url) => url !== controllerUrl);
  writeDeviceFile(paths.device, {
    version: 1,
    controllerUrl,
    ...(otherControllerUrls.length > 0 ? { otherControllerUrls } : {}),
    deviceId: answer.value.deviceId,
    name,
    group: answer.value.group,
    insecure: config.insecure,
    enrolledAt: Date.now(),
  });
  writePolicyFile(paths.policy, config.policy);
  host.say(
    [
      words('enrolledAs', { deviceId: answer.value.deviceId, name, group: answer.value.group, organization: answer.value.controller.organization }),
      words('enrolledController', { url: [controllerUrl, ...otherControllerUrls].join(', ') }),
      words('enrolledTags', { tags: config.tags.length > 0 ? config.tags.join(', ') : words('noTags') }),
      words('enrolledPolicy', { script: config.policy.script, shell: config.policy.shell, files: config.policy.files ?? 'ask', path: paths.policy }),
      words('enrolledState', { dir: paths.dir, key: paths.key }),
      words('enrolledNext'),
    ].join('\n'),
  );
  const refusal = transportRefusal(agentSocketUrl(new URL(controllerUrl)), config.insecure);
  if (refusal) host.warn(words('controllerInsecure', { url: controllerUrl, refusal }));
  return 0;
}

/** `unreachable`: no answer at all (refused, timed out), so the token was not counted and another address may be tried. */
type Answer = { ok: true; value: ReturnType<typeof enrollResponse.parse> } | { ok: false; message: string; unreachable?: boolean };

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
    return { ok: false, unreachable: true, message: words('unreachable', { cause: plainText(cause, 200) }) };
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
    if (isErrorCode(code)) return { ok: false, message: code === 'HTTP_ERR_BAD_REQUEST' && typeof detail === 'string' ? plainText(detail, 300) : errorWords(code, agentLanguage()) };
    return { ok: false, message: words('answeredHttp', { status: String(response.status), origin: new URL(url).origin }) };
  }
  const parsed = enrollResponse.safeParse(json);
  if (!parsed.success) return { ok: false, message: words('notAnEnrollment') };
  return { ok: true, value: parsed.data };
}
