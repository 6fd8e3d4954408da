/**
 * Every REST answer of a real controller matches the contract's schema for its
 * route (protocol/rest-answers.ts, rest-fleet-answers.ts) — the schemas the web UI
 * and the CLI validate with — so a route that sends something else is caught here,
 * not by a technician's blank page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { fleetAnswers as F, restAnswers as R } from '../../protocol/index.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollKey, testDeviceKey } from '../helpers/fleet.js';

let c: RunningController;
let cookie: string;

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
});
afterAll(async () => {
  await c?.stop();
});

/** Calls a route as the logged-in admin and parses its answer with `schema` (throws on any mismatch). */
async function call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, status = 200): Promise<z.infer<S>> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { cookie, origin: c.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(status);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${method} ${path} does not match its schema: ${JSON.stringify(parsed.error.issues.slice(0, 3))}`);
  return parsed.data;
}

describe('the controller answers as its contract says', () => {
  it('sessions, support links, accounts and audit', async () => {
    await call(R.health, 'GET', '/api/health');
    await call(R.live, 'GET', '/api/health/live');
    expect(await call(R.ready, 'GET', '/api/health/ready')).toEqual({ ready: true });
    expect((await call(R.me, 'GET', '/api/me')).role).toBe('admin');
    const link = await call(R.supportLinkCreated, 'POST', '/api/support-links', undefined, 201);
    expect((await call(R.supportLinks, 'GET', '/api/support-links')).links.map((l) => l.id)).toContain(link.id);
    const { user } = await call(R.user, 'POST', '/api/users', { username: 'sam.lee', name: 'Sam Lee', password: 'a long enough password', role: 'l1' }, 201);
    await call(R.user, 'PATCH', `/api/users/${user.id}`, { role: 'admin' });
    expect((await call(R.users, 'GET', '/api/users')).users).toHaveLength(2);
    expect((await call(R.audit, 'GET', '/api/audit?limit=50')).entries.length).toBeGreaterThan(0);
    await call(R.error, 'GET', '/api/devices/nope', undefined, 404);
  });

  it('devices, diagnostics, enrollment, scripts, jobs, runs and API tokens', async () => {
    const token = await createEnrollmentToken(c, cookie, { group: 'lab', maxUses: 2 });
    const enrolled = await enrollKey(c, token.token, testDeviceKey().publicKey, { name: 'Reception', tags: ['lab'] });
    const { deviceId } = F.enrolled.parse(await enrolled.json());
    await call(F.enrollmentTokens, 'GET', '/api/enrollment-tokens');
    await call(F.enrollmentTokenCreated, 'POST', '/api/enrollment-tokens', { group: 'lab', expiresInHours: 1, maxUses: 1 }, 201);

    expect((await call(R.devices, 'GET', '/api/devices')).devices.map((d) => d.id)).toContain(deviceId);
    await call(R.device, 'GET', `/api/devices/${deviceId}`);
    expect((await call(R.deviceFacets, 'GET', '/api/devices/facets')).tags).toEqual([{ value: 'lab', count: 1 }]);
    await call(R.snapshots, 'GET', `/api/devices/${deviceId}/snapshots`);
    expect((await call(R.latestSnapshot, 'GET', `/api/devices/${deviceId}/snapshots/latest`)).snapshot).toBeNull();

    const { scripts } = await call(F.scripts, 'GET', '/api/scripts');
    expect(scripts.length).toBeGreaterThan(0);
    const { script } = await call(F.script, 'POST', '/api/scripts', { name: 'say-hi', title: 'Say hi', interpreter: 'sh', body: 'echo "hi\tthere"\nexit 0\n' }, 201);
    await call(F.script, 'PUT', `/api/scripts/${script.id}`, { name: 'say-hi', title: 'Say hello', interpreter: 'sh', body: 'echo hello\n' });
    const { job } = await call(F.job, 'POST', '/api/jobs', { scriptName: 'say-hi', target: { tag: 'lab' } }, 201);
    expect((await call(F.jobs, 'GET', '/api/jobs')).jobs.map((j) => j.id)).toContain(job.id);
    expect((await call(F.job, 'GET', `/api/jobs/${job.id}`)).job.deviceCount).toBe(1);
    expect((await call(F.runPage, 'GET', `/api/jobs/${job.id}/runs`)).runs.map((r) => r.deviceId)).toEqual([deviceId]);
    await call(F.run, 'GET', `/api/jobs/${job.id}/runs/${deviceId}`);
    expect((await call(F.job, 'POST', `/api/jobs/${job.id}/cancel`)).job.status).toBe('cancelled');

    await call(F.apiTokenCreated, 'POST', '/api/api-tokens', { name: 'cli' }, 201);
    expect((await call(F.apiTokens, 'GET', '/api/api-tokens')).tokens).toHaveLength(1);
  });
});
