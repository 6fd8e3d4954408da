/** One definition of disk use, df's, in the summary and the diagnostics alike. */
import { describe, expect, it } from 'vitest';
import { diskUsePercent } from '../../protocol/index.js';
import { gatherSummary } from '../../agent/diagnostics/summary.js';
import { probeStorage } from '../../agent/diagnostics/probes.js';

describe('diskUsePercent', () => {
  it('is used / (used + available), as df shows it, not used / size', () => {
    // 252 GB, 23.4 used, 78.1 available (the rest reserved or held by other layers): df says 23 %, not 9 %.
    const gb = 1e9;
    expect(Math.round(diskUsePercent(23.4 * gb, 78.1 * gb))).toBe(23);
    expect(diskUsePercent(0, 100)).toBe(0);
    expect(diskUsePercent(100, 0)).toBe(100);
  });
  it('is 0 for nothing or numbers that cannot be read', () => {
    expect(diskUsePercent(0, 0)).toBe(0);
    expect(diskUsePercent(Number.NaN, 10)).toBe(0);
    expect(diskUsePercent(-5, 10)).toBe(0);
  });
});

describe('the summary and the diagnostics of this machine', () => {
  it('give the same percent for the same file system', async () => {
    const [summary, storage] = await Promise.all([gatherSummary('test'), probeStorage()]);
    const pairs = summary.disks.flatMap((d) => {
      const f = storage?.filesystems.find((s) => s.mount === d.mount);
      return f && d.availableBytes !== undefined ? [{ summary: diskUsePercent(d.usedBytes, d.availableBytes), diagnostics: f.usePercent }] : [];
    });
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) expect(p.summary).toBeCloseTo(p.diagnostics, 0);
  }, 30_000);
});
