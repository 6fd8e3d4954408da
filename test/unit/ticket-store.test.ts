/**
 * TicketStore on a real store (SQLite, and PostgreSQL in the postgres project) with a fake clock: auto-close after N days, two
 * concurrent changes on one version (one wins, the other is a version conflict), the
 * clocks read from the history (a corrected history corrects them) and the queue's sort
 * deadline recomputed on every change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelaisError } from '../../protocol/index.js';
import { AuditLog } from '../../controller/server/audit/audit.js';
import type { Account } from '../../controller/server/auth/accounts.js';
import { TicketStore } from '../../controller/server/tickets/ticket-store.js';
import { ticketQuery } from '../../protocol/rest-ticket-answers.js';
import { addDevice, openTempStore, type TempStore } from '../helpers/temp-store.js';

const DAY = 86_400_000;
// Monday 2026-03-02 10:00 in Paris (09:00 UTC): inside business hours.
const MONDAY_10 = Date.UTC(2026, 2, 2, 9, 0, 0);

let store: TempStore;
let now: number;
let tickets: TicketStore;
let audit: AuditLog;
let tech: Account;

const input = {
  title: 'Screen flickers',
  description: '',
  requester: { name: 'Paul Durand', phone: null, email: null },
  category: 'hardware' as const,
  impact: 'high' as const,
  urgency: 'high' as const,
  deviceIds: [],
};

beforeEach(async () => {
  store = await openTempStore();
  now = MONDAY_10;
  audit = new AuditLog(store.db, { now: () => now });
  tickets = new TicketStore(store.db, audit, undefined, () => now);
  const { id } = await store.db.insertInto('users').values({ username: 'tech', name: 'Tech', password_hash: 'x', role: 'l1', created_at: 0, deleted_at: null }).returning('id').executeTakeFirstOrThrow();
  tech = { id, username: 'tech', name: 'Tech', role: 'l1' };
});
afterEach(async () => {
  await audit.flush();
  await store.close();
});

const caller = () => ({ account: tech, ip: null });

describe('TicketStore', () => {
  it('closes resolved tickets once their resolution is N days old, as the controller', async () => {
    const t = await tickets.create(input, caller());
    await tickets.act(t.number, { type: 'resolve', resolution: 'New cable.', solutionType: 'hardware_replaced' }, caller());
    now += 6 * DAY;
    expect(await tickets.autoClose(7)).toBe(0);
    now += DAY;
    expect(await tickets.autoClose(7)).toBe(1);
    const closed = (await tickets.view(t.number))!;
    expect(closed).toMatchObject({ status: 'closed', closedAt: now });
    const timeline = await tickets.timeline(t.number, undefined, 10);
    expect(timeline.events.at(-1)).toMatchObject({ kind: 'auto_close', actor: null, data: { from: 'resolved', to: 'closed', afterDays: 7 } });
    expect(await tickets.autoClose(7)).toBe(0);
    await audit.flush();
    expect((await audit.recent(10)).map((e) => e.action)).toContain('ticket.action');
  });

  it('of two changes made on the same version, one wins and the other is a version conflict', async () => {
    const t = await tickets.create(input, caller());
    const results = await Promise.allSettled([
      tickets.act(t.number, { type: 'take', expectedVersion: 1 }, caller()),
      tickets.act(t.number, { type: 'escalate', reason: 'Needs a new screen.', expectedVersion: 1 }, caller()),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(RelaisError);
    expect((lost.reason as RelaisError).code).toBe('TICKET_ERR_VERSION_CONFLICT');
    expect((await tickets.view(t.number))!.version).toBe(2);
  });

  it('reads the clocks from the status history: correcting the history corrects them; the sort deadline follows each change', async () => {
    const t = await tickets.create(input, caller()); // P1: own 1 h, resolve 4 h
    expect(t.dueAt).toBe(MONDAY_10 + 3_600_000);
    now += 30 * 60_000;
    const taken = await tickets.act(t.number, { type: 'take' }, caller());
    expect(taken.sla.own).toMatchObject({ stopped: true, elapsedMs: 30 * 60_000 });
    expect(taken.dueAt).toBe(MONDAY_10 + 4 * 3_600_000);
    now += 30 * 60_000;
    const waiting = await tickets.act(t.number, { type: 'wait_for_user', reason: 'Which screen?' }, caller());
    expect(waiting.dueAt).toBeNull();
    now += 60 * 60_000;
    expect((await tickets.view(t.number))!.sla.resolve).toMatchObject({ paused: true, elapsedMs: 60 * 60_000 });

    // Someone corrects the history: the ticket was in fact taken at creation.
    await store.db.updateTable('ticket_status_history').set({ at: MONDAY_10 }).where('ticket_id', '=', t.id).where('status', '=', 'in_progress').execute();
    expect((await tickets.view(t.number))!.sla.own).toMatchObject({ stopped: true, elapsedMs: 0 });

    const queue = await tickets.queue({ limit: 50 }, tech);
    expect(queue.total).toBe(1);
    expect(queue.tickets[0]!.sla.resolve.paused).toBe(true);
  });

  it('answers a text search with other filters the same whichever side it reads first, and pages it with the cursor', async () => {
    const level2 = { id: Number((await store.db.insertInto('users').values({ username: 'max', name: 'Max', password_hash: 'x', role: 'l2', created_at: 0, deleted_at: null }).returning('id').executeTakeFirstOrThrow()).id), username: 'max', name: 'Max', role: 'l2' as const };
    const words = ['vpn lent', 'imprimante bloquée', 'écran noir', 'vpn coupé imprimante', 'wifi'];
    const made: Array<{ number: number; title: string }> = [];
    for (let i = 0; i < 60; i++) {
      now += 60_000;
      const title = `${words[i % words.length]} poste ${i}`;
      const t = await tickets.create({ ...input, title, impact: (['high', 'medium', 'low'] as const)[i % 3]! }, caller());
      made.push({ number: t.number, title });
      // Statuses of every kind: in progress, waiting, escalated (level 2, tech follows), resolved.
      if (i % 4 === 1) await tickets.act(t.number, { type: 'take' }, caller());
      if (i % 8 === 1) await tickets.act(t.number, { type: 'wait_for_user', reason: 'Log?' }, caller());
      if (i % 4 === 2) await tickets.act(t.number, { type: 'escalate', reason: 'Server side' }, caller());
      if (i % 8 === 2) await tickets.act(t.number, { type: 'take' }, { account: level2, ip: null });
      if (i % 4 === 3) await tickets.act(t.number, { type: 'resolve', resolution: 'Done.', solutionType: 'fix' }, caller());
    }
    const all = (await tickets.queue(ticketQuery.parse({ limit: '200' }), tech)).tickets;
    expect(all).toHaveLength(60);
    const expected = (query: Record<string, string>, keep: (t: (typeof all)[number]) => boolean) => {
      const terms = (query.q ?? '').split(' ').filter(Boolean);
      return all.filter((t) => keep(t) && terms.every((w) => t.title.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().split(/[^a-z0-9]+/).some((x) => x.startsWith(w)))).map((t) => t.number);
    };
    const cases: Array<[Record<string, string>, (t: (typeof all)[number]) => boolean]> = [
      [{ q: 'vpn' }, () => true],
      [{ q: 'vpn impri' }, () => true],
      [{ q: 'ecran', status: 'new,in_progress,waiting_user,escalated' }, (t) => ['new', 'in_progress', 'waiting_user', 'escalated'].includes(t.status)],
      [{ q: 'imprimante', status: 'resolved' }, (t) => t.status === 'resolved'],
      [{ q: 'wifi', level: 'L2' }, (t) => t.level === 'L2'],
      // A word every ticket has: the few resolved ones are walked and probed.
      [{ q: 'poste', status: 'resolved' }, (t) => t.status === 'resolved'],
      [{ q: 'poste vpn', status: 'new,waiting_user' }, (t) => ['new', 'waiting_user'].includes(t.status)],
      [{ q: 'vpn', follower: 'mine' }, (t) => t.followerIds.includes(String(tech.id))],
      [{ follower: 'mine' }, (t) => t.followerIds.includes(String(tech.id))],
      [{ q: 'vpn', assignee: 'mine', priority: 'P1,P2' }, (t) => t.assigneeId === String(tech.id) && ['P1', 'P2'].includes(t.priority)],
    ];
    for (const [query, keep] of cases) {
      const want = expected(query, keep);
      expect(want.length, JSON.stringify(query)).toBeGreaterThan(0);
      const whole = await tickets.queue(ticketQuery.parse({ ...query, limit: '200' }), tech);
      expect(whole.total, JSON.stringify(query)).toBe(want.length);
      expect(whole.tickets.map((t) => t.number), JSON.stringify(query)).toEqual(want);
      // Page by page with the cursor: the same tickets in the same order.
      const paged: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await tickets.queue(ticketQuery.parse({ ...query, limit: '3', ...(cursor ? { cursor } : {}) }), tech);
        paged.push(...page.tickets.map((t) => t.number));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(paged, JSON.stringify(query)).toEqual(want);
    }
    expect(made.length).toBe(60);
  });
  it('a device put on a ticket brings its latest findings as its join (at creation and on an edit); one never diagnosed brings none', async () => {
    const snapshot = (deviceId: string, findings: unknown[], worst: 'warning' | 'critical') => store.db.insertInto('snapshots')
      .values({ device_id: deviceId, taken_at: now, received_at: now, snapshot_json: '{}', findings_json: JSON.stringify(findings), worst }).returning('id').executeTakeFirstOrThrow();
    for (const id of ['pc-1', 'pc-2']) await addDevice(store.db, id);
    await snapshot('pc-1', [{ id: 'dns.no-servers' }], 'warning');
    const latest = await snapshot('pc-1', [{ id: 'disk.full:/' }, { id: 'battery.low' }], 'critical');
    const findingsOf = async (number: number) => (await tickets.timeline(number, undefined, 20)).events.filter((e) => e.kind === 'findings').map((e) => e.data);
    const t = await tickets.create({ ...input, deviceIds: ['pc-1', 'never-seen'] }, caller());
    expect(await findingsOf(t.number)).toEqual([{ deviceId: 'pc-1', snapshotId: Number(latest.id), worst: 'critical', count: 2, join: true }]);
    // An edit adds a device: only the new one brings its findings.
    const other = await snapshot('pc-2', [{ id: 'disk.full:/' }], 'warning');
    await tickets.patch(t.number, { expectedVersion: 1, deviceIds: ['pc-1', 'never-seen', 'pc-2'] }, caller());
    expect(await findingsOf(t.number)).toEqual([
      { deviceId: 'pc-1', snapshotId: Number(latest.id), worst: 'critical', count: 2, join: true },
      { deviceId: 'pc-2', snapshotId: Number(other.id), worst: 'warning', count: 1, join: true },
    ]);
  });
});
