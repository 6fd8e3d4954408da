/**
 * The rules every Relais command line follows, shared by the agent, the `relais`
 * CLI and the controller: node:util `parseArgs` (non-strict, with tokens) splits
 * the arguments, and this reads its tokens against the program's options — an
 * unknown option, a missing value, a value given to a flag — so each program only
 * words the problem. Pure: protocol/ sees no Node types, so the token shape is
 * declared here as parseArgs documents it.
 */

/** An option as parseArgs declares it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** One token of `parseArgs({ tokens: true })`. */
export type ArgToken =
  | { readonly kind: 'option'; readonly name: string; readonly rawName: string; readonly index: number; readonly value?: string | undefined; readonly inlineValue?: boolean | undefined }
  | { readonly kind: 'positional'; readonly index: number; readonly value: string }
  | { readonly kind: 'option-terminator'; readonly index: number };

/** Options read: a flag is `true`, a valued option every value given, in order. */
export type OptionValues = ReadonlyMap<string, true | readonly string[]>;

export type CommandLine =
  | { readonly ok: true; readonly positionals: readonly string[]; readonly values: OptionValues }
  | { readonly ok: false; readonly problem: 'unknown-option' | 'needs-value' | 'takes-no-value'; readonly option: string };

export interface ReadRules {
  /** Single-dash arguments that are positionals rather than short options (a job id may start with "-"). */
  readonly dashPositional?: (arg: string) => boolean;
  /** Flags that end reading where they stand (--help): what follows them is not checked. */
  readonly stopAt?: readonly string[];
}

/** Reads parseArgs tokens against `specs`, in order; the first problem is the answer. An empty value counts as missing. */
export function readCommandLine(args: readonly string[], tokens: readonly ArgToken[], specs: OptionSpecs, rules: ReadRules = {}): CommandLine {
  const positionals: string[] = [];
  const values = new Map<string, true | string[]>();
  let lastDashIndex = -1;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const arg = args[token.index] ?? token.rawName;
    if (!token.rawName.startsWith('--') && rules.dashPositional?.(arg)) {
      // parseArgs split "-482" into short options -4 -8 -2: it is one positional.
      if (token.index !== lastDashIndex) positionals.push(arg);
      lastDashIndex = token.index;
      continue;
    }
    const spec = Object.prototype.hasOwnProperty.call(specs, token.name) ? specs[token.name] : undefined;
    if (!spec) return { ok: false, problem: 'unknown-option', option: token.rawName };
    if (spec.type === 'boolean') {
      if (token.value !== undefined) return { ok: false, problem: 'takes-no-value', option: token.rawName };
      values.set(token.name, true);
      if (rules.stopAt?.includes(token.name)) break;
      continue;
    }
    if (token.value === undefined || token.value === '') return { ok: false, problem: 'needs-value', option: token.rawName };
    const previous = values.get(token.name);
    values.set(token.name, [...(Array.isArray(previous) ? previous : []), token.value]);
  }
  return { ok: true, positionals, values };
}

/** A valued option's last value. */
export function optionValue(values: OptionValues, name: string): string | undefined {
  const value = values.get(name);
  return Array.isArray(value) ? value[value.length - 1] : undefined;
}

/** Every value of a valued option, in the order given (empty when absent). */
export function optionValues(values: OptionValues, name: string): readonly string[] {
  const value = values.get(name);
  return Array.isArray(value) ? value : [];
}
