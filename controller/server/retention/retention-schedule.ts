/**
 * Runs the retention tasks (purge expired codes and ended sessions, prune the
 * audit log) soon after start and then on a fixed period, one run at a time. The
 * timers are injected so the schedule is tested with fake time; a failing task is
 * logged and tried again at the next run, never thrown.
 */
import { quietLog, type Log } from '../observability/logger.js';

export interface RetentionTask {
  readonly name: string;
  /** Does one round; what it returns is logged when it changed something. */
  run(): Promise<string | null>;
}

export interface ScheduleTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: ScheduleTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ScheduleOptions {
  /** Time between runs. */
  readonly everyMs: number;
  /** Delay of the first run after start (leaves the start-up to itself). */
  readonly firstAfterMs: number;
  readonly timers?: ScheduleTimers;
  readonly log?: Log;
}

export class RetentionSchedule {
  private interval: unknown = null;
  private first: unknown = null;
  private running: Promise<void> | null = null;
  private readonly timers: ScheduleTimers;
  private readonly log: Log;

  constructor(private readonly tasks: readonly RetentionTask[], private readonly options: ScheduleOptions) {
    this.timers = options.timers ?? NODE_TIMERS;
    this.log = options.log ?? quietLog;
  }

  start(): void {
    if (this.interval !== null) return;
    this.first = this.timers.setTimeout(() => void this.runOnce(), this.options.firstAfterMs);
    this.interval = this.timers.setInterval(() => void this.runOnce(), this.options.everyMs);
  }

  /** Stops the timers and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.first !== null) this.timers.clearTimeout(this.first);
    if (this.interval !== null) this.timers.clearInterval(this.interval);
    this.first = this.interval = null;
    await this.running;
  }

  /** One round of every task; a round still going when the next is due is not doubled. */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.round().finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<void> {
    for (const task of this.tasks) {
      try {
        const done = await task.run();
        if (done) this.log.info({ task: task.name }, `retention: ${task.name}: ${done}`);
      } catch (err) {
        this.log.error({ err, task: task.name }, `retention: ${task.name} failed, tried again at the next run`);
      }
    }
  }
}
