/**
 * The controller probe of the diagnostics with a stubbed fetch: a busy agent (the other
 * probes share its event loop) must not turn a controller that answered into a probe
 * that ran out of time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeController } from '../../agent/diagnostics/probes.js';

afterEach(() => void vi.unstubAllGlobals());

/** A fetch whose first answer takes `firstMs` and whose later requests hang until aborted. */
function slowFetch(firstMs: number) {
  const calls: number[] = [];
  const fetch = (_url: URL, init: { signal: AbortSignal }) => {
    calls.push(Date.now());
    if (calls.length > 1) {
      return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'TimeoutError' }))));
    }
    return new Promise((resolve) => setTimeout(() => resolve(new Response(JSON.stringify({ time: Date.now() }), { status: 200 })), firstMs));
  };
  vi.stubGlobal('fetch', fetch);
  return calls;
}

describe('probeController', () => {
  it('keeps the first answer and tries no more when over half its time is gone', async () => {
    const calls = slowFetch(350);
    const { controller } = await probeController('http://127.0.0.1:9', 600);
    expect(controller).toMatchObject({ reachable: true, error: null });
    expect(calls).toHaveLength(1);
  });
});
