/**
 * The systeminformation calls go to a worker thread: one worker for a burst of calls, held
 * (ref) only while a call is in flight, ended once idle, replaced after a crash or a stuck
 * call. On a fake worker and fake timers; then the real built worker answers and refuses.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SystemInfoClient, type WorkerLike } from '../../agent/diagnostics/system-info.js';
import type { SystemInfoReply, SystemInfoRequest } from '../../agent/diagnostics/system-info-methods.js';
// @ts-expect-error: a plain build script, no types
import { systemInfoWorkerDefine } from '../../scripts/agents/system-info-worker.mjs';

class FakeWorker implements WorkerLike {
  readonly sent: SystemInfoRequest[] = [];
  referenced = true;
  terminated = false;
  private readonly listeners: Record<string, Array<(value: never) => void>> = {};
  postMessage(message: SystemInfoRequest): void {
    this.sent.push(message);
  }
  on(event: string, listener: (value: never) => void): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }
  ref(): void {
    this.referenced = true;
  }
  unref(): void {
    this.referenced = false;
  }
  terminate(): Promise<number> {
    this.terminated = true;
    return Promise.resolve(1);
  }
  emit(event: 'message' | 'error' | 'exit', value: SystemInfoReply | Error | number): void {
    for (const listener of this.listeners[event] ?? []) listener(value as never);
  }
  answer(index: number, value: unknown): void {
    this.emit('message', { id: this.sent[index]!.id, ok: true, value });
  }
}

const clock = { setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms), clearTimeout: (timer: unknown) => clearTimeout(timer as NodeJS.Timeout) };

function client(idleMs = 3000, callLimitMs = 60_000) {
  const workers: FakeWorker[] = [];
  const systemInfo = new SystemInfoClient(() => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  }, clock, idleMs, callLimitMs);
  return { systemInfo, workers };
}

describe('SystemInfoClient', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('starts one worker for a burst of calls, holds it only while a call is in flight, and answers each call its own reply', async () => {
    const { systemInfo, workers } = client();
    const mem = systemInfo.call('mem');
    const time = systemInfo.call('time');
    expect(workers).toHaveLength(1);
    const worker = workers[0]!;
    expect(worker.sent.map((m) => m.method)).toEqual(['mem', 'time']);
    expect(worker.referenced).toBe(true);
    worker.answer(1, { uptime: 7 });
    expect(worker.referenced).toBe(true);
    worker.answer(0, { total: 1 });
    await expect(time).resolves.toEqual({ uptime: 7 });
    await expect(mem).resolves.toEqual({ total: 1 });
    // Idle: it never keeps the agent alive.
    expect(worker.referenced).toBe(false);
  });

  it('ends the worker once idle for the delay; a call before that keeps it', async () => {
    const { systemInfo, workers } = client(3000);
    const first = systemInfo.call('mem');
    workers[0]!.answer(0, {});
    await first;
    vi.advanceTimersByTime(2999);
    const second = systemInfo.call('cpu');
    expect(workers).toHaveLength(1);
    vi.advanceTimersByTime(10_000);
    expect(workers[0]!.terminated).toBe(false);
    workers[0]!.answer(1, {});
    await second;
    vi.advanceTimersByTime(2999);
    expect(workers[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(workers[0]!.terminated).toBe(true);
    // The next snapshot gets a new worker.
    void systemInfo.call('system');
    expect(workers).toHaveLength(2);
  });

  it('a reply that says no fails its call with the worker\'s words', async () => {
    const { systemInfo, workers } = client();
    const call = systemInfo.call('battery');
    workers[0]!.emit('message', { id: workers[0]!.sent[0]!.id, ok: false, error: 'no battery tool' });
    await expect(call).rejects.toThrow('no battery tool');
  });

  it('a worker that crashes fails every call in flight, and the next call starts another', async () => {
    const { systemInfo, workers } = client();
    const a = systemInfo.call('processes');
    const b = systemInfo.call('fsSize');
    workers[0]!.emit('error', new Error('out of memory'));
    await expect(a).rejects.toThrow('out of memory');
    await expect(b).rejects.toThrow('out of memory');
    // Its late exit changes nothing for the next worker.
    const c = systemInfo.call('mem');
    workers[0]!.emit('exit', 1);
    expect(workers).toHaveLength(2);
    workers[1]!.answer(0, { total: 2 });
    await expect(c).resolves.toEqual({ total: 2 });
  });

  it('a call stuck past its limit ends the worker (a hung command cannot hold the next snapshot)', async () => {
    const { systemInfo, workers } = client(3000, 60_000);
    const stuck = systemInfo.call('networkInterfaces');
    vi.advanceTimersByTime(60_000);
    await expect(stuck).rejects.toThrow(/networkInterfaces: no answer within 60000 ms/);
    expect(workers[0]!.terminated).toBe(true);
    // A reply from the ended worker is ignored.
    workers[0]!.answer(0, []);
    const next = systemInfo.call('networkInterfaces');
    expect(workers).toHaveLength(2);
    workers[1]!.answer(0, [{ iface: 'eth0' }]);
    await expect(next).resolves.toEqual([{ iface: 'eth0' }]);
    expect(vi.getTimerCount()).toBe(1); // only the idle timer of the second worker
  });

  it('close fails what is in flight and ends the worker', async () => {
    const { systemInfo, workers } = client();
    const call = systemInfo.call('osInfo');
    systemInfo.close();
    await expect(call).rejects.toThrow('the agent is stopping');
    expect(workers[0]!.terminated).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the built worker', () => {
  it('answers the library\'s calls from its own thread, and refuses a name it does not know', async () => {
    const define = (await systemInfoWorkerDefine()) as { __RELAIS_SYSTEM_INFO_WORKER__: string };
    const source = JSON.parse(define.__RELAIS_SYSTEM_INFO_WORKER__) as string;
    const systemInfo = new SystemInfoClient(() => new Worker(source, { eval: true }));
    try {
      const [time, mem] = await Promise.all([systemInfo.call('time'), systemInfo.call('mem')]);
      expect(time.uptime).toBeGreaterThan(0);
      expect(mem.total).toBeGreaterThan(0);
      // Measured over a window, not since boot.
      const load = await systemInfo.call('currentLoad');
      expect(load.currentLoad).toBeGreaterThanOrEqual(0);
      await expect(systemInfo.call('exit' as 'mem')).rejects.toThrow('unknown call exit');
    } finally {
      systemInfo.close();
    }
  });
});
