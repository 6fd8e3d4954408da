import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T, runHealthChecks, snapshot as snapshotSchema, sortFindings, worstSeverity, type Snapshot } from '../../protocol/index.js';

const GB = 1024 ** 3;

/** A healthy machine; each test changes one thing. */
function healthy(): Snapshot {
  return {
    takenAt: 1_700_000_000_000,
    durationMs: 800,
    probes: { cpu: { status: 'ok', durationMs: 10 } },
    cpu: { brand: 'Test CPU', physicalCores: 4, logicalCores: 8, speedGHz: 3, loadPercent: 20, loadAverage1m: 1, temperatureC: 50 },
    memory: { totalBytes: 16 * GB, usedBytes: 8 * GB, availableBytes: 8 * GB, swapTotalBytes: 4 * GB, swapUsedBytes: 0 },
    storage: { disks: [], filesystems: [{ fs: '/dev/sda1', type: 'ext4', mount: '/', sizeBytes: 100 * GB, usedBytes: 50 * GB, availableBytes: 45 * GB, usePercent: 52.6 }] },
    os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64', hostname: 'pc', uptimeSeconds: 86400, timezone: 'UTC', users: [] },
    network: { interfaces: [{ name: 'eth0', ipv4: ['10.0.0.2'], ipv6: [], mac: 'aa:bb', up: true, speedMbps: 1000, isDefault: true, internal: false }], gateway: '10.0.0.1', dnsServers: ['10.0.0.1'] },
    dns: { lookups: [{ name: 'controller', ok: true, addresses: ['10.0.0.5'], durationMs: 3, error: null }] },
    controller: { url: 'http://10.0.0.5:8080', reachable: true, rttMs: 5, error: null },
    battery: { present: true, percent: 80, charging: false, healthPercent: 95, cycleCount: 100 },
    processes: { byCpu: [{ pid: 10, name: 'code', cpuPercent: 10, memoryBytes: GB }], byMemory: [] },
    clock: { skewMs: 500, source: 'controller' },
  };
}

const ids = (s: Snapshot) => runHealthChecks(s).map((f) => `${f.severity}:${f.id}`);

