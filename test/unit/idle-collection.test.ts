/** The agent's idle collection: once, after the quiet delay, postponed by a later burst; and V8's real collection is reachable. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollection } from '../../agent/memory/idle-collection.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('IdleCollection', () => {
  it('collects once the agent has been quiet for the delay, and only once', () => {
    const collect = vi.fn();
    const idle = new IdleCollection(collect, 5000);
    idle.afterBurst();
    vi.advanceTimersByTime(4999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('a later burst postpones the collection (one collection for both)', () => {
    const collect = vi.fn();
    const idle = new IdleCollection(collect, 5000);
    idle.afterBurst();
    vi.advanceTimersByTime(3000);
    idle.afterBurst();
    vi.advanceTimersByTime(3000);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('cancel drops the pending collection', () => {
    const collect = vi.fn();
    const idle = new IdleCollection(collect, 5000);
    idle.afterBurst();
    idle.cancel();
    vi.advanceTimersByTime(10_000);
    expect(collect).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("runs V8's full collection by default (garbage is gone), without leaving --expose-gc on for later contexts", async () => {
    vi.useRealTimers();
    const vm = await import('node:vm');
    let garbage: object | null = { big: new Array(10_000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = null;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const idle = new IdleCollection(undefined, 1);
    idle.afterBurst();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ref.deref()).toBeUndefined();
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });
});
