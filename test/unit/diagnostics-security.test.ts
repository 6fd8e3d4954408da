/** Security: firewall, antivirus, encryption, remote-control tools and temp-folder programs, parsed from recorded outputs; findings on both sides. */
import { describe, expect, it } from 'vitest';
import { decodeProductState, linuxFirewall, parseFdesetup, parseLsblk, parseSocketFilterFw, probeSecurity } from '../../agent/diagnostics/security-probe.js';
import type { ProcessInfo } from '../../agent/diagnostics/remote-tools.js';
import { runHealthChecks, securitySection, snapshot as snapshotSchema, type SecuritySection, type Snapshot } from '../../protocol/index.js';
import { done, fakeHost, fixture, MISSING } from '../helpers/fake-probe-host.js';

const failed = (stderr: string, code = 1) => ({ kind: 'done' as const, code, stdout: '', stderr });
const noProcesses = async () => [] as ProcessInfo[];

function withSecurity(partial: Partial<SecuritySection>, laptop = false): Snapshot {
  const security: SecuritySection = {
    firewall: { state: 'on', tool: 'ufw', profiles: [], detail: null },
    antivirus: { reported: false, products: [] },
    encryption: { state: 'on', tool: 'lsblk', volumes: [], detail: null },
    remoteTools: [],
    tempProcesses: [],
    ...partial,
  };
  const s: Snapshot = { takenAt: 1, durationMs: 1, probes: {}, security, ...(laptop ? { battery: { present: true, percent: 90, charging: true, healthPercent: 90, cycleCount: 10 } } : {}) };
  expect(snapshotSchema.safeParse(s).success).toBe(true);
  return s;
}
const ids = (s: Snapshot) => runHealthChecks(s).map((f) => `${f.severity}:${f.id}`);

describe('firewall', () => {
  it('Linux: ufw.conf (no root needed), firewalld, nftables as root, or the nftables service without root', () => {
    const none = [MISSING, MISSING, MISSING] as const;
    expect(linuxFirewall(fixture('linux/ufw-enabled.conf'), ...none)).toMatchObject({ state: 'on', tool: 'ufw' });
    expect(linuxFirewall(fixture('linux/ufw-disabled.conf'), ...none)).toMatchObject({ state: 'off', tool: 'ufw' });
    expect(linuxFirewall(fixture('linux/ufw-disabled.conf'), done('running\n'), MISSING, MISSING)).toMatchObject({ state: 'on', tool: 'firewalld' });
    expect(linuxFirewall(null, failed('not running', 252), MISSING, MISSING)).toMatchObject({ state: 'off', tool: 'firewalld' });
    expect(linuxFirewall(null, MISSING, done(fixture('linux/nft-ruleset.txt')), MISSING)).toMatchObject({ state: 'on', tool: 'nftables' });
    expect(linuxFirewall(null, MISSING, failed('Operation not permitted'), done('active\n'))).toMatchObject({ state: 'on', tool: 'nftables' });
    expect(linuxFirewall(null, MISSING, failed('Operation not permitted'), failed('inactive', 3))).toMatchObject({ state: 'unknown' });
    expect(linuxFirewall(null, MISSING, MISSING, MISSING)).toMatchObject({ state: 'unknown', tool: null });
  });

  it('off is a finding, on and unknown are not', () => {
    expect(ids(withSecurity({ firewall: linuxFirewall(fixture('linux/ufw-disabled.conf'), MISSING, MISSING, MISSING) }))).toEqual(['warning:security.firewall-off']);
    expect(ids(withSecurity({ firewall: linuxFirewall(fixture('linux/ufw-enabled.conf'), MISSING, MISSING, MISSING) }))).toEqual([]);
    expect(ids(withSecurity({ firewall: linuxFirewall(null, MISSING, MISSING, MISSING) }))).toEqual([]);
  });

  it('macOS: the application firewall on and off', () => {
    expect(parseSocketFilterFw(done(fixture('macos/socketfilterfw-on.txt'))).state).toBe('on');
    expect(parseSocketFilterFw(done(fixture('macos/socketfilterfw-off.txt'))).state).toBe('off');
    expect(parseSocketFilterFw(MISSING).state).toBe('unknown');
  });
});

