/**
 * Tickets over REST against a real controller (issue 10): creation by hand and from a
 * support link, the queue's filters and keyset pages, actions through the one transition
 * with version conflicts (409 with the current ticket), invalid moves, catalog errors for
 * bad fields, escalation's reason, the SLA clock pausing while waiting for the user,
 * notes and the timeline, the audit log. One controller for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { errorWords } from '../../protocol/index.js';
import { ticketAnswers } from '../../protocol/rest-ticket-answers.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';

let c: RunningController;
let admin: string;
let tech: string;
let techId: number;

interface Answer { status: number; json: any }

async function call(cookie: string | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { origin: c.url, ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** The answer, checked against its contract schema. */
function valid<S extends z.ZodType>(schema: S, a: Answer, status = 200): z.infer<S> {
  expect(a.status, JSON.stringify(a.json)?.slice(0, 300)).toBe(status);
  return schema.parse(a.json);
}

function refused(a: Answer, status: number, code: string, field?: string): void {
  expect(a.status, JSON.stringify(a.json)?.slice(0, 300)).toBe(status);
  expect(a.json.error.code).toBe(code);
  if (field) expect(a.json.error.message).toMatch(new RegExp(`\\(${field.replace(/\./g, '\\.')}[.)]`));
}

const base = {
  title: 'Printer does not print',
  description: 'Since this morning the **third floor** printer\nshows an error.',
  requester: { name: 'Claire Martin', phone: '+33 1 23 45 67 89', email: 'claire.martin@example.com' },
  category: 'hardware',
  impact: 'medium',
  urgency: 'medium',
};

async function create(cookie: string, fields: Record<string, unknown> = {}) {
  return valid(ticketAnswers.ticket, await call(cookie, 'POST', '/api/tickets', { ...base, ...fields }), 201).ticket;
}

const act = (cookie: string, number: number, body: Record<string, unknown>) => call(cookie, 'POST', `/api/tickets/${number}/actions`, body);

beforeAll(async () => {
  c = await startController();
  admin = await login(c);
  const created = await call(admin, 'POST', '/api/users', { username: 'l1.tech', name: 'Léa Level-One', password: 'l1.tech has a long password', role: 'l1' });
  expect(created.status).toBe(201);
  techId = created.json.user.id;
  tech = await login(c, 'l1.tech', 'l1.tech has a long password');
});
afterAll(async () => c?.stop());

