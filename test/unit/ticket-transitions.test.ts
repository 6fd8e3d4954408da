import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RelaisError } from '../../protocol/index.js';
import { SOLUTION_TYPES, newTicket, newTicketInput, ticket as ticketSchema, ticketInvariantProblems, type Ticket } from '../../protocol/ticket-model.js';
import { TICKET_ACTION_TYPES, checkWork, roleMayWork, statusHistory, transition, type TicketAction, type TicketActor, type TicketEvent } from '../../protocol/ticket-transitions.js';

const DAY = 86_400_000;
const l1: TicketActor = { id: 'lea', role: 'l1' };
const l1b: TicketActor = { id: 'noah', role: 'l1' };
const l2: TicketActor = { id: 'max', role: 'l2' };
const admin: TicketActor = { id: 'root', role: 'admin' };
const system: TicketActor = { id: 'system', role: 'system' };

function fresh(): Ticket {
  const input = newTicketInput.parse({
    title: 'VPN drops every hour',
    description: '',
    requester: { name: 'Inès', phone: null, email: null },
    category: 'network',
    impact: 'low',
    urgency: 'medium',
  });
  return newTicket(input, 'tk', 7, 1_000);
}

/** Runs actions in order, returning the final ticket and every event. */
function run(steps: Array<[TicketAction, TicketActor]>, start = fresh()): { ticket: Ticket; events: TicketEvent[] } {
  let t = start;
  const events: TicketEvent[] = [];
  let now = start.updatedAt;
  for (const [action, actor] of steps) {
    now += 60_000;
    const out = transition(t, action, actor, now);
    t = out.ticket;
    events.push(...out.events);
  }
  return { ticket: t, events };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RelaisError) return err.code;
    throw err;
  }
  return undefined;
}