describe('disk encryption', () => {
  it('Linux: a VM disk without LUKS is off; a LUKS laptop is on; a plain /home is partial', () => {
    expect(parseLsblk(fixture('linux/lsblk-vm.json'))).toMatchObject({ state: 'off', volumes: [{ name: 'vda', mount: '/', encrypted: false }] });
    expect(parseLsblk(fixture('linux/lsblk-luks-laptop.json'))).toMatchObject({ state: 'on', volumes: [{ mount: '/', encrypted: true }, { mount: '/home', encrypted: true }] });
    expect(parseLsblk(fixture('linux/lsblk-home-plain.json'))).toMatchObject({ state: 'partial' });
    expect(parseLsblk('{"blockdevices": []}')).toMatchObject({ state: 'unknown' });
  });

  it('not encrypted: a warning on a laptop (it gets lost), information on a desktop; encrypted: nothing', () => {
    expect(ids(withSecurity({ encryption: parseLsblk(fixture('linux/lsblk-vm.json')) }, true))).toEqual(['warning:security.disk-not-encrypted']);
    expect(ids(withSecurity({ encryption: parseLsblk(fixture('linux/lsblk-vm.json')) }, false))).toEqual(['info:security.disk-not-encrypted']);
    expect(ids(withSecurity({ encryption: parseLsblk(fixture('linux/lsblk-luks-laptop.json')) }, true))).toEqual([]);
  });

  it('macOS: FileVault on, off and in progress', () => {
    expect(parseFdesetup(done(fixture('macos/fdesetup-on.txt'))).state).toBe('on');
    expect(parseFdesetup(done(fixture('macos/fdesetup-off.txt'))).state).toBe('off');
    expect(parseFdesetup(done(fixture('macos/fdesetup-progress.txt'))).state).toBe('partial');
  });
});

describe('Windows (one PowerShell call)', () => {
  const windows = (json: string) => fakeHost({ platform: 'win32', powershell: [['SecurityCenter2', done(json)]] });

  it('decodes Security Center product states', () => {
    expect(decodeProductState(397568)).toEqual({ enabled: true, upToDate: true }); // 0x061100
    expect(decodeProductState(393472)).toEqual({ enabled: false, upToDate: true }); // 0x060100
    expect(decodeProductState(266256)).toEqual({ enabled: true, upToDate: false }); // 0x041010
    expect(decodeProductState(Number.NaN)).toEqual({ enabled: null, upToDate: null });
  });

  it('one profile off, a third-party antivirus out of date beside a passive Defender, BitLocker on C: only', async () => {
    const section = await probeSecurity(windows(fixture('windows/security.json')), noProcesses, 1000);
    expect(securitySection.parse(section)).toEqual(section);
    expect(section.firewall).toMatchObject({ state: 'on', profiles: [{ name: 'Domain', on: true }, { name: 'Private', on: true }, { name: 'Public', on: false }] });
    expect(section.encryption).toMatchObject({ state: 'partial', tool: 'BitLocker' });
    const found = runHealthChecks(withSecurity(section, true));
    expect(found.map((f) => `${f.severity}:${f.id}`)).toEqual(['warning:security.antivirus-outdated:ESET Security', 'warning:security.disk-not-encrypted', 'warning:security.firewall-off']);
    expect(found.find((f) => f.id === 'security.firewall-off')!.title).toBe('The firewall is off for the Public network profile');
  });

  it('Defender off and nothing else is critical; every profile off; BitLocker read without admin rights', async () => {
    const section = await probeSecurity(windows(fixture('windows/security-defender-only-off-no-admin.json')), noProcesses, 1000);
    expect(section.encryption).toMatchObject({ state: 'off', volumes: [{ name: 'system drive', encrypted: false }] });
    expect(ids(withSecurity(section))).toEqual(['critical:security.antivirus-off', 'warning:security.firewall-off', 'info:security.disk-not-encrypted']);
  });

  it('Windows Server has no Security Center: no antivirus claim either way', async () => {
    const section = await probeSecurity(windows(fixture('windows/security-server.json')), noProcesses, 1000);
    expect(section.antivirus).toEqual({ reported: false, products: [] });
    expect(section.encryption.state).toBe('unknown');
    expect(ids(withSecurity(section))).toEqual([]);
  });

  it('no antivirus registered at all is a finding', () => {
    expect(ids(withSecurity({ antivirus: { reported: true, products: [] } }))).toEqual(['warning:security.antivirus-missing']);
  });
});

