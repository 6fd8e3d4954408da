/**
 * Technician accounts against a real controller: an admin creates a technician, who
 * logs in, opens the console and makes support links but is refused account and
 * fleet administration; bad input is refused in the catalog's words; removing an
 * account ends its session and console at once; the last admin stays; a password
 * change makes the old one useless and ends every credential (sessions, consoles,
 * API tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../../protocol/index.js';
import { connectConsole } from '../helpers/console-client.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { eventually } from '../helpers/until.js';

let c: RunningController;
let admin: string;

beforeAll(async () => {
  c = await startController();
  admin = await login(c);
});
afterAll(async () => {
  await c?.stop();
});

async function call(cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { cookie, origin: c.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function expectError(answer: { status: number; json: any }, code: ErrorCode): void {
  expect(answer.json?.error?.code, JSON.stringify(answer.json)).toBe(code);
  expect(answer.status).toBe(ERRORS[code].status);
  expect(answer.json.error.message).toContain(ERRORS[code].message);
}

async function loginStatus(username: string, password: string): Promise<number> {
  const res = await fetch(`${c.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  await res.text();
  return res.status;
}

async function createUser(username: string, password: string, role: 'admin' | 'l1' | 'l2' = 'l1'): Promise<number> {
  const created = await call(admin, 'POST', '/api/users', { username, name: `Name of ${username}`, password, role });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return created.json.user.id as number;
}

describe('technician accounts', () => {
  it('lets an admin add a technician who helps people but cannot administer', async () => {
    const created = await call(admin, 'POST', '/api/users', { username: 'sam.lee', name: 'Sam Lee', password: 'correct horse battery', role: 'technician' });
    expect(created.status).toBe(201);
    // `technician`, the role's name before level 2, still means level 1.
    expect(created.json.user).toMatchObject({ username: 'sam.lee', name: 'Sam Lee', role: 'l1' });
    expect(created.json.user).not.toHaveProperty('password_hash');

    const listed = await call(admin, 'GET', '/api/users');
    expect(listed.status).toBe(200);
    expect(listed.json.users.map((u: { username: string }) => u.username)).toEqual(['admin', 'sam.lee']);
    expect(Object.keys(listed.json.users[1]).sort()).toEqual(['createdAt', 'id', 'name', 'role', 'username']);

    const tech = await login(c, 'sam.lee', 'correct horse battery');
    const me = await call(tech, 'GET', '/api/me');
    expect(me.json).toMatchObject({ user: { username: 'sam.lee', name: 'Sam Lee' }, role: 'l1' });
    expect((await call(admin, 'GET', '/api/me')).json.role).toBe('admin');

    // The console and support links work for technicians.
    const consoleClient = await connectConsole(c, tech);
    const welcome = await consoleClient.waitFor('welcome');
    expect(welcome.user.username).toBe('sam.lee');
    await consoleClient.close();
    const link = await createSupportLink(c, tech);
    expect(link.code).toMatch(/^\d{9}$/);

    // Account and fleet administration are not.
    expectError(await call(tech, 'GET', '/api/users'), 'AUTH_ERR_FORBIDDEN');
    expectError(await call(tech, 'POST', '/api/users', { username: 'evil', name: 'E', password: 'x'.repeat(20), role: 'admin' }), 'AUTH_ERR_FORBIDDEN');
    expectError(await call(tech, 'PATCH', `/api/users/${created.json.user.id}`, { role: 'admin' }), 'AUTH_ERR_FORBIDDEN');
    expectError(await call(tech, 'DELETE', '/api/users/1'), 'AUTH_ERR_FORBIDDEN');
    expectError(await call(tech, 'GET', '/api/enrollment-tokens'), 'AUTH_ERR_FORBIDDEN');
    expectError(await call(tech, 'POST', '/api/enrollment-tokens', { group: 'lab', expiresInHours: 1, maxUses: 1 }), 'AUTH_ERR_FORBIDDEN');
    expect((await call(tech, 'GET', '/api/me')).json.role).toBe('l1');

    const audit = (await call(admin, 'GET', '/api/audit?limit=50')).json.entries as Array<{ action: string; target: string; detail: unknown }>;
    const entry = audit.find((e) => e.action === 'user.created' && e.target === 'sam.lee');
    expect(entry).toBeDefined();
    expect(JSON.stringify(audit)).not.toContain('correct horse battery');
    expect(c.logs()).not.toContain('correct horse battery');
  });

  it('refuses a short password, a bad username and a duplicate in the catalog\u2019s words', async () => {
    expectError(await call(admin, 'POST', '/api/users', { username: 'kim', name: 'Kim', password: 'short-pass1', role: 'technician' }), 'USER_ERR_WEAK_PASSWORD');
    for (const username of ['ab', 'Kim', 'kim lee', 'a'.repeat(33), 'kim@lab', '']) {
      expectError(await call(admin, 'POST', '/api/users', { username, name: 'Kim', password: 'a long enough password', role: 'l1' }), 'USER_ERR_BAD_USERNAME');
    }
    expectError(await call(admin, 'POST', '/api/users', { username: 'sam.lee', name: 'Other Sam', password: 'a long enough password', role: 'technician' }), 'USER_ERR_USERNAME_TAKEN');
    expectError(await call(admin, 'POST', '/api/users', { username: 'kim', name: 'Kim', password: 'a long enough password', role: 'owner' }), 'HTTP_ERR_BAD_REQUEST');
    expectError(await call(admin, 'PATCH', '/api/users/999', { name: 'Nobody' }), 'USER_ERR_NOT_FOUND');
    expect(await loginStatus('kim', 'a long enough password')).toBe(401);
  });

  it('ends a removed account\u2019s session, console and API tokens at once; the username stays taken', async () => {
    const id = await createUser('leaving', 'leaving password 1');
    const cookie = await login(c, 'leaving', 'leaving password 1');
    const token = (await call(cookie, 'POST', '/api/api-tokens', { name: 'cli' })).json.token as string;
    const consoleClient = await connectConsole(c, cookie);
    await consoleClient.waitFor('welcome');
    const closed = new Promise<number>((resolve) => consoleClient.ws.once('close', (code) => resolve(code)));
    expect((await call(cookie, 'GET', '/api/me')).status).toBe(200);

    expect((await call(admin, 'DELETE', `/api/users/${id}`)).status).toBe(204);
    expectError(await call(cookie, 'GET', '/api/me'), 'AUTH_ERR_NO_SESSION');
    expect(await closed).toBe(ERRORS.AUTH_ERR_NO_SESSION.close);
    const byToken = await fetch(`${c.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
    expect(byToken.status).toBe(401);
    expect(await loginStatus('leaving', 'leaving password 1')).toBe(401);
    expect((await call(admin, 'GET', '/api/users')).json.users.map((u: { username: string }) => u.username)).not.toContain('leaving');
    expectError(await call(admin, 'POST', '/api/users', { username: 'leaving', name: 'Again', password: 'another password 2', role: 'technician' }), 'USER_ERR_USERNAME_TAKEN');
    expectError(await call(admin, 'DELETE', `/api/users/${id}`), 'USER_ERR_NOT_FOUND');
    const audit = (await call(admin, 'GET', '/api/audit?limit=20')).json.entries as Array<{ action: string; target: string }>;
    expect(audit.some((e) => e.action === 'user.deleted' && e.target === 'leaving')).toBe(true);
  });

  it('never removes or demotes the last administrator', async () => {
    const me = (await call(admin, 'GET', '/api/users')).json.users.find((u: { username: string }) => u.username === 'admin');
    expectError(await call(admin, 'DELETE', `/api/users/${me.id}`), 'USER_ERR_LAST_ADMIN');
    expectError(await call(admin, 'PATCH', `/api/users/${me.id}`, { role: 'technician' }), 'USER_ERR_LAST_ADMIN');
    expectError(await call(admin, 'PATCH', `/api/users/${me.id}`, { role: 'l2' }), 'USER_ERR_LAST_ADMIN');
    expect((await call(admin, 'GET', '/api/me')).json.role).toBe('admin');

    // With a second administrator, the first may step down; then the second is the last one.
    const second = await createUser('second.admin', 'second admin password', 'admin');
    const demoted = await call(admin, 'PATCH', `/api/users/${me.id}`, { role: 'l2' });
    expect(demoted.status).toBe(200);
    expect(demoted.json.user.role).toBe('l2');
    expectError(await call(admin, 'GET', '/api/users'), 'AUTH_ERR_FORBIDDEN');
    const secondCookie = await login(c, 'second.admin', 'second admin password');
    expectError(await call(secondCookie, 'DELETE', `/api/users/${second}`), 'USER_ERR_LAST_ADMIN');
    const restored = await call(secondCookie, 'PATCH', `/api/users/${me.id}`, { role: 'admin' });
    expect(restored.json.user.role).toBe('admin');
    const audit = (await call(admin, 'GET', '/api/audit?limit=20')).json.entries as Array<{ action: string; target: string }>;
    expect(audit.some((e) => e.action === 'user.updated' && e.target === 'admin')).toBe(true);
  });

  it('changes your own password: the current one is checked, the old one stops working, other sessions end', async () => {
    await createUser('changer', 'first password 123');
    const here = await login(c, 'changer', 'first password 123');
    const elsewhere = await login(c, 'changer', 'first password 123');

    expectError(await call(here, 'POST', '/api/me/password', { current: 'wrong password 00', next: 'second password 456' }), 'USER_ERR_WRONG_PASSWORD');
    expectError(await call(here, 'POST', '/api/me/password', { current: 'first password 123', next: 'too short' }), 'USER_ERR_WEAK_PASSWORD');
    expect((await call(here, 'POST', '/api/me/password', { current: 'first password 123', next: 'second password 456' })).status).toBe(204);

    expect((await call(here, 'GET', '/api/me')).status).toBe(200);
    expectError(await call(elsewhere, 'GET', '/api/me'), 'AUTH_ERR_NO_SESSION');
    expect(await loginStatus('changer', 'first password 123')).toBe(401);
    expect(await loginStatus('changer', 'second password 456')).toBe(200);

    // An administrator's reset logs the account out everywhere.
    const id = (await call(admin, 'GET', '/api/users')).json.users.find((u: { username: string }) => u.username === 'changer').id;
    expect((await call(admin, 'PATCH', `/api/users/${id}`, { password: 'reset by admin 789' })).status).toBe(200);
    expectError(await call(here, 'GET', '/api/me'), 'AUTH_ERR_NO_SESSION');
    expect(await loginStatus('changer', 'second password 456')).toBe(401);
    expect(await loginStatus('changer', 'reset by admin 789')).toBe(200);

    const audit = (await call(admin, 'GET', '/api/audit?limit=30')).json.entries as Array<{ action: string; target: string }>;
    expect(audit.filter((e) => e.action === 'password.changed' && e.target === 'changer')).toHaveLength(2);
    const text = JSON.stringify(audit) + c.logs();
    for (const secret of ['first password 123', 'second password 456', 'reset by admin 789']) expect(text).not.toContain(secret);
  });

  it('a new password ends every credential of the account: other sessions, their consoles and API tokens, audited', async () => {
    const id = await createUser('rotator', 'rotator password 1');
    const here = await login(c, 'rotator', 'rotator password 1');
    const elsewhere = await login(c, 'rotator', 'rotator password 1');
    const bearer = (token: string, path: string) => fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    const closedOf = async (cookie: string) => {
      const client = await connectConsole(c, cookie);
      await client.waitFor('welcome');
      return { closed: new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code))) };
    };

    // Own change: the token made before it answers 401 everywhere, jobs included; the other browser's console closes.
    const first = (await call(here, 'POST', '/api/api-tokens', { name: 'cli' })).json.token as string;
    expect(await bearer(first, '/api/jobs')).toBe(200);
    const otherConsole = await closedOf(elsewhere);
    expect((await call(here, 'POST', '/api/me/password', { current: 'rotator password 1', next: 'rotator password 2' })).status).toBe(204);
    expect(await bearer(first, '/api/jobs')).toBe(401);
    expect(await bearer(first, '/api/devices')).toBe(401);
    expect(await otherConsole.closed).toBe(ERRORS.AUTH_ERR_NO_SESSION.close);
    expectError(await call(elsewhere, 'GET', '/api/me'), 'AUTH_ERR_NO_SESSION');
    expect((await call(here, 'GET', '/api/api-tokens')).json.tokens).toEqual([]);

    // Admin reset: this browser, its console and the new token all end.
    const second = (await call(here, 'POST', '/api/api-tokens', { name: 'cli again' })).json.token as string;
    expect(await bearer(second, '/api/jobs')).toBe(200);
    const ownConsole = await closedOf(here);
    expect((await call(admin, 'PATCH', `/api/users/${id}`, { password: 'rotator password 3' })).status).toBe(200);
    expect(await bearer(second, '/api/jobs')).toBe(401);
    expect(await ownConsole.closed).toBe(ERRORS.AUTH_ERR_NO_SESSION.close);
    expectError(await call(here, 'GET', '/api/me'), 'AUTH_ERR_NO_SESSION');

    // Audit entries are written beside the answer, not before it: read until both are there.
    const changesNow = async () =>
      ((await call(admin, 'GET', '/api/audit?limit=30')).json.entries as Array<{ action: string; target: string; detail: any }>)
        .filter((e) => e.action === 'password.changed' && e.target === 'rotator').map((e) => e.detail);
    const changes = await eventually(changesNow, (list) => list.length >= 2, 10_000, 'both password.changed entries');
    expect(changes).toContainEqual({ by: 'self', ended: { sessions: 1, consoles: 1, apiTokens: 1 } });
    expect(changes).toContainEqual({ by: 'admin', ended: { sessions: 1, consoles: 1, apiTokens: 1 } });
  });
});
