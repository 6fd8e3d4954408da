/**
 * Level 2 over REST against a real controller (issue 10): roles l1, l2 and admin; an
 * escalation by level 1 with its reason lands in the level-2 queue and is audited; the
 * level-1 technician follows it (the followed view, live events on their console without
 * watching it, notes) but may not take or resolve it (403 in the catalog's words); level 2
 * takes and resolves it, or sends it back to level 1; an administrator does everything.
 * And migration 0019 on a database of the old shape: `technician` accounts become `l1`.
 */
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorWords } from '../../protocol/index.js';
import { ticketAnswers } from '../../protocol/rest-ticket-answers.js';
import { connectConsole } from '../helpers/console-client.js';
import { dropDatabase, login, startController, type RunningController } from '../helpers/controller-process.js';
import { withControllerStore } from '../helpers/controller-store.js';
import { engineOf } from '../../controller/server/store/dialect.js';
import type { Db } from '../../controller/server/store/database.js';

/** The names of a table's indexes, on either engine. */
async function indexNames(db: Db, table: string): Promise<string[]> {
  const rows = engineOf(db) === 'postgres'
    ? await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = ${table}`.execute(db)
    : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table}`.execute(db);
  return rows.rows.map((r) => r.name);
}

let c: RunningController;
let admin: string;
let l1: string;
let l1Id: number;
let l2: string;
let other: string;

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

function ticketOf(a: Answer, status = 200) {
  expect(a.status, JSON.stringify(a.json)?.slice(0, 300)).toBe(status);
  return ticketAnswers.ticket.parse(a.json).ticket;
}

function forbidden(a: Answer): void {
  expect(a.status, JSON.stringify(a.json)?.slice(0, 300)).toBe(403);
  expect(a.json.error.code).toBe('TICKET_ERR_FORBIDDEN_ACTION');
  expect(a.json.error.message).toContain(errorWords('TICKET_ERR_FORBIDDEN_ACTION', 'en'));
}

const act = (cookie: string, number: number, body: Record<string, unknown>) => call(cookie, 'POST', `/api/tickets/${number}/actions`, body);
const queue = async (cookie: string, query: string) => ticketAnswers.queue.parse((await call(cookie, 'GET', `/api/tickets?${query}`)).json).tickets.map((t) => t.number);

async function account(username: string, role: string): Promise<{ cookie: string; id: number }> {
  const created = await call(admin, 'POST', '/api/users', { username, name: `Name of ${username}`, password: `${username} has a long password`, role });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return { cookie: await login(c, username, `${username} has a long password`), id: created.json.user.id };
}

async function newTicket(cookie: string, title: string) {
  const body = { title, description: '', requester: { name: 'Claire Martin', phone: null, email: null }, category: 'hardware', impact: 'medium', urgency: 'medium' };
  return ticketOf(await call(cookie, 'POST', '/api/tickets', body), 201);
}

beforeAll(async () => {
  c = await startController();
  admin = await login(c);
  const first = await account('lea.l1', 'l1');
  l1 = first.cookie;
  l1Id = first.id;
  l2 = (await account('max.l2', 'l2')).cookie;
  other = (await account('noah.l1', 'technician')).cookie; // the old name still means level 1
});
afterAll(async () => c?.stop());

