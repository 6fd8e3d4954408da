/**
 * The command line: arguments (and the few environment variables the agent
 * honours) in, one frozen command out. Pure, so it is tested without a process.
 * Each subcommand is an entry in SUBCOMMANDS: `join` and `diagnose` here, the
 * fleet's `enroll`, `run` and `install-service` from fleet-cli.ts.
 */
import {
  DEFAULT_CONSENT_TIMEOUT_SECONDS, MAX_CONSENT_TIMEOUT_SECONDS, consentTimeoutMs, quote, splitArguments, stringOption, usageError,
  type Environment, type OptionSpec, type Options, type Refusal, type UsageError,
} from './cli-parsing.js';
import { resolveTarget, transportRefusal, type SupportTarget } from '../link/controller-url.js';
import {
  ENROLL_OPTIONS, ENROLL_USAGE, INSTALL_SERVICE_OPTIONS, INSTALL_SERVICE_USAGE, RUN_OPTIONS, RUN_USAGE, buildEnroll, buildInstallService, buildRun,
  type FleetCommand,
} from './fleet-cli.js';

export { DEFAULT_CONSENT_TIMEOUT_SECONDS };
export type { EnrollConfig, InstallServiceConfig, RunConfig } from './fleet-cli.js';

/** Everything `join` needs, validated and frozen. */
export interface JoinConfig {
  readonly target: SupportTarget;
  readonly insecure: boolean;
  readonly consentTimeoutMs: number;
  /** Testing and troubleshooting aid: run shells with pipes even when node-pty loads. */
  readonly forcePipes: boolean;
  /** Extra names the diagnostics resolve besides the controller's host. */
  readonly resolveNames: readonly string[];
}

/** What `diagnose` needs: no controller required. */
export interface DiagnoseConfig {
  readonly json: boolean;
  readonly controllerUrl: string | null;
  readonly resolveNames: readonly string[];
}

export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | UsageError
  | Refusal
  | { readonly kind: 'join'; readonly config: JoinConfig }
  | { readonly kind: 'diagnose'; readonly config: DiagnoseConfig }
  | FleetCommand;

export type { Environment };

interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  build(positionals: readonly string[], options: Options, env: Environment): Command;
}

const JOIN_USAGE = `Usage: relais-agent join <support-link | code> [options]

Connects this computer to your helpdesk for a support session.
Nothing runs on this computer without your yes.

  <support-link>             the link your technician gave you, e.g. https://help.example.com/s/482193557
  <code>                     or the 9-digit code alone (e.g. 482 193 557) together with --controller

Options:
  --controller URL           the controller's address, when you give the code alone
                             (default: the RELAIS_CONTROLLER environment variable)
  --insecure                 allow an unencrypted http:// controller that is not this computer
  --consent-timeout SECONDS  how long a question waits for your answer before it counts as no
                             (default ${DEFAULT_CONSENT_TIMEOUT_SECONDS})
  --resolve NAMES            extra host names the diagnostics check, comma-separated
                             (default: the RELAIS_RESOLVE environment variable)
  -h, --help                 show this help
  -V, --version              print the version`;

const DIAGNOSE_USAGE = `Usage: relais-agent diagnose [options]

Checks this computer and prints a report: what looks wrong first, then the facts
(system, processor, memory, disks, network, battery, heaviest processes).
It needs no controller and sends nothing anywhere. This is what a technician sees
when you join a support session.

Options:
  --json                     print the snapshot and findings as JSON
  --controller URL           also check that this controller is reachable, and the clock against it
  --resolve NAMES            host names to check name resolution for, comma-separated
  -h, --help                 show this help`;

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = Object.freeze({
  join: {
    summary: 'join a support session from a support link or code',
    usage: JOIN_USAGE,
    options: { controller: { value: true }, insecure: { value: false }, 'consent-timeout': { value: true }, resolve: { value: true } },
    build: buildJoin,
  },
  diagnose: {
    summary: 'check this computer and print a report (no controller needed)',
    usage: DIAGNOSE_USAGE,
    options: { json: { value: false }, controller: { value: true }, resolve: { value: true } },
    build: buildDiagnose,
  },
  enroll: {
    summary: 'enroll this machine in the fleet (once, with a token from the administrator)',
    usage: ENROLL_USAGE,
    options: ENROLL_OPTIONS,
    build: buildEnroll,
  },
  run: {
    summary: 'connect this enrolled machine and stay connected (what the service runs)',
    usage: RUN_USAGE,
    options: RUN_OPTIONS,
    build: buildRun,
  },
  'install-service': {
    summary: 'start "run" at boot (a systemd unit on Linux; instructions elsewhere)',
    usage: INSTALL_SERVICE_USAGE,
    options: INSTALL_SERVICE_OPTIONS,
    build: buildInstallService,
  },
});

