/**
 * Messages in the reader's language. A catalog is an English table and a French one
 * with exactly the same keys (the compiler checks the keys, a test the placeholders);
 * each text is an ICU message (`{count, plural, one {# poste} other {# postes}}`),
 * formatted by intl-messageformat, so plurals and selects are never built by
 * concatenating strings. Peer data goes in as values and is never parsed as a message.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Language } from './language.js';

export type MessageTable<K extends string = string> = Readonly<Record<K, string>>;

export interface Catalog<K extends string> {
  readonly en: MessageTable<K>;
  readonly fr: MessageTable<K>;
}

/** Declares a catalog; the French table must have every English key and no other. */
export function defineCatalog<const E extends Record<string, string>>(en: E, fr: { readonly [K in keyof E]: string }): Catalog<Extract<keyof E, string>> {
  return Object.freeze({ en: Object.freeze({ ...en }), fr: Object.freeze({ ...fr }) }) as Catalog<Extract<keyof E, string>>;
}

export type MessageValues = Readonly<Record<string, string | number | Date | boolean | null | undefined>>;

/** The locale each language formats numbers and dates with. */
export const LOCALES: Readonly<Record<Language, string>> = Object.freeze({ fr: 'fr-FR', en: 'en-GB' });

export type Translate<K extends string> = (key: K, values?: MessageValues) => string;

/**
 * A function that formats a catalog's messages in one language. Compiled messages are
 * cached. A message that fails to format (a missing value) falls back to English, then
 * to its raw text: a wrong translation must not take a page or a prompt down with it.
 */
export function translator<K extends string>(catalog: Catalog<K>, language: Language): Translate<K> {
  const compiled = new Map<K, IntlMessageFormat>();
  const compile = (key: K, lang: Language): IntlMessageFormat => {
    const cached = lang === language ? compiled.get(key) : undefined;
    if (cached) return cached;
    const format = new IntlMessageFormat(catalog[lang][key], LOCALES[lang], undefined, { ignoreTag: true });
    if (lang === language) compiled.set(key, format);
    return format;
  };
  return (key, values) => {
    for (const lang of language === 'en' ? (['en'] as const) : ([language, 'en'] as const)) {
      try {
        const out = compile(key, lang).format(values as Record<string, string | number | Date | boolean>);
        if (typeof out === 'string') return out;
      } catch {
        // Fall through to English, then to the raw text.
      }
    }
    return catalog.en[key] ?? String(key);
  };
}
