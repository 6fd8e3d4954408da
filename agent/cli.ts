/**
 * The command line: arguments (and the few environment variables the agent
 * honours) in, one frozen command out. Pure, so it is tested without a process.
 * Each subcommand is an entry in SUBCOMMANDS; `diagnose`, `enroll` and `run` slot
 * in beside `join`.
 */
import { resolveTarget, transportRefusal, type SupportTarget } from './controller-url.js';

export const DEFAULT_CONSENT_TIMEOUT_SECONDS = 60;
const MAX_CONSENT_TIMEOUT_SECONDS = 3600;

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
  | { readonly kind: 'usage-error'; readonly message: string; readonly usage: string }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'join'; readonly config: JoinConfig }
  | { readonly kind: 'diagnose'; readonly config: DiagnoseConfig };

export type Environment = Readonly<Record<string, string | undefined>>;

interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, { readonly value: boolean }>>;
  build(positionals: readonly string[], options: ReadonlyMap<string, string | true>, env: Environment): Command;
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
});

const GENERAL_USAGE = `Usage: relais-agent <command> [options]

Commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, sub]) => `  ${name.padEnd(10)} ${sub.summary}`)
  .join('\n')}

Options:
  -h, --help       show this help (or "relais-agent <command> --help")
  -V, --version    print the version

Example:
  relais-agent join https://help.example.com/s/482193557`;

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
  const parsed = splitArguments(rest, sub);
  if ('help' in parsed) return { kind: 'help', text: sub.usage };
  if ('version' in parsed) return { kind: 'version' };
  if ('error' in parsed) return usageError(parsed.error, sub.usage);
  return sub.build(parsed.positionals, parsed.options, env);
}

type Split =
  | { positionals: string[]; options: Map<string, string | true> }
  | { error: string }
  | { help: true }
  | { version: true };

function splitArguments(args: readonly string[], sub: Subcommand): Split {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') return { help: true };
    if (arg === '-V' || arg === '--version') return { version: true };
    if (!arg.startsWith('-') || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = arg.startsWith('--') && Object.prototype.hasOwnProperty.call(sub.options, name) ? sub.options[name] : undefined;
    if (!spec) return { error: `Unknown option ${quote(eq === -1 ? arg : arg.slice(0, eq))}.` };
    if (!spec.value) {
      if (eq !== -1) return { error: `--${name} takes no value.` };
      options.set(name, true);
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return { error: `--${name} needs a value.` };
    options.set(name, value);
  }
  return { positionals, options };
}

function buildJoin(positionals: readonly string[], options: ReadonlyMap<string, string | true>, env: Environment): Command {
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
  const timeout = stringOption(options, 'consent-timeout') ?? String(DEFAULT_CONSENT_TIMEOUT_SECONDS);
  const seconds = Number(timeout);
  if (!/^\d+$/.test(timeout) || seconds < 1 || seconds > MAX_CONSENT_TIMEOUT_SECONDS) {
    return usageError(`--consent-timeout must be a whole number of seconds from 1 to ${MAX_CONSENT_TIMEOUT_SECONDS}.`, JOIN_USAGE);
  }
  const insecure = options.get('insecure') === true;
  const refusal = transportRefusal(resolved.target.wsUrl, insecure);
  if (refusal !== null) return { kind: 'refused', message: refusal };
  const config: JoinConfig = Object.freeze({
    target: Object.freeze({ ...resolved.target }),
    insecure,
    consentTimeoutMs: seconds * 1000,
    forcePipes: env.RELAIS_AGENT_SHELL_MODE === 'pipes',
    resolveNames: resolveNames(stringOption(options, 'resolve') ?? env.RELAIS_RESOLVE),
  });
  return Object.freeze({ kind: 'join', config });
}

function buildDiagnose(positionals: readonly string[], options: ReadonlyMap<string, string | true>, env: Environment): Command {
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

function stringOption(options: ReadonlyMap<string, string | true>, name: string): string | undefined {
  const value = options.get(name);
  return typeof value === 'string' ? value : undefined;
}

function usageError(message: string, usage: string): Command {
  return { kind: 'usage-error', message, usage };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
