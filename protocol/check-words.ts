/** A catalog's translators for both languages, made once: the health checks run often and must stay cheap. */
import type { Language } from './i18n/language.js';
import { translator, type Catalog, type Translate } from './i18n/translator.js';

export function wordsOf<K extends string>(catalog: Catalog<K>): (language: Language) => Translate<K> {
  const made = new Map<Language, Translate<K>>();
  return (language) => {
    let words = made.get(language);
    if (!words) {
      words = translator(catalog, language);
      made.set(language, words);
    }
    return words;
  };
}
