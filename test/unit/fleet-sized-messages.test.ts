/**
 * No message grows with the data (issue 8, point 1). Every controller→console and
 * controller→agent message type is built at its largest (every string at its limit,
 * in three-byte characters) and encoded with the real encoder (message-sizes.test.ts
 * proves the same from the schemas' limits); then the messages that carry fleet-sized
 * data are built by the real code at 10,000 items: 10,000 devices (their updates and
 * list pages), a job on 10,000 devices (job.update, its run pages) and a snapshot with
 * the most mounts, interfaces and processes at their longest (the diagnostics notice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT_MAX_CHARS, DEVICE_PAGE, LIMITS, MAX_OBSERVERS_PER_SHELL, controllerToAgent, controllerToConsole, deviceListItem, encodeControl, messageTypes, runHealthChecks,
  type ControllerToAgent, type ControllerToConsole, type DeviceListItem, type Snapshot,
} from '../../protocol/index.js';
import { DeviceDirectory } from '../../controller/server/devices/device-directory.js';
import { DeviceIndex } from '../../controller/server/devices/device-index.js';
import { DeviceRegistry, type DeviceEvent } from '../../controller/server/devices/devices.js';
import { deviceEventMessage, diagnosticsNotice } from '../../controller/server/hubs/console-messages.js';
import { JobWatch } from '../../controller/server/hubs/job-watch.js';
import { Dispatcher } from '../../controller/server/jobs/dispatcher.js';
import { JobStore } from '../../controller/server/jobs/job-store.js';
import { openDatabase, type Db } from '../../controller/server/store/database.js';
import { SupportSessions } from '../../controller/server/support/support-sessions.js';
import { until } from '../helpers/until.js';

const N = 10_000;
/** Bytes of a value as JSON (UTF-8), measured. */
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** Text at a `text(n)` field's limit in three-byte characters (UTF-8 '€'). */
const worst = (n: number) => '€'.repeat(n);
const ident = (n = 64) => 'i'.repeat(n);
const person = { username: worst(64), name: worst(128) };
const os = { platform: worst(32), distro: worst(128), release: worst(64), kernel: worst(128), arch: worst(32) };

const largestItem: DeviceListItem = {
  id: ident(), sessionId: ident(), hostname: worst(255), online: true, lastSeen: Number.MAX_SAFE_INTEGER, connectedAt: Number.MAX_SAFE_INTEGER,
  technician: person, sessionStatus: 'active', worstSeverity: 'critical', findingCount: 200, kind: 'managed', name: worst(128), group: `g${worst(63)}`,
  tags: Array.from({ length: 32 }, (_, i) => `t${String(i).padStart(2, '0')}${'x'.repeat(61)}`), policy: { script: 'allow', shell: 'allow' }, revoked: false,
  brief: { user: worst(128), os, address: worst(64), agentVersion: worst(32) },
};
const counts = { pending: N, running: N, succeeded: N, failed: N, refused: N, timedOut: N, cancelled: N, expired: N };
const run = {
  jobId: ident(), deviceId: ident(), status: 'failed' as const, exitCode: -2147483648, signal: worst(32), startedAt: Number.MAX_SAFE_INTEGER, finishedAt: Number.MAX_SAFE_INTEGER,
  durationMs: Number.MAX_SAFE_INTEGER, stdoutBytes: LIMITS.maxJobOutputBytes, stderrBytes: LIMITS.maxJobOutputBytes, stdoutTruncated: true, stderrTruncated: true, reason: worst(512),
};
/** A body exactly at the encoded limit (JSON adds its two quotes). */
const body = 'b'.repeat(LIMITS.maxScriptBodyBytes - 2);
/** As many parameters as allowed, as long as the total allows. */
const params = Object.fromEntries(Array.from({ length: LIMITS.maxJobParams }, (_, i) => [`P${String(i).padStart(62, '0')}`, 'v'.repeat(Math.floor(LIMITS.maxJobParamsBytes / LIMITS.maxJobParams) - 80)]));
const base64 = 'A'.repeat(Math.ceil(LIMITS.maxJobOutputChunkBytes / 3) * 4);
const errorMessage = { code: worst(64), message: worst(1024), channel: 0xffff_ffff };
/** A file name at its limit: 255 bytes of UTF-8. */
const fileName = worst(85);
const largestTransfer = {
  id: ident(), deviceId: ident(), direction: 'fetch' as const, state: 'failed' as const, name: fileName, size: Number.MAX_SAFE_INTEGER, path: worst(4096),
  bytes: Number.MAX_SAFE_INTEGER, sha256: 'f'.repeat(64), savedAs: worst(4096), code: 'FILE_ERR_REFUSED_BY_POLICY' as const, detail: worst(512),
  startedAt: Number.MAX_SAFE_INTEGER, timeoutMs: 3_600_000,
};

