/**
 * The command line: `relais fleet run|jobs|job|cancel`, `relais tickets list|show|note`
 * and their options. Parsing
 * only; anything wrong is a usage error (exit 2) that names the option. The
 * environment is read here once (RELAIS_CONTROLLER, RELAIS_TOKEN, and LC_ALL,
 * LC_MESSAGES or LANG for the language unless --lang says), nowhere else.
 */
import { parseArgs as splitArgs } from 'node:util';
import { deviceTag, groupName, readCommandLine, token as tokenField, type OptionSpecs } from '../../protocol/index.js';
import { TICKET_STATUSES } from '../../protocol/ticket-model.js';
import { cliCatalog } from './cli-catalog.js';
import type { TicketFilter } from './tickets-api.js';
import { CliError } from './cli-errors.js';
import { environmentLanguage, isLanguage, say, setCliLanguage } from './cli-language.js';

/** The usage text in the CLI's language (English: USAGE). */
export function usageText(): string {
  return say('usage');
}

export const USAGE = cliCatalog.en.usage;

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
  | (Common & { readonly kind: 'job' | 'cancel'; readonly jobId: string })
  | (Common & { readonly kind: 'tickets-list'; readonly filter: TicketFilter; readonly limit: number })
  | (Common & { readonly kind: 'tickets-show'; readonly number: number })
  | (Common & { readonly kind: 'tickets-note'; readonly number: number; readonly text: string | null; readonly visibility: 'internal' | 'person' });

const VALUE_OPTIONS = ['controller', 'token', 'script', 'tag', 'group', 'device', 'param', 'concurrency', 'timeout', 'request-timeout', 'lang', 'status', 'level', 'text', 'limit'];
/** Switches that belong to one command each (--json and --help go everywhere). */
const SWITCHES = ['mine', 'followed', 'person'] as const;
const OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  ...Object.fromEntries(SWITCHES.map((name) => [name, { type: 'boolean' } as const])),
  ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: 'string', multiple: true } as const])),
};
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const usage = (detail: string) => CliError.of('CLI_ERR_USAGE', `${detail}\n\n${usageText()}`);

/**
 * The language asked for: the last --lang VALUE or --lang=VALUE, else the environment.
 * Read before anything else, so that even a usage error is in the right language.
 */
function languageOption(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--') return;
    if (arg === '--lang') found = argv[i + 1];
    else if (arg.startsWith('--lang=')) found = arg.slice('--lang='.length);
  });
  return found;
}

