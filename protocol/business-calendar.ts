/**
 * Business hours: working days, opening hours and public holidays in one IANA time
 * zone, and the two questions SLA clocks ask — how much business time lies between
 * two instants (`businessMsBetween`), and when a given amount of business time after
 * an instant ends (`addBusinessMs`).
 *
 * No time-zone library: offsets come from Intl.DateTimeFormat (the runtime's tz data).
 * The computation walks local days, never minutes: each local day's open hours become
 * one UTC interval, or two when a daylight-saving change falls inside them (a repeated
 * hour in autumn may count twice, a skipped hour in spring not at all — exactly the
 * minutes whose wall-clock time lies within the opening hours). Days are cached per
 * calendar, so a queue of 50 tickets mostly reads a Map.
 */
import { z } from 'zod';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A local date, `2026-05-14`. */
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');
/** A local time of day, `08:00`; `24:00` is the end of the day. */
const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time (HH:MM)');

/** A calendar as settings store it. Working days are ISO: 1 = Monday … 7 = Sunday. */
export const businessCalendarSettings = z
  .object({
    timeZone: z.string().min(1).max(64).refine(isTimeZone, 'must be an IANA time zone'),
    workingDays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    opens: timeOfDay,
    closes: timeOfDay,
    holidays: z.array(localDate).max(2000),
  })
  .refine((c) => minutesOf(c.opens) < minutesOf(c.closes), 'must open before it closes');
export type BusinessCalendarSettings = z.infer<typeof businessCalendarSettings>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm), as a UTC date at midnight. */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * France's eleven public holidays of a year: eight fixed dates, and Easter Monday,
 * Ascension Thursday and Whit Monday computed from Easter.
 */
