/**
 * The language the web UI speaks, chosen once per page load: the account's
 * preference once logged in, else the controller's default (`--lang`, in the
 * page's `<html lang>`), else the browser's. Pages take their words through
 * `wordsOf(catalog)`, read at render time, so a change of language re-renders
 * in the new one. `localStorage['relais.pseudo'] = '1'` turns on the pseudo-locale
 * (accented, 40 % longer text) that the browser tests use to catch cut labels.
 */
import {
  formatAgo, formatDateTime, formatNumber, formatPercent, formatSize, formatTime, isLanguage, languageOfTag, pseudoLocalize, translator,
  type Catalog, type Language, type MessageValues, type Translate,
} from '../../../protocol/index.js';

let current: Language = initialLanguage();
const listeners = new Set<(language: Language) => void>();

const REMEMBERED = 'relais.lang';

function initialLanguage(): Language {
  const remembered = rememberedLanguage();
  if (remembered) return remembered;
  // Outside a browser (the unit tests import the API client), English.
  if (typeof document === 'undefined' || typeof navigator === 'undefined') return 'en';
  const declared = document.documentElement.dataset.defaultLang;
  if (isLanguage(declared)) return declared;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const language = languageOfTag(tag);
    if (language) return language;
  }
  return 'en';
}

/** The language chosen with the login page's switch in this browser, if any. */
export function rememberedLanguage(): Language | null {
  try {
    const value = localStorage.getItem(REMEMBERED);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers the login page's choice in this browser (for the next visits, and for accounts that chose none). */
export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(REMEMBERED, language);
  } catch {
    // Storage refused (private mode): the choice lasts until the page is reloaded.
  }
}

function pseudo(): boolean {
  try {
    return localStorage.getItem('relais.pseudo') === '1';
  } catch {
    return false;
  }
}

/** The language pages are written in now. */
export function language(): Language {
  return current;
}

/** Switches the UI's language (the account's preference, or a choice on the login page) and tells listeners to re-render. */
export function useLanguage(next: Language): void {
  if (typeof document !== 'undefined') document.documentElement.lang = next;
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener(next);
}

/** Calls `listener` after every change of language; returns the unsubscribe. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A translate function for a catalog, in whatever language is current when it is called. */
export function wordsOf<K extends string>(catalog: Catalog<K>): Translate<K> {
  const byLanguage = new Map<Language, Translate<K>>();
  return (key: K, values?: MessageValues) => {
    let t = byLanguage.get(current);
    if (!t) byLanguage.set(current, (t = translator(catalog, current)));
    const text = t(key, values);
    return pseudo() ? pseudoLocalize(text) : text;
  };
}

/** Numbers, sizes and dates in the current language (see protocol/i18n/format.ts). */
export const formats = {
  number: (value: number, digits?: number) => formatNumber(value, current, digits),
  size: (bytes: number) => formatSize(bytes, current),
  percent: (value: number) => formatPercent(value, current),
  dateTime: (at: number | Date) => formatDateTime(at, current),
  time: (at: number | Date) => formatTime(at, current),
  ago: (at: number, now = Date.now()) => formatAgo(at, now, current),
};
