/** Mail settings read from Thunderbird and Evolution files, servers resolved and connected to (fakes), and the connection series' loss and jitter. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectivityTargets, probeConnectivity, summarise } from '../../agent/diagnostics/connectivity-probe.js';
import { parseEvolutionSource, parseProfilesIni, parseThunderbirdPrefs, probeMail } from '../../agent/diagnostics/mail-probe.js';
import type { ConnectOutcome } from '../../agent/diagnostics/probe-host.js';
import { DEFAULT_THRESHOLDS as T, connectivitySection, mailSection, runHealthChecks, snapshot as snapshotSchema, type ConnectivitySection, type Snapshot } from '../../protocol/index.js';
import { fakeHost, fixture } from '../helpers/fake-probe-host.js';

const ids = (s: Snapshot) => runHealthChecks(s).map((f) => `${f.severity}:${f.id}`);
const snap = (extra: Partial<Snapshot>): Snapshot => {
  const s: Snapshot = { takenAt: 1, durationMs: 1, probes: {}, ...extra };
  expect(snapshotSchema.safeParse(s).success).toBe(true);
  return s;
};
const open = (ms: number): ConnectOutcome => ({ answered: true, open: true, ms, error: null });
const refused = (ms: number): ConnectOutcome => ({ answered: true, open: false, ms, error: 'ECONNREFUSED' });
const silent: ConnectOutcome = { answered: false, open: false, ms: 600, error: 'no answer within 600 ms' };

afterEach(() => vi.useRealTimers());

describe('mail settings', () => {
  it('Thunderbird: incoming (IMAP, POP with SSL default port) and outgoing servers; Local Folders and feeds skipped', () => {
    expect(parseThunderbirdPrefs(fixture('linux/thunderbird/prefs.js'))).toEqual([
      { client: 'Thunderbird', role: 'incoming', host: 'imap.example.net', port: 993 },
      { client: 'Thunderbird', role: 'incoming', host: 'pop.example.org', port: 995 },
      { client: 'Thunderbird', role: 'outgoing', host: 'smtp.example.net', port: 587 },
    ]);
    expect(parseProfilesIni(fixture('linux/thunderbird/profiles.ini'))).toEqual([{ path: 'a1b2c3d4.default', relative: true }, { path: 'k3v9x0qe.default-release', relative: true }]);
  });

  it('Evolution: a mail account\'s host and port; a calendar source is not mail', () => {
    expect(parseEvolutionSource(fixture('linux/evolution-imap.source'))).toEqual([{ client: 'Evolution', role: 'incoming', host: 'mail.example.com', port: 993 }]);
    expect(parseEvolutionSource(fixture('linux/evolution-calendar.source'))).toEqual([]);
  });

  it('each server resolved and connected to: answering is fine, not resolving or not answering are findings', async () => {
    const host = fakeHost({
      files: { '/home/alice/.thunderbird/profiles.ini': fixture('linux/thunderbird/profiles.ini'), '/home/alice/.thunderbird/k3v9x0qe.default-release/prefs.js': fixture('linux/thunderbird/prefs.js') },
      lookups: { 'imap.example.net': ['192.0.2.10'], 'smtp.example.net': ['192.0.2.11'] },
      connect: (address) => (address === '192.0.2.10' ? open(12.5) : refused(3)),
    });
    const section = await probeMail(host, async () => [{ pid: 9, name: 'thunderbird', path: '/usr/lib/thunderbird' }], 1000);
    expect(mailSection.parse(section)).toEqual(section);
    expect(section.clients).toEqual([{ name: 'Thunderbird', running: true }]);
    expect(section.servers.map((s) => [s.host, s.resolved, s.reachable, s.error])).toEqual([
      ['imap.example.net', true, true, null], ['pop.example.org', false, null, 'ENOTFOUND'], ['smtp.example.net', true, false, 'ECONNREFUSED'],
    ]);
    expect(ids(snap({ mail: section }))).toEqual(['warning:mail.server-unreachable:smtp.example.net:587', 'warning:mail.server-unresolved:pop.example.org']);
  });

  it('no mail client is a valid state; Outlook\'s settings are not read, so the technician asks', async () => {
    expect(await probeMail(fakeHost(), async () => [], 1000)).toEqual({ clients: [], servers: [], unreadable: [] });
    const windows = fakeHost({ platform: 'win32', env: { ProgramFiles: 'C:\\Program Files' }, files: { 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE': '' } });
    const section = await probeMail(windows, async () => [], 1000);
    expect(section).toEqual({ clients: [{ name: 'Outlook', running: false }], servers: [], unreadable: ['Outlook'] });
    expect(ids(snap({ mail: section }))).toEqual([]);
  });
});

describe('connectivity over time', () => {
  const target = (role: 'gateway' | 'controller', samples: (number | null)[]) => summarise({ role, host: role === 'gateway' ? '192.168.1.1' : 'help.example.com', ports: role === 'gateway' ? [53, 80, 443] : [443] }, samples);
  const withTargets = (targets: ConnectivitySection['targets'], localDelayMs: number | null = 1) => snap({ connectivity: { intervalMs: 120, localDelayMs, targets } });
  const steady = (n: number, lost: number) => Array.from({ length: n }, (_, i) => (i < lost ? null : 10));

  it('targets: the gateway on common ports, the controller on its own port', () => {
    expect(connectivityTargets('192.168.1.1', 'https://help.example.com')).toEqual([
      { role: 'gateway', host: '192.168.1.1', ports: [53, 80, 443] }, { role: 'controller', host: 'help.example.com', ports: [443] },
    ]);
    expect(connectivityTargets(null, 'http://[::1]:8080')).toEqual([{ role: 'controller', host: '::1', ports: [8080] }]);
    expect(connectivityTargets(null, null)).toEqual([]);
  });

  it('loss, min/avg/max and jitter from a series', () => {
    expect(target('controller', [10, 20, null, 10, 40])).toMatchObject({ sent: 5, answered: 4, lossPercent: 20, rttMinMs: 10, rttAvgMs: 20, rttMaxMs: 40, jitterMs: 16.7 });
  });

  it.each([
    [0, []],
    [1, ['warning:network.packet-loss:controller']],
    [2, ['warning:network.packet-loss:controller']],
    [3, ['critical:network.packet-loss:controller']],
  ])('controller: %i of 10 lost → %j (thresholds 10 %% and 30 %%)', (lost, expected) => {
    expect(T.packetLossWarnPercent).toBe(10);
    expect(ids(withTargets([target('controller', steady(10, lost))]))).toEqual(expected);
  });

  it('a gateway that answers nothing drops such probes: silence, not loss; partial loss is loss', () => {
    expect(ids(withTargets([target('gateway', steady(10, 10))]))).toEqual([]);
    expect(ids(withTargets([target('gateway', steady(10, 4))]))).toEqual(['critical:network.packet-loss:gateway']);
  });

  it('jitter beyond the threshold is a finding, unless this computer\'s own delay explains it', () => {
    const wavy = (amplitude: number) => Array.from({ length: 10 }, (_, i) => (i % 2 ? 5 + amplitude : 5));
    expect(ids(withTargets([target('gateway', wavy(T.jitterWarnMs - 1))], 0))).toEqual([]);
    expect(ids(withTargets([target('gateway', wavy(T.jitterWarnMs))], 0))).toEqual(['warning:network.jitter:gateway']);
    expect(ids(withTargets([target('gateway', wavy(T.jitterWarnMs))], 20))).toEqual([]);
  });

  it('probes start on schedule (a slow answer does not delay the next), each port at once, refusals count as answers', async () => {
    vi.useFakeTimers();
    const calls: Array<[string, number, number]> = [];
    const host = fakeHost({ connect: (h, port) => { calls.push([h, port, Date.now()]); return port === 80 ? refused(2) : silent; } });
    const started = Date.now();
    const pending = probeConnectivity(host, connectivityTargets('192.168.1.1', null), { count: 5, intervalMs: 100, answerMs: 300 }, () => ({ stop: () => 0.5 }));
    await vi.advanceTimersByTimeAsync(1000);
    const section = await pending;
    expect(connectivitySection.parse(section)).toEqual(section);
    expect(section).toMatchObject({ intervalMs: 100, localDelayMs: 0.5, targets: [{ role: 'gateway', sent: 5, answered: 5, lossPercent: 0, samples: [2, 2, 2, 2, 2] }] });
    expect(calls.filter(([, port]) => port === 53).map(([, , at]) => at - started)).toEqual([0, 100, 200, 300, 400]);
    expect(calls).toHaveLength(15);
  });
});
