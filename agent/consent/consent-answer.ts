/**
 * What counts as yes to the consent question. In French the prompt reads
 * « Autoriser ? [o/N] »: `o`, `oui`, `y` and `yes` (any case, trimmed) are yes; in
 * English `y` and `yes` only. Anything else, empty included, is no: the default is
 * always no.
 */
import type { Language } from '../../protocol/index.js';

const YES: Readonly<Record<Language, ReadonlySet<string>>> = {
  fr: new Set(['o', 'oui', 'y', 'yes']),
  en: new Set(['y', 'yes']),
};

/** A typed line answers yes. */
export function isYesAnswer(line: string, language: Language): boolean {
  return YES[language].has(line.trim().toLowerCase());
}

/** A single key answers yes (raw mode: one key is the answer). */
export function isYesKey(key: number, language: Language): boolean {
  return isYesAnswer(String.fromCharCode(key), language);
}