describe('ticket transitions', () => {
  it('walks the whole story: take, wait, reply, escalate, L2 takes, resolve, reopen, resolve, close', () => {
    const { ticket: t, events } = run([
      [{ type: 'take' }, l1],
      [{ type: 'wait_for_user', reason: 'Asked for the VPN log' }, l1],
      [{ type: 'user_replied' }, system],
      [{ type: 'escalate', reason: 'Needs a firewall change' }, l1],
      [{ type: 'take' }, l2],
      [{ type: 'resolve', resolution: 'Raised the idle timeout.', solutionType: 'config_change' }, l2],
      [{ type: 'reopen', reason: 'Back again' }, system],
      [{ type: 'resolve', resolution: 'Replaced the client.', solutionType: 'fix' }, l2],
      [{ type: 'close' }, l2],
    ]);
    expect(events.map((e) => `${e.kind}:${e.from}>${e.to}`)).toEqual([
      'take:new>in_progress',
      'wait_for_user:in_progress>waiting_user',
      'user_replied:waiting_user>in_progress',
      'escalate:in_progress>escalated',
      'take:escalated>in_progress',
      'resolve:in_progress>resolved',
      'reopen:resolved>in_progress',
      'resolve:in_progress>resolved',
      'close:resolved>closed',
    ]);
    expect(t).toMatchObject({ status: 'closed', level: 'L2', assigneeId: 'max', followerIds: ['lea'], version: 10, escalationReason: 'Needs a firewall change' });
    expect(t.resolution).toEqual({ text: 'Replaced the client.', solutionType: 'fix' });
    expect(events.map((e) => e.version)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events[2]!.actorId).toBeNull();
    expect(ticketInvariantProblems(t)).toEqual([]);
    expect(statusHistory(t, events).map((h) => h.status)).toEqual([
      'new', 'in_progress', 'waiting_user', 'in_progress', 'escalated', 'in_progress', 'resolved', 'in_progress', 'resolved', 'closed',
    ]);
  });

  it('escalation needs a reason, moves to level 2 unassigned, and keeps the L1 as a follower (no group pile)', () => {
    const taken = run([[{ type: 'take' }, l1]]).ticket;
    expect(codeOf(() => transition(taken, { type: 'escalate', reason: '  ' }, l1, 5_000_000))).toBe('TICKET_ERR_REASON_REQUIRED');
    const { ticket: t, events } = run([[{ type: 'escalate', reason: 'Admin rights needed' }, l1b]], taken);
    expect(t).toMatchObject({ status: 'escalated', level: 'L2', assigneeId: null, followerIds: ['lea', 'noah'] });
    expect(events[0]).toMatchObject({ kind: 'escalate', reason: 'Admin rights needed', assigneeId: null });
    expect(codeOf(() => transition({ ...t, status: 'in_progress', assigneeId: 'max' }, { type: 'escalate', reason: 'again' }, l2, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
  });

  it('on a level-2 ticket only l2 and admin act; it is assigned only to l2 or admin', () => {
    const escalated = run([[{ type: 'escalate', reason: 'Server side' }, l1]]).ticket;
    for (const action of [{ type: 'take' }, { type: 'resolve', resolution: 'x', solutionType: 'fix' }] as TicketAction[]) {
      expect(codeOf(() => transition(escalated, action, l1, 9e6))).toBe('TICKET_ERR_FORBIDDEN_ACTION');
    }
    expect(codeOf(() => transition(escalated, { type: 'assign', assigneeId: 'noah', assigneeRole: 'l1' }, admin, 9e6))).toBe('TICKET_ERR_FORBIDDEN_ACTION');
    expect(transition(escalated, { type: 'assign', assigneeId: 'max', assigneeRole: 'l2' }, admin, 9e6).ticket).toMatchObject({ status: 'in_progress', assigneeId: 'max' });
    expect(transition(escalated, { type: 'resolve', resolution: 'Fixed on the server.', solutionType: 'fix' }, l2, 9e6).ticket).toMatchObject({ status: 'resolved', assigneeId: 'max' });
  });

  it('editing a ticket or starting a session from it follows the moves: level 1 only on level 1, nobody on a closed ticket', () => {
    const fresh = run([]).ticket;
    const escalated = run([[{ type: 'escalate', reason: 'Server side' }, l1]]).ticket;
    const closed = { ...fresh, status: 'closed' as const };
    for (const role of ['l1', 'l2', 'admin'] as const) expect(roleMayWork(role, fresh), role).toBe(true);
    expect(roleMayWork('l1', escalated)).toBe(false);
    expect(roleMayWork('l2', escalated)).toBe(true);
    expect(roleMayWork('admin', escalated)).toBe(true);
    expect(roleMayWork('system', fresh)).toBe(false);
    for (const role of ['l1', 'l2', 'admin'] as const) expect(roleMayWork(role, closed), role).toBe(false);
    expect(codeOf(() => checkWork('l1', escalated, 'edit'))).toBe('TICKET_ERR_FORBIDDEN_ACTION');
    expect(codeOf(() => checkWork('admin', closed, 'edit'))).toBe('TICKET_ERR_BAD_TRANSITION');
    expect(() => checkWork('l2', escalated, 'edit')).not.toThrow();
  });

  it('level 2 (or an admin) sends a ticket back to level 1 with a reason; level 1 cannot pull it back', () => {
    const escalated = run([[{ type: 'take' }, l1], [{ type: 'escalate', reason: 'Server side' }, l1]]).ticket;
    expect(codeOf(() => transition(escalated, { type: 'de_escalate', reason: 'Mine again' }, l1, 9e6))).toBe('TICKET_ERR_FORBIDDEN_ACTION');
    expect(codeOf(() => transition(escalated, { type: 'de_escalate', reason: ' ' }, l2, 9e6))).toBe('TICKET_ERR_REASON_REQUIRED');
    const { ticket: back, events } = run([[{ type: 'take' }, l2], [{ type: 'de_escalate', reason: 'Only the printer driver: level 1' }, l2]], escalated);
    expect(back).toMatchObject({ status: 'new', level: 'L1', assigneeId: null, followerIds: ['lea', 'max'], escalationReason: null });
    expect(events[1]).toMatchObject({ kind: 'de_escalate', from: 'in_progress', to: 'new', reason: 'Only the printer driver: level 1', assigneeId: null });
    expect(ticketInvariantProblems(back)).toEqual([]);
    // Back at level 1, the follower takes it again and may resolve it.
    expect(run([[{ type: 'take' }, l1], [{ type: 'resolve', resolution: 'Reinstalled the driver.', solutionType: 'fix' }, l1]], back).ticket).toMatchObject({ status: 'resolved', assigneeId: 'lea' });
    // Waiting for the user stays so (its clock stays paused); a level-1 ticket has nothing to send back.
    const waiting = run([[{ type: 'take' }, admin], [{ type: 'wait_for_user', reason: 'Log?' }, admin], [{ type: 'de_escalate', reason: 'Level 1 can finish' }, admin]], escalated).ticket;
    expect(waiting).toMatchObject({ status: 'waiting_user', level: 'L1', assigneeId: null });
    expect(codeOf(() => transition(fresh(), { type: 'de_escalate', reason: 'x' }, admin, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
  });

  it('system may only record a reply, reopen and auto-close', () => {
    const t = fresh();
    for (const type of ['take', 'start', 'close'] as const) {
      expect(codeOf(() => transition(t, { type } as TicketAction, system, 9e6)), type).toBe(type === 'close' ? 'TICKET_ERR_BAD_TRANSITION' : 'TICKET_ERR_FORBIDDEN_ACTION');
    }
    expect(codeOf(() => transition(t, { type: 'escalate', reason: 'x' }, system, 9e6))).toBe('TICKET_ERR_FORBIDDEN_ACTION');
  });

  it('refuses moves the machine does not have', () => {
    const t = fresh();
    expect(codeOf(() => transition(t, { type: 'reopen' }, l1, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
    expect(codeOf(() => transition(t, { type: 'close' }, l1, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
    expect(codeOf(() => transition(t, { type: 'user_replied' }, l1, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
    expect(codeOf(() => transition(t, { type: 'wait_for_user', reason: 'x' }, l1, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
    const closed = run([
      [{ type: 'resolve', resolution: 'Explained the setting.', solutionType: 'user_training' }, l1],
      [{ type: 'close' }, l1],
    ]).ticket;
    for (const type of TICKET_ACTION_TYPES) {
      expect(codeOf(() => transition(closed, { type, reason: 'r', resolution: 'r', solutionType: 'fix', afterDays: 0, assigneeId: 'x', assigneeRole: 'l1' } as TicketAction, admin, 9e9)), type).toBe(
        'TICKET_ERR_BAD_TRANSITION',
      );
    }
    const mine = run([[{ type: 'take' }, l1]]).ticket;
    expect(codeOf(() => transition(mine, { type: 'take' }, l1, 9e6))).toBe('TICKET_ERR_BAD_TRANSITION');
  });

  it('resolving needs a resolution text and a solution type', () => {
    const t = fresh();
    expect(codeOf(() => transition(t, { type: 'resolve', resolution: '', solutionType: 'fix' }, l1, 9e6))).toBe('TICKET_ERR_RESOLUTION_REQUIRED');
    expect(codeOf(() => transition(t, { type: 'resolve', resolution: 'ok', solutionType: 'magic' as never }, l1, 9e6))).toBe('TICKET_ERR_RESOLUTION_REQUIRED');
    expect(codeOf(() => transition(t, { type: 'resolve', resolution: 'x'.repeat(20_001), solutionType: 'fix' }, l1, 9e6))).toBe('TICKET_ERR_INVALID_FIELD');
    expect(codeOf(() => transition(t, { type: 'escalate', reason: 'x'.repeat(1_001) }, l1, 9e6))).toBe('TICKET_ERR_INVALID_FIELD');
  });

  it('a stale version is a conflict (409), checked before anything else', () => {
    const t = run([[{ type: 'take' }, l1]]).ticket;
    expect(t.version).toBe(2);
    expect(codeOf(() => transition(t, { type: 'wait_for_user', reason: 'Log?', expectedVersion: 1 }, l1, 9e6))).toBe('TICKET_ERR_VERSION_CONFLICT');
    expect(codeOf(() => transition(t, { type: 'close', expectedVersion: 1 }, l1, 9e6))).toBe('TICKET_ERR_VERSION_CONFLICT');
    expect(transition(t, { type: 'wait_for_user', reason: 'Log?', expectedVersion: 2 }, l1, 9e6).ticket.version).toBe(3);
    const err = (() => {
      try {
        transition(t, { type: 'close', expectedVersion: 1 }, l1, 9e6);
      } catch (e) {
        return e as RelaisError;
      }
      return undefined;
    })();
    expect(err?.status).toBe(409);
  });

  it('auto-closes a resolved ticket only after N days, and only as system or admin', () => {
    const resolved = run([[{ type: 'resolve', resolution: 'Rebooted.', solutionType: 'workaround' }, l1]]).ticket;
    const at = resolved.resolvedAt!;
    expect(codeOf(() => transition(resolved, { type: 'auto_close', afterDays: 7 }, system, at + 7 * DAY - 1))).toBe('TICKET_ERR_BAD_TRANSITION');
    expect(codeOf(() => transition(resolved, { type: 'auto_close', afterDays: 7 }, l1, at + 8 * DAY))).toBe('TICKET_ERR_FORBIDDEN_ACTION');
    const { ticket: closed, events } = transition(resolved, { type: 'auto_close', afterDays: 7 }, system, at + 7 * DAY);
    expect(closed).toMatchObject({ status: 'closed', closedAt: at + 7 * DAY });
    expect(events[0]).toMatchObject({ kind: 'auto_close', afterDays: 7, actorId: null });
    expect(codeOf(() => transition(closed, { type: 'reopen' }, system, at + 8 * DAY))).toBe('TICKET_ERR_BAD_TRANSITION');
  });

  it('never changes its input and never moves time backwards', () => {
    const t = fresh();
    const copy = structuredClone(t);
    const out = transition(t, { type: 'start' }, l1, 0);
    expect(t).toEqual(copy);
    expect(out.ticket.updatedAt).toBe(t.updatedAt);
    expect(out.ticket).toMatchObject({ status: 'in_progress', assigneeId: 'lea' });
  });

  it('random action sequences never leave the machine, and versions strictly increase', () => {
    const actors = fc.constantFrom(l1, l1b, l2, admin, system);
    const action: fc.Arbitrary<TicketAction> = fc.oneof(
      fc.constant({ type: 'take' } as const),
      fc.record({ type: fc.constant('assign' as const), assigneeId: fc.constantFrom('lea', 'noah', 'max', 'root'), assigneeRole: fc.constantFrom('l1' as const, 'l2' as const, 'admin' as const) }),
      fc.constant({ type: 'start' } as const),
      fc.record({ type: fc.constant('wait_for_user' as const), reason: fc.constantFrom('', 'Need the log', ' ') }),
      fc.constant({ type: 'user_replied' } as const),
      fc.record({ type: fc.constant('escalate' as const), reason: fc.constantFrom('', 'Server side') }),
      fc.record({ type: fc.constant('de_escalate' as const), reason: fc.constantFrom('', 'A level 1 matter') }),
      fc.record({ type: fc.constant('resolve' as const), resolution: fc.constantFrom('', 'Done.'), solutionType: fc.constantFrom(...SOLUTION_TYPES) }),
      fc.record({ type: fc.constant('reopen' as const), reason: fc.option(fc.constantFrom('Back again'), { nil: undefined }) }),
      fc.constant({ type: 'close' } as const),
      fc.record({ type: fc.constant('auto_close' as const), afterDays: fc.integer({ min: 0, max: 3 }) }),
    );
    const step = fc.record({ action, actor: actors, gap: fc.integer({ min: 0, max: 2 * DAY }), stale: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let t = fresh();
        let now = t.createdAt;
        for (const s of steps) {
          now += s.gap;
          const before = t;
          try {
            const action = s.stale ? { ...s.action, expectedVersion: t.version - 1 } : s.action;
            const out = transition(t, action, s.actor, now);
            expect(out.ticket.version).toBe(before.version + 1);
            expect(out.events).toHaveLength(1);
            expect(out.events[0]!.version).toBe(out.ticket.version);
            expect(out.events[0]!.from).toBe(before.status);
            expect(out.events[0]!.to).toBe(out.ticket.status);
            t = out.ticket;
          } catch (err) {
            expect(err).toBeInstanceOf(RelaisError);
            expect((err as RelaisError).code).toMatch(/^TICKET_ERR_/);
            if (s.stale) expect((err as RelaisError).code).toBe('TICKET_ERR_VERSION_CONFLICT');
            expect(t).toBe(before);
          }
          expect(ticketInvariantProblems(t)).toEqual([]);
          expect(ticketSchema.safeParse(t).success).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
