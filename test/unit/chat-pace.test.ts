/**
 * The chat's pace on a fake clock: a burst goes through, a flood past it is refused
 * until the bucket fills back, senders are counted apart, and a quiet sender is
 * forgotten once many others have written.
 */
import { describe, expect, it } from 'vitest';
import { ChatPace } from '../../controller/server/chat/chat-pace.js';

function paced(burst = 10, perSecond = 2) {
  let now = 1_000_000;
  const pace = new ChatPace({ burst, perSecond, now: () => now });
  return { pace, wait: (ms: number) => void (now += ms) };
}

describe('chat pace', () => {
  it('lets a burst through, refuses the flood after it, and fills back at its rate', () => {
    const { pace, wait } = paced();
    const first = Array.from({ length: 1000 }, () => pace.take('person:s1'));
    expect(first.filter(Boolean)).toHaveLength(10);
    expect(first.slice(0, 10).every(Boolean)).toBe(true);
    wait(499);
    expect(pace.take('person:s1')).toBe(false);
    wait(1);
    expect(pace.take('person:s1')).toBe(true);
    expect(pace.take('person:s1')).toBe(false);
    // A minute of quiet: a whole burst again, never more.
    wait(60_000);
    expect(Array.from({ length: 20 }, () => pace.take('person:s1')).filter(Boolean)).toHaveLength(10);
  });

  it('counts each sender apart', () => {
    const { pace } = paced(2, 1);
    expect([pace.take('a'), pace.take('a'), pace.take('a')]).toEqual([true, true, false]);
    expect([pace.take('b'), pace.take('b')]).toEqual([true, true]);
  });

  it('forgets senders whose bucket is full again once it remembers many, and still paces those that are not', () => {
    const { pace, wait } = paced(2, 1);
    pace.take('busy');
    pace.take('busy');
    for (let i = 0; i < 10_000; i++) pace.take(`quiet-${i}`);
    wait(5000);
    pace.take('trigger');
    const remembered = (pace as unknown as { buckets: Map<string, unknown> }).buckets;
    expect(remembered.size).toBeLessThan(10);
    // The forgetting happens only when the map is full; a sender that is still limited keeps its count meanwhile.
    const fresh = paced(1, 0.001);
    fresh.pace.take('x');
    expect(fresh.pace.take('x')).toBe(false);
  });
});
