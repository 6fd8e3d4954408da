/**
 * Turning numbers and times into the short words a technician reads at a glance,
 * in the current language: sizes and dates come from protocol/i18n/format.ts
 * (through `formats`), never written by hand here.
 */
import { formats, wordsOf } from '../app/language.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);

/** 1536 → "1.5 KB" / "1,5 Ko" (powers of 1024, as operating systems show memory). */
export function formatBytes(bytes: number): string {
  return formats.size(bytes);
}

/** A share in 0..100, safe against zero totals and inconsistent peer numbers. */
export function percent(part: number, total: number): number {
  if (!Number.isFinite(part) || !Number.isFinite(total) || total <= 0) return 0;
  return Math.min(100, Math.max(0, (part / total) * 100));
}

/** 93784 → "1 d 2 h" / "1 j 2 h". */
export function formatUptime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return t('uptimeDays', { days: formats.number(days), hours });
  if (hours > 0) return t('uptimeHours', { hours, minutes });
  return t('uptimeMinutes', { minutes });
}

/** "now", "5 minutes ago", "3 hours ago" within a day, then a date. */
export function timeAgo(at: number, now = Date.now()): string {
  return now - at < 86_400_000 - 30 * 60_000 ? formats.ago(Math.min(at, now), now) : formatDateTime(at);
}

/** Milliseconds left → "9:58" (never negative). */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** A date and time, e.g. "25 Nov 2025, 14:03" / "25 nov. 2025, 14:03". */
export function formatDateTime(at: number): string {
  return formats.dateTime(at);
}

/** A time of day, e.g. "14:03". */
export function formatTime(at: number): string {
  return formats.time(at);
}

/** 820 → "820 ms", 1430 → "1.4 s" / "1,4 s", 750000 → "13 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return t('durationMs', { value: formats.number(Math.round(ms), 0) });
  if (ms < 120_000) return t('durationSeconds', { value: formats.number(ms / 1000, ms < 10_000 ? 1 : 0) });
  return t('durationMinutes', { value: formats.number(Math.round(ms / 60_000), 0) });
}

/** A moment in the history: "Today, 14:03", else the full date and time. */
export function formatWhen(at: number, now = Date.now()): string {
  return new Date(at).toDateString() === new Date(now).toDateString() ? t('today', { time: formats.time(at) }) : formatDateTime(at);
}
