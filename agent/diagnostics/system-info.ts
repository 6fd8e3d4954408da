/**
 * The agent's side of the systeminformation calls: each goes to a worker thread
 * (system-info-worker.ts), so the library's execSync never holds the agent's event
 * loop. The worker starts at the first call and ends a few seconds after the last
 * answer: a snapshot is a burst, and an idle agent keeps neither the thread nor the
 * library's memory. Run from the sources (tests), where no built worker exists, the
 * calls are made in this thread.
 */
import { Worker } from 'node:worker_threads';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';
import type { SystemInfoAnswers, SystemInfoMethod, SystemInfoReply, SystemInfoRequest } from './system-info-methods.js';

const probeWords = agentWords(probeCatalog);

/** How long the worker outlives its last answer (a snapshot's probes ask one after another). */
export const WORKER_IDLE_MS = 3000;
/** A call still unanswered after this is stuck (a hung command): the worker is ended and started again on the next call. */
export const WORKER_CALL_LIMIT_MS = 60_000;

/** What the client needs of a worker thread (a fake in tests). */
export interface WorkerLike {
  postMessage(message: SystemInfoRequest): void;
  on(event: 'message', listener: (message: SystemInfoReply) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

export interface ClientClock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const realClock: ClientClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: unknown;
}

export class SystemInfoClient {
  private worker: WorkerLike | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: unknown = null;

  constructor(
    private readonly start: () => WorkerLike,
    private readonly clock: ClientClock = realClock,
    private readonly idleMs = WORKER_IDLE_MS,
    private readonly callLimitMs = WORKER_CALL_LIMIT_MS,
  ) {}

  call<M extends SystemInfoMethod>(method: M): Promise<SystemInfoAnswers[M]> {
    const worker = this.running();
    this.stopIdleTimer();
    const id = this.nextId++;
    return new Promise<SystemInfoAnswers[M]>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => this.end(worker, new Error(`${method}: ${probeWords('noAnswerWithin', { ms: String(this.callLimitMs) })}`)), this.callLimitMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      // A call in flight keeps the agent alive (a one-off `diagnose` waits for it); an idle worker never does.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, method });
    });
  }

  /** Ends the worker now (the agent is stopping); calls in flight fail. */
  close(): void {
    this.stopIdleTimer();
    if (this.worker) this.end(this.worker, new Error(probeWords('agentStopping')));
  }

  private running(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.start();
    worker.unref();
    worker.on('message', (reply) => this.settle(worker, reply));
    worker.on('error', (error) => this.end(worker, error));
    worker.on('exit', (code) => this.end(worker, new Error(probeWords('helperStopped', { code: String(code) }))));
    this.worker = worker;
    return worker;
  }

  private settle(worker: WorkerLike, reply: SystemInfoReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting || worker !== this.worker) return;
    this.pending.delete(reply.id);
    this.clock.clearTimeout(waiting.timer);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
    if (this.pending.size === 0) {
      worker.unref();
      this.idleTimer = this.clock.setTimeout(() => {
        this.idleTimer = null;
        if (this.worker === worker && this.pending.size === 0) this.end(worker, null);
      }, this.idleMs);
    }
  }

  /** Forgets the worker, fails what it still owed (with `error`), and terminates it. */
  private end(worker: WorkerLike, error: Error | null): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.stopIdleTimer();
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      this.clock.clearTimeout(waiting.timer);
      waiting.reject(error ?? new Error(probeWords('helperEnded')));
    }
    void worker.terminate().catch(() => undefined);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer === null) return;
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/**
 * The built worker's code, when this runs from a bundle (scripts/agents/system-info-worker.mjs).
 * Inside a function: the 400 KB string is made when a worker starts, not kept on the heap
 * of every idle agent from its first line.
 */
const builtWorker = typeof __RELAIS_SYSTEM_INFO_WORKER__ === 'string' ? (): string => __RELAIS_SYSTEM_INFO_WORKER__ as string : null;

/** From the sources: the library in this thread, loaded by a name the bundler leaves alone. */
const LIBRARY = 'systeminformation';
let inThisThread: Promise<Record<SystemInfoMethod, () => unknown>> | null = null;

const client = builtWorker ? new SystemInfoClient(() => new Worker(builtWorker(), { eval: true })) : null;

/** One systeminformation call, answered off the agent's event loop. */
export async function systemInfo<M extends SystemInfoMethod>(method: M): Promise<SystemInfoAnswers[M]> {
  if (client) return client.call(method);
  inThisThread ??= import(LIBRARY).then((module: { default: Record<SystemInfoMethod, () => unknown> }) => module.default);
  return (await inThisThread)[method]() as SystemInfoAnswers[M];
}