describe('creating a ticket', () => {
  it('by hand: a number from 1001, status new, level 1, the priority from impact and urgency, running SLA clocks', async () => {
    const t = await create(tech);
    expect(t.number).toBeGreaterThanOrEqual(1001);
    expect(t).toMatchObject({ status: 'new', level: 'L1', priority: 'P3', version: 1, assigneeId: null, assignee: null, supportLinkId: null });
    expect(t.description).toBe(base.description);
    expect(t.sla.own).toMatchObject({ paused: false, stopped: false, targetMs: 10 * 3_600_000 });
    expect(t.sla.own.deadline).not.toBeNull();
    // The sort deadline was computed at the change, the clocks now: the same instant while they run.
    expect(Math.abs(t.dueAt! - Math.min(t.sla.own.deadline!, t.sla.resolve.deadline!))).toBeLessThan(1000);
    const shown = valid(ticketAnswers.ticket, await call(tech, 'GET', `/api/tickets/${t.number}`)).ticket;
    expect(shown).toMatchObject({ id: t.id, title: base.title, requester: base.requester });
  });

  it('refuses every bad field with the catalog code naming it, and unknown numbers with TICKET_ERR_NOT_FOUND', async () => {
    const post = (body: unknown) => call(tech, 'POST', '/api/tickets', body);
    refused(await post({ ...base, title: '   ' }), 400, 'TICKET_ERR_INVALID_FIELD', 'title');
    refused(await post({ ...base, title: undefined }), 400, 'TICKET_ERR_INVALID_FIELD', 'title');
    refused(await post({ ...base, requester: { ...base.requester, email: 'not an address' } }), 400, 'TICKET_ERR_INVALID_FIELD', 'requester.email');
    refused(await post({ ...base, requester: { ...base.requester, phone: 'call me' } }), 400, 'TICKET_ERR_INVALID_FIELD', 'requester.phone');
    refused(await post({ ...base, category: 'printers' }), 400, 'TICKET_ERR_INVALID_FIELD', 'category');
    refused(await post({ ...base, impact: 'huge' }), 400, 'TICKET_ERR_INVALID_FIELD', 'impact');
    refused(await post({ ...base, priority: 'P1' }), 400, 'TICKET_ERR_INVALID_FIELD', 'priority');
    refused(await post({ ...base, description: 'x'.repeat(20_001) }), 400, 'TICKET_ERR_INVALID_FIELD', 'description');
    refused(await post({ ...base, supportLinkId: 'nosuchlink' }), 400, 'TICKET_ERR_INVALID_FIELD', 'supportLinkId');
    refused(await call(tech, 'GET', '/api/tickets?status=open'), 400, 'TICKET_ERR_INVALID_FIELD', 'status');
    refused(await call(tech, 'GET', '/api/tickets?limit=0'), 400, 'TICKET_ERR_INVALID_FIELD', 'limit');
    refused(await call(tech, 'GET', '/api/tickets?colour=red'), 400, 'TICKET_ERR_INVALID_FIELD', 'colour');
    refused(await call(tech, 'GET', '/api/tickets/999999'), 404, 'TICKET_ERR_NOT_FOUND');
    refused(await call(tech, 'GET', '/api/tickets/abc'), 404, 'TICKET_ERR_NOT_FOUND');
    refused(await call(null, 'GET', '/api/tickets'), 401, 'AUTH_ERR_NO_SESSION');
  });

  it('garbage bodies and odd parameters get a clear 4xx, never a 500', async () => {
    const t = await create(tech);
    const raw = async (method: string, path: string, body: string) =>
      (await fetch(`${c.url}${path}`, { method, headers: { cookie: tech, origin: c.url, 'content-type': 'application/json' }, body })).status;
    expect(await raw('POST', '/api/tickets', '{not json')).toBe(400);
    expect(await raw('POST', '/api/tickets', JSON.stringify({ ...base, description: 'z'.repeat(200_000) }))).toBe(413);
    refused(await call(tech, 'POST', '/api/tickets', []), 400, 'TICKET_ERR_INVALID_FIELD');
    // A JSON body that is not an object or array is refused by the body parser itself (HTTP_ERR_BAD_REQUEST).
    for (const body of ['[]', 'null', '42', '"text"']) {
      expect((await call(tech, 'POST', '/api/tickets', JSON.parse(body))).status).toBe(400);
      expect((await call(tech, 'POST', `/api/tickets/${t.number}/actions`, JSON.parse(body))).status).toBe(400);
      expect((await call(tech, 'PATCH', `/api/tickets/${t.number}`, JSON.parse(body))).status).toBe(400);
    }
    for (const query of ['cursor=abc', 'cursor=%00', 'assignee=someone', 'limit=abc', 'q=' + 'w'.repeat(300), 'status=', 'priority=P1,P9']) {
      refused(await call(tech, 'GET', `/api/tickets?${query}`), 400, 'TICKET_ERR_INVALID_FIELD');
    }
    refused(await call(tech, 'GET', `/api/tickets/${t.number}/timeline?cursor=x`), 400, 'TICKET_ERR_INVALID_FIELD', 'cursor');
    refused(await act(tech, t.number, { type: 'take', expectedVersion: 'one' }), 400, 'TICKET_ERR_INVALID_FIELD', 'expectedVersion');
  });
});

