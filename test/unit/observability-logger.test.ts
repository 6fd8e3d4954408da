/**
 * The controller's log lines, on the real logger writing to memory: secrets are
 * censored by the one redaction list whatever logs them (fields, nested fields, child
 * bindings, credential headers, bodies and query strings); every line has its node and
 * level names; errors keep their kind and words, not their extra properties; and the
 * request middleware gives each request an id (kept from a trusted proxy only when
 * plain) and logs it by route template, never by path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { observeRequests } from '../../controller/server/http/request-log.js';
import { errorFields, NodeName, REDACTED, SECRET_KEYS } from '../../controller/server/observability/logger.js';
import { censorSecrets } from '../../controller/server/observability/redaction.js';
import { NO_METRICS, type Meter } from '../../controller/server/observability/metrics.js';
import { RelaisError } from '../../protocol/index.js';
import { captureLog } from '../helpers/log-capture.js';

const SECRET = 'S3cr3t-value-that-must-not-appear';

describe('redaction by configuration', () => {
  it('censors every secret field, at the top and deeper, in lines and in child bindings', () => {
    const { log, records, text } = captureLog();
    const fields = ['password', 'newPassword', 'adminPassword', 'token', 'apiToken', 'resumeToken', 'enrollmentToken', 'metricsToken', 'secret', 'clusterSecret', 'code', 'supportCode', 'cookie', 'authorization', 'privateKey'];
    for (const field of fields) {
      log.info({ [field]: SECRET, nested: { [field]: SECRET, deeper: { list: [{ [field]: SECRET }] } } }, `line for ${field}`);
      log.child({ requestId: 'r1' }).child({ [field]: SECRET, nested: { [field]: SECRET } }).info(`child line for ${field}`);
    }
    expect(text()).not.toContain(SECRET);
    const first = records()[0]!;
    expect(first).toMatchObject({ password: REDACTED, nested: { password: REDACTED, deeper: { list: [{ password: REDACTED }] } }, msg: 'line for password' });
    expect(records()).toHaveLength(fields.length * 2);
  });

  it('censors credential headers, whole bodies and query strings', () => {
    const { log, text, records } = captureLog();
    log.info({ req: { headers: { authorization: `Bearer ${SECRET}`, cookie: `relais_session=${SECRET}`, host: 'help.example.com' } } }, 'request headers');
    log.info({ headers: { 'Set-Cookie': [`relais_session=${SECRET}`], Authorization: `Bearer ${SECRET}` } }, 'answer headers');
    log.info({ change: { current: SECRET, next: SECRET } }, 'a password change body that slipped into a line');
    log.info({ body: { username: 'sam', anything: SECRET }, query: { next: SECRET }, params: { code: SECRET, id: 'dev-1' } }, 'request parts');
    expect(text()).not.toContain(SECRET);
    // `req` goes through the request serializer: method and route only.
    expect(records()[0]!.req).toEqual({ method: undefined, route: null });
    expect(records()[3]).toMatchObject({ body: REDACTED, query: REDACTED, params: { code: REDACTED, id: 'dev-1' } });
  });

  it('is one list, which names the secrets the security rules name, and copies a line only where it censors', () => {
    for (const key of ['password', 'token', 'secret', 'code', 'supportcode', 'enrollmenttoken', 'resumetoken', 'apitoken', 'metricstoken', 'authorization', 'cookie', 'set-cookie', 'body', 'query']) {
      expect(SECRET_KEYS).toContain(key);
    }
    const clean = { method: 'GET', route: '/api/jobs/:id', nested: { status: 200 } };
    expect(censorSecrets(clean)).toBe(clean);
    const dirty = { user: 'sam', auth: { token: SECRET }, list: [1, { password: SECRET }] };
    const censored = censorSecrets(dirty);
    expect(censored).toEqual({ user: 'sam', auth: { token: REDACTED }, list: [1, { password: REDACTED }] });
    // The caller's object is left as it was.
    expect(dirty.auth.token).toBe(SECRET);
    expect((dirty.list[1] as { password: string }).password).toBe(SECRET);
    // Errors are the err serializer's (kind, words, errno, stack only); a cycle or a deep value cannot hang a line.
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 50; i++) at = (at.next_ = {}) as Record<string, unknown>;
    expect(() => censorSecrets(deep)).not.toThrow();
  });
});

describe('lines', () => {
  it('carry the node (set once the port is known), the level by name and an ISO time', () => {
    const node = new NodeName('host:0');
    const { log, records } = captureLog('info', node);
    log.debug('below the level');
    log.info('before');
    node.settle('host:8080');
    log.warn('after');
    const [before, after] = records();
    expect(records()).toHaveLength(2);
    expect(before).toMatchObject({ node: 'host:0', level: 'info', msg: 'before' });
    expect(after).toMatchObject({ node: 'host:8080', level: 'warn', msg: 'after' });
    expect(String(after!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(NodeName.of(9000)).toMatch(/^.+:9000$/);
  });

  it('show an error by kind, words and system code; a stack only for errors that are not ours; never its other properties', () => {
    const bug = Object.assign(new TypeError('cannot read x'), { request: { password: SECRET }, code: 'ERR_BUG' });
    const fields = errorFields(bug);
    expect(fields).toMatchObject({ type: 'TypeError', message: 'cannot read x', errno: 'ERR_BUG' });
    expect(Array.isArray(fields.stack)).toBe(true);
    expect(JSON.stringify(fields)).not.toContain(SECRET);
    expect(errorFields(new RelaisError('AUTH_ERR_NO_SESSION'))).not.toHaveProperty('stack');
    expect(errorFields('plain \u001b[2J text')).toEqual({ message: expect.not.stringContaining('\u001b') });
    const { log, text } = captureLog();
    log.error({ err: bug }, 'a bug');
    expect(text()).not.toContain(SECRET);
  });
});

describe('the request middleware', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(trustProxy: boolean, meter: Meter = NO_METRICS) {
    const captured = captureLog();
    const app = express();
    app.use(observeRequests(captured.log, meter, trustProxy));
    const api = express.Router();
    api.get('/jobs/:id', (_req, res) => void res.json({ ok: true }));
    api.get('/broken/:id', async () => {
      throw new Error('broken');
    });
    app.use('/api', api);
    app.get('/s/:code', (_req, res) => void res.send('page'));
    app.get('/api/health', (_req, res) => void res.json({ ok: true }));
    app.use((_req: express.Request, res: express.Response) => void res.status(404).end());
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end());
    server = createServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${path}`, { headers });
      await res.arrayBuffer();
      return res;
    };
    /** Access lines are written when the answer closes: wait for the count. */
    const lines = async (count: number) => {
      for (let i = 0; i < 200 && captured.records().filter((r) => r.route).length < count; i++) await new Promise((r) => setTimeout(r, 5));
      return captured.records().filter((r) => r.route);
    };
    return { get, lines, captured };
  }

  it('logs by route template, even after an error unwound the routers, and never the path or query string', async () => {
    const observed: Array<[string, string, number]> = [];
    const meter: Meter = { ...NO_METRICS, httpRequest: (route, method, status) => void observed.push([route, method, status]) };
    const s = await serve(false, meter);
    await s.get('/s/123456789?lang=fr');
    await s.get('/api/jobs/job-42?token=abc');
    await s.get('/api/broken/7');
    await s.get('/nothing/here');
    await s.get('/api/health');
    const lines = await s.lines(5);
    expect(lines.map((l) => [l.route, l.status, l.level])).toEqual([
      ['/s/:code', 200, 'info'], ['/api/jobs/:id', 200, 'info'], ['/api/broken/:id', 500, 'info'], ['unmatched', 404, 'info'], ['/api/health', 200, 'debug'],
    ]);
    expect(observed.map(([route]) => route)).toEqual(['/s/:code', '/api/jobs/:id', '/api/broken/:id', 'unmatched', '/api/health']);
    const text = s.captured.text();
    for (const raw of ['123456789', 'job-42', 'token=abc', 'lang=fr', '/nothing']) expect(text).not.toContain(raw);
  });

  it('gives each request an id in the answer and on its lines; a proxy\u2019s id is kept only when trusted and plain', async () => {
    const untrusted = await serve(false);
    const own = await untrusted.get('/api/jobs/1', { 'x-request-id': 'from-the-client' });
    expect(own.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await untrusted.lines(1))[0]!.requestId).toBe(own.headers.get('x-request-id'));
    server!.close();
    server = null;

    const trusted = await serve(true);
    expect((await trusted.get('/api/jobs/1', { 'x-request-id': 'proxy-id.42' })).headers.get('x-request-id')).toBe('proxy-id.42');
    // Not plain (a forged line in our log, or too long): replaced by our own.
    expect((await trusted.get('/api/jobs/1', { 'x-request-id': 'evil"}\u0009{"level":"fatal' })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await trusted.get('/api/jobs/1', { 'x-request-id': 'x'.repeat(129) })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await trusted.lines(3))[0]!.requestId).toBe('proxy-id.42');
  });
});
