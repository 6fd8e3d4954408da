import { describe, expect, it } from 'vitest';
import {
  ERRORS, ERROR_WORDS_FR, defineCatalog, errorWords, formatDateTime, formatNumber, formatSize, languageOfAcceptLanguage,
  languageOfEnvironment, languageOfTag, translator,
} from '../../protocol/index.js';
import { catalogProblems, placeholdersOf } from '../helpers/catalog-check.js';

describe('choosing the language', () => {
  it('reads tags and POSIX locales', () => {
    expect(languageOfTag('fr_FR.UTF-8')).toBe('fr');
    expect(languageOfTag('fr-CA')).toBe('fr');
    expect(languageOfTag('EN')).toBe('en');
    expect(languageOfTag('de_DE.UTF-8')).toBeUndefined();
    expect(languageOfTag('')).toBeUndefined();
  });

  it('ranks Accept-Language by quality, ties in order, q=0 excluded', () => {
    expect(languageOfAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8')).toBe('fr');
    expect(languageOfAcceptLanguage('de-DE, en;q=0.5, fr;q=0.7')).toBe('fr');
    expect(languageOfAcceptLanguage('en-US,en;q=0.9')).toBe('en');
    expect(languageOfAcceptLanguage('fr;q=0, en')).toBe('en');
    expect(languageOfAcceptLanguage('de, it')).toBeUndefined();
    expect(languageOfAcceptLanguage('fr;q=abc')).toBeUndefined();
    expect(languageOfAcceptLanguage(undefined)).toBeUndefined();
  });

  it('follows LC_ALL, then LC_MESSAGES, then LANG, then the runtime locale', () => {
    expect(languageOfEnvironment({ LC_ALL: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' })).toBe('fr');
    expect(languageOfEnvironment({ LC_MESSAGES: 'en_GB.UTF-8', LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(languageOfEnvironment({ LANG: 'fr_BE.UTF-8' })).toBe('fr');
    expect(languageOfEnvironment({ LANG: 'C.UTF-8' }, 'fr-FR')).toBeUndefined();
    expect(languageOfEnvironment({}, 'fr-FR')).toBe('fr');
  });
});

describe('messages', () => {
  const catalog = defineCatalog(
    { devices: '{count, plural, =0 {no device} one {# device} other {# devices}}', hello: 'Hello {name}' },
    { devices: '{count, plural, =0 {aucun poste} one {# poste} other {# postes}}', hello: 'Bonjour {name}' },
  );

  it('formats plurals and numbers the reader’s way', () => {
    const fr = translator(catalog, 'fr');
    const en = translator(catalog, 'en');
    expect(fr('devices', { count: 0 })).toBe('aucun poste');
    expect(fr('devices', { count: 1 })).toBe('1 poste');
    expect(fr('devices', { count: 1234 })).toBe('1\u202f234 postes');
    expect(en('devices', { count: 1234 })).toBe('1,234 devices');
  });

  it('never parses a value as a message, and falls back instead of throwing', () => {
    const fr = translator(catalog, 'fr');
    expect(fr('hello', { name: '{count, plural, other {#}} <b>' })).toBe('Bonjour {count, plural, other {#}} <b>');
    expect(() => fr('devices')).not.toThrow();
  });

  it('a catalog check sees missing keys and placeholders that differ', () => {
    const bad = { en: { a: 'Hi {name}', b: 'x' }, fr: { a: 'Salut {nom}', c: 'y' } };
    expect(catalogProblems('bad', bad as never)).toEqual([
      'bad: "b" has no French text',
      'bad: "c" is French only',
      'bad: "a" placeholders differ: en {name} fr {nom}',
    ]);
    expect(placeholdersOf('{n, plural, one {# {what}} other {# {what}s}}', 'en')).toEqual(['n', 'what']);
    expect(catalogProblems('good', catalog)).toEqual([]);
  });
});

describe('numbers, sizes and dates', () => {
  it('writes sizes in octets in French and bytes in English', () => {
    expect(formatSize(1536, 'fr')).toBe('1,5\u00a0Ko');
    expect(formatSize(1536, 'en')).toBe('1.5\u00a0KB');
    expect(formatSize(1234.5 * 1024 ** 3, 'fr')).toBe('1,2\u00a0To');
    expect(formatSize(950 * 1024 ** 2, 'fr')).toBe('950\u00a0Mo');
    expect(formatSize(-1, 'fr')).toBe('—');
    expect(formatNumber(1234.5, 'fr')).toBe('1\u202f234,5');
  });

  it('dates as a French helpdesk reads them', () => {
    const at = Date.UTC(2026, 10, 29, 7, 8);
    expect(formatDateTime(at, 'fr', 'Europe/Paris')).toBe('29 nov. 2026, 08:08');
    expect(formatDateTime(at, 'en', 'Europe/Paris')).toBe('29 Nov 2026, 08:08');
  });
});

describe('error catalog in French', () => {
  it('names every code, with words of its own that end a sentence', () => {
    expect(Object.keys(ERROR_WORDS_FR).sort()).toEqual(Object.keys(ERRORS).sort());
    for (const [code, words] of Object.entries(ERROR_WORDS_FR)) {
      expect(words.length, code).toBeGreaterThan(8);
      expect(/[.!?]$/.test(words), code).toBe(true);
    }
    expect(errorWords('AUTH_ERR_BAD_CODE', 'fr')).toMatch(/code d'assistance/);
    expect(errorWords('AUTH_ERR_BAD_CODE', 'en')).toBe(ERRORS.AUTH_ERR_BAD_CODE.message);
    expect(errorWords('NOT_OURS', 'fr')).toBe('NOT_OURS');
  });
});
