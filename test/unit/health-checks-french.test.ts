/**
 * Issue 13: findings read in the technician's language. The same snapshot gives the
 * same findings (ids, severities, scripts) in French and English; only the words
 * change, and every French title is really translated (not the English text).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compareSnapshots, FINDING_LIMITS, finding, runHealthChecks, snapshot as snapshotSchema, type Finding, type Snapshot } from '../../protocol/index.js';
import { arbitraryFor } from '../helpers/schema-arbitrary.js';

const GB = 1024 ** 3;
const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

/** A machine where (nearly) everything is wrong: one snapshot trips every check. */
function troubled(windows = false): Snapshot {
  return {
    takenAt: NOW,
    durationMs: 800,
    probes: { cpu: { status: 'ok', durationMs: 10 }, dns: { status: 'timeout', durationMs: 5000 }, battery: { status: 'error', durationMs: 3 } },
    cpu: { brand: 'Test CPU', physicalCores: 4, logicalCores: 8, speedGHz: 3, loadPercent: 95, loadAverage1m: 30, temperatureC: 50 },
    memory: { totalBytes: 16 * GB, usedBytes: 15.5 * GB, availableBytes: 0.5 * GB, swapTotalBytes: 4 * GB, swapUsedBytes: 3.5 * GB },
    storage: { disks: [], filesystems: [{ fs: '/dev/sda1', type: 'ext4', mount: '/', sizeBytes: 100 * GB, usedBytes: 96 * GB, availableBytes: 1.5 * GB, usePercent: 98.4 }] },
    os: { platform: windows ? 'win32' : 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64', hostname: 'pc', uptimeSeconds: 40 * 86400, timezone: 'UTC', users: [] },
    network: { interfaces: [{ name: 'eth0', ipv4: [], ipv6: [], mac: '', up: false, speedMbps: null, isDefault: true, internal: false }], gateway: null, dnsServers: [] },
    dns: { lookups: [{ name: 'intranet', ok: false, addresses: [], durationMs: 3, error: null }, { name: 'example.org', ok: true, addresses: ['1.2.3.4'], durationMs: 3, error: null }] },
    controller: { url: 'http://10.0.0.5:8080', reachable: true, rttMs: 900, error: null },
    battery: { present: true, percent: 5, charging: false, healthPercent: 40, cycleCount: 1200 },
    processes: { byCpu: [{ pid: 10, name: 'code', cpuPercent: 90, memoryBytes: GB }], byMemory: [] },
    clock: { skewMs: 15 * 60_000, source: 'controller' },
    printers: {
      available: true, system: windows ? 'windows-spooler' : 'cups', spooler: 'running', defaultPrinter: null,
      printers: [
        { name: 'Accueil', state: 'offline', detail: 'Printer not responding', isDefault: false },
        { name: 'Compta', state: 'paused', detail: null, isDefault: false },
        { name: 'RH', state: 'error', detail: null, isDefault: false },
      ],
      jobs: [{ id: '1', printer: 'Accueil', user: 'sam', sizeBytes: 1000, submittedAt: NOW - 40 * 60_000, state: 'pending' }, { id: '2', printer: 'Accueil', user: 'sam', sizeBytes: 1000, submittedAt: NOW - 30 * 60_000, state: 'pending' }],
      jobCount: 3,
    },
    security: {
      firewall: { state: 'on', tool: 'Windows Firewall', profiles: [{ name: 'Public', on: false }, { name: 'Private', on: true }], detail: 'Public off' },
      antivirus: { reported: true, products: [{ name: 'Defender', enabled: false, upToDate: true }] },
      encryption: { state: 'off', tool: 'manage-bde', volumes: [{ name: 'C:', mount: 'C:', encrypted: false }], detail: null },
      remoteTools: [{ name: 'AnyDesk', running: true, installed: true, evidence: 'process anydesk' }, { name: 'TeamViewer', running: false, installed: true, evidence: 'C:\\Program Files\\TeamViewer' }],
      tempProcesses: [{ pid: 42, name: 'setup.exe', path: 'C:\\Users\\sam\\AppData\\Local\\Temp\\setup.exe' }, { pid: 43, name: 'x.exe', path: 'C:\\Temp\\x.exe' }],
    },
    updates: {
      rebootPending: true, rebootReasons: [], lastUpdateAt: NOW - 60 * DAY, lastUpdateSource: 'apt',
      pending: { state: 'ok', source: 'apt', total: 30, security: 25, names: ['openssl', 'libc6'], checkedAt: NOW, detail: null },
    },
    mail: {
      clients: [{ name: 'Thunderbird', running: true }],
      servers: [
        { client: 'Thunderbird', role: 'incoming', host: 'imap.example.org', port: 993, resolved: false, reachable: null, rttMs: null, error: null },
        { client: 'Thunderbird', role: 'outgoing', host: 'smtp.example.org', port: 465, resolved: true, reachable: false, rttMs: null, error: null },
      ],
      unreadable: [],
    },
    connectivity: {
      intervalMs: 500, localDelayMs: 2,
      targets: [
        { role: 'gateway', host: '10.0.0.1', ports: [80], sent: 20, answered: 10, lossPercent: 50, rttMinMs: 1, rttAvgMs: 40, rttMaxMs: 300, jitterMs: 120, samples: [] },
        { role: 'controller', host: '10.0.0.5', ports: [8080], sent: 20, answered: 17, lossPercent: 15, rttMinMs: 10, rttAvgMs: 50, rttMaxMs: 400, jitterMs: 90, samples: [] },
      ],
    },
  } as Snapshot;
}

const shape = (findings: Finding[]) => findings.map((f) => ({ id: f.id, severity: f.severity, script: f.script, evidence: f.evidence.length }));

function expectTranslated(s: Snapshot): Finding[] {
  const en = runHealthChecks(s, {}, 'en');
  const fr = runHealthChecks(s, {}, 'fr');
  expect(shape(fr)).toEqual(shape(en));
  en.forEach((f, i) => {
    const other = fr[i]!;
    expect(other.title, f.id).not.toBe(f.title);
    expect(other.explanation, f.id).not.toBe(f.explanation);
    expect(other.nextStep, f.id).not.toBe(f.nextStep);
  });
  return fr;
}

describe('findings in French', () => {
  it('a troubled machine: the same findings in both languages, every one translated', () => {
    for (const windows of [false, true]) {
      const s = troubled(windows);
      const parsed = snapshotSchema.safeParse(s);
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
      const fr = expectTranslated(s);
      expect(fr.length).toBeGreaterThan(30);
      expect(z.array(finding).safeParse(fr).success).toBe(true);
    }
  });

  it('covers every kind of finding the checks produce', () => {
    const kinds = new Set([...runHealthChecks(troubled(false)), ...runHealthChecks(troubled(true))].map((f) => f.id.split(':')[0]));
    expect([...kinds].sort()).toEqual([
      'battery.low', 'battery.worn', 'clock.skew', 'controller.slow', 'cpu.overloaded', 'disk.full', 'dns.no-servers', 'dns.resolution-failed',
      'mail.server-unreachable', 'mail.server-unresolved', 'memory.low', 'memory.swap-heavy', 'network.interface-down', 'network.jitter',
      'network.no-gateway', 'network.packet-loss', 'os.long-uptime', 'printer.error', 'printer.jobs-stuck', 'printer.no-default', 'printer.offline',
      'printer.paused', 'probe.error', 'probe.timeout', 'process.cpu-hog', 'security.antivirus-off', 'security.disk-not-encrypted',
      'security.firewall-off', 'security.remote-tool', 'security.temp-process', 'updates.reboot-pending', 'updates.security-pending', 'updates.stale',
    ]);
  });

  it('writes French typography and numbers: non-breaking spaces, decimal commas, octets, plurals', () => {
    const fr = runHealthChecks(troubled(), {}, 'fr');
    const byId = new Map(fr.map((f) => [f.id, f]));
    expect(byId.get('disk.full:/')!.title).toBe('Le disque / est plein à 98\u00a0%');
    expect(byId.get('disk.full:/')!.explanation).toContain('Il ne reste que 1,5\u00a0Go sur /.');
    expect(byId.get('clock.skew')!.title).toBe("L'horloge retarde de 15 minutes");
    expect(byId.get('printer.jobs-stuck:Accueil')!.title).toBe('2 travaux d’impression bloqués sur «\u00a0Accueil\u00a0»');
    expect(byId.get('os.long-uptime')!.title).toBe('Pas redémarré depuis 40 jours');
    for (const f of fr) expect(`${f.title} ${f.explanation} ${f.nextStep}`, f.id).not.toMatch(/ [:;?!%]/);
  });

  it('keeps the English words of the product', () => {
    const en = new Map(runHealthChecks(troubled(), {}, 'en').map((f) => [f.id, f]));
    expect(en.get('disk.full:/')!.title).toBe('Disk / is 98 % full');
    expect(en.get('clock.skew')!.title).toBe('The clock is 15 minutes behind');
    expect(en.get('printer.jobs-stuck:Accueil')!.title).toBe('2 print jobs stuck on "Accueil"');
  });

  it('any valid snapshot gives the same findings in both languages, within the field limits', () => {
    const findings = z.array(finding).max(FINDING_LIMITS.perSnapshot);
    fc.assert(fc.property(arbitraryFor(snapshotSchema) as fc.Arbitrary<Snapshot>, (s) => {
      const fr = runHealthChecks(s, {}, 'fr');
      expect(findings.safeParse(fr).success).toBe(true);
      expect(shape(fr)).toEqual(shape(runHealthChecks(s, {}, 'en')));
    }), { numRuns: 60 });
  });

  it('a before/after comparison names its facts in French', () => {
    const before = troubled();
    const after = { ...troubled(), memory: { ...troubled().memory!, availableBytes: 8 * GB } };
    const diff = compareSnapshots({ snapshot: before, findings: [] }, { snapshot: after, findings: [] }, 'fr');
    expect(diff.changes).toEqual([{ fact: 'Mémoire disponible', before: '512\u00a0Mo', after: '8\u00a0Go' }]);
    expect(compareSnapshots({ snapshot: before, findings: [] }, { snapshot: after, findings: [] }).changes[0]!.fact).toBe('Memory available');
  });
});
