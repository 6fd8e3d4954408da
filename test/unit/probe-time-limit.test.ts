/** The per-probe time limit: 3 s unless the environment gives a sane longer or shorter one. */
import { describe, expect, it } from 'vitest';
import { probeTimeLimitMs } from '../../agent/diagnostics/collect.js';

describe('probe time limit', () => {
  it('is 3 s by default and takes RELAIS_PROBE_TIME_LIMIT_MS between 1 and 60 s', () => {
    expect(probeTimeLimitMs({})).toBe(3000);
    expect(probeTimeLimitMs({ RELAIS_PROBE_TIME_LIMIT_MS: '15000' })).toBe(15_000);
    expect(probeTimeLimitMs({ RELAIS_PROBE_TIME_LIMIT_MS: '1000' })).toBe(1000);
  });

  it('ignores what is not a whole number of milliseconds in range', () => {
    for (const bad of ['', 'abc', '999', '60001', '2.5e3x', '-5000', '1500.5']) {
      expect(probeTimeLimitMs({ RELAIS_PROBE_TIME_LIMIT_MS: bad }), bad).toBe(3000);
    }
  });
});