const toConsole: Record<ControllerToConsole['t'], ControllerToConsole> = {
  welcome: { t: 'welcome', v: 1000, user: person },
  'device.update': { t: 'device.update', device: largestItem },
  'device.removed': { t: 'device.removed', deviceId: ident() },
  'shell.pending': { t: 'shell.pending', requestId: ident(), channel: 0xffff_ffff, deviceId: ident() },
  'shell.consent': { t: 'shell.consent', channel: 0xffff_ffff, decision: 'refused-by-policy' },
  'shell.opened': { t: 'shell.opened', channel: 0xffff_ffff, mode: 'pipes', user: worst(128), shell: worst(255), window: 64 * 1024 * 1024 },
  'shell.closed': { t: 'shell.closed', channel: 0xffff_ffff, reason: 'session-ended', exitCode: -2147483648 },
  'shell.live': {
    t: 'shell.live', requestId: ident(), deviceId: ident(),
    shells: Array.from({ length: LIMITS.maxChannelsPerConnection }, () => ({
      channel: 0xffff_ffff, mode: 'pipes' as const, user: worst(128), shell: worst(255), technician: person, openedAt: Number.MAX_SAFE_INTEGER, attached: true,
    })),
  },
  'shell.attached': {
    t: 'shell.attached', requestId: ident(), channel: 0xffff_ffff, deviceId: ident(), mode: 'pipes', user: worst(128), shell: worst(255),
    window: 64 * 1024 * 1024, scrollbackBytes: LIMITS.maxScrollbackBytes, role: 'observer', cols: LIMITS.maxCols, rows: LIMITS.maxRows,
  },
  'shell.detached': { t: 'shell.detached', channel: 0xffff_ffff },
  'device.diagnostics': { t: 'device.diagnostics', deviceId: ident(), requestId: ident(), snapshotId: Number.MAX_SAFE_INTEGER, takenAt: Number.MAX_SAFE_INTEGER, worst: 'critical', findingCount: 200 },
  'diagnostics.pending': { t: 'diagnostics.pending', requestId: ident(), deviceId: ident() },
  'job.update': {
    t: 'job.update',
    job: {
      id: ident(), scriptId: ident(), scriptName: 's'.repeat(64), interpreter: 'powershell', target: { deviceCount: N, tag: 't'.repeat(64), group: `g${worst(63)}` }, deviceCount: N,
      concurrency: LIMITS.maxJobConcurrency, timeoutSeconds: LIMITS.maxJobTimeoutSeconds, expiresAt: Number.MAX_SAFE_INTEGER, createdBy: worst(64), createdAt: Number.MAX_SAFE_INTEGER, status: 'cancelled', counts,
    },
  },
  'run.update': { t: 'run.update', jobId: ident(), run },
  'run.output': { t: 'run.output', jobId: ident(), deviceId: ident(), stream: 'stderr', data: base64 },
  'ticket.event': { t: 'ticket.event', number: 2 ** 31, event: { id: Number.MAX_SAFE_INTEGER, at: Number.MAX_SAFE_INTEGER, kind: worst(32), actor: worst(64), visibility: 'person' } },
  'chat.message': { t: 'chat.message', deviceId: ident(), from: worst(128), text: worst(CHAT_MAX_CHARS), at: Number.MAX_SAFE_INTEGER, side: 'technician' },
  'device.presence': {
    t: 'device.presence', deviceId: ident(),
    shells: Array.from({ length: LIMITS.maxChannelsPerConnection }, () => ({
      channel: 0xffff_ffff, holder: person, holderHere: true, observers: Array.from({ length: MAX_OBSERVERS_PER_SHELL }, () => person), cols: LIMITS.maxCols, rows: LIMITS.maxRows,
    })),
  },
  'shell.takeover.pending': { t: 'shell.takeover.pending', requestId: ident(), channel: 0xffff_ffff, timeoutMs: 3_600_000 },
  'shell.takeover.result': { t: 'shell.takeover.result', requestId: ident(), channel: 0xffff_ffff, decision: 'refused-by-policy' },
  'shell.role': { t: 'shell.role', channel: 0xffff_ffff, role: 'observer', holder: person, cols: LIMITS.maxCols, rows: LIMITS.maxRows },
  'shell.skipped': { t: 'shell.skipped', channel: 0xffff_ffff, bytes: Number.MAX_SAFE_INTEGER },
  'file.pending': { t: 'file.pending', requestId: ident(), transfer: largestTransfer },
  'file.update': { t: 'file.update', transfer: largestTransfer },
  error: { t: 'error', ...errorMessage, requestId: ident() },
};

