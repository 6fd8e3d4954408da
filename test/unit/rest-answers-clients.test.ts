/**
 * The web UI and the CLI check every REST answer against the contract's schema
 * for its route (protocol/rest-answers.ts) instead of trusting it: a valid answer
 * comes through typed, a lie or garbage becomes a clear error, never a page
 * rendering half an object. fetch is a fake here; the real controller's answers
 * are checked in test/integration/rest-answers.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERRORS } from '../../protocol/index.js';
import { ApiError, api, onUnauthorized } from '../../controller/web/connection/api.js';
import { fleetApi } from '../../controller/web/fleet/fleet-api.js';
import { FleetApi } from '../../controller/cli/api-client.js';
import { CliError } from '../../controller/cli/cli-errors.js';

const me = {
  user: { username: 'admin', name: 'Admin' }, role: 'admin', organization: 'ACME IT', controllerUrl: 'http://127.0.0.1:8080', version: '0.1.0',
  failedLogins: [{ address: '192.0.2.7', count: 3, firstAt: 1, lastAt: 2 }],
};
const job = {
  id: 'job1', scriptId: 's1', scriptName: 'flush-dns', body: 'echo hi', interpreter: 'sh', params: {}, target: { tag: 'lab' }, deviceCount: 1,
  concurrency: 10, timeoutSeconds: 60, expiresAt: 2, createdBy: 'admin', createdAt: 1, status: 'running',
  counts: { pending: 1, running: 0, succeeded: 0, failed: 0, refused: 0, timedOut: 0, cancelled: 0, expired: 0 },
};

/** Every fetch answers `body` (JSON unless a string) with `status`. */
function answering(body: unknown, status = 200) {
  const text = status === 204 ? null : typeof body === 'string' ? body : JSON.stringify(body);
  const fetch = vi.fn(async () => new Response(text, { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => null, (err: unknown) => err);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('the web UI validates answers', () => {
  it('passes a valid answer through, without fields the contract does not know', async () => {
    answering({ ...me, extra: '<img src=x onerror=alert(1)>' });
    expect(await api.me()).toEqual(me);
    answering({ job });
    expect((await fleetApi.cancelJob('job1')).job.counts.pending).toBe(1);
  });

  it('refuses an answer of the wrong shape or not JSON, in the catalog words', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    answering({ ...me, role: 'root' });
    expect(await apiError(api.me())).toMatchObject({ code: 'HTTP_ERR_BAD_ANSWER', message: ERRORS.HTTP_ERR_BAD_ANSWER.message });
    answering({ jobs: [{ id: 'x', status: 'exploded' }] });
    expect((await apiError(fleetApi.jobs())).code).toBe('HTTP_ERR_BAD_ANSWER');
    answering('<html>a proxy page</html>');
    expect((await apiError(api.supportLinks())).code).toBe('HTTP_ERR_BAD_ANSWER');
  });

  it('shows a refusal in the catalog words, and a 401 sends the app to login', async () => {
    const toLogin = vi.fn();
    onUnauthorized(toLogin);
    answering({ error: { code: 'JOB_ERR_NOT_FOUND', message: 'whatever the server says' } }, 404);
    expect(await apiError(fleetApi.job('nope'))).toMatchObject({ code: 'JOB_ERR_NOT_FOUND', status: 404, message: ERRORS.JOB_ERR_NOT_FOUND.message });
    answering({ error: { code: 'AUTH_ERR_NO_SESSION', message: '' } }, 401);
    expect((await apiError(api.me())).code).toBe('AUTH_ERR_NO_SESSION');
    expect(toLogin).toHaveBeenCalledOnce();
  });

  it('a 204 answer needs no body', async () => {
    answering('', 204);
    await expect(api.logout()).resolves.toBeUndefined();
  });
});

describe('the CLI validates answers with the same schemas', () => {
  const client = new FleetApi({ controller: 'http://127.0.0.1:9', token: 'some-api-token-0123456789', timeoutMs: 2000 });

  it('passes a valid answer through', async () => {
    answering({ jobs: [job] });
    expect((await client.listJobs())[0]?.id).toBe('job1');
  });

  it('a lie names the field and ends with status 3', async () => {
    answering({ jobs: [{ ...job, counts: 'many' }] });
    const error = await client.listJobs().then(() => null, (err: unknown) => err);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'CLI_ERR_BAD_ANSWER', exitCode: 3, message: expect.stringMatching(/jobs\.0\.counts/) });
  });
});
