/**
 * The fleet subcommands' command lines: `enroll`, `run` and `install-service`.
 * Pure: arguments and environment in, a frozen config (or a usage error) out.
 * The enrollment token is a secret: no message ever repeats it.
 */
import { deviceName, deviceTag, isLoopbackHost, policyDecision, type UnattendedPolicy } from '../../protocol/index.js';
import { cliWords, consentTimeoutMs, fileMaxBytes, listOption, stringOption, usageError, type Environment, type OptionSpec, type Options, type Refusal, type UsageError } from './cli-parsing.js';
import { controllerBase, parseControllerList } from '../link/controller-url.js';

export interface EnrollConfig {
  /** The controller's base address (http or https), as the administrator gave it: where to enroll first. */
  readonly controllerUrl: string;
  /** The same cluster's other addresses, in order: tried to enroll when controllerUrl does not answer, and kept for `run`. */
  readonly otherControllerUrls: readonly string[];
  readonly token: string;
  /** The device's name; null: the host name. */
  readonly name: string | null;
  readonly tags: readonly string[];
  readonly policy: UnattendedPolicy;
  /** null: RELAIS_STATE_DIR or the platform default. */
  readonly stateDir: string | null;
  readonly insecure: boolean;
}

export interface RunConfig {
  readonly stateDir: string | null;
  /** How long a question waits when the policy says ask and a person is at the terminal. */
  readonly consentTimeoutMs: number;
  readonly forcePipes: boolean;
  readonly resolveNames: readonly string[];
  /** The largest file sent or fetched here (RELAIS_FILE_MAX_BYTES); absent: FILE_LIMITS.defaultMaxBytes. */
  readonly fileMaxBytes?: number;
}

export interface InstallServiceConfig {
  readonly stateDir: string | null;
  /** Where to write the systemd unit; null: /etc/systemd/system/relais-agent.service (and enable it). */
  readonly unitPath: string | null;
}

export type FleetCommand =
  | { readonly kind: 'enroll'; readonly config: EnrollConfig }
  | { readonly kind: 'run'; readonly config: RunConfig }
  | { readonly kind: 'install-service'; readonly config: InstallServiceConfig };

type Built = FleetCommand | UsageError | Refusal;

export const enrollUsage = (): string => cliWords('usageEnroll');
export const runUsage = (): string => cliWords('usageRun');
export const installServiceUsage = (): string => cliWords('usageInstallService');

export const ENROLL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  controller: { value: true, repeatable: true }, token: { value: true }, name: { value: true }, tag: { value: true, repeatable: true }, 'policy-script': { value: true },
  'policy-shell': { value: true }, 'policy-files': { value: true }, 'state-dir': { value: true }, insecure: { value: false },
};
export const RUN_OPTIONS: Readonly<Record<string, OptionSpec>> = { 'state-dir': { value: true }, 'consent-timeout': { value: true }, resolve: { value: true } };
export const INSTALL_SERVICE_OPTIONS: Readonly<Record<string, OptionSpec>> = { 'state-dir': { value: true }, 'unit-path': { value: true } };

export function buildEnroll(positionals: readonly string[], options: Options, env: Environment): Built {
  if (positionals.length !== 1) return usageError(cliWords('giveControllerAddress'), enrollUsage());
  const parsed = parseControllerList([positionals[0]!, ...listOption(options, 'controller')]);
  if (!parsed.ok) return usageError(parsed.message, enrollUsage());
  const [url, ...others] = parsed.urls;
  if (url === undefined) return usageError(cliWords('giveControllerAddress'), enrollUsage());
  const token = stringOption(options, 'token') ?? env.RELAIS_ENROLLMENT_TOKEN;
  if (!token) return usageError(cliWords('giveToken'), enrollUsage());
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(token)) return usageError(cliWords('badTokenForm'), enrollUsage());
  const name = stringOption(options, 'name') ?? null;
  if (name !== null && !deviceName.safeParse(name).success) return usageError(cliWords('badName'), enrollUsage());
  const tags = [...new Set(listOption(options, 'tag'))];
  const badTag = tags.find((tag) => !deviceTag.safeParse(tag).success);
  if (badTag !== undefined) return usageError(cliWords('badTag', { tag: JSON.stringify(badTag.slice(0, 64)) }), enrollUsage());
  if (tags.length > 32) return usageError(cliWords('tooManyTags'), enrollUsage());
  const policy: Partial<Record<keyof UnattendedPolicy, UnattendedPolicy['shell']>> = {};
  for (const action of ['script', 'shell', 'files'] as const) {
    const given = stringOption(options, `policy-${action}`) ?? 'ask';
    const rule = policyDecision.safeParse(given);
    if (!rule.success) return usageError(cliWords('badPolicy', { action }), enrollUsage());
    policy[action] = rule.data;
  }
  const insecure = options.get('insecure') === true;
  const plain = parsed.urls.find((u) => u.protocol !== 'https:' && u.protocol !== 'wss:' && !isLoopbackHost(u.hostname));
  if (plain !== undefined && !insecure) {
    return {
      kind: 'refused',
      message: cliWords('refuseEnrollInsecure', { host: plain.host }),
    };
  }
  const config: EnrollConfig = Object.freeze({
    controllerUrl: controllerBase(url),
    otherControllerUrls: Object.freeze(others.map(controllerBase)),
    token,
    name,
    tags: Object.freeze(tags),
    policy: Object.freeze(policy as UnattendedPolicy),
    stateDir: stateDirOption(options, env),
    insecure,
  });
  return Object.freeze({ kind: 'enroll', config });
}

export function buildRun(positionals: readonly string[], options: Options, env: Environment): Built {
  if (positionals.length > 0) return usageError(cliWords('runNoArguments'), runUsage());
  const timeoutMs = consentTimeoutMs(stringOption(options, 'consent-timeout'));
  if (timeoutMs === null) return usageError(cliWords('badConsentTimeout', { max: '3600' }), runUsage());
  const resolve = stringOption(options, 'resolve') ?? env.RELAIS_RESOLVE ?? '';
  const resolveNames = Object.freeze(resolve.split(',').map((n) => n.trim()).filter((n) => /^[A-Za-z0-9.-]{1,253}$/.test(n)).slice(0, 6));
  const maxBytes = fileMaxBytes(env.RELAIS_FILE_MAX_BYTES);
  if (maxBytes === null) return usageError(cliWords('badFileMaxBytes'), runUsage());
  const config: RunConfig = Object.freeze({
    stateDir: stateDirOption(options, env), consentTimeoutMs: timeoutMs, forcePipes: env.RELAIS_AGENT_SHELL_MODE === 'pipes', resolveNames, fileMaxBytes: maxBytes,
  });
  return Object.freeze({ kind: 'run', config });
}

export function buildInstallService(positionals: readonly string[], options: Options, env: Environment): Built {
  if (positionals.length > 0) return usageError(cliWords('installNoArguments'), installServiceUsage());
  const unitPath = stringOption(options, 'unit-path') ?? null;
  if (unitPath !== null && !unitPath.endsWith('.service')) return usageError(cliWords('badUnitPath'), installServiceUsage());
  return Object.freeze({ kind: 'install-service', config: Object.freeze({ stateDir: stateDirOption(options, env), unitPath }) });
}

function stateDirOption(options: Options, env: Environment): string | null {
  return stringOption(options, 'state-dir') ?? (env.RELAIS_STATE_DIR || null);
}