export function frenchPublicHolidays(year: number): string[] {
  const y = String(year).padStart(4, '0');
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${y}-${md}`);
  const easter = easterSunday(year).getTime();
  const movable = [1, 39, 50].map((days) => isoDate(new Date(easter + days * DAY_MS)));
  return [...fixed, ...movable].sort();
}

/** The default: Monday to Friday, 08:00–18:00, Europe/Paris, French public holidays 2024–2040. */
export const DEFAULT_CALENDAR_SETTINGS: BusinessCalendarSettings = Object.freeze({
  timeZone: 'Europe/Paris',
  workingDays: [1, 2, 3, 4, 5],
  opens: '08:00',
  closes: '18:00',
  holidays: Array.from({ length: 17 }, (_, i) => frenchPublicHolidays(2024 + i)).flat(),
});

/** A UTC interval [start, end) in epoch milliseconds. */
type Interval = readonly [number, number];

const NO_INTERVALS: readonly Interval[] = Object.freeze([]);
/** Days cached per calendar before the cache starts over (about 27 years). */
const MAX_CACHED_DAYS = 10_000;
/** A calendar without a single open day within this many days cannot reach a deadline. */
const MAX_SEARCH_DAYS = 366 * 30;

/** A calendar ready for computing: settings parsed once, offsets and open hours cached per day. */
export class BusinessCalendar {
  readonly settings: BusinessCalendarSettings;
  private readonly workingDays: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<number>;
  private readonly opensMs: number;
  private readonly closesMs: number;
  private readonly parts: Intl.DateTimeFormat;
  private readonly days = new Map<number, readonly Interval[]>();
  private readonly offsets = new Map<number, number>();

  constructor(settings: BusinessCalendarSettings) {
    this.settings = businessCalendarSettings.parse(settings);
    this.workingDays = new Set(this.settings.workingDays);
    this.holidays = new Set(this.settings.holidays.map((d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS));
    this.opensMs = minutesOf(this.settings.opens) * MINUTE_MS;
    this.closesMs = minutesOf(this.settings.closes) * MINUTE_MS;
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: this.settings.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The zone's offset from UTC at an instant, in milliseconds (local = utc + offset); exact to the minute. */
  offsetAt(instant: number): number {
    const p: Record<string, number> = {};
    for (const part of this.parts.formatToParts(Math.floor(instant / MINUTE_MS) * MINUTE_MS)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    return local - Math.floor(instant / MINUTE_MS) * MINUTE_MS;
  }

  /** The offset at the start of an instant's UTC hour, cached: exact on whole hours, and close enough to find a local day. */
  private hourOffset(instant: number): number {
    const key = Math.floor(instant / HOUR_MS);
    const cached = this.offsets.get(key);
    if (cached !== undefined) return cached;
    const offset = this.offsetAt(key * HOUR_MS);
    if (this.offsets.size >= MAX_CACHED_DAYS * 24) this.offsets.clear();
    this.offsets.set(key, offset);
    return offset;
  }

  /**
   * The local day (days since 1970-01-01 in the zone's calendar) an instant falls on, give or
   * take one day within an hour of an offset change: callers walk one day more on each side.
   */
  localDayOf(instant: number): number {
    return Math.floor((instant + this.hourOffset(instant)) / DAY_MS);
  }

  /** True when a local day is a working day and not a holiday. */
  isOpenDay(localDay: number): boolean {
    const weekday = ((((localDay + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday (ISO 4)
    return this.workingDays.has(weekday) && !this.holidays.has(localDay);
  }

  /**
   * The UTC intervals of a local day's open hours, in order: the instants whose local
   * date is that day and whose wall-clock time is within [opens, closes).
   */
  openIntervals(localDay: number): readonly Interval[] {
    const cached = this.days.get(localDay);
    if (cached) return cached;
    const intervals = this.isOpenDay(localDay) ? this.computeIntervals(localDay) : NO_INTERVALS;
    if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
    this.days.set(localDay, intervals);
    return intervals;
  }

  private computeIntervals(localDay: number): readonly Interval[] {
    const midnight = localDay * DAY_MS; // local midnight, as if local time were UTC
    const before = midnight - 18 * HOUR_MS; // every zone's offset is within ±14 h
    const after = midnight + DAY_MS + 18 * HOUR_MS;
    const offsetBefore = this.hourOffset(before);
    const offsetAfter = this.hourOffset(after);
    // Pieces of the UTC line with a constant offset around this day (at most one change in ~2.5 days).
    const pieces: Array<[number, number, number]> = [];
    if (offsetBefore === offsetAfter) pieces.push([-Infinity, Infinity, offsetBefore]);
    else {
      const change = this.changeBetween(before, after, offsetBefore);
      pieces.push([-Infinity, change, offsetBefore], [change, Infinity, this.offsetAt(change)]);
    }
    const out: Interval[] = [];
    for (const [from, to, offset] of pieces) {
      const start = Math.max(from, midnight + this.opensMs - offset);
      const end = Math.min(to, midnight + this.closesMs - offset);
      if (end > start) {
        const last = out[out.length - 1];
        if (last && last[1] === start) out[out.length - 1] = [last[0], end];
        else out.push([start, end]);
      }
    }
    return Object.freeze(out);
  }

  /** The first minute in (low, high] whose offset differs from `offset` (binary search on minutes). */
  private changeBetween(low: number, high: number, offset: number): number {
    let lo = Math.floor(low / MINUTE_MS);
    let hi = Math.floor(high / MINUTE_MS);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid * MINUTE_MS) === offset) lo = mid;
      else hi = mid;
    }
    return hi * MINUTE_MS;
  }
}

/** A calendar from settings (throws on invalid settings: parse them with the schema first to report). */
export function businessCalendar(settings: BusinessCalendarSettings = DEFAULT_CALENDAR_SETTINGS): BusinessCalendar {
  return new BusinessCalendar(settings);
}

/** Business time in [from, to), in milliseconds (0 when `to` is not after `from`). */
export function businessMsBetween(calendar: BusinessCalendar, from: number, to: number): number {
  if (!(to > from)) return 0;
  let total = 0;
  const lastDay = calendar.localDayOf(to) + 1;
  for (let day = calendar.localDayOf(from) - 1; day <= lastDay; day++) {
    for (const [start, end] of calendar.openIntervals(day)) {
      const s = start > from ? start : from;
      const e = end < to ? end : to;
      if (e > s) total += e - s;
    }
  }
  return total;
}

/**
 * The instant at which `ms` of business time have passed since `from` (`from` itself for 0).
 * Infinity when the calendar has no open hours for decades.
 */
export function addBusinessMs(calendar: BusinessCalendar, from: number, ms: number): number {
  if (!(ms > 0)) return from;
  let remaining = ms;
  const firstDay = calendar.localDayOf(from) - 1;
  for (let day = firstDay; day <= firstDay + MAX_SEARCH_DAYS; day++) {
    for (const [start, end] of calendar.openIntervals(day)) {
      const s = start > from ? start : from;
      if (end <= s) continue;
      if (end - s >= remaining) return s + remaining;
      remaining -= end - s;
    }
  }
  return Infinity;
}
