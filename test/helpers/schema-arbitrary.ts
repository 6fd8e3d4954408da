/**
 * fast-check arbitraries derived from a zod schema's own bounds, so property tests feed
 * exactly what validation lets in: strings up to (and often at) their character limit,
 * made of characters that are wide in UTF-8 or escaped in JSON; numbers at their extremes;
 * arrays up to their maximum; optional members present or not.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: { check: string; maximum?: number; minimum?: number; format?: string; pattern?: RegExp } } }>;
  [key: string]: unknown;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Characters valid in protocol text: mostly plain, some wide in UTF-8 or escaped in JSON, some astral (two units). */
const ALPHABET = ['a', 'Z', '0', ' ', '/', '.', '-', '_', 'a', 'e', 's', 't', 'é', '€', '日', '\u2028', '\ufffd', '"', '\\', '\t', '😀', '𝄞'];

/**
 * A string of exactly `length` UTF-16 units from ALPHABET, drawn from `seed` (a tiny LCG): building
 * strings unit by unit through fast-check is far too slow for snapshots with thousands of them.
 */
function textOf(length: number, seed: number): string {
  let state = seed >>> 0 || 1;
  let out = '';
  while (out.length < length) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const c = ALPHABET[state % ALPHABET.length]!;
    out += out.length + c.length <= length ? c : 'x';
  }
  return out;
}

function checkValue(def: Def, kind: 'max_length' | 'min_length'): number | undefined {
  const values = (def.checks ?? []).filter((c) => c._zod.def.check === kind).map((c) => (kind === 'max_length' ? c._zod.def.maximum : c._zod.def.minimum));
  return values.length > 0 ? (values as number[]).reduce((a, b) => (kind === 'max_length' ? Math.min(a, b) : Math.max(a, b))) : undefined;
}

/** Any value `schema` accepts, biased towards its limits. Strings with patterns are left to the caller (`overrides`). */
export function arbitraryFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string': {
      const s = schema as z.ZodString;
      const max = s.maxLength ?? 64;
      const min = s.minLength ?? 0;
      // A third of the strings are as long as the field allows: limits are where text built from data overflows.
      const length = fc.oneof({ weight: 2, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constant(max) });
      return fc.tuple(length, fc.integer()).map(([n, seed]) => textOf(n, seed)).filter((value) => s.safeParse(value).success);
    }
    case 'number': {
      const n = schema as z.ZodNumber;
      const min = Number.isFinite(n.minValue) ? (n.minValue as number) : -1e15;
      const max = Number.isFinite(n.maxValue) ? (n.maxValue as number) : 1e15;
      if (n.isInt) return fc.oneof(fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) }), fc.constantFrom(min, max));
      return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max, 0, Number.MIN_VALUE));
    }
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'nullable':
      return fc.option(arbitraryFor(def.innerType as z.ZodType), { nil: null });
    case 'optional':
    case 'default':
      return arbitraryFor(def.innerType as z.ZodType);
    case 'array': {
      const max = checkValue(def, 'max_length') ?? 8;
      const min = checkValue(def, 'min_length') ?? 0;
      const element = arbitraryFor(def.element as z.ZodType);
      return fc.oneof({ weight: 4, arbitrary: fc.array(element, { minLength: min, maxLength: Math.min(max, 4) }) }, { weight: 1, arbitrary: fc.array(element, { minLength: max, maxLength: max }) });
    }
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const required = Object.keys(shape).filter((key) => defOf(shape[key]).type !== 'optional');
      return fc.record(Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, arbitraryFor(value)])), { requiredKeys: required as never[] });
    }
    case 'record': {
      const keys = Object.values(defOf(def.keyType).entries as Record<string, string>);
      return fc.record(Object.fromEntries(keys.map((key) => [key, arbitraryFor(def.valueType as z.ZodType)])), { requiredKeys: [] });
    }
    default:
      throw new Error(`no arbitrary for a zod ${def.type}`);
  }
}
