/**
 * Prometheus metrics (prom-client). The parts of the controller report what happens
 * through the small `Meter` interface they are handed at the composition root (the
 * relay its bytes, the hubs refused messages, the login route failures, the
 * dispatcher run states, the store query times); what is a count of things held
 * (agents online, consoles, open shells) is read from its holders at scrape time,
 * so it can never drift. With metrics off every part gets NO_METRICS, which does
 * nothing. Each line carries the `node` label (a cluster of controllers shares one
 * Prometheus). Route labels are templates (`/api/jobs/:id`), never raw paths, so the
 * number of series stays bounded.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode, RunStatus } from '../../../protocol/index.js';

export type RelayDirection = 'agent-to-console' | 'console-to-agent';

/** What the controller's parts report as it happens. */
export interface Meter {
  /** Stream bytes the relay forwarded (payloads of data frames). */
  relayed(direction: RelayDirection, bytes: number): void;
  /** A websocket message refused with a catalog code (sent back as an error, or closing the socket). */
  refused(code: ErrorCode): void;
  /** A technician's login refused for a wrong username or password. */
  loginFailed(): void;
  /** Runs of fleet jobs entering a state. */
  jobRuns(state: RunStatus, count?: number): void;
  /** One database query's duration. */
  dbQuery(seconds: number): void;
  /** One HTTP request answered: its route template, method and status. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
}

/** The meter of a controller without metrics: every report is dropped. */
export const NO_METRICS: Meter = Object.freeze({
  relayed: () => undefined,
  refused: () => undefined,
  loginFailed: () => undefined,
  jobRuns: () => undefined,
  dbQuery: () => undefined,
  httpRequest: () => undefined,
});

/** Counts read from their holders at each scrape. */
export interface Readings {
  /** Connected agents: attended (support links) and managed (enrolled). */
  agentsOnline(): { readonly attended: number; readonly managed: number };
  /** Technicians' consoles connected. */
  consoles(): number;
  /** Shells open (consent given, not yet closed), with or without a console attached. */
  shellsOpen(): number;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Query times: SQLite answers most in well under a millisecond; PostgreSQL over a network in a few. */
const DB_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics implements Meter {
  readonly registry = new Registry();
  private readings: Readings | null = null;
  /** Relayed bytes not yet added to the counter: the relay's hot path adds to a number, the scrape to the counter. */
  private readonly pendingRelayBytes: Record<RelayDirection, number> = { 'agent-to-console': 0, 'console-to-agent': 0 };
  private readonly refusedMessages: Counter<'code'>;
  private readonly loginFailures: Counter;
  private readonly jobRunStates: Counter<'state'>;
  private readonly dbSeconds: Histogram;
  private readonly httpSeconds: Histogram<'route' | 'method' | 'status'>;

  constructor(node: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node });
    // Process and Node.js metrics: CPU, memory, file descriptors, GC, event-loop lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    const metrics = this;
    new Gauge({
      name: 'relais_agents_online', help: 'Agents connected to this node, by kind (attended: support link; managed: enrolled).', labelNames: ['kind'], registers,
      collect() {
        const online = metrics.readings?.agentsOnline() ?? { attended: 0, managed: 0 };
        this.set({ kind: 'attended' }, online.attended);
        this.set({ kind: 'managed' }, online.managed);
      },
    });
    new Gauge({
      name: 'relais_consoles', help: "Technicians' browser consoles connected to this node.", registers,
      collect() {
        this.set(metrics.readings?.consoles() ?? 0);
      },
    });
    new Gauge({
      name: 'relais_shells_open', help: 'Remote shells open through this node (consent given, not yet closed).', registers,
      collect() {
        this.set(metrics.readings?.shellsOpen() ?? 0);
      },
    });
    new Counter({
      name: 'relais_relay_bytes_total', help: 'Shell stream bytes relayed, by direction.', labelNames: ['direction'], registers,
      collect() {
        for (const direction of ['agent-to-console', 'console-to-agent'] as const) {
          this.inc({ direction }, metrics.pendingRelayBytes[direction]);
          metrics.pendingRelayBytes[direction] = 0;
        }
      },
    });
    this.refusedMessages = new Counter({ name: 'relais_ws_messages_refused_total', help: 'Errors sent to websocket peers, by code: messages refused, and connections closed for a reason.', labelNames: ['code'], registers });
    this.loginFailures = new Counter({ name: 'relais_login_failures_total', help: 'Technician logins refused for a wrong username or password.', registers });
    this.jobRunStates = new Counter({ name: 'relais_job_runs_total', help: 'Fleet job runs entering each state.', labelNames: ['state'], registers });
    this.dbSeconds = new Histogram({ name: 'relais_db_query_seconds', help: 'Database query time.', buckets: DB_BUCKETS, registers });
    this.httpSeconds = new Histogram({
      name: 'relais_http_request_duration_seconds', help: 'HTTP request time, by route template, method and status.', labelNames: ['route', 'method', 'status'], buckets: HTTP_BUCKETS, registers,
    });
  }

  /** Where the gauges read their counts; called once the parts that hold them exist. */
  readFrom(readings: Readings): void {
    this.readings = readings;
  }

  /** The node label, once known (the listening port when none was configured). */
  labelNode(node: string): void {
    this.registry.setDefaultLabels({ node });
  }

  relayed(direction: RelayDirection, bytes: number): void {
    this.pendingRelayBytes[direction] += bytes;
  }

  refused(code: ErrorCode): void {
    this.refusedMessages.inc({ code });
  }

  loginFailed(): void {
    this.loginFailures.inc();
  }

  jobRuns(state: RunStatus, count = 1): void {
    if (count > 0) this.jobRunStates.inc({ state }, count);
  }

  dbQuery(seconds: number): void {
    this.dbSeconds.observe(seconds);
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    this.httpSeconds.observe({ route, method: METHODS.has(method) ? method : 'other', status: String(status) }, seconds);
  }

  /** The text exposition format Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
