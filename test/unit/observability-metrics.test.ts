/**
 * The metrics registry on fakes: gauges read from their holders at each scrape, the
 * node label, and the counters fed by the real parts at their points — the relay's
 * bytes each way (fake websockets), a peer's refusals by code, the dispatcher's run
 * states and the store's query times (a temporary SQLite store); NO_METRICS does
 * nothing. Then who may read them: the Bearer token compared by hash, the Host a
 * separate metrics address answers, and the configuration that keeps only the hash.
 * And the Grafana dashboard in docs/ asks only for metrics the controller exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../controller/server/audit/audit.js';
import { loadConfig } from '../../controller/server/config/config.js';
import { PeerSocket } from '../../controller/server/hubs/peer-socket.js';
import { Dispatcher } from '../../controller/server/jobs/dispatcher.js';
import { JobStore } from '../../controller/server/jobs/job-store.js';
import { bearerMatches, hashToken, metricsHostAllowed } from '../../controller/server/observability/metrics-access.js';
import { Metrics, NO_METRICS } from '../../controller/server/observability/metrics.js';
import type { AgentLink, ConsoleLink } from '../../controller/server/relay/links.js';
import { Relay } from '../../controller/server/relay/relay.js';
import { openDatabase } from '../../controller/server/store/database.js';
import { agentToController, consoleToController, encodeAck, encodeData } from '../../protocol/index.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';
import { repoRoot } from '../helpers/paths.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

/** One sample's value from the exposition text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const scrape = async (metrics: Metrics) => (await metrics.render()).body;

describe('the registry', () => {
  it('reads the gauges from their holders at each scrape, with the node label, and speaks the text format', async () => {
    const metrics = new Metrics('host:0');
    expect(sample(await scrape(metrics), 'relais_consoles')).toBe(0);
    let consoles = 2;
    metrics.readFrom({ agentsOnline: () => ({ attended: 3, managed: 40 }), consoles: () => consoles, shellsOpen: () => 1 });
    metrics.labelNode('host:8080');
    const text = await scrape(metrics);
    expect(sample(text, 'relais_agents_online', { kind: 'attended', node: 'host:8080' })).toBe(3);
    expect(sample(text, 'relais_agents_online', { kind: 'managed', node: 'host:8080' })).toBe(40);
    expect(sample(text, 'relais_consoles', { node: 'host:8080' })).toBe(2);
    expect(sample(text, 'relais_shells_open')).toBe(1);
    consoles = 0;
    expect(sample(await scrape(metrics), 'relais_consoles')).toBe(0);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect((await metrics.render()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps label values bounded: methods it does not know become "other"', async () => {
    const metrics = new Metrics('n');
    metrics.httpRequest('/api/jobs/:id', 'GET', 200, 0.004);
    metrics.httpRequest('unmatched', 'BREW', 404, 0.001);
    const text = await scrape(metrics);
    expect(sample(text, 'relais_http_request_duration_seconds_count', { route: '/api/jobs/:id', method: 'GET', status: '200' })).toBe(1);
    expect(sample(text, 'relais_http_request_duration_seconds_bucket', { route: '/api/jobs/:id', le: '0.005' })).toBe(1);
    expect(sample(text, 'relais_http_request_duration_seconds_count', { route: 'unmatched', method: 'other', status: '404' })).toBe(1);
  });

  it('NO_METRICS takes every report and does nothing', () => {
    expect(() => {
      NO_METRICS.relayed('agent-to-console', 5);
      NO_METRICS.refused('PROTO_ERR_BAD_FRAME');
      NO_METRICS.loginFailed();
      NO_METRICS.jobRuns('running', 3);
      NO_METRICS.dbQuery(0.01);
      NO_METRICS.httpRequest('/', 'GET', 200, 0.01);
    }).not.toThrow();
    expect(Object.isFrozen(NO_METRICS)).toBe(true);
  });
});

describe('the parts report at their points', () => {
  it('the relay counts stream payload bytes each way, not acknowledgements; a peer counts its refusals by code', async () => {
    const metrics = new Metrics('n');
    const refused = (code: Parameters<typeof metrics.refused>[0]) => metrics.refused(code);
    const agentWs = new FakeWebSocket();
    const consoleWs = new FakeWebSocket();
    const agent: AgentLink = { peer: new PeerSocket(agentWs.asWebSocket, agentToController, '127.0.0.1', 'agent', { onRefused: refused }), deviceId: 'dev-1', sessionId: 's-1', channels: new Set() };
    const console: ConsoleLink = {
      peer: new PeerSocket(consoleWs.asWebSocket, consoleToController, '127.0.0.1', 'console', { onRefused: refused }),
      account: { id: 1, username: 'sam', name: 'Sam Lee', role: 'l1' }, channels: new Set(),
    };
    const relay = new Relay({ note: () => undefined } as unknown as AuditLog, new Map([['dev-1', agent]]), null, { meter: metrics });
    relay.openShell(console, { requestId: 'r1', deviceId: 'dev-1', cols: 80, rows: 24 });
    const channel = (agentWs.messages().at(-1) as unknown as { channel: number }).channel;
    relay.fromAgent(agent, { t: 'shell.consent', channel, decision: 'granted' });
    relay.fromAgent(agent, { t: 'shell.opened', channel, mode: 'pty', user: 'pat', shell: '/bin/bash' });
    expect(relay.openShells).toBe(1);
    relay.agentBinary(agent, Buffer.from(encodeData(channel, Buffer.alloc(1000, 0x61))));
    relay.agentBinary(agent, Buffer.from(encodeData(channel, Buffer.alloc(24, 0x62))));
    relay.consoleBinary(console, Buffer.from(encodeData(channel, Buffer.from('ls\n'))));
    relay.consoleBinary(console, Buffer.from(encodeAck(channel, 1024)));
    // A frame for a channel that never existed: refused with its code, and counted.
    relay.consoleBinary(console, Buffer.from(encodeData(999, Buffer.from('x'))));
    const text = await scrape(metrics);
    expect(sample(text, 'relais_relay_bytes_total', { direction: 'agent-to-console' })).toBe(1024);
    expect(sample(text, 'relais_relay_bytes_total', { direction: 'console-to-agent' })).toBe(3);
    expect(sample(text, 'relais_ws_messages_refused_total', { code: 'PROTO_ERR_UNKNOWN_CHANNEL' })).toBe(1);
  });

  describe('on a real store', () => {
    let store: TempStore;
    beforeAll(async () => void (store = await openTempStore()));
    afterAll(async () => store.close());

    it('the dispatcher counts runs entering each state', async () => {
      const metrics = new Metrics('n');
      const online = new Set(['d1', 'd2']);
      const dispatcher = new Dispatcher({
        store: new JobStore(store.db), audit: { note: () => undefined } as unknown as AuditLog, meter: metrics,
        links: { send: (deviceId) => online.has(deviceId), isOnline: (deviceId) => online.has(deviceId) },
      });
      const now = Date.now();
      await dispatcher.create({
        id: 'job-metrics', scriptId: 'script-1', scriptName: 'flush-dns', body: 'echo hi\n', interpreter: 'sh', params: {}, target: { deviceIds: ['d1', 'd2', 'd3'] },
        deviceIds: ['d1', 'd2', 'd3'], concurrency: 10, timeoutSeconds: 60, expiresAt: now + 60_000, createdBy: 'sam', createdAt: now, status: 'running',
      });
      dispatcher.fromAgent('d1', { t: 'job.started', jobId: 'job-metrics', startedAt: now });
      dispatcher.fromAgent('d1', { t: 'job.result', jobId: 'job-metrics', status: 'succeeded', exitCode: 0, signal: null, startedAt: now, finishedAt: now + 5, stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: -1, reason: null });
      await dispatcher.cancel('job-metrics');
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      dispatcher.stop();
      const text = await scrape(metrics);
      expect(sample(text, 'relais_job_runs_total', { state: 'pending' })).toBe(3);
      expect(sample(text, 'relais_job_runs_total', { state: 'dispatched' })).toBe(2);
      expect(sample(text, 'relais_job_runs_total', { state: 'running' })).toBe(1);
      expect(sample(text, 'relais_job_runs_total', { state: 'succeeded' })).toBe(1);
      // d3 was offline and still pending: cancelled with the job.
      expect(sample(text, 'relais_job_runs_total', { state: 'cancelled' })).toBe(1);
    });

    it('the store times every query it runs, and only when asked', async () => {
      const metrics = new Metrics('n');
      const db = await openDatabase({ dataDir: store.dir }, { onQuery: (seconds) => metrics.dbQuery(seconds) });
      const before = sample(await scrape(metrics), 'relais_db_query_seconds_count')!;
      await db.selectFrom('users').select('id').execute();
      await db.selectFrom('devices').select('id').execute();
      expect(sample(await scrape(metrics), 'relais_db_query_seconds_count')).toBe(before + 2);
      await db.destroy();
    });
  });
});

describe('who may read the metrics', () => {
  const hash = hashToken('the-metrics-token-0123456789');

  it('on the main port: the Bearer token, matched by its hash', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(bearerMatches('Bearer the-metrics-token-0123456789', hash)).toBe(true);
    expect(bearerMatches('bearer   the-metrics-token-0123456789 ', hash)).toBe(true);
    for (const refused of [undefined, '', 'Bearer', 'Bearer ', 'Basic dGhlOnRva2Vu', 'Bearer the-metrics-token-012345678', 'Bearer the-metrics-token-0123456789x', `Bearer ${hash}`]) {
      expect(bearerMatches(refused, hash), String(refused)).toBe(false);
    }
  });

  it('on the separate address: a Host that no other site can make a browser send', () => {
    for (const host of ['127.0.0.1:9464', '[::1]:9464', '10.0.0.5:9464', 'localhost:9464', 'LOCALHOST', 'metrics.internal:9464']) {
      expect(metricsHostAllowed(host, ['metrics.internal']), host).toBe(true);
    }
    for (const host of [undefined, '', 'evil.example:9464', 'localhost.evil.example:9464', '127.0.0.1.evil.example']) {
      expect(metricsHostAllowed(host, ['metrics.internal']), String(host)).toBe(false);
    }
  });

  it('the configuration keeps the token\u2019s hash only, and refuses a short one without echoing it', () => {
    const config = loadConfig(['--metrics-listen', '[::1]:9464', '--log-level', 'debug', '--node-id', 'node-1'], { RELAIS_METRICS_TOKEN: 'the-metrics-token-0123456789' });
    expect(config.metricsTokenHash).toBe(hash);
    expect(JSON.stringify(config)).not.toContain('the-metrics-token-0123456789');
    expect(config.metricsListen).toEqual({ host: '::1', port: 9464 });
    expect(config).toMatchObject({ logLevel: 'debug', nodeId: 'node-1', drainSeconds: 0 });
    expect(loadConfig([], {})).toMatchObject({ metricsTokenHash: null, metricsListen: null, logLevel: 'info', nodeId: null });
    expect(() => loadConfig(['--metrics-token', 'short-secret'], {})).toThrow(/at least|16 to 1024/);
    try {
      loadConfig(['--metrics-token', 'short-secret'], {});
    } catch (err) {
      expect((err as Error).message).not.toContain('short-secret');
    }
    expect(() => loadConfig(['--metrics-listen', '9464'], {})).toThrow(/host:port/);
    expect(() => loadConfig(['--log-level', 'loud'], {})).toThrow(/--log-level must be one of/);
    expect(() => loadConfig(['--drain-seconds', '301'], {})).toThrow(/--drain-seconds/);
  });
});

describe('the Grafana dashboard (docs/grafana-dashboard.json)', () => {
  it('is one importable dashboard whose every query names metrics the controller exports', async () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'docs/grafana-dashboard.json'), 'utf8')) as {
      uid: string; title: string; panels: Array<{ id: number; type: string; targets?: Array<{ expr: string }> }>;
    };
    expect(dashboard).toMatchObject({ uid: 'relais-controller', title: 'Relais controller' });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(15);
    const exported = await scrape(new Metrics('n'));
    const types = new Map([...exported.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const named = new Set(exprs.flatMap((expr) => [...expr.matchAll(/\b((?:relais|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!)));
    for (const name of ['relais_agents_online', 'relais_consoles', 'relais_shells_open', 'relais_relay_bytes_total', 'relais_job_runs_total', 'relais_ws_messages_refused_total', 'relais_login_failures_total', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(named, name).toContain(name);
    }
    for (const name of named) {
      const histogram = /^(.+)_(bucket|count|sum)$/.exec(name)?.[1];
      expect(types.has(name) || (histogram !== undefined && types.get(histogram) === 'histogram'), `${name} is not exported`).toBe(true);
    }
  });
});