const toAgent: Record<ControllerToAgent['t'], ControllerToAgent> = {
  'auth.challenge': { t: 'auth.challenge', nonce: 'n'.repeat(43) },
  welcome: {
    t: 'welcome', v: 1000, sessionId: ident(), deviceId: ident(), resumeToken: 'r'.repeat(256),
    controller: { name: worst(128), organization: worst(128), url: worst(512) }, technician: person, heartbeatMs: 600_000,
  },
  'shell.open': { t: 'shell.open', channel: 0xffff_ffff, cols: LIMITS.maxCols, rows: LIMITS.maxRows, requestedBy: person, window: 64 * 1024 * 1024 },
  'shell.resize': { t: 'shell.resize', channel: 0xffff_ffff, cols: LIMITS.maxCols, rows: LIMITS.maxRows },
  'shell.close': { t: 'shell.close', channel: 0xffff_ffff, reason: 'console-gone' },
  'session.end': { t: 'session.end', reason: worst(256) },
  'diagnostics.request': { t: 'diagnostics.request', requestId: ident() },
  'job.run': { t: 'job.run', jobId: ident(), script: { name: 's'.repeat(64), interpreter: 'powershell', body, timeoutSeconds: LIMITS.maxJobTimeoutSeconds }, params, expiresAt: Number.MAX_SAFE_INTEGER },
  'job.cancel': { t: 'job.cancel', jobId: ident() },
  'job.ack': { t: 'job.ack', jobId: ident() },
  'chat.message': { t: 'chat.message', from: person, text: worst(CHAT_MAX_CHARS), at: Number.MAX_SAFE_INTEGER },
  'shell.viewers': { t: 'shell.viewers', channel: 0xffff_ffff, holder: person, observers: Array.from({ length: MAX_OBSERVERS_PER_SHELL }, () => person) },
  'shell.takeover': { t: 'shell.takeover', channel: 0xffff_ffff, requestId: ident(), requestedBy: person, holder: person },
  'shell.takeover.cancel': { t: 'shell.takeover.cancel', channel: 0xffff_ffff, requestId: ident() },
  'survey.ask': { t: 'survey.ask', surveyId: ident(), ticketNumber: 2 ** 31, title: worst(200), technician: worst(128) },
  'file.offer': { t: 'file.offer', channel: 0xefff_ffff, requestedBy: person, name: fileName, size: Number.MAX_SAFE_INTEGER },
  'file.request': { t: 'file.request', channel: 0xefff_ffff, requestedBy: person, path: worst(4096), window: 64 * 1024 * 1024, maxBytes: Number.MAX_SAFE_INTEGER },
  'file.end': { t: 'file.end', channel: 0xefff_ffff, size: Number.MAX_SAFE_INTEGER, sha256: 'f'.repeat(64) },
  'file.cancel': { t: 'file.cancel', channel: 0xefff_ffff, reason: 'too-large' },
  error: { t: 'error', ...errorMessage },
};

