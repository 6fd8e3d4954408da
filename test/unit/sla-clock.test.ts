import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CALENDAR_SETTINGS,
  addBusinessMs,
  businessCalendar,
  businessMsBetween,
  easterSunday,
  frenchPublicHolidays,
} from '../../protocol/business-calendar.js';
import { slaClocks, type StatusChange } from '../../protocol/sla-clock.js';

const H = 3_600_000;
const M = 60_000;
const paris = businessCalendar();
/** An instant from a local Paris wall-clock time (offset given explicitly). */
const at = (iso: string) => Date.parse(iso);

describe('business calendar', () => {
  it('computes Easter and the French public holidays', () => {
    expect(easterSunday(2026).toISOString().slice(0, 10)).toBe('2026-04-05');
    expect(easterSunday(2027).toISOString().slice(0, 10)).toBe('2027-03-28');
    expect(frenchPublicHolidays(2026)).toEqual([
      '2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25',
    ]);
    expect(frenchPublicHolidays(2027)).toContain('2027-03-29'); // Easter Monday
    expect(frenchPublicHolidays(2027)).toContain('2027-05-06'); // Ascension
    expect(DEFAULT_CALENDAR_SETTINGS.holidays).toContain('2027-05-17'); // Whit Monday
  });

  it('counts only Monday–Friday 08:00–18:00 Paris time', () => {
    // Friday 2026-11-27 17:00 Paris (UTC+1) to Monday 2026-11-30 09:30: 1 h Friday + 1.5 h Monday.
    expect(businessMsBetween(paris, at('2026-11-27T17:00:00+01:00'), at('2026-11-30T09:30:00+01:00'))).toBe(2.5 * H);
    expect(businessMsBetween(paris, at('2026-11-28T10:00:00+01:00'), at('2026-11-29T10:00:00+01:00'))).toBe(0);
    expect(businessMsBetween(paris, at('2026-11-30T07:00:00+01:00'), at('2026-11-30T20:00:00+01:00'))).toBe(10 * H);
    expect(businessMsBetween(paris, 10, 5)).toBe(0);
  });

  it('skips holidays (Ascension 2026 is Thursday 14 May)', () => {
    expect(businessMsBetween(paris, at('2026-05-13T17:00:00+02:00'), at('2026-05-15T09:00:00+02:00'))).toBe(2 * H);
  });

  it('holds on DST days: 10 business hours on the Mondays after both changes', () => {
    expect(businessMsBetween(paris, at('2026-03-28T00:00:00+01:00'), at('2026-03-31T00:00:00+02:00'))).toBe(10 * H);
    expect(businessMsBetween(paris, at('2026-10-24T00:00:00+02:00'), at('2026-10-27T00:00:00+01:00'))).toBe(10 * H);
  });

  it('a night-shift calendar counts the repeated hour twice and the skipped hour not at all', () => {
    const allDay = businessCalendar({ timeZone: 'Europe/Paris', workingDays: [1, 2, 3, 4, 5, 6, 7], opens: '00:00', closes: '24:00', holidays: [] });
    expect(businessMsBetween(allDay, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(23 * H);
    expect(businessMsBetween(allDay, at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'))).toBe(25 * H);
  });

  it('adds business time, rolling over nights, weekends and holidays', () => {
    // Friday 2026-11-27 16:00 + 4 h → Monday 2026-11-30 10:00.
    expect(addBusinessMs(paris, at('2026-11-27T16:00:00+01:00'), 4 * H)).toBe(at('2026-11-30T10:00:00+01:00'));
    // Wednesday before Ascension 17:00 + 2 h → Friday 09:00.
    expect(addBusinessMs(paris, at('2026-05-13T17:00:00+02:00'), 2 * H)).toBe(at('2026-05-15T09:00:00+02:00'));
    // Saturday + 1 minute → Monday 08:01.
    expect(addBusinessMs(paris, at('2026-11-28T12:00:00+01:00'), M)).toBe(at('2026-11-30T08:01:00+01:00'));
    expect(addBusinessMs(paris, 123, 0)).toBe(123);
  });

  it('refuses a calendar that closes before it opens or names no time zone', () => {
    expect(() => businessCalendar({ ...DEFAULT_CALENDAR_SETTINGS, opens: '18:00', closes: '08:00' })).toThrow();
    expect(() => businessCalendar({ ...DEFAULT_CALENDAR_SETTINGS, timeZone: 'Mars/Olympus' })).toThrow();
    expect(() => businessCalendar({ ...DEFAULT_CALENDAR_SETTINGS, workingDays: [] })).toThrow();
  });
});

describe('SLA clocks', () => {
  const created = at('2026-11-30T09:00:00+01:00'); // Monday

  it('a P3 ticket owned after 2 h, resolved after 5 business hours: both clocks stopped and ok', () => {
    const history: StatusChange[] = [
      { at: created, status: 'new' },
      { at: created + 2 * H, status: 'in_progress' },
      { at: created + 5 * H, status: 'resolved' },
    ];
    const clocks = slaClocks(paris, history, 'P3', created + 50 * H);
    expect(clocks.own).toMatchObject({ elapsedMs: 2 * H, remainingMs: 8 * H, state: 'ok', stopped: true, paused: false, deadline: null });
    expect(clocks.resolve).toMatchObject({ elapsedMs: 5 * H, remainingMs: 25 * H, state: 'ok', stopped: true, paused: false, deadline: null });
  });

  it('pauses while waiting for the user, and gives the deadline once running again', () => {
    const history: StatusChange[] = [
      { at: created, status: 'new' },
      { at: created + H, status: 'in_progress' },
      { at: created + 2 * H, status: 'waiting_user' },
      { at: created + 26 * H, status: 'in_progress' }, // Tuesday 11:00
    ];
    const paused = slaClocks(paris, history.slice(0, 3), 'P2', created + 24 * H);
    expect(paused.resolve).toMatchObject({ elapsedMs: 2 * H, paused: true, stopped: false, deadline: null, state: 'ok' });
    const running = slaClocks(paris, history, 'P2', created + 27 * H); // Tuesday 12:00
    expect(running.resolve).toMatchObject({ elapsedMs: 3 * H, remainingMs: 7 * H, paused: false, state: 'ok' });
    // Tuesday 12:00 + 7 business hours: 6 h until 18:00, then Wednesday 08:00 + 1 h.
    expect(running.resolve.deadline).toBe(at('2026-12-02T09:00:00+01:00'));
  });

  it('warns at 75 % and breaches at 100 %, with the instant of the breach as deadline', () => {
    const history: StatusChange[] = [{ at: created, status: 'new' }];
    expect(slaClocks(paris, history, 'P1', created + 44 * M).own.state).toBe('ok');
    expect(slaClocks(paris, history, 'P1', created + 45 * M).own.state).toBe('warning');
    const late = slaClocks(paris, history, 'P1', created + 6 * H);
    expect(late.own).toMatchObject({ state: 'breached', deadline: created + H, elapsedMs: 6 * H, remainingMs: -5 * H });
    expect(late.resolve).toMatchObject({ state: 'breached', deadline: created + 4 * H });
  });

  it('a reopened ticket runs on from the time already spent', () => {
    const history: StatusChange[] = [
      { at: created, status: 'new' },
      { at: created + H, status: 'in_progress' },
      { at: created + 3 * H, status: 'resolved' },
      { at: created + 5 * H, status: 'in_progress' },
    ];
    const clocks = slaClocks(paris, history, 'P2', created + 6 * H);
    expect(clocks.resolve).toMatchObject({ elapsedMs: 4 * H, stopped: false, paused: false });
    expect(clocks.own).toMatchObject({ elapsedMs: H, stopped: true });
  });

  it('reads the history in time order even when given out of order (a corrected history corrects the clock)', () => {
    const history: StatusChange[] = [
      { at: created + 2 * H, status: 'resolved' },
      { at: created, status: 'new' },
    ];
    expect(slaClocks(paris, history, 'P4', created + 9 * H).resolve.elapsedMs).toBe(2 * H);
  });
});
