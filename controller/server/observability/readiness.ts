/**
 * Whether this node should receive traffic (readiness), as opposed to whether its
 * process is up (liveness). Ready means: not shutting down, the database answers
 * within a time limit, and every migration this code knows has run (with several
 * nodes on one PostgreSQL, a node started beside an older schema waits for the
 * migration); on a cluster node, Redis answers too (without it the node can neither
 * find the agents other nodes hold nor tell them about its own). A balancer takes a
 * node that is not ready out of rotation without restarting it; on SIGTERM readiness
 * fails first, so the balancer stops sending new requests before the server closes.
 */
import type { NotReadyReason } from '../../../protocol/index.js';

export type ReadinessAnswer = { readonly ready: true } | { readonly ready: false; readonly reason: NotReadyReason };

export interface ReadinessProbes {
  /** Resolves when the database answered a trivial query. */
  database(): Promise<void>;
  /** True when every known migration has run. */
  migrationsDone(): Promise<boolean>;
  /** A cluster node: resolves when Redis answered. */
  redis?(): Promise<void>;
}

export interface ReadinessOptions {
  /** How long the database has to answer (default 2 s). */
  readonly timeoutMs?: number;
  /** Hears why the database probe failed (the answer itself only says that it did). */
  readonly onProbeError?: (err: Error) => void;
}

const SLOW = Symbol('slow');

export class Readiness {
  private shuttingDown = false;
  /** Once every migration has run it stays so: migrations are only added with new code, i.e. a new process. */
  private migrated = false;
  private readonly timeoutMs: number;

  constructor(private readonly probes: ReadinessProbes, private readonly options: ReadinessOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** From now on the node answers "not ready" (SIGTERM). */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get stopping(): boolean {
    return this.shuttingDown;
  }

  async check(): Promise<ReadinessAnswer> {
    if (this.shuttingDown) return { ready: false, reason: 'shutting-down' };
    const database = await this.withinTime(this.probes.database());
    if (database === SLOW) return { ready: false, reason: 'database-slow' };
    if (database instanceof Error) {
      this.options.onProbeError?.(database);
      return { ready: false, reason: 'database-unavailable' };
    }
    if (!this.migrated) {
      const done = await this.withinTime(this.probes.migrationsDone());
      if (done === SLOW) return { ready: false, reason: 'database-slow' };
      if (done instanceof Error) {
        this.options.onProbeError?.(done);
        return { ready: false, reason: 'database-unavailable' };
      }
      if (!done) return { ready: false, reason: 'migrations-pending' };
      this.migrated = true;
    }
    if (this.probes.redis) {
      const redis = await this.withinTime(this.probes.redis());
      if (redis === SLOW || redis instanceof Error) {
        this.options.onProbeError?.(redis === SLOW ? new Error(`Redis did not answer within ${this.timeoutMs} ms`) : redis);
        return { ready: false, reason: 'redis-unavailable' };
      }
    }
    if (this.shuttingDown) return { ready: false, reason: 'shutting-down' };
    return { ready: true };
  }

  /** The probe's value, its error, or SLOW when it did not settle in time. */
  private withinTime<T>(probe: Promise<T>): Promise<T | Error | typeof SLOW> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(SLOW), this.timeoutMs);
      timer.unref?.();
      probe.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          resolve(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}
