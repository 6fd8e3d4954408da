/**
 * The command line: `relais fleet run|jobs|job|cancel` and its options. Parsing
 * only; anything wrong is a usage error (exit 2) that names the option. The
 * environment is read here once (RELAIS_CONTROLLER, RELAIS_TOKEN), nowhere else.
 */
import { parseArgs as splitArgs } from 'node:util';
import { deviceTag, groupName, readCommandLine, token as tokenField, type OptionSpecs } from '../../protocol/index.js';
import { CliError } from './cli-errors.js';

export const USAGE = `Usage: relais fleet <command> [options]

Commands:
  run --script NAME (--tag T | --group G | --device ID...) [--param NAME=VALUE]...
      [--concurrency N] [--timeout SECONDS]
                        run a script on many devices, show progress, then one line per device
  jobs                  list jobs, newest first
  job ID                show a job and one line per device
  cancel ID             cancel a job: pending devices are skipped, running ones stopped

Options for every command:
  --controller URL      the controller (or RELAIS_CONTROLLER)
  --token TOKEN         an API token created in the web UI (or RELAIS_TOKEN; safer: not in your shell history)
  --json                print JSON instead of tables
  --request-timeout S   give up on an unanswered request after S seconds (default 10)

Exit status: 0 every device succeeded, 1 a device failed, was refused or timed out,
2 the command line is wrong, 3 the controller could not be reached, refused the token or answered nonsense.`;

interface Common {
  readonly controller: string;
  readonly token: string;
  readonly json: boolean;
  readonly requestTimeoutMs: number;
}

export type Command =
  | { readonly kind: 'help' }
  | (Common & {
      readonly kind: 'run';
      readonly scriptName: string;
      readonly target: { deviceIds?: string[]; tag?: string; group?: string };
      readonly params: Record<string, string>;
      readonly concurrency: number | undefined;
      readonly timeoutSeconds: number | undefined;
    })
  | (Common & { readonly kind: 'jobs' })
  | (Common & { readonly kind: 'job' | 'cancel'; readonly jobId: string });

const VALUE_OPTIONS = ['controller', 'token', 'script', 'tag', 'group', 'device', 'param', 'concurrency', 'timeout', 'request-timeout'];
const OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: 'string', multiple: true } as const])),
};
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const usage = (detail: string) => CliError.of('CLI_ERR_USAGE', `${detail}\n\n${USAGE}`);

