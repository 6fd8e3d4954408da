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

/** How a program splits arguments: node:util `parseArgs({ strict: false, allowPositionals: true, tokens: true })` with its specs. */
export type SplitArguments = (args: string[]) => readonly ArgToken[];

/** What stands in for a dash positional while parseArgs splits: a plain word it leaves alone. */
const STAND_IN = '_';

/**
 * Splits `args` with `split` and reads its tokens against `specs`, in order; the
 * first problem is the answer. An empty value counts as missing.
 *
 * Dash positionals are hidden from parseArgs while it splits: it would read
 * "-ab-c" as the short options -a -b and then "-" + "-" as "--", which turns
 * every later option into a positional (a job id is random base64url).
 */
export function readCommandLine(args: readonly string[], split: SplitArguments, specs: OptionSpecs, rules: ReadRules = {}): CommandLine {
  const hidden = new Set<number>();
  const shown = args.map((arg, i) => {
    if (!isDashPositional(arg, rules)) return arg;
    hidden.add(i);
    return STAND_IN;
  });
  const positionals: string[] = [];
  const values = new Map<string, true | string[]>();
  for (const token of split(shown)) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(hidden.has(token.index) ? (args[token.index] as string) : token.value);
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
    // "--name -5": the value is the next argument, perhaps one hidden above.
    const value = token.inlineValue === false && hidden.has(token.index + 1) ? args[token.index + 1] : token.value;
    if (value === undefined || value === '') return { ok: false, problem: 'needs-value', option: token.rawName };
    const previous = values.get(token.name);
    values.set(token.name, [...(Array.isArray(previous) ? previous : []), value]);
  }
  return { ok: true, positionals, values };
}

function isDashPositional(arg: string, rules: ReadRules): boolean {
  return arg.length > 1 && arg.startsWith('-') && !arg.startsWith('--') && rules.dashPositional?.(arg) === true;
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