describe('remote-control tools and temporary folders', () => {
  const linux = (o: Parameters<typeof fakeHost>[0] = {}) => fakeHost({ commands: { 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT': done(fixture('linux/lsblk-luks-laptop.json')) }, ...o });

  it('a running tool is a warning to ask about, an installed one information; words never accuse', async () => {
    const processes = async () => [{ pid: 4242, name: 'anydesk', path: '/usr/bin' }, { pid: 1, name: 'systemd', path: '/usr/lib/systemd' }];
    const section = await probeSecurity(linux({ files: { '/opt/teamviewer': '' } }), processes, 1000);
    expect(section.remoteTools).toEqual([
      { name: 'TeamViewer', running: false, installed: true, evidence: 'installed in /opt/teamviewer' },
      { name: 'AnyDesk', running: true, installed: false, evidence: 'running: anydesk (pid 4242)' },
    ]);
    const found = runHealthChecks(withSecurity(section));
    expect(found.map((f) => `${f.severity}:${f.id}`)).toEqual(['warning:security.remote-tool:AnyDesk', 'info:security.remote-tool:TeamViewer']);
    for (const f of found) expect(`${f.title} ${f.explanation} ${f.nextStep}`).not.toMatch(/malware|malicious|attack|hack|suspicious|virus/i);
  });

  it('none found: no finding', async () => {
    const section = await probeSecurity(linux(), async () => [{ pid: 1, name: 'systemd', path: '/usr/lib/systemd' }], 1000);
    expect(section.remoteTools).toEqual([]);
    expect(ids(withSecurity(section))).toEqual([]);
  });

  it('Windows install folders under both Program Files', async () => {
    const host = fakeHost({ platform: 'win32', env: { ProgramFiles: 'C:\\Program Files', 'ProgramFiles(x86)': 'C:\\Program Files (x86)' }, files: { 'C:\\Program Files (x86)\\AnyDesk': '' }, powershell: [['SecurityCenter2', done(fixture('windows/security-server.json'))]] });
    const section = await probeSecurity(host, async () => [{ pid: 77, name: 'TeamViewer_Service.exe', path: 'C:\\Program Files\\TeamViewer' }], 1000);
    expect(section.remoteTools.map((t) => [t.name, t.running, t.installed])).toEqual([['TeamViewer', true, false], ['AnyDesk', false, true]]);
  });

  it('a program whose executable is in a temporary folder is a finding (Linux: /proc/<pid>/exe); elsewhere it is not', async () => {
    const processes = async () => [{ pid: 10, name: 'kworker', path: '' }, { pid: 11, name: 'updater', path: '' }, { pid: 12, name: 'node', path: '/usr/bin' }];
    const section = await probeSecurity(linux({ executables: { 11: '/tmp/.x/updater (deleted)', 12: '/usr/bin/node' } }), processes, 1000);
    expect(section.tempProcesses).toEqual([{ pid: 11, name: 'updater', path: '/tmp/.x/updater' }]);
    expect(ids(withSecurity(section))).toEqual(['warning:security.temp-process']);
    const clean = await probeSecurity(linux({ executables: { 12: '/usr/bin/node' } }), processes, 1000);
    expect(ids(withSecurity(clean))).toEqual([]);
    const win = await probeSecurity(fakeHost({ platform: 'win32', powershell: [['SecurityCenter2', done(fixture('windows/security-server.json'))]] }),
      async () => [{ pid: 5, name: 'setup.exe', path: 'C:\\Users\\alice\\AppData\\Local\\Temp\\is-1A2B.tmp' }], 1000);
    expect(win.tempProcesses).toEqual([{ pid: 5, name: 'setup.exe', path: 'C:\\Users\\alice\\AppData\\Local\\Temp\\is-1A2B.tmp\\setup.exe' }]);
  });
});