describe('the queue', () => {
  it('filters by status, category, priority, assignee and text, and pages by nearest deadline without gaps or repeats', async () => {
    const made = [
      await create(tech, { title: 'VPN drops every hour', category: 'network', impact: 'high', urgency: 'high' }),
      await create(tech, { title: 'Mailbox full', category: 'software', impact: 'low', urgency: 'low' }),
      await create(tech, { title: 'New starter account', category: 'account', impact: 'medium', urgency: 'high' }),
      await create(tech, { title: 'Virus warning on the accounting PC', category: 'security', impact: 'high', urgency: 'medium' }),
    ];
    expect(made.map((t) => t.priority)).toEqual(['P1', 'P4', 'P2', 'P2']);
    // One is taken, one is resolved (no running deadline: last in the queue).
    valid(ticketAnswers.ticket, await act(tech, made[1]!.number, { type: 'take' }));
    valid(ticketAnswers.ticket, await act(admin, made[2]!.number, { type: 'resolve', resolution: 'Account created.', solutionType: 'fix' }));

    const all = valid(ticketAnswers.queue, await call(tech, 'GET', '/api/tickets?limit=200'));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: z.infer<typeof ticketAnswers.queue> = valid(ticketAnswers.queue, await call(tech, 'GET', `/api/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.tickets.length).toBeLessThanOrEqual(2);
      expect(page.total).toBe(all.total);
      seen.push(...page.tickets.map((t) => t.number));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.tickets.map((t) => t.number));
    expect(new Set(seen).size).toBe(all.total);
    const dues = all.tickets.map((t) => t.dueAt ?? Number.MAX_SAFE_INTEGER);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(all.tickets[all.tickets.length - 1]!.status).toBe('resolved');
    expect(all.tickets[0]!.priority).toBe('P1');

    const numbers = async (query: string) => valid(ticketAnswers.queue, await call(tech, 'GET', `/api/tickets?${query}`)).tickets.map((t) => t.number);
    expect(await numbers('category=network,security')).toEqual(expect.arrayContaining([made[0]!.number, made[3]!.number]));
    expect((await numbers('category=network,security')).length).toBe(2);
    expect(await numbers('priority=P4')).toEqual([made[1]!.number]);
    expect(await numbers('assignee=mine')).toEqual([made[1]!.number]);
    expect(await numbers(`assignee=${techId}`)).toEqual([made[1]!.number]);
    expect(await numbers('assignee=mine')).not.toContain(made[0]!.number);
    expect(await numbers('status=resolved')).toEqual([made[2]!.number]);
    expect(await numbers('q=VIRUS%20accounting')).toEqual([made[3]!.number]);
    expect(await numbers(`q=%23${made[0]!.number}`)).toEqual([made[0]!.number]);
    expect(await numbers('level=L2')).toEqual([]);
  });
});

describe('actions', () => {
  it('take with the version seen; a second caller with the old version gets 409 and the ticket as it is now', async () => {
    const t = await create(tech);
    const taken = valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'take', expectedVersion: 1 })).ticket;
    expect(taken).toMatchObject({ status: 'in_progress', version: 2, assigneeId: String(techId), assignee: { username: 'l1.tech', name: 'Léa Level-One' } });
    expect(taken.sla.own.stopped).toBe(true);
    const late = await act(admin, t.number, { type: 'take', expectedVersion: 1 });
    const conflict = valid(ticketAnswers.conflict, late, 409);
    expect(conflict.error.code).toBe('TICKET_ERR_VERSION_CONFLICT');
    expect(conflict.ticket).toMatchObject({ number: t.number, version: 2, assigneeId: String(techId) });

    // In the reader's language, the ticket as it is now all the same.
    const french = await fetch(`${c.url}/api/tickets/${t.number}/actions`, {
      method: 'POST', headers: { cookie: admin, origin: c.url, 'content-type': 'application/json', 'accept-language': 'fr-FR,fr;q=0.9' }, body: JSON.stringify({ type: 'take', expectedVersion: 1 }),
    });
    const frenchConflict = valid(ticketAnswers.conflict, { status: french.status, json: await french.json() }, 409);
    expect(frenchConflict.error.message).toBe(errorWords('TICKET_ERR_VERSION_CONFLICT', 'fr'));
    expect(frenchConflict.ticket.version).toBe(2);

    const stale = await call(admin, 'PATCH', `/api/tickets/${t.number}`, { expectedVersion: 1, urgency: 'high' });
    expect(valid(ticketAnswers.conflict, stale, 409).ticket.version).toBe(2);
    const patched = valid(ticketAnswers.ticket, await call(admin, 'PATCH', `/api/tickets/${t.number}`, { expectedVersion: 2, urgency: 'high', title: 'Printer down on the third floor' })).ticket;
    expect(patched).toMatchObject({ version: 3, urgency: 'high', priority: 'P2', title: 'Printer down on the third floor', status: 'in_progress' });
    refused(await call(admin, 'PATCH', `/api/tickets/${t.number}`, { expectedVersion: 3, category: 'furniture' }), 400, 'TICKET_ERR_INVALID_FIELD', 'category');
    refused(await call(admin, 'PATCH', `/api/tickets/${t.number}`, { urgency: 'low' }), 400, 'TICKET_ERR_INVALID_FIELD', 'expectedVersion');
  });

  it('refuses a move the machine does not have with 409 TICKET_ERR_BAD_TRANSITION, and bad action bodies with catalog codes', async () => {
    const t = await create(tech);
    refused(await act(tech, t.number, { type: 'close' }), 409, 'TICKET_ERR_BAD_TRANSITION');
    refused(await act(tech, t.number, { type: 'user_replied' }), 409, 'TICKET_ERR_BAD_TRANSITION');
    refused(await act(tech, t.number, { type: 'teleport' }), 400, 'TICKET_ERR_INVALID_FIELD', 'type');
    refused(await act(tech, t.number, { type: 'assign', assigneeId: 424242 }), 400, 'TICKET_ERR_INVALID_FIELD', 'assigneeId');
    refused(await act(tech, t.number, { type: 'resolve' }), 400, 'TICKET_ERR_RESOLUTION_REQUIRED');
    refused(await act(tech, t.number, { type: 'resolve', resolution: 'Rebooted.', solutionType: 'magic' }), 400, 'TICKET_ERR_RESOLUTION_REQUIRED');
    refused(await act(tech, 999999, { type: 'take' }), 404, 'TICKET_ERR_NOT_FOUND');
    expect(valid(ticketAnswers.ticket, await call(tech, 'GET', `/api/tickets/${t.number}`)).ticket.version).toBe(1);
  });

  it('escalating needs a reason; the ticket goes to level 2, the level-1 technician follows it and may no longer move it', async () => {
    const t = await create(tech);
    valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'start' }));
    refused(await act(tech, t.number, { type: 'escalate' }), 400, 'TICKET_ERR_REASON_REQUIRED');
    refused(await act(tech, t.number, { type: 'escalate', reason: '   ' }), 400, 'TICKET_ERR_REASON_REQUIRED');
    const escalated = valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'escalate', reason: 'Needs a driver rollback on the print server.' })).ticket;
    expect(escalated).toMatchObject({ status: 'escalated', level: 'L2', assigneeId: null, followerIds: [String(techId)], escalationReason: 'Needs a driver rollback on the print server.' });
    refused(await act(tech, t.number, { type: 'take' }), 403, 'TICKET_ERR_FORBIDDEN_ACTION');
    refused(await act(admin, t.number, { type: 'assign', assigneeId: techId }), 403, 'TICKET_ERR_FORBIDDEN_ACTION');
    // Followers still write notes; editing the ticket or starting a session from it is level 2's work.
    expect((await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: 'Driver version was 3.2.' })).status).toBe(201);
    refused(await call(tech, 'PATCH', `/api/tickets/${t.number}`, { expectedVersion: escalated.version, urgency: 'high' }), 403, 'TICKET_ERR_FORBIDDEN_ACTION');
    refused(await call(tech, 'POST', '/api/support-links', { ticketNumber: t.number }), 403, 'TICKET_ERR_FORBIDDEN_ACTION');
    expect(valid(ticketAnswers.ticket, await call(tech, 'GET', `/api/tickets/${t.number}`)).ticket).toMatchObject({ version: escalated.version, urgency: escalated.urgency });
    expect(valid(ticketAnswers.ticket, await act(admin, t.number, { type: 'take' })).ticket).toMatchObject({ status: 'in_progress', level: 'L2' });
    const l2 = valid(ticketAnswers.queue, await call(tech, 'GET', '/api/tickets?level=L2')).tickets.map((x) => x.number);
    expect(l2).toContain(t.number);
  });

  it('the resolve clock pauses while waiting for the user and runs again once the user replies; resolve, reopen, close', async () => {
    const t = await create(tech, { impact: 'high', urgency: 'high' });
    valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'take' }));
    refused(await act(tech, t.number, { type: 'wait_for_user' }), 400, 'TICKET_ERR_REASON_REQUIRED');
    const waiting = valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'wait_for_user', reason: 'Waiting for the error message photo.' })).ticket;
    expect(waiting.status).toBe('waiting_user');
    expect(waiting.waitingReason).toBe('Waiting for the error message photo.');
    expect(waiting.sla.resolve).toMatchObject({ paused: true, stopped: false, deadline: null });
    expect(waiting.dueAt).toBeNull();
    // Paused tickets sort after every running deadline.
    const queue = valid(ticketAnswers.queue, await call(tech, 'GET', '/api/tickets?status=waiting_user,in_progress,new&limit=200')).tickets;
    expect(queue[queue.length - 1]!.number).toBe(t.number);

    const back = valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'user_replied' })).ticket;
    expect(back.status).toBe('in_progress');
    expect(back.sla.resolve.paused).toBe(false);
    expect(back.sla.resolve.deadline).not.toBeNull();
    expect(Math.abs(back.dueAt! - back.sla.resolve.deadline!)).toBeLessThan(1000);

    const resolved = valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'resolve', resolution: 'Replaced the toner.', solutionType: 'hardware_replaced' })).ticket;
    expect(resolved).toMatchObject({ status: 'resolved', resolution: { text: 'Replaced the toner.', solutionType: 'hardware_replaced' } });
    expect(resolved.sla.resolve.stopped).toBe(true);
    expect(resolved.dueAt).toBeNull();
    expect(valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'reopen', reason: 'It jams again.' })).ticket.status).toBe('in_progress');
    valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'resolve', resolution: 'Cleaned the rollers.', solutionType: 'fix' }));
    const closed = valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'close' })).ticket;
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).not.toBeNull();
    refused(await act(tech, t.number, { type: 'reopen' }), 409, 'TICKET_ERR_BAD_TRANSITION');
    // Closed is final: its fields stay as they were, and no session starts from it.
    refused(await call(admin, 'PATCH', `/api/tickets/${t.number}`, { expectedVersion: closed.version, impact: 'high' }), 409, 'TICKET_ERR_BAD_TRANSITION');
    refused(await call(admin, 'POST', '/api/support-links', { ticketNumber: t.number }), 409, 'TICKET_ERR_BAD_TRANSITION');
    expect(valid(ticketAnswers.ticket, await call(tech, 'GET', `/api/tickets/${t.number}`)).ticket).toMatchObject({ status: 'closed', version: closed.version, impact: closed.impact });
  });
});

describe('notes and the timeline', () => {
  it('stores Markdown as typed, bounds it, and pages the timeline oldest first', async () => {
    const t = await create(tech);
    const markdown = '# Checked\n- cable <b>ok</b>\n- `lpstat -p` shows *idle*';
    const note = valid(ticketAnswers.note, await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: markdown, visibility: 'person' }), 201).event;
    expect(note).toMatchObject({ kind: 'note', actor: 'l1.tech', visibility: 'person', data: { markdown } });
    refused(await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: '' }), 400, 'TICKET_ERR_INVALID_FIELD', 'body');
    refused(await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: 'x'.repeat(20_001) }), 400, 'TICKET_ERR_INVALID_FIELD', 'body');
    refused(await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: 'hi', visibility: 'public' }), 400, 'TICKET_ERR_INVALID_FIELD', 'visibility');
    const long = 'y'.repeat(20_000);
    expect((await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: long })).status).toBe(201);
    valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'take' }));
    // Notes do not change the version: a technician editing meanwhile is not refused.
    expect(valid(ticketAnswers.ticket, await call(tech, 'GET', `/api/tickets/${t.number}`)).ticket.version).toBe(2);

    const kinds: string[] = [];
    let cursor: string | null = null;
    do {
      const page: z.infer<typeof ticketAnswers.timeline> = valid(ticketAnswers.timeline, await call(tech, 'GET', `/api/tickets/${t.number}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      kinds.push(...page.events.map((e) => e.kind));
      cursor = page.nextCursor;
    } while (cursor);
    expect(kinds).toEqual(['created', 'note', 'note', 'take']);
    const all = valid(ticketAnswers.timeline, await call(tech, 'GET', `/api/tickets/${t.number}/timeline`)).events;
    expect(all[3]).toMatchObject({ kind: 'take', actor: 'l1.tech', data: { from: 'new', to: 'in_progress', version: 2, assigneeId: String(techId) } });
    expect(all[2]!.data.markdown).toBe(long);
  });
});

describe('support links and tickets', () => {
  it('a link created from a ticket: the agent that joins lands on its timeline, with its device', async () => {
    const t = await create(tech);
    refused(await call(tech, 'POST', '/api/support-links', { ticketNumber: 999999 }), 404, 'TICKET_ERR_NOT_FOUND');
    const link = await call(tech, 'POST', '/api/support-links', { ticketNumber: t.number });
    expect(link.status).toBe(201);
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithCode(link.json.code, 'ticket-host'));
    await agent.next();
    let events: Array<{ kind: string; data: Record<string, unknown> }> = [];
    for (let i = 0; i < 100 && !events.some((e) => e.kind === 'agent_joined'); i++) {
      events = valid(ticketAnswers.timeline, await call(tech, 'GET', `/api/tickets/${t.number}/timeline`)).events;
      if (!events.some((e) => e.kind === 'agent_joined')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(events.map((e) => e.kind)).toEqual(['created', 'link_created', 'agent_joined']);
    const joined = events[2]!;
    expect(joined.data).toMatchObject({ supportLinkId: link.json.id, hostname: 'ticket-host' });
    const shown = valid(ticketAnswers.ticket, await call(tech, 'GET', `/api/tickets/${t.number}`)).ticket;
    expect(shown.deviceIds).toEqual([joined.data.deviceId]);
    agent.ws.close();

    // A ticket made from that (joined) link carries the link and its device; a link serves one ticket.
    refused(await call(tech, 'POST', '/api/tickets', { ...base, supportLinkId: link.json.id }), 400, 'TICKET_ERR_INVALID_FIELD', 'supportLinkId');
    const other = await call(tech, 'POST', '/api/support-links', {});
    const fromLink = await create(tech, { supportLinkId: other.json.id });
    expect(fromLink.supportLinkId).toBe(other.json.id);
    const timeline = valid(ticketAnswers.timeline, await call(tech, 'GET', `/api/tickets/${fromLink.number}/timeline`)).events;
    expect(timeline[0]).toMatchObject({ kind: 'created', data: { supportLinkId: other.json.id } });
  });
});

describe('the audit log', () => {
  it('has every ticket change', async () => {
    const t = await create(tech, { title: 'Audited ticket' });
    valid(ticketAnswers.ticket, await act(tech, t.number, { type: 'take' }));
    await call(tech, 'POST', `/api/tickets/${t.number}/notes`, { body: 'Noted.' });
    valid(ticketAnswers.ticket, await call(tech, 'PATCH', `/api/tickets/${t.number}`, { expectedVersion: 2, urgency: 'low' }));
    const entries = async () => ((await call(admin, 'GET', '/api/audit?limit=500')).json.entries as Array<{ actor: string; action: string; target: string; detail: any }>).filter((e) => e.target === `#${t.number}`);
    let mine = await entries();
    for (let i = 0; i < 50 && mine.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
      mine = await entries();
    }
    expect(mine.map((e) => e.action).sort()).toEqual(['ticket.action', 'ticket.created', 'ticket.note', 'ticket.updated']);
    expect(mine.every((e) => e.actor === 'l1.tech')).toBe(true);
    expect(mine.find((e) => e.action === 'ticket.action')!.detail).toMatchObject({ action: 'take', from: 'new', to: 'in_progress', version: 2 });
    expect(mine.find((e) => e.action === 'ticket.updated')!.detail).toEqual({ fields: ['urgency', 'priority'] });
  });
});
