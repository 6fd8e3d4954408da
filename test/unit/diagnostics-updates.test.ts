/** Updates and reboot: package managers' outputs parsed, the slow pending check kept between snapshots, and the update findings on both sides. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlowCheck } from '../../agent/diagnostics/slow-check.js';
import { parseAptHistory, parseAptSimulation, parseDnfCheckUpdate, parseDnfSecurity, parseMacHistory, parseMacSoftwareUpdate, parseRpmLast } from '../../agent/diagnostics/updates-parsers.js';
import { newestKernel, UpdatesProbe } from '../../agent/diagnostics/updates-probe.js';
import { DEFAULT_THRESHOLDS as T, runHealthChecks, snapshot as snapshotSchema, updatesSection, type Snapshot, type UpdatesSection } from '../../protocol/index.js';
import { done, fakeHost, fixture } from '../helpers/fake-probe-host.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 2, 12, 11);

function withUpdates(u: Partial<Omit<UpdatesSection, 'pending'>> & { pending?: Partial<UpdatesSection['pending']> }, takenAt = NOW): Snapshot {
  const { pending, ...facts } = u;
  const updates: UpdatesSection = {
    rebootPending: false, rebootReasons: [], lastUpdateAt: takenAt - DAY, lastUpdateSource: 'apt history', ...facts,
    pending: { state: 'ok', source: 'apt', total: 0, security: 0, names: [], checkedAt: takenAt, detail: null, ...pending },
  };
  const s: Snapshot = { takenAt, durationMs: 1, probes: {}, updates };
  expect(snapshotSchema.safeParse(s).success).toBe(true);
  return s;
}
const ids = (s: Snapshot) => runHealthChecks(s).map((f) => `${f.severity}:${f.id}`);

afterEach(() => vi.useRealTimers());

describe('package manager outputs', () => {
  it('apt-get -s upgrade (captured on this machine): every package, the security archive\'s counted apart', () => {
    const pending = parseAptSimulation(fixture('linux/apt-get-s-upgrade.txt'));
    expect(pending).toMatchObject({ total: 97, security: 54 });
    expect(pending.names[0]).toBe('libgcrypt20-dev');
    expect(parseAptSimulation(fixture('linux/apt-get-s-upgrade-none.txt'))).toMatchObject({ total: 0, security: 0 });
  });

  it('apt history: the end of the last run that upgraded something', () => {
    expect(parseAptHistory(fixture('linux/apt-history.log'))).toBe(new Date(2026, 10, 29, 9, 35, 45).getTime());
    expect(parseAptHistory('Start-Date: 2024-01-01  10:00:00\nInstall: x\nEnd-Date: 2024-01-01  10:00:05\n')).toBeNull();
  });

  it('dnf and rpm (Fedora)', () => {
    expect(parseDnfCheckUpdate(fixture('linux/dnf-check-update.txt'))).toEqual(['kernel', 'kernel-core', 'openssl-libs', 'firefox']);
    expect(parseDnfSecurity(fixture('linux/dnf-updateinfo-security.txt'))).toBe(3);
    expect(parseRpmLast(fixture('linux/rpm-qa-last.txt'))).toBe(Date.parse('Tue Feb 20 08:12:44 2024'));
  });

  it('macOS: softwareupdate history and the background check\'s recommended updates', () => {
    expect(parseMacHistory(fixture('macos/softwareupdate-history.txt'))).toBe(new Date(2024, 2, 26, 8, 15, 40).getTime());
    expect(parseMacSoftwareUpdate(fixture('macos/softwareupdate-prefs.txt'))).toMatchObject({ total: 2, security: null, names: ['macOS Sonoma 14.5', 'Safari'] });
  });

  it('the newest kernel in /boot, in version order', () => {
    expect(newestKernel(['config-6.1.0-18-amd64', 'vmlinuz-6.1.0-18-amd64', 'vmlinuz-6.1.0-21-amd64', 'initrd.img-6.1.0-21-amd64'])).toBe('6.1.0-21-amd64');
    expect(newestKernel([])).toBeNull();
  });
});

describe('update findings', () => {
  it.each([
    [0, []],
    [T.securityUpdatesWarnCount, ['warning:updates.security-pending']],
    [T.securityUpdatesCriticalCount - 1, ['warning:updates.security-pending']],
    [T.securityUpdatesCriticalCount, ['critical:updates.security-pending']],
  ])('%i security updates pending → %j', (security, expected) => {
    expect(ids(withUpdates({ pending: { total: security + 3, security } }))).toEqual(expected);
  });

  it('"checking" or failed pending updates say nothing; updates that are not marked security are information', () => {
    expect(ids(withUpdates({ pending: { state: 'checking', total: null, security: null } }))).toEqual([]);
    expect(ids(withUpdates({ pending: { state: 'failed', total: null, security: null } }))).toEqual([]);
    expect(ids(withUpdates({ pending: { total: 2, security: null } }))).toEqual(['info:updates.pending']);
  });

  it('a pending restart is a warning; none or unknown is not', () => {
    expect(ids(withUpdates({ rebootPending: true, rebootReasons: ['linux-image-6.1.0-21-amd64'] }))).toEqual(['warning:updates.reboot-pending']);
    expect(ids(withUpdates({ rebootPending: null }))).toEqual([]);
  });

  it.each([
    [T.lastUpdateWarnDays * DAY - 1, []],
    [T.lastUpdateWarnDays * DAY, ['warning:updates.stale']],
  ])('last update %i ms ago → %j', (ago, expected) => {
    expect(ids(withUpdates({ lastUpdateAt: NOW - ago }))).toEqual(expected);
  });
});

describe('the updates probe', () => {
  it('Linux: the reboot-required flag with its packages, apt history, apt pending', async () => {
    const host = fakeHost({
      files: { '/var/run/reboot-required': '*** System restart required ***\n', '/var/run/reboot-required.pkgs': 'linux-image-6.1.0-21-amd64\nlibc6\n', '/var/log/apt/history.log': fixture('linux/apt-history.log') },
      commands: { 'apt-get -s -o Debug::NoLocking=true upgrade': done(fixture('linux/apt-get-s-upgrade.txt')), 'uname -r': done('6.1.0-18-amd64\n') },
    });
    const section = await new UpdatesProbe(host, 0).collect(1000, 1000);
    expect(updatesSection.parse(section)).toEqual(section);
    expect(section).toMatchObject({ rebootPending: true, rebootReasons: ['linux-image-6.1.0-21-amd64', 'libc6'], lastUpdateSource: 'apt history', pending: { state: 'ok', total: 97, security: 54 } });
  });

  it('Linux: a newer kernel installed than the one running; needs-restarting on dnf systems; unknown otherwise', async () => {
    const kernel = fakeHost({ commands: { 'uname -r': done('6.1.0-18-amd64\n') }, dirs: { '/boot': ['vmlinuz-6.1.0-18-amd64', 'vmlinuz-6.1.0-21-amd64'] } });
    expect(await new UpdatesProbe(kernel, 0).collect(1000, 0)).toMatchObject({ rebootPending: true, rebootReasons: ['kernel 6.1.0-21-amd64 is installed, 6.1.0-18-amd64 is running'] });
    const dnf = fakeHost({ commands: { 'needs-restarting -r': done('Core libraries or services have been updated since boot-up', 1), 'rpm -qa --last': done(fixture('linux/rpm-qa-last.txt')) } });
    expect(await new UpdatesProbe(dnf, 0).collect(1000, 0)).toMatchObject({ rebootPending: true, lastUpdateSource: 'rpm --last' });
    const container = fakeHost({ commands: { 'uname -r': done('6.18.44\n') } });
    expect(await new UpdatesProbe(container, 0).collect(1000, 0)).toMatchObject({ rebootPending: null, rebootReasons: [], lastUpdateAt: null });
  });

  it('Windows: the RebootPending keys, Get-HotFix, and Windows Update\'s last scan', async () => {
    const host = fakeHost({ platform: 'win32', powershell: [['RebootPending', done(fixture('windows/update-facts-reboot.json'))], ['Microsoft.Update.Session', done(fixture('windows/pending.json'))]] });
    const section = await new UpdatesProbe(host, 0).collect(1000, 1000);
    expect(section).toMatchObject({ rebootPending: true, rebootReasons: ['Component Based Servicing', 'Windows Update'], lastUpdateAt: Date.UTC(2024, 1, 14), pending: { state: 'ok', total: 3, security: 2 } });
    const clean = fakeHost({ platform: 'win32', powershell: [['RebootPending', done(fixture('windows/update-facts-clean.json'))]] });
    expect(await new UpdatesProbe(clean, 0).collect(1000, 0)).toMatchObject({ rebootPending: false, lastUpdateAt: 1709856000000, lastUpdateSource: 'Get-HotFix KB5035845' });
  });

  it('macOS: history and the background check, no reboot flag to read', async () => {
    const host = fakeHost({ platform: 'darwin', commands: { 'softwareupdate --history': done(fixture('macos/softwareupdate-history.txt')), 'defaults read /Library/Preferences/com.apple.SoftwareUpdate': done(fixture('macos/softwareupdate-prefs.txt')) } });
    expect(await new UpdatesProbe(host, 0).collect(1000, 1000)).toMatchObject({ rebootPending: null, pending: { state: 'ok', total: 2, security: null } });
  });
});

describe('a slow check', () => {
  it('says "checking" past its wait, keeps running, and later snapshots get the answer until it is stale', async () => {
    vi.useFakeTimers();
    let now = 0;
    let runs = 0;
    const check = new SlowCheck(() => { runs++; return new Promise<number>((resolve) => setTimeout(() => resolve(runs), 5000)); }, { keepMs: 60_000, keepFailureMs: 1000, now: () => now });
    const first = check.get(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await first).toEqual({ state: 'checking' });
    const second = check.get(1000); // joins the same run
    await vi.advanceTimersByTimeAsync(1000);
    expect(await second).toEqual({ state: 'checking' });
    await vi.advanceTimersByTimeAsync(3000);
    now = 5000;
    expect(await check.get(0)).toMatchObject({ state: 'ok', value: 1 });
    expect(runs).toBe(1);
    now = 5000 + 60_000;
    const again = check.get(10_000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await again).toMatchObject({ state: 'ok', value: 2 });
  });

  it('keeps a failure for a shorter while', async () => {
    let now = 0;
    let runs = 0;
    const check = new SlowCheck(async () => { runs++; throw new Error('dpkg was interrupted'); }, { keepMs: 60_000, keepFailureMs: 1000, now: () => now });
    expect(await check.get(100)).toMatchObject({ state: 'failed', error: 'dpkg was interrupted' });
    expect(await check.get(100)).toMatchObject({ state: 'failed' });
    now = 1000;
    await check.get(100);
    expect(runs).toBe(2);
  });
});

describe('pending updates do not slow the snapshot that asks first', () => {
  it('the package manager starts after a delay, at low priority; that snapshot says "checking", the next has the answer', async () => {
    vi.useFakeTimers();
    const started: number[] = [];
    const host = fakeHost({ commands: { 'apt-get -s -o Debug::NoLocking=true upgrade': done(fixture('linux/apt-get-s-upgrade-none.txt')) } });
    const run = host.run.bind(host);
    host.run = async (file, args, timeoutMs, options) => {
      if (file === 'apt-get') {
        started.push(Date.now());
        expect(options).toEqual({ lowPriority: true });
      }
      return run(file, args, timeoutMs, options);
    };
    const probe = new UpdatesProbe(host);
    const t0 = Date.now();
    const first = probe.collect(1000, 1200);
    await vi.advanceTimersByTimeAsync(1200);
    expect((await first).pending.state).toBe('checking');
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect(started).toEqual([t0 + 1500]);
    expect((await probe.collect(1000, 1200)).pending).toMatchObject({ state: 'ok', total: 0 });
  });
});
