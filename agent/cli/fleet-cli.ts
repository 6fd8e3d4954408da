/**
 * The fleet subcommands' command lines: `enroll`, `run` and `install-service`.
 * Pure: arguments and environment in, a frozen config (or a usage error) out.
 * The enrollment token is a secret: no message ever repeats it.
 */
import { deviceName, deviceTag, policyDecision, type UnattendedPolicy } from '../../protocol/index.js';
import { consentTimeoutMs, listOption, stringOption, usageError, type Environment, type OptionSpec, type Options, type Refusal, type UsageError } from './cli-parsing.js';
import { isLoopbackHost, parseControllerUrl } from '../link/controller-url.js';

export interface EnrollConfig {
  /** The controller's base address (http or https), as the administrator gave it. */
  readonly controllerUrl: string;
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

export const ENROLL_USAGE = `Usage: relais-agent enroll <controller-url> --token TOKEN [options]

Enrolls this machine in your helpdesk's fleet: creates its own key pair (the private
key never leaves this machine), registers the public key with the controller, and
writes the local policy that says what may run here without a person to ask.
Run it as the account the service will run as (root for a system service).

  <controller-url>           the controller, e.g. https://help.example.com
  --token TOKEN              the enrollment token from the fleet administrator
                             (or the RELAIS_ENROLLMENT_TOKEN environment variable,
                             which keeps it out of the process list); it is never stored
  --name NAME                the device's name in the console (default: the host name)
  --tag TAG                  a tag to select the device by, repeatable: --tag lab --tag floor-2
  --policy-script RULE       scripts sent by technicians: allow, ask or deny (default ask)
  --policy-shell RULE        remote shells: allow, ask or deny (default ask)
                             "ask" asks the person at this terminal when there is one,
                             and means no when the agent runs as a service
  --state-dir DIR            where the key, device.json and policy.json go
                             (default: RELAIS_STATE_DIR, /var/lib/relais-agent as root,
                             ~/.config/relais-agent otherwise)
  --insecure                 allow an unencrypted http:// controller that is not this computer
  -h, --help                 show this help`;

export const RUN_USAGE = `Usage: relais-agent run [options]

Connects this enrolled machine to its controller and stays connected, reconnecting
after any interruption (this is what the service runs). It proves who it is with
its key, sends its description and diagnostics, and applies the local policy to
every request: allow runs it without asking, deny refuses, ask asks the person at
this terminal if there is one and refuses otherwise.

  --state-dir DIR            the enrolled state folder (default as for enroll)
  --consent-timeout SECONDS  how long a question waits for an answer when the policy says ask (default 60)
  --resolve NAMES            extra host names the diagnostics check, comma-separated
  -h, --help                 show this help`;

export const INSTALL_SERVICE_USAGE = `Usage: relais-agent install-service [options]

Installs "relais-agent run" as a service that starts at boot. On Linux it writes a
systemd unit to /etc/systemd/system/relais-agent.service and enables it (run as root).
On macOS and Windows it prints what to do.

  --state-dir DIR            the enrolled state folder the service uses (default as for enroll)
  --unit-path PATH           write the unit there instead, and do not enable it
  -h, --help                 show this help`;

export const ENROLL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  token: { value: true }, name: { value: true }, tag: { value: true, repeatable: true }, 'policy-script': { value: true },
  'policy-shell': { value: true }, 'state-dir': { value: true }, insecure: { value: false },
};
export const RUN_OPTIONS: Readonly<Record<string, OptionSpec>> = { 'state-dir': { value: true }, 'consent-timeout': { value: true }, resolve: { value: true } };
export const INSTALL_SERVICE_OPTIONS: Readonly<Record<string, OptionSpec>> = { 'state-dir': { value: true }, 'unit-path': { value: true } };

