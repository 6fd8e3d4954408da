/**
 * Which language a person reads: French or English, picked from what their side
 * offers — an Accept-Language header, a POSIX locale (`fr_FR.UTF-8`), a BCP 47 tag
 * (`fr-CA`) or an account's choice. French is the helpdesks' first language, but a
 * request that says nothing about French gets English, as browsers expect.
 */
export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** `fr_FR.UTF-8@euro`, `fr-CA`, `FR` → `fr`; anything we do not speak → undefined. */
export function languageOfTag(tag: string | undefined | null): Language | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().split(/[-_.@]/, 1)[0]!.toLowerCase();
  return isLanguage(primary) ? primary : undefined;
}

/**
 * The best language of an Accept-Language header (`fr-CH, fr;q=0.9, en;q=0.8`):
 * highest quality first, ties in the header's order; q=0 means "not this one".
 */
export function languageOfAcceptLanguage(header: string | undefined | null): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .slice(0, 1024)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { language: languageOfTag(tag), quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.language !== undefined && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked[0]?.language;
}

/**
 * The language a program's environment asks for: `LC_ALL`, then `LC_MESSAGES`, then
 * `LANG` (POSIX precedence; `C`/`POSIX` say nothing), then the runtime's own locale
 * (Intl, which is how Windows and macOS report the user's choice).
 */
export function languageOfEnvironment(env: Readonly<Record<string, string | undefined>>, runtimeLocale?: string): Language | undefined {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const value = env[name];
    if (!value) continue;
    if (value === 'C' || value === 'POSIX' || value.startsWith('C.')) return undefined;
    return languageOfTag(value);
  }
  return languageOfTag(runtimeLocale);
}
