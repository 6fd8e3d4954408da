/** The browser's asciicast v2 reader for playback: shapes checked, cut last line left out, idle gaps capped. */
import { describe, expect, it } from 'vitest';
import { CastError, IDLE_LIMIT_S, readCast, stepsDue } from '../../controller/web/tickets/cast-timeline.js';

const head = JSON.stringify({ version: 2, width: 100, height: 30, timestamp: 1 });
const line = (...event: unknown[]) => JSON.stringify(event);

describe('readCast', () => {
  it('reads output and resizes, capping pauses at the idle limit', () => {
    const cast = readCast([head, line(0.5, 'o', 'a'), line(60.5, 'o', 'b'), line(61, 'r', '90x20'), line(61.25, 'm', ''), line(62, 'i', 'x'), ''].join('\n'));
    expect(cast).toMatchObject({ width: 100, height: 30, cutTail: false, idleLimit: IDLE_LIMIT_S });
    expect(cast.steps).toEqual([
      { at: 0.5, kind: 'output', data: 'a' },
      { at: 0.5 + IDLE_LIMIT_S, kind: 'output', data: 'b' },
      { at: 1 + IDLE_LIMIT_S, kind: 'resize', cols: 90, rows: 20 },
    ]);
    expect(cast.duration).toBeCloseTo(2 + IDLE_LIMIT_S);
    expect(stepsDue(cast, 0, 0.5)).toBe(1);
    expect(stepsDue(cast, 1, 100)).toBe(3);
  });

  it("honours a shorter idle_time_limit from the header", () => {
    const cast = readCast([JSON.stringify({ version: 2, width: 80, height: 24, idle_time_limit: 0.5 }), line(10, 'o', 'x'), ''].join('\n'));
    expect(cast.duration).toBe(0.5);
  });

  it('leaves out a last line cut short, and refuses anything else that does not parse', () => {
    const cast = readCast([head, line(0.1, 'o', 'ok'), '[0.2, "o", "cu'].join('\n'));
    expect(cast.cutTail).toBe(true);
    expect(cast.steps).toHaveLength(1);
    expect(() => readCast([head, '[0.2, "o", "cu', line(0.3, 'o', 'x'), ''].join('\n'))).toThrow(CastError);
    expect(() => readCast([head, '[0.2, "o", "cu', ''].join('\n'))).toThrow(CastError);
    expect(() => readCast([head, line(0.1, 'r', 'wide'), ''].join('\n'))).toThrow(CastError);
    expect(() => readCast([JSON.stringify({ version: 1, width: 80, height: 24 }), ''].join('\n'))).toThrow(CastError);
    expect(() => readCast('')).toThrow(CastError);
    expect(() => readCast('not json\n')).toThrow(CastError);
  });
});