describe('every message type at its largest fits the JSON limit', () => {
  it.each([
    ['controller → console', controllerToConsole, toConsole],
    ['controller → agent', controllerToAgent, toAgent],
  ] as const)('%s: each type, valid and encodable', (_name, schema, messages) => {
    expect(new Set(Object.keys(messages))).toEqual(messageTypes(schema));
    for (const message of Object.values(messages)) {
      expect(schema.safeParse(message).error?.issues, message.t).toBeUndefined();
      expect(() => encodeControl(message), message.t).not.toThrow();
    }
  });
});

describe('fleet-sized data, built by the controller at 10,000 items', () => {
  let dir: string;
  let db: Db;
  let registry: DeviceRegistry;
  const events: DeviceEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relais-sizes-'));
    db = await openDatabase({ dataDir: dir });
    const now = Date.now();
    const rows = Array.from({ length: N }, (_, i) => ({
      id: `dev-${String(i).padStart(5, '0')}`, kind: 'managed' as const, hostname: `host-${i}`, summary_json: null, first_seen: now, last_seen: now - i,
      name: `Device ${String(i).padStart(5, '0')}`, group_name: `group-${i % 10}`, tags_json: JSON.stringify(['lab', `floor-${i % 4}`]),
      public_key: `key-${i}`, policy_json: null, platform: 'linux', controller_origin: 'http://127.0.0.1', enrollment_token_id: null, enrolled_at: now, revoked_at: null,
      label: `device ${String(i).padStart(5, '0')}`, search: `device ${i}\nhost-${i}`,
    }));
    for (let i = 0; i < rows.length; i += 500) await db.insertInto('devices').values(rows.slice(i, i + 500)).execute();
    registry = new DeviceRegistry(new SupportSessions(db), new DeviceIndex(db));
    await registry.load(new Map(), rows.map((r) => ({
      id: r.id, name: r.name, group: r.group_name, tags: ['lab'], hostname: r.hostname, platform: 'linux', publicKey: r.public_key, policy: null,
      controllerOrigin: r.controller_origin, enrolledAt: now, revokedAt: null, lastSeen: r.last_seen, summaryJson: null,
    })));
    registry.onChange((event) => events.push(event));
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('10,000 devices: each change is one bounded message, and the list comes in bounded pages that walk them all', async () => {
    // A change names one device whatever the fleet: every tenth of the 10,000 connects (a burst, written in batches).
    for (let i = 0; i < N; i += 10) registry.connected(`dev-${String(i).padStart(5, '0')}`, `host-${i}`);
    expect(events).toHaveLength(N / 10);
    const largest = Math.max(...events.map((e) => encodeControl(deviceEventMessage(e)).length));
    expect(largest).toBeLessThan(2048);

    const directory = new DeviceDirectory(db, registry);
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await directory.page({ limit: DEVICE_PAGE.maxLimit, sort: 'name', kind: 'managed', ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(N);
      expect(page.online).toBe(N / 10);
      // A page is bounded by its limit whatever the fleet: at most maxLimit rows of the largest size.
      expect(jsonBytes(page)).toBeLessThan(DEVICE_PAGE.maxLimit * jsonBytes(deviceListItem.parse(largestItem)));
      for (const device of page.devices) seen.add(device.id);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(N);
    expect(pages).toBe(N / DEVICE_PAGE.maxLimit);
  });

  it('a job on 10,000 devices: job.update stays small and its runs come in bounded pages', async () => {
    const store = new JobStore(db);
    const dispatcher = new Dispatcher({ store, audit: { note: () => undefined } as never, links: { send: () => false, isOnline: () => false } });
    const watch = new JobWatch(dispatcher);
    const sent: string[] = [];
    watch.connect({ send: (m: ControllerToConsole) => sent.push(encodeControl(m)), sendError: () => undefined } as never);
    const deviceIds = Array.from({ length: N }, (_, i) => `dev-${String(i).padStart(5, '0')}`);
    const now = Date.now();
    const job = await dispatcher.create({
      id: 'job-10k', scriptId: 's1', scriptName: 'disk-usage', body, interpreter: 'sh', params, target: { deviceIds }, deviceIds,
      concurrency: 100, timeoutSeconds: 60, expiresAt: now + 60_000, createdBy: 'admin', createdAt: now, status: 'running',
    });
    expect(job.deviceCount).toBe(N);
    await until(() => sent.some((m) => m.includes('"job.update"')), 5000, 'job.update');
    const update = sent.find((m) => m.includes('"job.update"'))!;
    expect(update.length).toBeLessThan(2048);
    expect(jsonBytes(job)).toBeLessThan(LIMITS.maxJsonBytes);

    let cursor: string | undefined;
    let total = 0;
    do {
      const page = await store.runPage(job.id, { limit: LIMITS.maxRunPage, ...(cursor ? { cursor } : {}) });
      expect(jsonBytes(page)).toBeLessThan(LIMITS.maxRunPage * 2048);
      total += page.runs.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(total).toBe(N);
    dispatcher.stop();
  });

  it('a snapshot with the most mounts, interfaces and processes at their longest: the console gets a small notice', () => {
    const snapshot = largestSnapshot();
    const findings = runHealthChecks(snapshot, {});
    expect(findings.length).toBeGreaterThan(100);
    const notice = diagnosticsNotice({ id: 1, deviceId: ident(), takenAt: snapshot.takenAt, snapshot, findings }, ident());
    expect(controllerToConsole.safeParse(notice).success).toBe(true);
    expect(encodeControl(notice).length).toBeLessThan(512);
  });
});

/** Every list at its maximum length, every text at its longest. */
function largestSnapshot(): Snapshot {
  const long = (n: number, i: number) => `${i}`.padEnd(n, 'm');
  const proc = (i: number) => ({ pid: i, name: worst(128), cpuPercent: 99, memoryBytes: 2 ** 40 });
  return {
    takenAt: Date.now(), durationMs: 1000, probes: {},
    storage: {
      disks: Array.from({ length: 64 }, (_, i) => ({ name: long(128, i), type: worst(32), sizeBytes: 2 ** 40, vendor: worst(128) })),
      filesystems: Array.from({ length: 128 }, (_, i) => ({ fs: worst(255), type: worst(32), mount: `/${long(254, i)}`, sizeBytes: 2 ** 40, usedBytes: 2 ** 40 - 1, availableBytes: 1, usePercent: 99.9 })),
    },
    network: {
      interfaces: Array.from({ length: 64 }, (_, i) => ({
        name: long(64, i), ipv4: Array.from({ length: 16 }, () => worst(64)), ipv6: Array.from({ length: 16 }, () => worst(64)), mac: worst(32), up: false, speedMbps: 1, isDefault: i === 0, internal: false,
      })),
      gateway: null, dnsServers: Array.from({ length: 16 }, () => worst(64)),
    },
    processes: { byCpu: Array.from({ length: 5 }, (_, i) => proc(i)), byMemory: Array.from({ length: 5 }, (_, i) => proc(i + 5)) },
  };
}
