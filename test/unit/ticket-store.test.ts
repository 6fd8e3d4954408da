/**
 * TicketStore on a real SQLite store with a fake clock: auto-close after N days, two
 * concurrent changes on one version (one wins, the other is a version conflict), the
 * clocks read from the history (a corrected history corrects them) and the queue's sort
 * deadline recomputed on every change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelaisError } from '../../protocol/index.js';
import { AuditLog } from '../../controller/server/audit/audit.js';
import type { Account } from '../../controller/server/auth/accounts.js';
import { TicketStore } from '../../controller/server/tickets/ticket-store.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

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
  const inserted = await store.db.insertInto('users').values({ username: 'tech', name: 'Tech', password_hash: 'x', role: 'technician', created_at: 0, deleted_at: null }).executeTakeFirst();
  tech = { id: Number(inserted.insertId), username: 'tech', name: 'Tech', role: 'technician' };
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
});
