/**
 * The command line: arguments (and the few environment variables the agent
 * honours) in, one frozen command out. Pure, so it is tested without a process.
 * Each subcommand is an entry in SUBCOMMANDS: `join` and `diagnose` here, the
 * fleet's `enroll`, `run` and `install-service` from fleet-cli.ts.
 */
import {
  DEFAULT_CONSENT_TIMEOUT_SECONDS, MAX_CONSENT_TIMEOUT_SECONDS, cliWords, consentTimeoutMs, fileMaxBytes, listOption, quote, splitArguments, stringOption, usageError,
  type Environment, type OptionSpec, type Options, type Refusal, type UsageError,
} from './cli-parsing.js';
import { resolveTarget, transportRefusal, type SupportTarget } from '../link/controller-url.js';
import {
  ENROLL_OPTIONS, INSTALL_SERVICE_OPTIONS, RUN_OPTIONS, enrollUsage, installServiceUsage, runUsage, buildEnroll, buildInstallService, buildRun,
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
  /** --no-prompt: ask nothing before joining (the one-line description of the problem is skipped). */
  readonly noPrompt?: boolean;
  /** The largest file sent or fetched here (RELAIS_FILE_MAX_BYTES); absent: FILE_LIMITS.defaultMaxBytes. */
  readonly fileMaxBytes?: number;
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
  summary(): string;
  usage(): string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  build(positionals: readonly string[], options: Options, env: Environment): Command;
}

const joinUsage = (): string => cliWords('usageJoin', { defaultSeconds: String(DEFAULT_CONSENT_TIMEOUT_SECONDS) });
const diagnoseUsage = (): string => cliWords('usageDiagnose');

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = Object.freeze({
  join: {
    summary: () => cliWords('summaryJoin'),
    usage: joinUsage,
    options: { controller: { value: true, repeatable: true }, insecure: { value: false }, 'consent-timeout': { value: true }, resolve: { value: true }, 'no-prompt': { value: false } },
    build: buildJoin,
  },
  diagnose: {
    summary: () => cliWords('summaryDiagnose'),
    usage: diagnoseUsage,
    options: { json: { value: false }, controller: { value: true }, resolve: { value: true } },
    build: buildDiagnose,
  },
  enroll: {
    summary: () => cliWords('summaryEnroll'),
    usage: enrollUsage,
    options: ENROLL_OPTIONS,
    build: buildEnroll,
  },
  run: {
    summary: () => cliWords('summaryRun'),
    usage: runUsage,
    options: RUN_OPTIONS,
    build: buildRun,
  },
  'install-service': {
    summary: () => cliWords('summaryInstallService'),
    usage: installServiceUsage,
    options: INSTALL_SERVICE_OPTIONS,
    build: buildInstallService,
  },
});

function generalUsage(): string {
  const commands = Object.entries(SUBCOMMANDS)
    .map(([name, sub]) => `  ${name.padEnd(16)} ${sub.summary()}`)
    .join('\n');
  return cliWords('usageGeneral', { commands });
}

/** `--lang fr` (or `--lang=fr`) may stand before the command too; the language was chosen from it already. */
function withoutLeadingLang(args: readonly string[]): readonly string[] {
  let rest = args;
  for (;;) {
    if (rest[0] === '--lang') rest = rest.slice(2);
    else if (rest[0]?.startsWith('--lang=')) rest = rest.slice(1);
    else return rest;
  }
}

/** Parses the arguments after the script name into one command. */
export function parseCommandLine(args: readonly string[], env: Environment): Command {
  const [first, ...rest] = withoutLeadingLang(args);
  if (first === undefined) return usageError(cliWords('noCommand'), generalUsage());
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help', text: generalUsage() };
  if (first === '-V' || first === '--version') return { kind: 'version' };
  const sub = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, first) ? SUBCOMMANDS[first] : undefined;
  if (!sub) {
    // Never echo what may be a support code or link: it is a secret.
    if (/^[\d -]+$/.test(first) || /:\/\//.test(first)) return usageError(cliWords('startWithJoin'), generalUsage());
    return usageError(first.startsWith('-') ? cliWords('unknownOption', { option: quote(first) }) : cliWords('unknownCommand', { command: quote(first) }), generalUsage());
  }
  const parsed = splitArguments(rest, sub.options);
  if ('help' in parsed) return { kind: 'help', text: sub.usage() };
  if ('version' in parsed) return { kind: 'version' };
  if ('error' in parsed) return usageError(parsed.error, sub.usage());
  return sub.build(parsed.positionals, parsed.options, env);
}

function buildJoin(positionals: readonly string[], options: Options, env: Environment): Command {
  if (positionals.length === 0) return usageError(cliWords('giveLink'), joinUsage());
  // "482 193 557" typed without quotes arrives as three arguments.
  const linkOrCode = positionals.every((p) => /^[\d -]+$/.test(p)) ? positionals.join(' ') : positionals.length === 1 ? positionals[0] : null;
  if (linkOrCode === null || linkOrCode === undefined) return usageError(cliWords('onlyOneLink'), joinUsage());
  // The link's own controller comes first; --controller (or RELAIS_CONTROLLER) adds the cluster's other addresses.
  const given = listOption(options, 'controller');
  const controllers = given.length > 0 ? given : env.RELAIS_CONTROLLER ? [env.RELAIS_CONTROLLER] : [];
  const resolved = resolveTarget(linkOrCode, controllers);
  if (!resolved.ok) return usageError(resolved.message, joinUsage());
  const timeoutMs = consentTimeoutMs(stringOption(options, 'consent-timeout'));
  if (timeoutMs === null) return usageError(cliWords('badConsentTimeout', { max: String(MAX_CONSENT_TIMEOUT_SECONDS) }), joinUsage());
  const maxBytes = fileMaxBytes(env.RELAIS_FILE_MAX_BYTES);
  if (maxBytes === null) return usageError(cliWords('badFileMaxBytes'), joinUsage());
  const insecure = options.get('insecure') === true;
  const refused = [resolved.target.wsUrl, ...resolved.target.otherWsUrls].map((url) => transportRefusal(url, insecure)).find((r) => r !== null);
  if (refused) return { kind: 'refused', message: refused };
  const config: JoinConfig = Object.freeze({
    target: Object.freeze({ ...resolved.target }),
    insecure,
    consentTimeoutMs: timeoutMs,
    forcePipes: env.RELAIS_AGENT_SHELL_MODE === 'pipes',
    resolveNames: resolveNames(stringOption(options, 'resolve') ?? env.RELAIS_RESOLVE),
    noPrompt: options.get('no-prompt') === true,
    fileMaxBytes: maxBytes,
  });
  return Object.freeze({ kind: 'join', config });
}

function buildDiagnose(positionals: readonly string[], options: Options, env: Environment): Command {
  if (positionals.length > 0) return usageError(cliWords('diagnoseNoArguments'), diagnoseUsage());
  const controller = stringOption(options, 'controller');
  let controllerUrl: string | null = null;
  if (controller !== undefined) {
    try {
      const url = new URL(controller);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      controllerUrl = url.origin;
    } catch {
      return usageError(cliWords('badDiagnoseController'), diagnoseUsage());
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