export function buildEnroll(positionals: readonly string[], options: Options, env: Environment): Built {
  if (positionals.length !== 1) return usageError('Give the controller address, e.g. relais-agent enroll https://help.example.com --token TOKEN.', ENROLL_USAGE);
  const parsed = parseControllerUrl(positionals[0]!);
  if (!parsed.ok) return usageError(parsed.message, ENROLL_USAGE);
  const url = parsed.url;
  if (url.search || url.hash) return usageError('The controller address must not contain ? or #.', ENROLL_USAGE);
  const token = stringOption(options, 'token') ?? env.RELAIS_ENROLLMENT_TOKEN;
  if (!token) return usageError('Give the enrollment token with --token (or RELAIS_ENROLLMENT_TOKEN).', ENROLL_USAGE);
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(token)) return usageError('The enrollment token is not in the right form: copy it again from the console, whole.', ENROLL_USAGE);
  const name = stringOption(options, 'name') ?? null;
  if (name !== null && !deviceName.safeParse(name).success) return usageError('--name must be 1 to 128 characters with no control characters.', ENROLL_USAGE);
  const tags = [...new Set(listOption(options, 'tag'))];
  const badTag = tags.find((tag) => !deviceTag.safeParse(tag).success);
  if (badTag !== undefined) return usageError(`Tag ${JSON.stringify(badTag.slice(0, 64))} is not valid: use letters, digits, . _ : or - (up to 64, starting with a letter or digit).`, ENROLL_USAGE);
  if (tags.length > 32) return usageError('At most 32 tags.', ENROLL_USAGE);
  const policy: Partial<Record<keyof UnattendedPolicy, UnattendedPolicy['shell']>> = {};
  for (const action of ['script', 'shell'] as const) {
    const given = stringOption(options, `policy-${action}`) ?? 'ask';
    const rule = policyDecision.safeParse(given);
    if (!rule.success) return usageError(`--policy-${action} must be allow, ask or deny.`, ENROLL_USAGE);
    policy[action] = rule.data;
  }
  const insecure = options.get('insecure') === true;
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && !insecure && !isLoopbackHost(url.hostname)) {
    return {
      kind: 'refused',
      message:
        `Refusing to enroll with ${url.host} without encryption (http://): the device's registration and every later ` +
        'connection could be read or changed on the network. Use the https:// address, or, only on a network you trust, add --insecure.',
    };
  }
  const base = `${secure ? 'https' : 'http'}://${url.host}${url.pathname.replace(/\/+$/, '')}`;
  const config: EnrollConfig = Object.freeze({
    controllerUrl: base,
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
  if (positionals.length > 0) return usageError('run takes no arguments besides its options.', RUN_USAGE);
  const timeoutMs = consentTimeoutMs(stringOption(options, 'consent-timeout'));
  if (timeoutMs === null) return usageError('--consent-timeout must be a whole number of seconds from 1 to 3600.', RUN_USAGE);
  const resolve = stringOption(options, 'resolve') ?? env.RELAIS_RESOLVE ?? '';
  const resolveNames = Object.freeze(resolve.split(',').map((n) => n.trim()).filter((n) => /^[A-Za-z0-9.-]{1,253}$/.test(n)).slice(0, 6));
  const config: RunConfig = Object.freeze({ stateDir: stateDirOption(options, env), consentTimeoutMs: timeoutMs, forcePipes: env.RELAIS_AGENT_SHELL_MODE === 'pipes', resolveNames });
  return Object.freeze({ kind: 'run', config });
}

export function buildInstallService(positionals: readonly string[], options: Options, env: Environment): Built {
  if (positionals.length > 0) return usageError('install-service takes no arguments besides its options.', INSTALL_SERVICE_USAGE);
  const unitPath = stringOption(options, 'unit-path') ?? null;
  if (unitPath !== null && !unitPath.endsWith('.service')) return usageError('--unit-path must name a file ending in .service.', INSTALL_SERVICE_USAGE);
  return Object.freeze({ kind: 'install-service', config: Object.freeze({ stateDir: stateDirOption(options, env), unitPath }) });
}

function stateDirOption(options: Options, env: Environment): string | null {
  return stringOption(options, 'state-dir') ?? (env.RELAIS_STATE_DIR || null);
}
