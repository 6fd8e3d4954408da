/**
 * The mechanics every subcommand shares: node:util parseArgs splits the arguments
 * into positionals and options (`--name value`, `--name=value`, flags, repeatable
 * options), protocol's command-line rules check them, and the words of a usage
 * error are the agent's. Pure functions.
 */
import { parseArgs } from 'node:util';
import { FILE_LIMITS, readCommandLine, type OptionSpecs } from '../../protocol/index.js';
import { agentWords } from './agent-language.js';
import { cliCatalog } from './cli-catalog.js';

/** The command line's words, in the agent's language. */
export const cliWords = agentWords(cliCatalog);

/** The few environment variables the agent honours, passed in so parsing stays pure. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface OptionSpec {
  /** True when the option takes a value. */
  readonly value: boolean;
  /** A repeatable option collects every value given (`--tag a --tag b`). */
  readonly repeatable?: boolean;
}

/** A flag is `true`, a valued option its last value, a repeatable option every value in order. */
export type OptionValue = string | true | readonly string[];
export type Options = ReadonlyMap<string, OptionValue>;

export type UsageError = { readonly kind: 'usage-error'; readonly message: string; readonly usage: string };
export type Refusal = { readonly kind: 'refused'; readonly message: string };

export type Split =
  | { positionals: readonly string[]; options: Map<string, OptionValue> }
  | { error: string }
  | { help: true }
  | { version: true };

const STANDARD: OptionSpecs = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' }, lang: { type: 'string' } };

/** Splits a subcommand's arguments according to its option specs; --help and --version win where they stand. */
export function splitArguments(args: readonly string[], specs: Readonly<Record<string, OptionSpec>>): Split {
  const kinds: Record<string, OptionSpecs[string]> = { ...STANDARD };
  for (const [name, spec] of Object.entries(specs)) kinds[name] = { type: spec.value ? 'string' : 'boolean', multiple: spec.repeatable ?? false };
  // "-5" is a value, not an option: a code or a number typed with a leading minus.
  const read = readCommandLine(args, (shown) => parseArgs({ args: shown, options: kinds, strict: false, allowPositionals: true, tokens: true }).tokens, kinds, { dashPositional: (arg) => /^-\d/.test(arg), stopAt: ['help', 'version'] });
  if (!read.ok) {
    if (read.problem === 'unknown-option') return { error: cliWords('unknownOption', { option: quote(read.option) }) };
    return { error: cliWords(read.problem === 'takes-no-value' ? 'takesNoValue' : 'needsValue', { option: read.option }) };
  }
  if (read.values.has('help')) return { help: true };
  if (read.values.has('version')) return { version: true };
  const options = new Map<string, OptionValue>();
  for (const [name, value] of read.values) {
    if (name === 'lang') continue; // chosen before parsing, by agent-language.ts
    const spec = specs[name];
    if (value === true || !spec) options.set(name, true);
    else options.set(name, spec.repeatable ? value : (value[value.length - 1] as string));
  }
  return { positionals: read.positionals, options };
}

/** A valued option's value (the last one given). */
export function stringOption(options: Options, name: string): string | undefined {
  const value = options.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable option, in the order given (empty when absent). */
export function listOption(options: Options, name: string): readonly string[] {
  const value = options.get(name);
  return Array.isArray(value) ? value : [];
}

export function usageError(message: string, usage: string): UsageError {
  return { kind: 'usage-error', message, usage };
}

/** Quotes user input for a message, shortened: never a way to print a long secret back. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

export const DEFAULT_CONSENT_TIMEOUT_SECONDS = 60;
export const MAX_CONSENT_TIMEOUT_SECONDS = 3600;

/**
 * RELAIS_FILE_MAX_BYTES: the largest file this agent sends or receives, checked here
 * whatever the controller allows (FILE_LIMITS.defaultMaxBytes when unset); null when invalid.
 */
export function fileMaxBytes(value: string | undefined): number | null {
  if (value === undefined || value === '') return FILE_LIMITS.defaultMaxBytes;
  const bytes = Number(value);
  return /^\d+$/.test(value) && bytes >= 1 && bytes <= FILE_LIMITS.maxBytes ? bytes : null;
}

/** `--consent-timeout SECONDS` in milliseconds (the default when absent); null when it is not 1 to 3600 whole seconds. */
export function consentTimeoutMs(value: string | undefined): number | null {
  const timeout = value ?? String(DEFAULT_CONSENT_TIMEOUT_SECONDS);
  const seconds = Number(timeout);
  if (!/^\d+$/.test(timeout) || seconds < 1 || seconds > MAX_CONSENT_TIMEOUT_SECONDS) return null;
  return seconds * 1000;
}
