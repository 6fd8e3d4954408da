/**
 * Coalesces identical events without ever rewriting one: in a window opened by an
 * event, its first few repeats are written as they come, further ones are only
 * counted, and when the window closes one summary (count, first and last time) is
 * handed on to be appended. A flood then costs a few rows per window, not one per
 * event, and an ordinary repetition still reads as it happened.
 */

export interface Repeats {
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface WindowTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface RepeatWindowOptions {
  /** How long a window stays open after the event that opened it. */
  readonly windowMs: number;
  /** Events of one kind written one by one in a window (the first included) before the rest are counted. */
  readonly writtenPerWindow: number;
  /** Windows tracked at once; past it, events are written as they come (memory stays bounded). */
  readonly maxWindows: number;
  readonly now?: () => number;
  readonly timers?: WindowTimers;
}

interface Window<E> {
  readonly entry: E;
  written: number;
  counted: number;
  firstAt: number;
  lastAt: number;
  timer: unknown;
}

const NODE_TIMERS: WindowTimers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class RepeatWindows<E> {
  private readonly windows = new Map<string, Window<E>>();
  private readonly now: () => number;
  private readonly timers: WindowTimers;

  constructor(
    private readonly options: RepeatWindowOptions,
    /** Called once per closed window that counted repeats. */
    private readonly summary: (entry: E, repeats: Repeats) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? NODE_TIMERS;
  }

  /** True when the event is to be written now; false when its window counted it. */
  admit(key: string, entry: E): boolean {
    const open = this.windows.get(key);
    if (!open) {
      if (this.windows.size >= this.options.maxWindows) return true;
      const window: Window<E> = { entry, written: 1, counted: 0, firstAt: 0, lastAt: 0, timer: null };
      window.timer = this.timers.set(() => this.close(key), this.options.windowMs);
      this.windows.set(key, window);
      return true;
    }
    if (open.written < this.options.writtenPerWindow) {
      open.written += 1;
      return true;
    }
    const at = this.now();
    if (open.counted === 0) open.firstAt = at;
    open.counted += 1;
    open.lastAt = at;
    return false;
  }

  /** Closes every window now (shutdown), handing on their summaries. */
  flush(): void {
    for (const [key, window] of [...this.windows]) {
      this.timers.clear(window.timer);
      this.close(key);
    }
  }

  get open(): number {
    return this.windows.size;
  }

  private close(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    this.windows.delete(key);
    if (window.counted > 0) this.summary(window.entry, { count: window.counted, firstAt: window.firstAt, lastAt: window.lastAt });
  }
}
