/**
 * Every route, tried with what an attacker or a broken client sends: no credentials,
 * forged credentials, a foreign Origin, garbage bodies, wrong types, huge values and
 * odd path parameters. Each answer must be a catalog error (4xx with a code and
 * words), never a 500 and never a success.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../protocol/index.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';

let c: RunningController;
let cookie: string;

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
});
afterAll(async () => c?.stop());

type Route = readonly [method: string, path: string];

const AUTHENTICATED: Route[] = [
  ['GET', '/api/me'], ['GET', '/api/audit'], ['GET', '/api/devices'], ['GET', '/api/devices/x'], ['POST', '/api/devices/x/end-session'],
  ['GET', '/api/support-links'], ['POST', '/api/support-links'], ['POST', '/api/logout'],
  ['GET', '/api/devices/x/snapshots'], ['GET', '/api/devices/x/snapshots/latest'], ['GET', '/api/devices/x/snapshots/1'], ['GET', '/api/devices/x/compare'],
  ['GET', '/api/enrollment-tokens'], ['POST', '/api/enrollment-tokens'], ['DELETE', '/api/enrollment-tokens/x'], ['POST', '/api/devices/x/revoke'],
  ['GET', '/api/scripts'], ['POST', '/api/scripts'], ['PUT', '/api/scripts/x'], ['DELETE', '/api/scripts/x'],
  ['GET', '/api/jobs'], ['POST', '/api/jobs'], ['GET', '/api/jobs/x'], ['GET', '/api/jobs/x/runs/y'], ['POST', '/api/jobs/x/cancel'],
  ['GET', '/api/api-tokens'], ['POST', '/api/api-tokens'], ['DELETE', '/api/api-tokens/x'],
  ['GET', '/api/users'], ['POST', '/api/users'], ['PATCH', '/api/users/1'], ['DELETE', '/api/users/1'], ['POST', '/api/me/password'],
  ['DELETE', '/api/me/failed-logins'],
];

const GARBAGE_BODIES: Array<string | undefined> = [
  undefined,
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '{"__proto__":{"admin":true}}',
  JSON.stringify({ username: ['a'], password: { $ne: null }, scriptId: -1, target: 'all', concurrency: 1e12, group: 'x'.repeat(5000), name: 12345 }),
  JSON.stringify({ scriptName: '../../etc/passwd', target: { deviceIds: Array.from({ length: 5000 }, (_, i) => `d${i}`) }, params: { 'A B': 'x' } }),
];

async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined && method !== 'GET' ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text };
}

function expectCatalogError(result: { status: number; text: string }, what: string) {
  expect(result.status, `${what} → ${result.status} ${result.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(result.status, `${what} → ${result.text.slice(0, 200)}`).toBeLessThan(500);
  const body = JSON.parse(result.text) as { error?: { code?: string; message?: string } };
  expect(isErrorCode(body.error?.code), `${what} → ${result.text.slice(0, 200)}`).toBe(true);
  expect(body.error?.message?.length).toBeGreaterThan(5);
}

describe('hostile requests on every route', () => {
  it('no credentials, or forged ones: 401 with the catalog error, everywhere', async () => {
    for (const [method, path] of AUTHENTICATED) {
      if (path === '/api/logout') continue; // logging out without a session is harmless and answers 204
      const forgeries: Array<Record<string, string>> = [{}, { cookie: 'relais_session=forged' }, { authorization: 'Bearer forged-token-0123456789abcdef' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }];
      for (const headers of forgeries) {
        const result = await send(method, path, method === 'GET' ? undefined : '{}', headers);
        expectCatalogError(result, `${method} ${path} with ${JSON.stringify(headers)}`);
        expect(result.status).toBe(401);
      }
    }
  });

  it('a logged-in browser request from another site is refused before anything changes', async () => {
    for (const [method, path] of AUTHENTICATED.filter(([m]) => m !== 'GET')) {
      const result = await send(method, path, '{}', { cookie, origin: 'https://evil.example' });
      expectCatalogError(result, `${method} ${path} from a foreign origin`);
      expect(result.status).toBe(403);
    }
  });

  it('garbage bodies and odd parameters get a clear 4xx, never a 500', async () => {
    // Logging out, making a link and acknowledging failed logins take no body and succeed whatever is sent.
    for (const [method, path] of AUTHENTICATED.filter(([m, p]) => m !== 'GET' && p !== '/api/logout' && p !== '/api/support-links' && p !== '/api/me/failed-logins')) {
      for (const body of GARBAGE_BODIES) {
        const result = await send(method, path, body, { cookie, origin: c.url });
        expectCatalogError(result, `${method} ${path} with ${String(body).slice(0, 60)}`);
      }
    }
    for (const path of ['/api/devices/%00', '/api/devices/..%2F..%2Fetc', '/api/jobs/%F0%9F%92%A9', '/api/devices/x/snapshots/-1', '/api/devices/x/compare?before=1&after=NaN', `/api/devices/${'a'.repeat(5000)}`]) {
      const result = await send('GET', path, undefined, { cookie });
      expectCatalogError(result, `GET ${path}`);
    }
  });

  it('public routes stand garbage too', async () => {
    for (const body of GARBAGE_BODIES) {
      expectCatalogError(await send('POST', '/api/login', body, {}), `login with ${String(body).slice(0, 60)}`);
      expectCatalogError(await send('POST', '/api/enroll', body, {}), `enroll with ${String(body).slice(0, 60)}`);
    }
    expectCatalogError(await send('POST', '/api/enroll', JSON.stringify({ token: 'x'.repeat(2_000_000) }), {}), 'enroll with a 2 MB token');
    for (const code of ['abc', '1'.repeat(200), '%00', '123456789/../../x']) {
      const res = await fetch(`${c.url}/s/${code}`);
      expect(res.status, code).toBeGreaterThanOrEqual(400);
      expect(res.status, code).toBeLessThan(500);
    }
    // Unknown API paths do not tell a stranger what exists: 401 without a session, 404 with one.
    expect((await fetch(`${c.url}/api/nothing-here`)).status).toBe(401);
    expect((await fetch(`${c.url}/api/nothing-here`, { headers: { cookie } })).status).toBe(404);
    expect((await fetch(`${c.url}/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('a body that cannot be decoded and an address with a broken %-escape are the client\'s mistakes, said as such', async () => {
    const tries: Array<{ what: string; path: string; method?: string; headers: Record<string, string>; body?: string; status: number; words: RegExp }> = [
      { what: 'an unknown Content-Encoding, before any login', path: '/api/health', headers: { 'content-type': 'application/json', 'content-encoding': 'bogus' }, body: '{}', status: 415, words: /Content-Encoding/ },
      { what: 'a Latin-1 login', path: '/api/login', headers: { 'content-type': 'application/json; charset=latin1', origin: c.url }, body: '{"username":"a","password":"b"}', status: 415, words: /UTF-8/ },
      { what: 'a JSON body that is not JSON', path: '/api/login', headers: { 'content-type': 'application/json', origin: c.url }, body: '{', status: 400, words: /not valid JSON/ },
      { what: 'a broken %-escape in a device id', path: '/api/devices/%E0%A4%A', method: 'GET', headers: { cookie }, status: 400, words: /%-escape/ },
    ];
    for (const t of tries) {
      const method = t.method ?? 'POST';
      const res = await fetch(`${c.url}${t.path}`, { method, headers: t.headers, ...(t.body !== undefined ? { body: t.body } : {}) });
      const text = await res.text();
      expect(res.status, `${t.what}: ${text}`).toBe(t.status);
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      expect(body.error.code, t.what).toBe('HTTP_ERR_BAD_REQUEST');
      expect(body.error.message, t.what).toMatch(t.words);
    }
    // The person's pages answer a mangled link with their own page, in the person's language; the chat's JSON keeps the API's answer.
    for (const [path, testId] of [['/s/%E0%A4%A', 'support-problem'], ['/s/%E0%A4%A/problem', 'support-problem'], ['/survey/%E0%A4%A', 'survey-problem']] as const) {
      const method = path.endsWith('/problem') ? 'POST' : 'GET';
      const res = await fetch(`${c.url}${path}`, { method, headers: { 'accept-language': 'fr-FR,fr;q=0.9', origin: c.url, 'content-type': 'application/x-www-form-urlencoded' }, ...(method === 'POST' ? { body: 'problem=x' } : {}) });
      const html = await res.text();
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(res.headers.get('content-language'), path).toBe('fr');
      expect(html, path).toContain(`data-testid="${testId}"`);
    }
    const chat = await fetch(`${c.url}/s/%E0%A4%A/chat`);
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('HTTP_ERR_BAD_REQUEST');
    // A key the client made up comes back named in the message, but as plain text: no bidi override or control reaches the reader.
    const ticket = { title: 'Printer does not print', description: 'It jams.', requester: { name: 'Claire Martin', phone: null, email: null }, category: 'hardware', impact: 'medium', urgency: 'medium', 'ab\u202ecd\u0007': 1 };
    const sneaky = await fetch(`${c.url}/api/tickets`, { method: 'POST', headers: { cookie, origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify(ticket) });
    const said = (await sneaky.json()) as { error: { code: string; message: string } };
    expect(sneaky.status).toBeGreaterThanOrEqual(400);
    expect(said.error.message).toMatch(/ab cd/);
    expect(said.error.message).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0000-\u001f]/);
    // Nothing of this is the controller's failure: no error-level line for it.
    expect(c.logs()).not.toContain('"level":"error"');
    expect(c.logs()).not.toMatch(/UnsupportedMediaTypeError|URIError/);
  });

  it('the controller is still healthy afterwards, and logged no secret', async () => {
    expect((await fetch(`${c.url}/api/health`)).status).toBe(200);
    expect(c.logs()).not.toContain(c.adminPassword);
    expect(c.logs()).not.toMatch(/TypeError|ReferenceError|at .*\.mjs:\d+/);
  });
});