describe('roles', () => {
  it('are l1, l2 and admin; technician is taken as l1 and anything else refused', async () => {
    expect((await call(l1, 'GET', '/api/me')).json.role).toBe('l1');
    expect((await call(l2, 'GET', '/api/me')).json.role).toBe('l2');
    expect((await call(other, 'GET', '/api/me')).json.role).toBe('l1');
    expect((await call(admin, 'GET', '/api/me')).json.role).toBe('admin');
    const refused = await call(admin, 'POST', '/api/users', { username: 'zoe', name: 'Zoé', password: 'zoe has a long password', role: 'l3' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('HTTP_ERR_BAD_REQUEST');
    // Level 2 works like any technician elsewhere, and is no administrator.
    expect((await call(l2, 'GET', '/api/devices')).status).toBe(200);
    expect((await call(l2, 'GET', '/api/users')).status).toBe(403);
  });
});

describe('escalation to level 2', () => {
  it('by level 1 with a reason: level-2 queue, audited; level 1 follows (notes, followed view) but may not take or resolve; level 2 takes and resolves', async () => {
    const t = await newTicket(l1, 'Print server refuses jobs');
    ticketOf(await act(l1, t.number, { type: 'take' }));
    const noReason = await act(l1, t.number, { type: 'escalate' });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.code).toBe('TICKET_ERR_REASON_REQUIRED');
    const escalated = ticketOf(await act(l1, t.number, { type: 'escalate', reason: 'The spooler crashes on the server side.' }));
    expect(escalated).toMatchObject({ status: 'escalated', level: 'L2', assigneeId: null, followerIds: [String(l1Id)] });

    expect(await queue(l2, 'level=L2&status=escalated')).toContain(t.number);
    expect(await queue(l1, 'follower=mine')).toContain(t.number);
    expect(await queue(l1, 'assignee=mine')).not.toContain(t.number);
    expect(await queue(other, 'follower=mine')).not.toContain(t.number);

    // The follower writes notes, and may not take, resolve, reopen or send it back.
    expect((await call(l1, 'POST', `/api/tickets/${t.number}/notes`, { body: 'The queue holds **40** jobs.' })).status).toBe(201);
    forbidden(await act(l1, t.number, { type: 'take' }));
    forbidden(await act(l1, t.number, { type: 'resolve', resolution: 'Restarted the spooler.', solutionType: 'workaround' }));
    forbidden(await act(l1, t.number, { type: 'de_escalate', reason: 'I will do it after all.' }));

    ticketOf(await act(l2, t.number, { type: 'take' }));
    const resolved = ticketOf(await act(l2, t.number, { type: 'resolve', resolution: 'Replaced the driver on the print server.', solutionType: 'fix' }));
    expect(resolved).toMatchObject({ status: 'resolved', level: 'L2', assignee: { username: 'max.l2' }, followerIds: [String(l1Id)] });
    forbidden(await act(l1, t.number, { type: 'reopen' }));

    const audit = (await call(admin, 'GET', `/api/audit?action=ticket.action&target=${encodeURIComponent(`#${t.number}`)}&limit=20`)).json.entries as Array<{ actor: string; detail: any }>;
    expect(audit).toContainEqual(expect.objectContaining({ actor: 'lea.l1', detail: expect.objectContaining({ action: 'escalate', to: 'escalated', reason: 'The spooler crashes on the server side.' }) }));
  });

  it('level 2 sends a ticket back to level 1 with a reason; the follower finds it and takes it again', async () => {
    const t = await newTicket(l1, 'Outlook asks for the password');
    ticketOf(await act(l1, t.number, { type: 'escalate', reason: 'Looks like the mail server.' }));
    ticketOf(await act(l2, t.number, { type: 'take' }));
    const noReason = await act(l2, t.number, { type: 'de_escalate', reason: ' ' });
    expect(noReason.json.error.code).toBe('TICKET_ERR_REASON_REQUIRED');
    const back = ticketOf(await act(l2, t.number, { type: 'de_escalate', reason: 'The server is fine: the saved password is old.' }));
    expect(back).toMatchObject({ status: 'new', level: 'L1', assigneeId: null });
    expect(back.followerIds).toContain(String(l1Id));
    expect(await queue(l1, 'follower=mine&level=L1&status=new')).toContain(t.number);
    ticketOf(await act(l1, t.number, { type: 'take' }));
    expect(ticketOf(await act(l1, t.number, { type: 'resolve', resolution: 'Saved the new password.', solutionType: 'user_training' }))).toMatchObject({ status: 'resolved', level: 'L1' });
    const timeline = (await call(l1, 'GET', `/api/tickets/${t.number}/timeline`)).json.events as Array<{ kind: string; actor: string; data: any }>;
    expect(timeline.find((e) => e.kind === 'de_escalate')).toMatchObject({ actor: 'max.l2', data: { reason: 'The server is fine: the saved password is old.', to: 'new' } });
  });

  it('an administrator does everything: escalates, takes, sends back, resolves, reopens, closes', async () => {
    const t = await newTicket(admin, 'Laptop will not boot');
    ticketOf(await act(admin, t.number, { type: 'escalate', reason: 'Hardware: needs level 2.' }));
    ticketOf(await act(admin, t.number, { type: 'take' }));
    ticketOf(await act(admin, t.number, { type: 'de_escalate', reason: 'Only the battery.' }));
    ticketOf(await act(admin, t.number, { type: 'escalate', reason: 'It was the board after all.' }));
    ticketOf(await act(admin, t.number, { type: 'resolve', resolution: 'Board replaced.', solutionType: 'hardware_replaced' }));
    ticketOf(await act(admin, t.number, { type: 'reopen', reason: 'Does not charge.' }));
    ticketOf(await act(admin, t.number, { type: 'resolve', resolution: 'Charger replaced.', solutionType: 'hardware_replaced' }));
    expect(ticketOf(await act(admin, t.number, { type: 'close' }))).toMatchObject({ status: 'closed', level: 'L2' });
  });

  it('the follower\u2019s console hears the ticket\u2019s events without watching it; another technician\u2019s does not', async () => {
    const followed = await newTicket(l1, 'Shared drive is read-only');
    ticketOf(await act(l1, followed.number, { type: 'escalate', reason: 'Permissions on the file server.' }));
    const watchedByOther = await newTicket(other, 'Keyboard types the wrong letters');
    const mine = await connectConsole(c, l1);
    const theirs = await connectConsole(c, other);
    try {
      theirs.send({ t: 'ticket.watch', number: watchedByOther.number });
      ticketOf(await act(l2, followed.number, { type: 'take' }));
      const heard = await mine.waitFor('ticket.event', (m) => m.number === followed.number && m.event.kind === 'take');
      expect(heard.event.actor).toBe('max.l2');
      // Once the other console heard a later event, it would have heard the first one too.
      expect((await call(other, 'POST', `/api/tickets/${watchedByOther.number}/notes`, { body: 'Layout set to AZERTY.' })).status).toBe(201);
      await theirs.waitFor('ticket.event', (m) => m.number === watchedByOther.number && m.event.kind === 'note');
      expect(theirs.messages.filter((m) => m.t === 'ticket.event' && m.number === followed.number)).toEqual([]);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});

describe('migration 0019 on an existing database', () => {
  it('turns technician accounts into level 1 and keeps the administrators', async () => {
    const old = await startController({ keepData: true });
    let restarted: RunningController | null = null;
    try {
      const cookie = await login(old);
      const created = await fetch(`${old.url}/api/users`, {
        method: 'POST', headers: { cookie, origin: old.url, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'old.tech', name: 'Old Tech', password: 'old.tech has a long password', role: 'l1' }),
      });
      expect(created.status).toBe(201);
      await old.stop();
      // Put the database back in the shape it had before 0019: a `technician`, the word index by ticket alone.
      await withControllerStore(old, async (db) => {
        await db.updateTable('users').set({ role: 'technician' as never }).where('username', '=', 'old.tech').execute();
        await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0019-roles' as never).execute();
        await db.schema.dropIndex('ticket_words_ticket_word').execute();
        await db.schema.dropIndex('tickets_id_filters').execute();
        await db.schema.createIndex('ticket_words_ticket').on('ticket_words').column('ticket_id').execute();
      });

      restarted = await startController({ dataDir: old.dataDir });
      const tech = await login(restarted, 'old.tech', 'old.tech has a long password');
      const me = await (await fetch(`${restarted.url}/api/me`, { headers: { cookie: tech } })).json();
      expect(me.role).toBe('l1');
      const adminMe = await (await fetch(`${restarted.url}/api/me`, { headers: { cookie: await login(restarted, 'admin', old.adminPassword) } })).json();
      expect(adminMe.role).toBe('admin');
      await withControllerStore(old, async (db) => {
        expect(await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'technician' as never).executeTakeFirst()).toEqual({ n: 0 });
        expect(await indexNames(db, 'ticket_words')).toContain('ticket_words_ticket_word');
        expect(await indexNames(db, 'ticket_words')).not.toContain('ticket_words_ticket');
        expect(await indexNames(db, 'tickets')).toContain('tickets_id_filters');
      });
    } finally {
      await restarted?.stop();
      await old.stop();
      rmSync(old.dataDir, { recursive: true, force: true });
      await dropDatabase(old.dataDir);
    }
  });
});
