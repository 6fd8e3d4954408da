/**
 * One reconnect rule (protocol/backoff.ts) for the agent's link and the browser's
 * console socket: the console, driven with a fake WebSocket and fake timers, waits
 * exactly what backoffDelay says before each new attempt.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_BACKOFF, backoffDelay } from '../../protocol/index.js';
import { ConsoleSocket } from '../../controller/web/connection/console-socket.js';

class FakeWebSocket {
  static opened: FakeWebSocket[] = [];
  binaryType = 'blob';
  private readonly listeners = new Map<string, ((event: unknown) => void)[]>();
  constructor(readonly url: string) {
    FakeWebSocket.opened.push(this);
  }
  addEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(): void {}
  close(): void {}
  /** The controller went away with `code`. */
  drop(code: number): void {
    for (const listener of this.listeners.get('close') ?? []) listener({ code });
  }
}

describe('backoffDelay', () => {
  it('doubles from 0.5 s to the cap with ±30 % jitter', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, RECONNECT_BACKOFF, () => 0.5))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(40, RECONNECT_BACKOFF, () => 0.5)).toBe(RECONNECT_BACKOFF.maxMs);
    expect(backoffDelay(0, RECONNECT_BACKOFF, () => 0)).toBe(350);
    expect(backoffDelay(0, RECONNECT_BACKOFF, () => 1)).toBe(650);
    expect(backoffDelay(3, { initialMs: 500, maxMs: 60_000, jitter: 0 })).toBe(4000);
  });
});

describe('the console socket reconnects on the shared backoff', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.opened = [];
    vi.stubGlobal('WebSocket', FakeWebSocket);
    vi.stubGlobal('location', { protocol: 'http:', host: '127.0.0.1:8080' });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('waits backoffDelay(0), backoffDelay(1), ... between attempts', () => {
    const socket = new ConsoleSocket(() => undefined);
    socket.start();
    expect(FakeWebSocket.opened.map((s) => s.url)).toEqual(['ws://127.0.0.1:8080/ws/console']);
    for (let attempt = 0; attempt < 6; attempt++) {
      FakeWebSocket.opened.at(-1)!.drop(1006);
      const delay = backoffDelay(attempt);
      expect(socket.state).toMatchObject({ kind: 'reconnecting', attempt: attempt + 1 });
      vi.advanceTimersByTime(delay - 1);
      expect(FakeWebSocket.opened).toHaveLength(attempt + 1);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.opened).toHaveLength(attempt + 2);
    }
    socket.stop();
  });
});
