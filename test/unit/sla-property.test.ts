/**
 * The business calendar and the SLA clocks against a slow, obvious reference that
 * walks minute by minute and asks Intl for each minute's wall-clock time: random
 * calendars (working days, opening hours, five time zones including Lord Howe's
 * 30-minute daylight saving, holidays) and random histories, many of them across the
 * DST changes of March/April and October/November 2026.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessMs, businessCalendar, businessMsBetween, type BusinessCalendarSettings } from '../../protocol/business-calendar.js';
import { TICKET_STATUSES, type TicketStatus } from '../../protocol/ticket-model.js';
import { DEFAULT_SLA_TARGETS, slaClocks, type StatusChange } from '../../protocol/sla-clock.js';

const M = 60_000;
const DAY = 86_400_000;
const ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
/** Days of 2026 with a DST change, per zone (zones without DST get all of them: nothing may change there). */
const DST_DAYS: Record<string, string[]> = {
  'Europe/Paris': ['2026-03-29', '2026-10-25'],
  'America/New_York': ['2026-03-08', '2026-11-01'],
  'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
};
const ALL_DST_DAYS = Object.values(DST_DAYS).flat();
const FIRST = Date.parse('2026-01-01T00:00:00Z');
const LAST = Date.parse('2027-12-31T00:00:00Z');
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The slow reference: is the minute starting at `t` within business hours? */
function referenceMinute(settings: BusinessCalendarSettings): (t: number) => boolean {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: settings.timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const opens = toMinutes(settings.opens);
  const closes = toMinutes(settings.closes);
  const holidays = new Set(settings.holidays);
  return (t) => {
    const p = Object.fromEntries(format.formatToParts(t).map((x) => [x.type, x.value]));
    const minute = Number(p.hour) * 60 + Number(p.minute);
    return settings.workingDays.includes(WEEKDAYS[p.weekday!]!) && !holidays.has(`${p.year}-${p.month}-${p.day}`) && minute >= opens && minute < closes;
  };
}

const hhmm = (minutes: number) => (minutes === 1440 ? '24:00' : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`);

/** A minute-aligned instant: within a day of one of the zone's DST changes most of the time, anywhere in 2026–2027 otherwise. */
const instantIn = (zone: string): fc.Arbitrary<number> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...(DST_DAYS[zone] ?? ALL_DST_DAYS)), fc.integer({ min: -1440, max: 1440 }))
        .map(([day, minutes]) => Date.parse(`${day}T00:00:00Z`) + minutes * M),
    },
    { weight: 1, arbitrary: fc.integer({ min: FIRST / M, max: LAST / M }).map((minutes) => minutes * M) },
  );

/** A calendar in `zone`, with holidays picked around `near` so that they matter. */
const calendarNear = (zone: string, near: number): fc.Arbitrary<BusinessCalendarSettings> =>
  fc
    .record({
      workingDays: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
      hours: fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 2, maxLength: 2 }).map((q) => q.map((x) => x * 15).sort((a, b) => a - b)),
      holidays: fc.uniqueArray(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }),
    })
    .map((c) => ({
      timeZone: zone,
      workingDays: c.workingDays,
      opens: hhmm(c.hours[0]!),
      closes: hhmm(c.hours[1]!),
      holidays: c.holidays.map((d) => new Date(near + d * DAY).toISOString().slice(0, 10)),
    }));

/** A zone, an instant in it and a calendar around that instant. */
const zoned = fc.constantFrom(...ZONES).chain((zone) => instantIn(zone).chain((at) => fc.record({ at: fc.constant(at), settings: calendarNear(zone, at) })));

const case_ = zoned.chain(({ at, settings }) => fc.record({ from: fc.constant(at), minutes: fc.integer({ min: 0, max: 2 * 1440 }), settings: fc.constant(settings) }));

describe('business time against a minute-by-minute reference', () => {
  it('businessMsBetween counts exactly the business minutes', () => {
    fc.assert(
      fc.property(case_, ({ from, minutes, settings }) => {
        const calendar = businessCalendar(settings);
        const open = referenceMinute(settings);
        let expected = 0;
        for (let i = 0; i < minutes; i++) if (open(from + i * M)) expected += M;
        expect(businessMsBetween(calendar, from, from + minutes * M)).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('addBusinessMs lands on the first instant with that much business time behind it', () => {
    fc.assert(
      fc.property(case_, fc.integer({ min: 1, max: 3 * 1440 }), ({ from, settings }, minutes) => {
        const calendar = businessCalendar(settings);
        const end = addBusinessMs(calendar, from, minutes * M);
        expect(Number.isFinite(end)).toBe(true);
        expect(businessMsBetween(calendar, from, end)).toBe(minutes * M);
        expect(businessMsBetween(calendar, from, end - M)).toBe(minutes * M - M);
        expect(referenceMinute(settings)(end - M)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SLA clocks against a minute-by-minute reference', () => {
  const history = (start: number) =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 0, max: 720 }), status: fc.constantFrom<TicketStatus>(...TICKET_STATUSES) }), { maxLength: 6 })
      .map((steps) => {
        const out: StatusChange[] = [{ at: start, status: 'new' }];
        let at = start;
        for (const s of steps) {
          at += s.gap * M;
          out.push({ at, status: s.status });
        }
        return out;
      });

  it('elapsed time of both clocks matches, paused while waiting for the user and stopped once resolved', () => {
    const scenario = zoned.chain(({ at: start, settings }) =>
      fc.record({ settings: fc.constant(settings), changes: history(start), tail: fc.integer({ min: 0, max: 1440 }), priority: fc.constantFrom('P1' as const, 'P2' as const, 'P3' as const, 'P4' as const) }),
    );
    fc.assert(
      fc.property(scenario, ({ settings, changes, tail, priority }) => {
        const calendar = businessCalendar(settings);
        const open = referenceMinute(settings);
        const start = changes[0]!.at;
        const now = changes[changes.length - 1]!.at + tail * M;
        const firstOwned = changes.find((c) => c.status !== 'new')?.at ?? Infinity;
        let own = 0;
        let resolve = 0;
        for (let t = start; t < now; t += M) {
          let status: TicketStatus = 'new';
          for (const c of changes) if (c.at <= t) status = c.status;
          if (!open(t)) continue;
          if (status === 'new' && t < firstOwned) own += M;
          if (status === 'new' || status === 'in_progress' || status === 'escalated') resolve += M;
        }
        const clocks = slaClocks(calendar, changes, priority, now);
        expect(clocks.own.elapsedMs).toBe(own);
        expect(clocks.resolve.elapsedMs).toBe(resolve);
        const target = DEFAULT_SLA_TARGETS[priority].resolveMs;
        expect(clocks.resolve.state).toBe(resolve >= target ? 'breached' : resolve >= 0.75 * target ? 'warning' : 'ok');
        if (clocks.resolve.deadline !== null && resolve >= target) {
          expect(slaClocks(calendar, changes, priority, clocks.resolve.deadline).resolve.elapsedMs).toBe(target);
        }
      }),
      { numRuns: 40 },
    );
  });
});