/** Parses argv (without node and the script) and the environment into a command. */
export function parseArgs(argv: readonly string[], env: Record<string, string | undefined>): Command {
  const { tokens } = splitArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  // Only --options are options: a job id may start with "-".
  const read = readCommandLine(argv, tokens, OPTIONS, { dashPositional: (arg) => arg !== '-h', stopAt: ['help'] });
  if (!read.ok) throw usage(read.problem === 'unknown-option' ? `Unknown option ${read.option}.` : `Option ${read.option} ${read.problem === 'needs-value' ? 'needs a value' : 'takes no value'}.`);
  if (read.values.has('help')) return { kind: 'help' };
  const positional = read.positionals;
  const json = read.values.has('json');
  // Keyed by the flag as typed, as every message names it.
  const values = new Map<string, string[]>();
  for (const [name, given] of read.values) if (given !== true) values.set(`--${name}`, [...given]);
  if (positional[0] !== 'fleet') throw usage(positional[0] ? `Unknown command "${positional[0]}".` : 'No command given.');
  const sub = positional[1];
  const one = (flag: string) => {
    const all = values.get(flag);
    if (all && all.length > 1) throw usage(`Option ${flag} may be given once.`);
    return all?.[0];
  };
  const common = (): Common => ({
    controller: controllerOrigin(one('--controller') ?? env.RELAIS_CONTROLLER),
    token: apiToken(one('--token') ?? env.RELAIS_TOKEN),
    json,
    requestTimeoutMs: (wholeNumber('--request-timeout', one('--request-timeout'), 1, 600) ?? 10) * 1000,
  });
  const allowOnly = (allowed: string[]) => {
    for (const flag of values.keys()) if (!['--controller', '--token', '--request-timeout', ...allowed].includes(flag)) throw usage(`Option ${flag} does not apply to "fleet ${sub}".`);
  };
  switch (sub) {
    case 'run': {
      if (positional.length > 2) throw usage(`Unexpected argument "${positional[2]}".`);
      allowOnly(['--script', '--tag', '--group', '--device', '--param', '--concurrency', '--timeout']);
      const scriptName = one('--script');
      if (!scriptName) throw usage('Which script? Pass --script NAME (the names are listed in the web UI, e.g. flush-dns).');
      return {
        kind: 'run',
        ...common(),
        scriptName,
        target: target(one('--tag'), one('--group'), values.get('--device')),
        params: params(values.get('--param') ?? []),
        concurrency: wholeNumber('--concurrency', one('--concurrency'), 1, 100),
        timeoutSeconds: wholeNumber('--timeout', one('--timeout'), 1, 24 * 3600),
      };
    }
    case 'jobs':
      if (positional.length > 2) throw usage(`Unexpected argument "${positional[2]}".`);
      allowOnly([]);
      return { kind: 'jobs', ...common() };
    case 'job':
    case 'cancel': {
      allowOnly([]);
      const jobId = positional[2];
      if (!jobId || positional.length > 3) throw usage(`"fleet ${sub}" needs exactly one job id.`);
      if (!ID.test(jobId)) throw usage(`"${jobId.slice(0, 70)}" is not a job id.`);
      return { kind: sub, ...common(), jobId };
    }
    default:
      throw usage(sub ? `Unknown fleet command "${sub}".` : 'Which fleet command? run, jobs, job or cancel.');
  }
}

function controllerOrigin(raw: string | undefined): string {
  if (!raw) throw CliError.of('CLI_ERR_NO_CONTROLLER');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usage(`--controller must be a URL like http://helpdesk.example:8080, got "${raw.slice(0, 100)}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage('--controller must be an http:// or https:// URL.');
  if (url.username || url.password) throw usage('--controller must not carry a user name or password; use --token.');
  return url.origin;
}

function apiToken(raw: string | undefined): string {
  if (!raw) throw CliError.of('CLI_ERR_NO_TOKEN');
  // Never echo it back: a mistyped token is still mostly a secret.
  if (!tokenField.safeParse(raw).success) throw usage('That is not an API token (16 to 256 letters, digits, _ or -); copy it again from the web UI.');
  return raw;
}

function target(tag: string | undefined, group: string | undefined, devices: string[] | undefined): { deviceIds?: string[]; tag?: string; group?: string } {
  const given = [tag, group, devices].filter((v) => v !== undefined).length;
  if (given !== 1) throw usage('Choose the devices with exactly one of --tag T, --group G or --device ID (repeatable).');
  if (tag !== undefined) {
    if (!deviceTag.safeParse(tag).success) throw usage(`"${tag.slice(0, 70)}" is not a tag: letters, digits, . _ : or -.`);
    return { tag };
  }
  if (group !== undefined) {
    if (!groupName.safeParse(group).success) throw usage('--group must be a group name (at most 64 characters).');
    return { group };
  }
  const deviceIds = [...new Set(devices!.flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean))];
  for (const d of deviceIds) if (!ID.test(d)) throw usage(`"${d.slice(0, 70)}" is not a device id.`);
  if (deviceIds.length === 0) throw usage('--device needs at least one device id.');
  return { deviceIds };
}

function params(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!PARAM_NAME.test(name)) throw usage(`--param takes NAME=VALUE with a name of letters, digits and _, got "${pair.slice(0, 70)}".`);
    if (name in out) throw usage(`--param ${name} is given twice.`);
    out[name] = pair.slice(eq + 1);
  }
  return out;
}

function wholeNumber(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw usage(`${flag} must be a whole number from ${min} to ${max}, got "${raw.slice(0, 20)}".`);
  return n;
}
