/**
 * The largest JSON a zod schema lets through, computed from its limits alone: the proof
 * that a message built from valid peer data fits the protocol's JSON limit whatever the
 * peer sent. Strings count their JSON byte limit (`withinJsonBytes`, as every `text()`
 * field carries), else 1 byte a character under an ASCII pattern, else 6 (every character
 * escaped). Anything without a bound is Infinity, so an unbounded field cannot hide.
 */
import type { z } from 'zod';

/** Longest JSON a finite double prints as (`-1.2345678901234567e-123`, `-0.0000012345678901234567`). */
const WORST_NUMBER = 25;

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: { check: string; maximum?: number; params?: { maxJsonBytes?: number }; format?: string; pattern?: RegExp } } }>;
  [key: string]: unknown;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Worst-case bytes of JSON for any value `schema` accepts. */
export function worstCaseJsonBytes(schema: z.ZodType): number {
  const def = defOf(schema);
  // A value-wide byte budget (jobParams): the schema refuses anything larger.
  const budget = def.type === 'string' ? undefined : checkValue(def, 'maxJsonBytes');
  if (budget !== undefined) return budget;
  switch (def.type) {
    case 'string':
      return 2 + stringBytes(schema as z.ZodString, def);
    case 'number': {
      const n = schema as z.ZodNumber;
      const bounded = Number.isFinite(n.minValue) && Number.isFinite(n.maxValue);
      return n.isInt && bounded ? Math.max(String(n.minValue).length, String(n.maxValue).length) : n.isInt ? String(Number.MIN_SAFE_INTEGER).length : WORST_NUMBER;
    }
    case 'boolean':
      return 5;
    case 'null':
      return 4;
    case 'literal':
      return Math.max(...(def.values as unknown[]).map((v) => JSON.stringify(v).length));
    case 'enum':
      return Math.max(...Object.values(def.entries as Record<string, string>).map((v) => JSON.stringify(v).length));
    case 'nullable':
      return Math.max(4, worstCaseJsonBytes(def.innerType as z.ZodType));
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return worstCaseJsonBytes(def.innerType as z.ZodType);
    case 'pipe':
      return worstCaseJsonBytes(def.out as z.ZodType);
    case 'array': {
      const max = checkValue(def, 'max_length');
      if (max === undefined) return Infinity;
      return 2 + max * (worstCaseJsonBytes(def.element as z.ZodType) + 1);
    }
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      // {"key":value,...}: each member is its quoted key, a colon, the value and a comma.
      return 2 + Object.entries(shape).reduce((sum, [key, value]) => sum + JSON.stringify(key).length + 2 + worstCaseJsonBytes(value), 0);
    }
    case 'record': {
      const keys = defOf(def.keyType);
      if (keys.type !== 'enum') return Infinity;
      const entries = Object.values(keys.entries as Record<string, string>);
      return 2 + entries.reduce((sum, key) => sum + JSON.stringify(key).length + 2 + worstCaseJsonBytes(def.valueType as z.ZodType), 0);
    }
    case 'union':
      return Math.max(...(def.options as z.ZodType[]).map(worstCaseJsonBytes));
    default:
      return Infinity;
  }
}

/** The smallest `max_length` maximum, or `maxJsonBytes` budget, among a schema's checks. */
function checkValue(def: Def, kind: 'max_length' | 'maxJsonBytes'): number | undefined {
  const values = (def.checks ?? [])
    .map((c) => (kind === 'max_length' ? (c._zod.def.check === 'max_length' ? c._zod.def.maximum : undefined) : c._zod.def.params?.maxJsonBytes))
    .filter((n): n is number => typeof n === 'number');
  return values.length > 0 ? Math.min(...values) : undefined;
}

function stringBytes(schema: z.ZodString, def: Def): number {
  const checks = def.checks ?? [];
  const budget = checkValue(def, 'maxJsonBytes');
  if (budget !== undefined) return budget;
  const patterns = checks.filter((c) => c._zod.def.format === 'regex').map((c) => c._zod.def.pattern!.source);
  const chars = Math.min(schema.maxLength ?? Infinity, ...patterns.map(patternMaxLength));
  return chars * (patterns.some(matchesAsciiOnly) ? 1 : 6);
}

/** Longest string an anchored pattern of classes, escapes and quantifiers matches (Infinity for anything else). */
function patternMaxLength(source: string): number {
  const atoms = /^\^((?:(?:\[(?:\\.|[^\]\\])+\]|\\.|[^[\\()|*+?{}^$])(?:\*|\+|\?|\{\d+\}|\{\d+,\d+\})?)*)\$$/.exec(source);
  if (!atoms) return Infinity;
  let length = 0;
  for (const [, quantifier] of atoms[1]!.matchAll(/(?:\[(?:\\.|[^\]\\])+\]|\\.|[^[\\])(\*|\+|\?|\{\d+\}|\{\d+,\d+\})?/g)) {
    if (quantifier === '*' || quantifier === '+') return Infinity;
    length += quantifier === undefined ? 1 : quantifier === '?' ? 1 : Number(/(\d+)\}$/.exec(quantifier)![1]);
  }
  return length;
}

/** A pattern made only of printable ASCII classes and escapes matches nothing JSON escapes or widens. */
function matchesAsciiOnly(source: string): boolean {
  return /^[\x20-\x7e]*$/.test(source) && !/\[\^|\\[SWDsux"\\]|["]/.test(source) && !/(^|[^\\])\./.test(source.replace(/\[(?:\\.|[^\]\\])+\]/g, ''));
}
