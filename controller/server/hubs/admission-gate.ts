/**
 * Bounds the store work of agents being admitted. Thousands of agents reconnecting at
 * once (a controller restart, a cluster node's death) would otherwise ask the database
 * pool for thousands of connections together; its queue times out and every one fails.
 * Here at most `limit` of them touch the store at a time, at most `maxWaiting` wait for
 * their turn, and the others are refused at once with SERVER_ERR_BUSY: the agent backs
 * off and tries again, which spreads the storm instead of piling it on the pool.
 */
import { RelaisError } from '../../../protocol/index.js';

export interface AdmissionGateOptions {
  /** Admissions doing store work at a time (keep it below the database pool's size). */
  readonly limit: number;
  /** Admissions allowed to wait for a turn; the next one is refused as busy. */
  readonly maxWaiting: number;
}

export class AdmissionGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: AdmissionGateOptions) {}

  /** Runs `work` when a turn is free; throws SERVER_ERR_BUSY when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.limit) {
      if (this.waiting.length >= this.options.maxWaiting) throw new RelaisError('SERVER_ERR_BUSY');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // The turn passes straight to the next waiter (running stays the same), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Admissions in the store now and waiting (tests, metrics). */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

/** The gate for a store whose pool holds `poolSize` connections: half of them, the rest stays for consoles, jobs and health checks. */
export function admissionGateFor(poolSize: number): AdmissionGate {
  return new AdmissionGate({ limit: Math.max(1, Math.floor(poolSize / 2)), maxWaiting: 2_000 });
}
