/**
 * The language the agent speaks to the person and to whoever runs it: `--lang fr|en`
 * on the command line, else `RELAIS_LANG`, else the environment's locale (LC_ALL,
 * LC_MESSAGES, LANG, then the runtime's), else English. Chosen once at startup by the
 * composition root; every text the agent prints is looked up in that language.
 */
import { isLanguage, languageOfEnvironment, languageOfTag, translator, type Catalog, type Language, type MessageValues } from '../../protocol/index.js';

export type LanguageChoice = { readonly ok: true; readonly language: Language } | { readonly ok: false; readonly value: string; readonly fallback: Language };

/** The value of `--lang` (last one given, before `--`), or undefined when absent. */
export function langFlag(args: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '--lang') value = args[i + 1] ?? '';
    else if (arg.startsWith('--lang=')) value = arg.slice('--lang='.length);
  }
  return value;
}

/** Flag beats RELAIS_LANG beats the locale beats English; a flag we do not speak is an error (reported in both languages). */
export function chooseAgentLanguage(args: readonly string[], env: Readonly<Record<string, string | undefined>>, runtimeLocale?: string): LanguageChoice {
  const fallback = languageOfTag(env.RELAIS_LANG) ?? languageOfEnvironment(env, runtimeLocale) ?? 'en';
  const flag = langFlag(args);
  if (flag === undefined) return { ok: true, language: fallback };
  const value = flag.trim().toLowerCase();
  return isLanguage(value) ? { ok: true, language: value } : { ok: false, value: flag, fallback };
}

let current: Language = 'en';

/** Sets the agent's language (once, at startup; tests may set it too). */
export function setAgentLanguage(language: Language): void {
  current = language;
}

export function agentLanguage(): Language {
  return current;
}

/** A catalog's messages in the agent's language (looked up at each call). */
export function agentWords<K extends string>(catalog: Catalog<K>): (key: K, values?: MessageValues) => string {
  const byLanguage = new Map<Language, (key: K, values?: MessageValues) => string>();
  return (key, values) => {
    let translate = byLanguage.get(current);
    if (!translate) {
      translate = translator(catalog, current);
      byLanguage.set(current, translate);
    }
    return translate(key, values);
  };
}
