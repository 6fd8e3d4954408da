/**
 * Numbers, sizes, dates and durations in the reader's language, through Intl:
 * `1 234,5 Go` and `29 nov. 2026, 08:08` in French, `1,234.5 GB` and
 * `29 Nov 2026, 08:08` in English. Sizes are powers of 1024, as operating systems
 * show memory and disks; French writes octets (o, Ko, Mo, Go).
 */
import type { Language } from './language.js';
import { LOCALES } from './translator.js';

const SIZE_UNITS: Readonly<Record<Language, readonly string[]>> = {
  fr: ['o', 'Ko', 'Mo', 'Go', 'To', 'Po'],
  en: ['B', 'KB', 'MB', 'GB', 'TB', 'PB'],
};

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(language: Language, fractionDigits: number): Intl.NumberFormat {
  const key = `${language}:${fractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 });
    numberFormats.set(key, format);
  }
  return format;
}

/** A plain number with at most `fractionDigits` decimals, grouped the reader's way. */
export function formatNumber(value: number, language: Language, fractionDigits = 1): string {
  return Number.isFinite(value) ? numberFormat(language, fractionDigits).format(value) : '—';
}

/** 1536 → "1,5 Ko" / "1.5 KB"; one decimal below 100 units, none above. */
export function formatSize(bytes: number, language: Language): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = SIZE_UNITS[language];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value >= 100 || unit === 0 ? 0 : 1;
  return `${numberFormat(language, digits).format(value)}\u00a0${units[unit]}`;
}

/** A share 0..100 → "42 %" (French and English both keep the space here, as the product always has). */
export function formatPercent(value: number, language: Language): string {
  return Number.isFinite(value) ? `${numberFormat(language, value < 10 ? 1 : 0).format(value)}\u00a0%` : '—';
}

/** A date and time to the minute: "29 nov. 2026, 08:08". `timeZone` for tests and for a helpdesk's calendar. */
export function formatDateTime(at: number | Date, language: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}),
  }).format(at);
}

/** A time of day: "14:03". */
export function formatTime(at: number | Date, language: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[language], { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) }).format(at);
}

/** "il y a 5 minutes" / "5 minutes ago", through Intl.RelativeTimeFormat. */
export function formatAgo(at: number, now: number, language: Language): string {
  const seconds = Math.round((at - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(LOCALES[language], { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}