describe('health checks', () => {
  it('a healthy machine has no findings, and the crafted snapshot is valid', () => {
    expect(snapshotSchema.safeParse(healthy()).success).toBe(true);
    expect(runHealthChecks(healthy())).toEqual([]);
  });

  it.each([
    [89.9, []],
    [90, ['warning:disk.full:/']],
    [96.9, ['warning:disk.full:/']],
    [97, ['critical:disk.full:/']],
  ])('disk at %s %% → %j', (usePercent, expected) => {
    const s = healthy();
    s.storage!.filesystems[0]!.usePercent = usePercent;
    expect(ids(s)).toEqual(expected);
  });

  it('says how much is free, not size minus used (reserved blocks are not free)', () => {
    const s = healthy();
    Object.assign(s.storage!.filesystems[0]!, { usedBytes: 91 * GB, availableBytes: 4 * GB, usePercent: 95.8 });
    const [f] = runHealthChecks(s);
    expect(f!.explanation).toContain('Only 4\u00a0GB is left on /');
    expect(f!.evidence[0]!.value).toContain('4\u00a0GB free');
  });

  it('ignores filesystems that are full by design', () => {
    const s = healthy();
    s.storage!.filesystems.push({ fs: '/dev/loop0', type: 'squashfs', mount: '/snap/core/1', sizeBytes: GB, usedBytes: GB, availableBytes: 0, usePercent: 100 });
    expect(ids(s)).toEqual([]);
  });

  it.each([
    [10.1, []],
    [10, ['warning:memory.low']],
    [5, ['critical:memory.low']],
  ])('memory available %s %% → %j', (available, expected) => {
    const s = healthy();
    s.memory!.availableBytes = (available / 100) * s.memory!.totalBytes;
    expect(ids(s)).toEqual(expected);
  });

  it.each([
    [49, []],
    [50, ['warning:memory.swap-heavy']],
    [80, ['critical:memory.swap-heavy']],
  ])('swap used %s %% → %j', (used, expected) => {
    const s = healthy();
    s.memory!.swapUsedBytes = (used / 100) * s.memory!.swapTotalBytes;
    expect(ids(s)).toEqual(expected);
  });

  it('no swap at all is not a finding', () => {
    const s = healthy();
    s.memory!.swapTotalBytes = 0;
    expect(ids(s)).toEqual([]);
  });

  it.each([
    [11.9, []],
    [12, ['warning:cpu.overloaded']],
    [24, ['critical:cpu.overloaded']],
  ])('load %s on 8 cores → %j', (load, expected) => {
    const s = healthy();
    s.cpu!.loadAverage1m = load;
    expect(ids(s)).toEqual(expected);
  });

  it('one process holding most of the CPU', () => {
    const s = healthy();
    s.cpu!.loadPercent = 90;
    s.processes!.byCpu[0]!.cpuPercent = 49;
    expect(ids(s)).toEqual([]);
    s.processes!.byCpu[0]!.cpuPercent = 85;
    expect(ids(s)).toEqual(['warning:process.cpu-hog:code']);
    s.cpu!.loadPercent = 60; // busy process, idle machine: fine
    expect(ids(s)).toEqual([]);
  });

  it('the default interface down, no gateway, no DNS servers', () => {
    const s = healthy();
    s.network!.interfaces.push({ name: 'wlan0', ipv4: [], ipv6: [], mac: 'cc', up: false, speedMbps: null, isDefault: false, internal: false });
    expect(ids(s)).toEqual([]); // a spare adapter being down is normal
    s.network!.interfaces[0]!.up = false;
    s.network!.gateway = null;
    s.network!.dnsServers = [];
    expect(ids(s)).toEqual(['critical:dns.no-servers', 'critical:network.interface-down:eth0', 'critical:network.no-gateway']);
  });

  it('name resolution failing, partly or entirely', () => {
    const s = healthy();
    s.dns!.lookups.push({ name: 'intranet.example', ok: false, addresses: [], durationMs: 5000, error: 'ENOTFOUND' });
    expect(ids(s)).toEqual(['warning:dns.resolution-failed']);
    s.dns!.lookups[0]!.ok = false;
    expect(ids(s)).toEqual(['critical:dns.resolution-failed']);
  });

  it('controller unreachable or slow', () => {
    const s = healthy();
    s.controller!.rttMs = T.controllerSlowMs;
    expect(ids(s)).toEqual([]);
    s.controller!.rttMs = T.controllerSlowMs + 1;
    expect(ids(s)).toEqual(['warning:controller.slow']);
    s.controller = { url: 'http://x', reachable: false, rttMs: null, error: 'ECONNREFUSED' };
    expect(ids(s)).toEqual(['critical:controller.unreachable']);
  });

  it.each([
    [119_999, []],
    [120_000, ['warning:clock.skew']],
    [-200_000, ['warning:clock.skew']],
    [600_000, ['critical:clock.skew']],
  ])('clock skew %s ms → %j', (skewMs, expected) => {
    const s = healthy();
    s.clock!.skewMs = skewMs;
    expect(ids(s)).toEqual(expected);
  });

  it('battery low when not charging, and worn', () => {
    const s = healthy();
    s.battery!.percent = 20;
    expect(ids(s)).toEqual(['warning:battery.low']);
    s.battery!.percent = 10;
    expect(ids(s)).toEqual(['critical:battery.low']);
    s.battery!.charging = true;
    expect(ids(s)).toEqual([]);
    s.battery!.healthPercent = 59;
    expect(ids(s)).toEqual(['warning:battery.worn']);
    s.battery!.present = false;
    expect(ids(s)).toEqual([]);
  });

  it('uptime over 30 days', () => {
    const s = healthy();
    s.os!.uptimeSeconds = 30 * 86400 - 1;
    expect(ids(s)).toEqual([]);
    s.os!.uptimeSeconds = 30 * 86400;
    expect(ids(s)).toEqual(['info:os.long-uptime']);
  });

  it('a failed or timed-out probe is reported, not hidden', () => {
    const s = healthy();
    s.probes.battery = { status: 'timeout', durationMs: 3000, error: 'no answer within 3000 ms' };
    s.probes.dns = { status: 'error', durationMs: 4, error: 'EAI_AGAIN' };
    expect(ids(s)).toEqual(['info:probe.error:dns', 'info:probe.timeout:battery']);
  });

  it('thresholds can be overridden', () => {
    const s = healthy();
    expect(runHealthChecks(s, { diskWarnPercent: 40 }).map((f) => f.id)).toEqual(['disk.full:/']);
  });

  it('sorts most severe first and names the worst', () => {
    const s = healthy();
    s.storage!.filesystems[0]!.usePercent = 91;
    s.network!.gateway = null;
    s.os!.uptimeSeconds = 40 * 86400;
    const findings = runHealthChecks(s);
    expect(findings.map((f) => f.severity)).toEqual(['critical', 'warning', 'info']);
    expect(worstSeverity(findings)).toBe('critical');
    expect(worstSeverity([])).toBeNull();
    expect(sortFindings([...findings].reverse())).toEqual(findings);
  });

  it('every finding explains itself and names a next step', () => {
    const s = healthy();
    s.storage!.filesystems[0]!.usePercent = 99;
    s.memory!.availableBytes = 0;
    s.clock!.skewMs = 1e9;
    for (const f of runHealthChecks(s)) {
      expect(f.title.length).toBeGreaterThan(5);
      expect(f.explanation.length).toBeGreaterThan(30);
      expect(f.nextStep.length).toBeGreaterThan(10);
      expect(f.evidence.length).toBeGreaterThan(0);
    }
  });
});
