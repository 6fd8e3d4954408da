/**
 * The CLI's language, chosen once when the command line is read (--lang, then the
 * environment: LC_ALL, LC_MESSAGES, LANG, then the system's locale, then English),
 * and the words in it.
 */
import { isLanguage, languageOfEnvironment, translator, type Language, type Translate } from '../../protocol/index.js';
import { cliCatalog } from './cli-catalog.js';

type Key = keyof typeof cliCatalog.en;

let current: Language = 'en';
let words: Translate<Key> = translator(cliCatalog, 'en');

export function setCliLanguage(language: Language): void {
  current = language;
  words = translator(cliCatalog, language);
}

export function cliLanguage(): Language {
  return current;
}

/** A message of the CLI's catalog in the chosen language. */
export function say(key: Key, values?: Parameters<Translate<Key>>[1]): string {
  return words(key, values);
}

/** The language the environment asks for, or English. */
export function environmentLanguage(env: Readonly<Record<string, string | undefined>>, runtimeLocale?: string): Language {
  return languageOfEnvironment(env, runtimeLocale) ?? 'en';
}

export { isLanguage };
