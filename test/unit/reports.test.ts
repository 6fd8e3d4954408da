/**
 * Reports on a real SQLite store with a fake clock: each ticket's figures (first contact,
 * business times from the SLA clocks, deadlines), the day sums moved by deltas as tickets
 * change (reassignment included), the dashboard's answer for everyone and one technician,
 * breaches counted only once passed, findings at join, satisfaction, a rebuild from the
 * history giving the same answer, and the CSV of each chart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportAnswer, type ReportAnswer } from '../../protocol/report-model.js';
import { businessCalendar } from '../../protocol/business-calendar.js';
import { AuditLog } from '../../controller/server/audit/audit.js';
import type { Account } from '../../controller/server/auth/accounts.js';
import { reportCsv } from '../../controller/server/reports/report-csv.js';
import { ReportService } from '../../controller/server/reports/report-service.js';
import { firstContact, ticketFigures } from '../../controller/server/reports/ticket-figures.js';
import { SurveyStore } from '../../controller/server/satisfaction/survey-store.js';
import { TicketSla } from '../../controller/server/tickets/ticket-sla.js';
import { TicketStore } from '../../controller/server/tickets/ticket-store.js';
import { addDevice, openTempStore, type TempStore } from '../helpers/temp-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Monday 2026-03-02 10:00 in Paris (09:00 UTC).
const MONDAY_10 = Date.UTC(2026, 2, 2, 9, 0, 0);

let store: TempStore;
let now: number;
let tickets: TicketStore;
let reports: ReportService;
let surveys: SurveyStore;
let audit: AuditLog;
let alice: Account;
let bob: Account;

async function account(username: string): Promise<Account> {
  const inserted = await store.db.insertInto('users').values({ username, name: username.toUpperCase(), password_hash: 'x', role: 'l1', created_at: 0, deleted_at: null }).returning('id').executeTakeFirstOrThrow();
  return { id: Number(inserted.id), username, name: username.toUpperCase(), role: 'l1' };
}

beforeEach(async () => {
  store = await openTempStore();
  now = MONDAY_10;
  audit = new AuditLog(store.db, { now: () => now });
  tickets = new TicketStore(store.db, audit, undefined, () => now);
  reports = new ReportService(store.db, () => now);
  surveys = new SurveyStore(store.db, tickets, audit, { expiryMs: 7 * DAY, dayOf: (at) => reports.figures.day(at), now: () => now });
  alice = await account('alice');
  bob = await account('bob');
});
afterEach(async () => {
  await audit.flush();
  await store.close();
});

const as = (who: Account) => ({ account: who, ip: null });
const create = (title: string, category: 'hardware' | 'network' = 'hardware', priority: 'high' | 'low' = 'high') =>
  tickets.create({ title, description: '', requester: { name: 'P', phone: null, email: null }, category, impact: priority, urgency: priority, deviceIds: [] }, as(alice));

async function report(query: { from?: string; to?: string; technician?: number } = {}): Promise<ReportAnswer> {
  return reportAnswer.parse(await reports.report({ from: '2026-03-01', to: '2026-03-31', ...query }));
}

describe('one ticket\'s figures', () => {
  const sla = new TicketSla(businessCalendar());
  const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
  it('first contact: resolved without waiting, escalation or reopening', () => {
    expect(firstContact([{ at: 1, status: 'new' }, { at: 2, status: 'in_progress' }, { at: 3, status: 'resolved' }, { at: 4, status: 'closed' }])).toBe(true);
    expect(firstContact([{ at: 1, status: 'new' }, { at: 2, status: 'waiting_user' }, { at: 3, status: 'resolved' }])).toBe(false);
    expect(firstContact([{ at: 1, status: 'new' }, { at: 2, status: 'escalated' }, { at: 3, status: 'resolved' }])).toBe(false);
    expect(firstContact([{ at: 1, status: 'new' }, { at: 2, status: 'resolved' }, { at: 3, status: 'in_progress' }, { at: 4, status: 'resolved' }])).toBe(false);
  });
  it('business times from the SLA clocks: a night in the middle does not count; deadlines for running clocks', () => {
    // Created Monday 17:00 Paris, owned Tuesday 09:00: one business hour to own.
    const created = Date.UTC(2026, 2, 2, 16, 0, 0);
    const owned = Date.UTC(2026, 2, 3, 8, 0, 0);
    const f = ticketFigures({ id: 't', version: 2, createdAt: created, category: 'network', assigneeId: 7, status: 'in_progress', priority: 'P1', resolvedAt: null, history: [{ at: created, status: 'new' }, { at: owned, status: 'in_progress' }] }, sla, dayOf);
    expect(f.own_ms).toBe(2 * HOUR);
    expect(f.resolve_ms).toBeNull();
    expect(f.first_contact).toBeNull();
    // P1: one business hour to own, from 17:00 Paris: passed at 18:00 Paris (17:00 UTC).
    expect(f.own_breach_at).toBe(Date.UTC(2026, 2, 2, 17, 0, 0));
    // The resolve clock still runs: its deadline is known (4 business hours from creation).
    expect(f.resolve_breach_at).toBe(Date.UTC(2026, 2, 3, 10, 0, 0));
  });
});

describe('the dashboard', () => {
  it('sums opened, resolved, first contact, business means, per technician, and follows a reassignment', async () => {
    const a = await create('A');
    now += HOUR;
    await tickets.act(a.number, { type: 'take' }, as(alice));
    now += HOUR;
    await tickets.act(a.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, as(alice));
    const b = await create('B', 'network', 'low');
    now += HOUR;
    await tickets.act(b.number, { type: 'take' }, as(bob));
    await tickets.act(b.number, { type: 'wait_for_user', reason: 'Away' }, as(bob));
    now += DAY;
    await tickets.act(b.number, { type: 'user_replied' }, as(bob));
    now += HOUR;
    await tickets.act(b.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, as(bob));
    await create('C', 'network', 'low');

    let r = await report();
    expect(r.cards).toMatchObject({ opened: 3, resolved: 2, firstContactRate: 0.5 });
    expect(r.cards.meanOwnMs).toBe(HOUR);
    expect(r.cards.meanResolveMs).toBe((2 * HOUR + 2 * HOUR) / 2);
    expect(r.days.find((d) => d.day === '2026-03-02')).toMatchObject({ opened: 2, resolved: 1 });
    expect(r.days.find((d) => d.day === '2026-03-03')).toMatchObject({ opened: 1, resolved: 1 });
    expect(r.days).toHaveLength(31);
    expect(r.categories).toEqual([{ category: 'network', count: 2 }, { category: 'hardware', count: 1 }]);
    expect(r.technicians.map((t) => [t.username, t.opened, t.resolved, t.firstContactRate])).toEqual([['alice', 1, 1, 1], ['bob', 1, 1, 0]]);
    expect((await report({ technician: bob.id })).cards).toMatchObject({ opened: 1, resolved: 1, firstContactRate: 0 });

    // Reassigned to alice: bob's sums lose it, alice's gain it.
    now += HOUR;
    await tickets.act(b.number, { type: 'reopen' }, as(alice));
    await tickets.act(b.number, { type: 'take' }, as(alice));
    r = await report({ technician: bob.id });
    expect(r.cards).toMatchObject({ opened: 0, resolved: 0 });
    expect((await report({ technician: alice.id })).cards).toMatchObject({ opened: 2, resolved: 1 });

    // A rebuild from the histories gives the same answer.
    const before = await report();
    await reports.figures.rebuild();
    expect(await report()).toEqual(before);
  });

  it('counts a deadline as a breach only once passed, on the day it passed', async () => {
    // P1: 1 business hour to own. Not taken.
    const t = await create('Urgent');
    expect((await report()).cards.ownBreaches).toBe(0);
    now += 30 * 60_000;
    expect((await report()).cards.ownBreaches).toBe(0);
    now += 31 * 60_000;
    const r = await report();
    expect(r.cards.ownBreaches).toBe(1);
    expect(r.days.find((d) => d.day === '2026-03-02')!.ownBreaches).toBe(1);
    // Later days: the breach stays on its day.
    now += 3 * DAY;
    await tickets.act(t.number, { type: 'take' }, as(alice));
    const later = await report();
    expect(later.cards.ownBreaches).toBe(1);
    expect(later.days.find((d) => d.day === '2026-03-02')!.ownBreaches).toBe(1);
  });

  it('counts satisfaction answers and not solved, and the findings of the devices at join', async () => {
    const t = await create('Printer');
    await tickets.act(t.number, { type: 'take' }, as(alice));
    await tickets.act(t.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, as(alice));
    now += HOUR;
    await surveys.answerByToken((await surveys.issueLink(t.number, 'mail')).token, { kind: 'rating', rating: 4 });
    const u = await create('Mail');
    await tickets.act(u.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, as(bob));
    await surveys.answerByToken((await surveys.issueLink(u.number, 'mail')).token, { kind: 'not_solved' });
    // A join snapshot with two findings of one check and one of another: each check once per ticket.
    await addDevice(store.db, 'd1');
    const snap = await store.db.insertInto('snapshots').values({ device_id: 'd1', taken_at: now, received_at: now, snapshot_json: '{}', findings_json: JSON.stringify([{ id: 'disk.full:/' }, { id: 'disk.full:/home' }, { id: 'dns.no-servers' }]), worst: 'warning' }).returning('id').executeTakeFirstOrThrow();
    await tickets.findingsArrived('d1', Number(snap.id), 'warning', 3, true);
    await store.db.insertInto('ticket_devices').values({ ticket_id: (await store.db.selectFrom('tickets').select('id').where('number', '=', u.number).executeTakeFirstOrThrow()).id, device_id: 'd1', position: 0 }).execute();
    await tickets.findingsArrived('d1', Number(snap.id), 'warning', 3, true);

    const r = await report();
    expect(r.ratings).toEqual([0, 0, 0, 1, 0]);
    expect(r.cards).toMatchObject({ satisfactionAverage: 4, answers: 2, notSolved: 1 });
    expect(r.findings).toEqual([{ code: 'disk.full', count: 1 }, { code: 'dns.no-servers', count: 1 }]);
    expect(r.technicians.find((x) => x.username === 'alice')).toMatchObject({ satisfactionAverage: 4, answers: 1 });
    const csv = [...reportCsv(r, 'satisfaction')].join('');
    expect(csv).toBe('answer,count\r\n1,0\r\n2,0\r\n3,0\r\n4,1\r\n5,0\r\nnot_solved,1\r\n');
    expect([...reportCsv(r, 'findings')].join('')).toBe('finding,tickets\r\ndisk.full,1\r\ndns.no-servers,1\r\n');
    expect([...reportCsv(r, 'daily')]).toHaveLength(32);
  });

  it('counts only the days of the range asked, for everyone and per technician; each chart\u2019s CSV follows the range', async () => {
    // Monday: alice's ticket, resolved and rated 2 the same day.
    const a = await create('Monday', 'hardware');
    await tickets.act(a.number, { type: 'take' }, as(alice));
    await tickets.act(a.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, as(alice));
    await surveys.answerByToken((await surveys.issueLink(a.number, 'mail')).token, { kind: 'rating', rating: 2 });
    // Thursday: bob's ticket, resolved and rated 5.
    now += 3 * DAY;
    const b = await create('Thursday', 'network');
    await tickets.act(b.number, { type: 'take' }, as(bob));
    await tickets.act(b.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, as(bob));
    await surveys.answerByToken((await surveys.issueLink(b.number, 'mail')).token, { kind: 'rating', rating: 5 });

    const monday = await report({ from: '2026-03-01', to: '2026-03-03' });
    expect(monday.days.map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(monday.cards).toMatchObject({ opened: 1, resolved: 1, answers: 1, satisfactionAverage: 2 });
    expect(monday.categories).toEqual([{ category: 'hardware', count: 1 }]);
    expect(monday.technicians.map((t) => t.username)).toEqual(['alice']);
    const thursday = await report({ from: '2026-03-04', to: '2026-03-05' });
    expect(thursday.cards).toMatchObject({ opened: 1, resolved: 1, answers: 1, satisfactionAverage: 5 });
    expect(thursday.ratings).toEqual([0, 0, 0, 0, 1]);
    expect(thursday.technicians.map((t) => [t.username, t.satisfactionAverage, t.answers])).toEqual([['bob', 5, 1]]);
    // Both days, one technician.
    const bobsWeek = await report({ from: '2026-03-01', to: '2026-03-07', technician: bob.id });
    expect(bobsWeek.cards).toMatchObject({ opened: 1, resolved: 1, answers: 1, satisfactionAverage: 5 });
    // The CSV is the numbers of the range shown.
    expect([...reportCsv(monday, 'categories')].join('')).toBe('category,opened\r\nhardware,1\r\n');
    expect([...reportCsv(thursday, 'technicians')].join('')).toBe(
      'username,name,opened,resolved,first_contact_rate,mean_own_minutes,mean_resolve_minutes,breaches,satisfaction_average,answers\r\nbob,BOB,1,1,1.0000,0,0,0,5.00,1\r\n');
    expect([...reportCsv(monday, 'daily')].join('')).toBe('day,opened,resolved,own_breaches,resolve_breaches\r\n2026-03-01,0,0,0,0\r\n2026-03-02,1,1,0,0\r\n2026-03-03,0,0,0,0\r\n');
  });

  it('refuses bad ranges with REPORT_ERR_INVALID_FIELD and defaults to the last 30 days', async () => {
    for (const q of [{ from: '2026-02-30' }, { from: '2026-03-10', to: '2026-03-01' }, { from: '2025-01-01', to: '2026-03-01' }]) {
      await expect(reports.report(q)).rejects.toMatchObject({ code: 'REPORT_ERR_INVALID_FIELD' });
    }
    const r = await reports.report({});
    expect(r.to).toBe('2026-03-02');
    expect(r.from).toBe('2026-02-01');
    expect(r.days).toHaveLength(30);
  });
});
