/**
 * Gives memory back once a burst of work is over (the diagnostics sent at join, a
 * shell's output). V8 collects only when it allocates, so an agent that goes quiet
 * right after a burst keeps that burst's garbage resident for as long as it stays
 * quiet — the whole support session. One full collection a few seconds into the
 * quiet (a few ms of CPU) releases it; nothing else changes (no V8 flag that would
 * slow the relay: the heap's sizes stay V8's own).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** How long the agent must have been quiet (no new burst scheduled) before collecting. */
export const IDLE_COLLECTION_DELAY_MS = 5000;

let fullCollection: (() => void) | null | undefined;

/**
 * V8's own full collection. `gc` exists only in contexts created while --expose-gc
 * is set: the flag is set for the one context made here, then unset again.
 */
function v8FullCollection(): (() => void) | null {
  if (fullCollection !== undefined) return fullCollection;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    fullCollection = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    fullCollection = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return fullCollection;
}

/** What the schedule needs from time (fakes in tests). */
export interface CollectionClock {
  setTimeout(callback: () => void, ms: number): { unref?: () => unknown };
  clearTimeout(timer: unknown): void;
}

export class IdleCollection {
  private timer: unknown = null;

  constructor(
    private readonly collect: () => void = () => v8FullCollection()?.(),
    private readonly delayMs = IDLE_COLLECTION_DELAY_MS,
    private readonly clock: CollectionClock = { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout) },
  ) {}

  /** A burst just ended: collect once the agent has stayed quiet for the delay (a later call postpones it). */
  afterBurst(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    const timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.collect();
    }, this.delayMs);
    // Never keeps the agent alive on its own.
    timer.unref?.();
    this.timer = timer;
  }

  /** Nothing pending any more (the agent is stopping). */
  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
