/**
 * Issue 8 point 3: whatever passes the snapshot schema, every health check returns
 * findings that pass the findings schema (a 188-character mount at 95 % made a title
 * over 200 characters, stored and then unreadable). Snapshots are generated from the
 * schema's own bounds: strings at their limits in wide characters, extreme numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FINDING_LIMITS, finding, runHealthChecks, snapshot, type Snapshot } from '../../protocol/index.js';
import { arbitraryFor } from '../helpers/schema-arbitrary.js';

const findings = z.array(finding).max(FINDING_LIMITS.perSnapshot);
const snapshots = arbitraryFor(snapshot) as fc.Arbitrary<Snapshot>;
/** Snapshots that trip the checks built from data: full disks, dead interfaces and lookups, a busy process, failed probes. */
const troubled = snapshots.map((s) => ({
  ...s,
  storage: s.storage && { ...s.storage, filesystems: s.storage.filesystems.map((f) => ({ ...f, usePercent: 95, sizeBytes: Math.max(f.sizeBytes, 1), type: 'ext4' })) },
  network: s.network && { ...s.network, interfaces: s.network.interfaces.map((i) => ({ ...i, isDefault: true, up: false })), gateway: null, dnsServers: [] },
  dns: s.dns && { lookups: s.dns.lookups.map((l) => ({ ...l, ok: false })) },
  controller: s.controller && { ...s.controller, reachable: false },
  processes: s.processes && { ...s.processes, byCpu: s.processes.byCpu.map((p) => ({ ...p, cpuPercent: 100_000 })) },
  cpu: s.cpu && { ...s.cpu, loadPercent: 100 },
}));

const check = (s: Snapshot) => {
  expect(snapshot.safeParse(s).success).toBe(true);
  const result = findings.safeParse(runHealthChecks(s));
  expect(result.success, result.success ? '' : JSON.stringify(result.error.issues[0])).toBe(true);
};

describe('health checks on any valid snapshot', () => {
  it('every finding passes the findings schema (random valid snapshots)', () => {
    fc.assert(fc.property(snapshots, check), { numRuns: 60, seed: 0x8e3, endOnFailure: true });
  });

  it('every finding passes the findings schema (snapshots built to trip every data-driven check)', () => {
    fc.assert(fc.property(troubled, check), { numRuns: 60, seed: 0x8e4, endOnFailure: true });
  });

  it('a 188-character mount at 95 % gives a valid finding whose title is cut, not a 500 later', () => {
    const mount = `/srv/${'m'.repeat(183)}`;
    expect(mount).toHaveLength(188);
    const s: Snapshot = {
      takenAt: 1, durationMs: 1, probes: {},
      storage: { disks: [], filesystems: [{ fs: '/dev/sda1', type: 'ext4', mount, sizeBytes: 100e9, usedBytes: 95e9, availableBytes: 5e9, usePercent: 95 }] },
    };
    const [disk] = runHealthChecks(s);
    expect(finding.safeParse(disk).success).toBe(true);
    expect(disk!.id).toBe(`disk.full:${mount}`);
    expect(disk!.title.length).toBeLessThanOrEqual(FINDING_LIMITS.title);
    expect(disk!.title.endsWith('…')).toBe(true);
  });
});
