/**
 * The mechanics every subcommand shares: splitting arguments into positionals and
 * options (`--name value`, `--name=value`, flags, repeatable options), reading them
 * back, and the shape of a usage error. Pure functions.
 */

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
  | { positionals: string[]; options: Map<string, OptionValue> }
  | { error: string }
  | { help: true }
  | { version: true };

/** Splits a subcommand's arguments according to its option specs. */
export function splitArguments(args: readonly string[], specs: Readonly<Record<string, OptionSpec>>): Split {
  const positionals: string[] = [];
  const options = new Map<string, OptionValue>();
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
    const spec = arg.startsWith('--') && Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) return { error: `Unknown option ${quote(eq === -1 ? arg : arg.slice(0, eq))}.` };
    if (!spec.value) {
      if (eq !== -1) return { error: `--${name} takes no value.` };
      options.set(name, true);
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return { error: `--${name} needs a value.` };
    if (spec.repeatable) {
      const previous = options.get(name);
      options.set(name, [...(Array.isArray(previous) ? previous : []), value]);
    } else {
      options.set(name, value);
    }
  }
  return { positionals, options };
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

/** `--consent-timeout SECONDS` in milliseconds (the default when absent); null when it is not 1 to 3600 whole seconds. */
export function consentTimeoutMs(value: string | undefined): number | null {
  const timeout = value ?? String(DEFAULT_CONSENT_TIMEOUT_SECONDS);
  const seconds = Number(timeout);
  if (!/^\d+$/.test(timeout) || seconds < 1 || seconds > MAX_CONSENT_TIMEOUT_SECONDS) return null;
  return seconds * 1000;
}