const GENERAL_USAGE = `Usage: relais-agent <command> [options]

Commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, sub]) => `  ${name.padEnd(16)} ${sub.summary}`)
  .join('\n')}

Options:
  -h, --help       show this help (or "relais-agent <command> --help")
  -V, --version    print the version

Examples:
  relais-agent join https://help.example.com/s/482193557
  relais-agent enroll https://help.example.com --token TOKEN --tag lab`;

/** Parses the arguments after the script name into one command. */
export function parseCommandLine(args: readonly string[], env: Environment): Command {
  const [first, ...rest] = args;
  if (first === undefined) return usageError('No command given.', GENERAL_USAGE);
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help', text: GENERAL_USAGE };
  if (first === '-V' || first === '--version') return { kind: 'version' };
  const sub = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, first) ? SUBCOMMANDS[first] : undefined;
  if (!sub) {
    // Never echo what may be a support code or link: it is a secret.
    if (/^[\d -]+$/.test(first) || /:\/\//.test(first)) return usageError('Start with the command: relais-agent join <support-link | code>.', GENERAL_USAGE);
    return usageError(first.startsWith('-') ? `Unknown option ${quote(first)}.` : `Unknown command ${quote(first)}.`, GENERAL_USAGE);
  }
  const parsed = splitArguments(rest, sub.options);
  if ('help' in parsed) return { kind: 'help', text: sub.usage };
  if ('version' in parsed) return { kind: 'version' };
  if ('error' in parsed) return usageError(parsed.error, sub.usage);
  return sub.build(parsed.positionals, parsed.options, env);
}

function buildJoin(positionals: readonly string[], options: Options, env: Environment): Command {
  if (positionals.length === 0) return usageError('Give the support link (or the 9-digit code) your technician sent you.', JOIN_USAGE);
  // "482 193 557" typed without quotes arrives as three arguments.
  const linkOrCode = positionals.every((p) => /^[\d -]+$/.test(p)) ? positionals.join(' ') : positionals.length === 1 ? positionals[0] : null;
  if (linkOrCode === null || linkOrCode === undefined) return usageError('Give only one support link or code.', JOIN_USAGE);
  const explicitController = stringOption(options, 'controller');
  const isCode = !/^[a-z][a-z0-9+.-]*:\/\//i.test(linkOrCode.trim());
  if (!isCode && explicitController !== undefined) {
    return usageError('The support link already names the controller; use --controller only with a code given alone.', JOIN_USAGE);
  }
  const resolved = resolveTarget(linkOrCode, explicitController ?? env.RELAIS_CONTROLLER);
  if (!resolved.ok) return usageError(resolved.message, JOIN_USAGE);
  const timeoutMs = consentTimeoutMs(stringOption(options, 'consent-timeout'));
  if (timeoutMs === null) return usageError(`--consent-timeout must be a whole number of seconds from 1 to ${MAX_CONSENT_TIMEOUT_SECONDS}.`, JOIN_USAGE);
  const insecure = options.get('insecure') === true;
  const refusal = transportRefusal(resolved.target.wsUrl, insecure);
  if (refusal !== null) return { kind: 'refused', message: refusal };
  const config: JoinConfig = Object.freeze({
    target: Object.freeze({ ...resolved.target }),
    insecure,
    consentTimeoutMs: timeoutMs,
    forcePipes: env.RELAIS_AGENT_SHELL_MODE === 'pipes',
    resolveNames: resolveNames(stringOption(options, 'resolve') ?? env.RELAIS_RESOLVE),
  });
  return Object.freeze({ kind: 'join', config });
}

function buildDiagnose(positionals: readonly string[], options: Options, env: Environment): Command {
  if (positionals.length > 0) return usageError('diagnose takes no arguments besides its options.', DIAGNOSE_USAGE);
  const controller = stringOption(options, 'controller');
  let controllerUrl: string | null = null;
  if (controller !== undefined) {
    try {
      const url = new URL(controller);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      controllerUrl = url.origin;
    } catch {
      return usageError('--controller must be an http:// or https:// address.', DIAGNOSE_USAGE);
    }
  }
  const names = resolveNames(stringOption(options, 'resolve') ?? env.RELAIS_RESOLVE);
  return Object.freeze({ kind: 'diagnose', config: Object.freeze({ json: options.get('json') === true, controllerUrl, resolveNames: names }) });
}

/** "a.example, b.example" → up to 6 valid host names. */
function resolveNames(value: string | undefined): readonly string[] {
  if (!value) return [];
  return Object.freeze(value.split(',').map((n) => n.trim()).filter((n) => /^[A-Za-z0-9.-]{1,253}$/.test(n)).slice(0, 6));
}