/** Parses argv (without node and the script) and the environment into a command; sets the CLI's language. */
export function parseArgs(argv: readonly string[], env: Record<string, string | undefined>, runtimeLocale?: string): Command {
  const asked = languageOption(argv);
  setCliLanguage(isLanguage(asked) ? asked : environmentLanguage(env, runtimeLocale));
  if (asked !== undefined && !isLanguage(asked)) throw usage(say('notLanguage', { raw: asked.slice(0, 20) }));
  // Only --options are options: a job id may start with "-".
  const read = readCommandLine(argv, (shown) => splitArgs({ args: shown, options: OPTIONS, strict: false, allowPositionals: true, tokens: true }).tokens, OPTIONS, { dashPositional: (arg) => arg !== '-h', stopAt: ['help'] });
  if (!read.ok) {
    const option = read.option;
    throw usage(read.problem === 'unknown-option' ? say('unknownOption', { option }) : say(read.problem === 'needs-value' ? 'needsValue' : 'takesNoValue', { option }));
  }
  if (read.values.has('help')) return { kind: 'help' };
  const positional = read.positionals;
  const json = read.values.has('json');
  // Keyed by the flag as typed, as every message names it.
  const values = new Map<string, string[]>();
  for (const [name, given] of read.values) if (given !== true) values.set(`--${name}`, [...given]);
  if (positional[0] !== 'fleet' && positional[0] !== 'tickets') throw usage(positional[0] ? say('unknownCommand', { command: positional[0] }) : say('noCommand'));
  const group = positional[0];
  const sub = positional[1];
  const switches = new Set(SWITCHES.filter((name) => read.values.get(name) === true));
  const one = (flag: string) => {
    const all = values.get(flag);
    if (all && all.length > 1) throw usage(say('onlyOnce', { flag }));
    return all?.[0];
  };
  const common = (): Common => ({
    controller: controllerOrigin(one('--controller') ?? env.RELAIS_CONTROLLER),
    token: apiToken(one('--token') ?? env.RELAIS_TOKEN),
    json,
    requestTimeoutMs: (wholeNumber('--request-timeout', one('--request-timeout'), 1, 600) ?? 10) * 1000,
  });
  const allowOnly = (allowed: string[]) => {
    const given = [...values.keys(), ...[...switches].map((name) => `--${name}`)];
    for (const flag of given) if (!['--controller', '--token', '--request-timeout', '--lang', ...allowed].includes(flag)) throw usage(say('notApplicable', { flag, sub: `${group} ${sub ?? ''}` }));
  };
  if (group === 'tickets') {
    const ticketNumber = (raw: string | undefined) => {
      const m = /^#?([1-9][0-9]{0,8})$/.exec(raw ?? '');
      if (!m) throw usage(raw === undefined ? say('needsTicketNumber', { sub: sub ?? '' }) : say('notTicketNumber', { raw: raw.slice(0, 20) }));
      return Number(m[1]);
    };
    switch (sub) {
      case 'list': {
        if (positional.length > 2) throw usage(say('unexpectedArgument', { argument: positional[2] }));
        allowOnly(['--status', '--level', '--text', '--limit', '--mine', '--followed']);
        const level = one('--level');
        if (level !== undefined && level !== 'L1' && level !== 'L2') throw usage(say('notLevel', { raw: level.slice(0, 20) }));
        const status = one('--status');
        if (status !== undefined && !status.split(',').every((s) => (TICKET_STATUSES as readonly string[]).includes(s))) throw usage(say('notStatus', { raw: status.slice(0, 80), statuses: TICKET_STATUSES.join(', ') }));
        const text = one('--text');
        const filter: TicketFilter = {
          ...(status !== undefined ? { status } : {}),
          ...(level !== undefined ? { level } : {}),
          ...(switches.has('mine') ? { assignee: 'mine' as const } : {}),
          ...(switches.has('followed') ? { follower: 'mine' as const } : {}),
          ...(text !== undefined ? { q: text } : {}),
        };
        return { kind: 'tickets-list', ...common(), filter, limit: wholeNumber('--limit', one('--limit'), 1, 1000) ?? 50 };
      }
      case 'show':
        allowOnly([]);
        if (positional.length > 3) throw usage(say('unexpectedArgument', { argument: positional[3] }));
        return { kind: 'tickets-show', ...common(), number: ticketNumber(positional[2]) };
      case 'note': {
        allowOnly(['--person']);
        const number = ticketNumber(positional[2]);
        const words = positional.slice(3);
        if (words.length === 0) throw usage(say('noteNeedsText'));
        // `-` reads the note from standard input (several lines, Markdown); else the words given, joined by spaces.
        const text = words.length === 1 && words[0] === '-' ? null : words.join(' ');
        return { kind: 'tickets-note', ...common(), number, text, visibility: switches.has('person') ? 'person' : 'internal' };
      }
      default:
        throw usage(sub ? say('unknownTicketsCommand', { sub }) : say('whichTicketsCommand'));
    }
  }
  switch (sub) {
    case 'run': {
      if (positional.length > 2) throw usage(say('unexpectedArgument', { argument: positional[2] }));
      allowOnly(['--script', '--tag', '--group', '--device', '--param', '--concurrency', '--timeout']);
      const scriptName = one('--script');
      if (!scriptName) throw usage(say('whichScript'));
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
      if (positional.length > 2) throw usage(say('unexpectedArgument', { argument: positional[2] }));
      allowOnly([]);
      return { kind: 'jobs', ...common() };
    case 'job':
    case 'cancel': {
      allowOnly([]);
      const jobId = positional[2];
      if (!jobId || positional.length > 3) throw usage(say('needsJobId', { sub }));
      if (!ID.test(jobId)) throw usage(say('notJobId', { id: jobId.slice(0, 70) }));
      return { kind: sub, ...common(), jobId };
    }
    default:
      throw usage(sub ? say('unknownFleetCommand', { sub }) : say('whichFleetCommand'));
  }
}

function controllerOrigin(raw: string | undefined): string {
  if (!raw) throw CliError.of('CLI_ERR_NO_CONTROLLER');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usage(say('controllerNotUrl', { raw: raw.slice(0, 100) }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(say('controllerScheme'));
  if (url.username || url.password) throw usage(say('controllerUserinfo'));
  return url.origin;
}

function apiToken(raw: string | undefined): string {
  if (!raw) throw CliError.of('CLI_ERR_NO_TOKEN');
  // Never echo it back: a mistyped token is still mostly a secret.
  if (!tokenField.safeParse(raw).success) throw usage(say('notToken'));
  return raw;
}

function target(tag: string | undefined, group: string | undefined, devices: string[] | undefined): { deviceIds?: string[]; tag?: string; group?: string } {
  const given = [tag, group, devices].filter((v) => v !== undefined).length;
  if (given !== 1) throw usage(say('chooseDevices'));
  if (tag !== undefined) {
    if (!deviceTag.safeParse(tag).success) throw usage(say('notTag', { tag: tag.slice(0, 70) }));
    return { tag };
  }
  if (group !== undefined) {
    if (!groupName.safeParse(group).success) throw usage(say('notGroup'));
    return { group };
  }
  const deviceIds = [...new Set(devices!.flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean))];
  for (const d of deviceIds) if (!ID.test(d)) throw usage(say('notDeviceId', { id: d.slice(0, 70) }));
  if (deviceIds.length === 0) throw usage(say('deviceNeedsId'));
  return { deviceIds };
}

function params(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!PARAM_NAME.test(name)) throw usage(say('paramSyntax', { pair: pair.slice(0, 70) }));
    if (name in out) throw usage(say('paramTwice', { name }));
    out[name] = pair.slice(eq + 1);
  }
  return out;
}

function wholeNumber(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw usage(say('wholeNumber', { flag, min: String(min), max: String(max), raw: raw.slice(0, 20) }));
  return n;
}
