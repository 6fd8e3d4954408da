/** Diagnostics end to end: a real agent's snapshot stored with findings, refreshed on demand, compared; and `diagnose` alone. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JOINED_REFRESHES } from '../../controller/server/hubs/agent-hub.js';
import { finding, snapshot as snapshotSchema, worstSeverity } from '../../protocol/index.js';
import { AGENT_BUNDLE, spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { connectConsole, type ConsoleClient } from '../helpers/console-client.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';

const run = promisify(execFile);
let c: RunningController;
let cookie: string;
let console: ConsoleClient;
let agent: RunningAgent;
let deviceId: string;

beforeAll(async () => {
  // A disk threshold every machine exceeds, so a finding is certain: thresholds are the controller's to set.
  const thresholds = join(mkdtempSync(join(tmpdir(), 'relais-thr-')), 'thresholds.json');
  writeFileSync(thresholds, JSON.stringify({ diskWarnPercent: 0.01, diskCriticalPercent: 100, loadWarnPerCore: 1000, loadCriticalPerCore: 1000, processHogCpuPercent: 1000, controllerSlowMs: 60_000 }));
  c = await startController({ args: ['--thresholds', thresholds] });
  cookie = await login(c);
  console = await connectConsole(c, cookie);
  const link = await createSupportLink(c, cookie);
  agent = spawnAgent(['join', link.url]);
  const first = await console.waitFor('device.diagnostics', (m) => m.requestId === null, 20_000);
  deviceId = first.deviceId;
});
afterAll(async () => {
  await agent?.stop();
  await console?.close();
  await c?.stop();
});

const api = async (path: string, language?: string) => {
  const res = await fetch(`${c.url}/api${path}`, { headers: { cookie, ...(language ? { 'accept-language': language } : {}) } });
  return { status: res.status, body: await res.json() };
};

describe('diagnostics through the controller', () => {
  it('the agent sends a full snapshot on joining; the controller stores it with findings from its own thresholds', async () => {
    // The console gets a notice; the snapshot itself is fetched over REST.
    const pushed = console.messages.find((m) => m.t === 'device.diagnostics')!;
    if (pushed.t !== 'device.diagnostics') throw new Error('unreachable');
    expect(pushed.deviceId).toBe(deviceId);
    const { body: stored } = await api(`/devices/${deviceId}/snapshots/${pushed.snapshotId}`);
    expect(pushed.worst).toBe(worstSeverity(stored.snapshot.findings));
    expect(snapshotSchema.safeParse(stored.snapshot.snapshot).success).toBe(true);
    expect(stored.snapshot.snapshot.memory.totalBytes).toBeGreaterThan(0);
    expect(pushed.findingCount).toBe(stored.snapshot.findings.length);
    expect(stored.snapshot.findings.some((f: { id: string; severity: string }) => f.id === 'disk.full:/' && f.severity === 'warning')).toBe(true);
    const { body } = await api(`/devices/${deviceId}`);
    expect(body.device).toMatchObject({ worstSeverity: 'warning' });
    expect(body.device.findingCount).toBeGreaterThan(0);
    expect(agent.output()).toMatch(/diagnostics report/);
  });

  it('refresh collects again on demand and the console is updated live', async () => {
    console.send({ t: 'diagnostics.refresh', requestId: 'refresh1', deviceId });
    await console.waitFor('diagnostics.pending', (m) => m.requestId === 'refresh1');
    const fresh = await console.waitFor('device.diagnostics', (m) => m.requestId === 'refresh1', 20_000);
    const first = console.messages.find((m) => m.t === 'device.diagnostics')!;
    if (first.t !== 'device.diagnostics') throw new Error('unreachable');
    expect(fresh.snapshotId).toBeGreaterThan(first.snapshotId);
    expect(fresh.takenAt).toBeGreaterThan(first.takenAt);
  });

  it('asks made while a collection is under way join it: each is answered, one snapshot is stored; a flood past the bound is refused', async () => {
    const before = (await api(`/devices/${deviceId}/snapshots`)).body.snapshots.length as number;
    const ids = Array.from({ length: 1 + MAX_JOINED_REFRESHES + 5 }, (_, i) => `flood-${i}`);
    for (const requestId of ids) console.send({ t: 'diagnostics.refresh', requestId, deviceId });
    const answered = ids.slice(0, 1 + MAX_JOINED_REFRESHES);
    for (const requestId of answered) await console.waitFor('device.diagnostics', (m) => m.requestId === requestId, 20_000);
    for (const requestId of ids.slice(answered.length)) expect((await console.waitFor('error', (m) => m.requestId === requestId)).code).toBe('DIAG_ERR_BUSY');
    const snapshots = (await api(`/devices/${deviceId}/snapshots`)).body.snapshots.length as number;
    expect(snapshots - before).toBe(1);
  });

  it('keeps the history and compares two snapshots', async () => {
    const { body: list } = await api(`/devices/${deviceId}/snapshots`);
    expect(list.snapshots.length).toBeGreaterThanOrEqual(2);
    const [newest, older] = list.snapshots;
    expect(newest.id).toBeGreaterThan(older.id);
    const { body: one } = await api(`/devices/${deviceId}/snapshots/${older.id}`);
    expect(snapshotSchema.safeParse(one.snapshot.snapshot).success).toBe(true);
    expect(one.snapshot.findings.every((f: unknown) => finding.safeParse(f).success)).toBe(true);
    const { status, body: diff } = await api(`/devices/${deviceId}/compare?before=${older.id}&after=${newest.id}`);
    expect(status).toBe(200);
    expect(diff.before.id).toBe(older.id);
    expect(Array.isArray(diff.changes)).toBe(true);
    expect(diff.remaining.map((f: { id: string }) => f.id)).toContain('disk.full:/');
    // In French: the same findings (ids, severities), their words and the facts translated.
    const { body: french } = await api(`/devices/${deviceId}/compare?before=${older.id}&after=${newest.id}`, 'fr-FR,fr;q=0.9');
    expect(french.remaining.map((f: { id: string; severity: string }) => [f.id, f.severity])).toEqual(diff.remaining.map((f: { id: string; severity: string }) => [f.id, f.severity]));
    const disk = french.remaining.find((f: { id: string }) => f.id === 'disk.full:/');
    expect(disk.title).toMatch(/^Le disque \/ est plein à \d+\u00a0%$/);
    const { body: frenchOne } = await api(`/devices/${deviceId}/snapshots/${older.id}`, 'fr');
    expect(frenchOne.snapshot.findings.map((f: { id: string }) => f.id)).toEqual(one.snapshot.findings.map((f: { id: string }) => f.id));
    expect(frenchOne.snapshot.findings.every((f: unknown) => finding.safeParse(f).success)).toBe(true);
    expect((await api(`/devices/${deviceId}/compare?before=abc&after=1`)).status).toBe(400);
    expect((await api(`/devices/${deviceId}/snapshots/999999`)).status).toBe(404);
    expect((await api(`/devices/nope/snapshots`)).status).toBe(404);
  });

  it('a refresh for a device that is offline gets a clear error', async () => {
    console.send({ t: 'diagnostics.refresh', requestId: 'refresh2', deviceId: 'not-a-device' });
    expect((await console.waitFor('error', (m) => m.requestId === 'refresh2')).code).toBe('SHELL_ERR_DEVICE_OFFLINE');
  });

  it('refuses a thresholds file with unknown names, saying which', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'relais-thr-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ diskWarnPrecent: 80 }));
    await expect(startController({ args: ['--thresholds', file] })).rejects.toThrow(/thresholds file .* invalid/);
  });
});

describe('relais-agent diagnose', () => {
  it('works with no controller and prints findings first, without colours when not on a terminal', async () => {
    const { stdout } = await run(process.execPath, [AGENT_BUNDLE, 'diagnose'], { timeout: 20_000 });
    expect(stdout).toMatch(/^Relais diagnostics/);
    expect(stdout.indexOf('Findings')).toBeLessThan(stdout.indexOf('Storage'));
    expect(stdout).toMatch(/Memory/);
    expect(stdout).not.toMatch(/\u001b\[/);
  });

  it('--json gives the snapshot and findings; --controller adds reachability and clock skew', async () => {
    const { stdout } = await run(process.execPath, [AGENT_BUNDLE, 'diagnose', '--json', '--controller', c.url, '--resolve', 'localhost'], { timeout: 20_000 });
    const report = JSON.parse(stdout);
    expect(snapshotSchema.safeParse(report.snapshot).success).toBe(true);
    expect(report.snapshot.controller).toMatchObject({ reachable: true });
    expect(Math.abs(report.snapshot.clock.skewMs)).toBeLessThan(2000);
    expect(report.snapshot.dns.lookups.map((l: { name: string }) => l.name)).toEqual(['127.0.0.1', 'localhost']);
    expect(Array.isArray(report.findings)).toBe(true);
  });
});
