/**
 * Dispatches jobs to devices: at most `concurrency` runs of a job in flight
 * (dispatched or running), only to devices that are online; offline devices get
 * the job when they reconnect, until it expires. After a controller restart the
 * running jobs are loaded again and their in-flight runs re-sent on reconnect —
 * the agent's ledger makes a repeated job.run harmless (it answers with the
 * stored result, never a second run). Messages from one device are handled in
 * arrival order, so a result is stored only after the output sent before it.
 */
import type { ControllerToAgent, Job, JobCounts, JobResultMessage, JobStatus, JobStream, JobSummary, Run, RunStatus } from '../../../protocol/index.js';
import type { AgentToController } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { AgentLinks } from '../relay/agent-links.js';
import { quietLog, type Log } from '../observability/logger.js';
import { NO_METRICS, type Meter } from '../observability/metrics.js';
import { countsOf, isFinal, type JobRecord, type JobStore, type NewJob } from './job-store.js';

type JobMessage = Extract<AgentToController, { t: 'job.started' | 'job.output' | 'job.result' }>;

export interface DispatcherDeps {
  readonly store: JobStore;
  readonly audit: AuditLog;
  /** The connected agents (filled by the agent hub): who is online, and sending to them. */
  readonly links: Pick<AgentLinks, 'send' | 'isOnline'>;
  /** Reaches a device wherever it is connected (a cluster: through the node holding it), for job.cancel; default: `links`. */
  readonly anywhere?: Pick<AgentLinks, 'send'>;
  /** Whether a device is online anywhere (a cluster: on any node), for expiry; default: connected here. */
  readonly isPresent?: (deviceId: string) => boolean;
  /** How often expired jobs are looked for (default 500 ms). */
  readonly sweepMs?: number;
  /** Counts runs entering each state (NO_METRICS when metrics are off). */
  readonly meter?: Pick<Meter, 'jobRuns'>;
  readonly log?: Log;
}

export interface JobEvents {
  /** A job changed: the whole job here, its summary when another cluster node changed it. */
  job(job: Job | JobSummary): void;
  run(jobId: string, run: Run): void;
  output(jobId: string, deviceId: string, stream: JobStream, data: string): void;
  /** A job was created, or cancelled, on this controller (a cluster node tells the others). */
  created?(jobId: string): void;
  cancelled?(jobId: string): void;
}

/** What another cluster node did with a job (cluster/cluster-jobs.ts). */
export type HeardJobEvent =
  | { kind: 'created'; jobId: string }
  | { kind: 'cancelled'; jobId: string }
  | { kind: 'job'; job: JobSummary }
  | { kind: 'run'; jobId: string; run: Run }
  | { kind: 'output'; jobId: string; deviceId: string; stream: JobStream; data: string };

interface ActiveJob {
  record: JobRecord;
  /** Every run's status, in target order. */
  readonly runs: Map<string, RunStatus>;
}

const IN_FLIGHT: readonly RunStatus[] = ['dispatched', 'running'];
const OPEN: readonly RunStatus[] = ['pending', ...IN_FLIGHT];
const REVOKED_REASON = 'the device was revoked by an administrator';
const DEFAULT_SWEEP_MS = 500;
/** How often each running job's runs in memory are checked against the store (news from other cluster nodes can be lost). */
const RESYNC_MS = 5000;
/** The least time between two announcements of a running job's counts. */
const ANNOUNCE_MS = 250;

export class Dispatcher {
  private readonly active = new Map<string, ActiveJob>();
  private readonly listeners = new Set<JobEvents>();
  /** Listeners that hear other cluster nodes' events too (the consoles' job watch). */
  private readonly clusterListeners = new Set<JobEvents>();
  /** Per device: the tail of its message chain. */
  private readonly chains = new Map<string, Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping = false;
  private resyncedAt = 0;
  /** Per job: the pump running (or last run), and one waiting to start, which serves every change made meanwhile. */
  private readonly pumpTails = new Map<string, Promise<void>>();
  private readonly pumpsWaiting = new Map<string, Promise<void>>();
  /** Per job: when its counts were last announced, and the announcement waiting for its turn. */
  private readonly announcedAt = new Map<string, number>();
  private readonly announcing = new Map<string, NodeJS.Timeout>();
  private readonly meter: Pick<Meter, 'jobRuns'>;
  private readonly log: Log;

  constructor(private readonly deps: DispatcherDeps) {
    this.meter = deps.meter ?? NO_METRICS;
    this.log = deps.log ?? quietLog;
  }

  /** Loads the jobs still running (after a restart) and starts the expiry sweep. */
  async start(): Promise<void> {
    for (const record of await this.deps.store.runningJobs()) {
      const runs = await this.deps.store.runs(record.id);
      this.active.set(record.id, { record, runs: new Map(runs.map((r) => [r.deviceId, r.status])) });
    }
    this.resyncedAt = Date.now();
    this.sweeper = setInterval(() => void this.sweep(), this.deps.sweepMs ?? DEFAULT_SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const timer of this.announcing.values()) clearTimeout(timer);
    this.announcing.clear();
  }

  /** Resolves once the work queued for every device so far is done (tests, and a node handing over). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** `wholeCluster`: hear the events of jobs on other cluster nodes' devices as well. */
  subscribe(listener: JobEvents, options: { wholeCluster?: boolean } = {}): () => void {
    this.listeners.add(listener);
    if (options.wholeCluster) this.clusterListeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      this.clusterListeners.delete(listener);
    };
  }

  /**
   * Another cluster node's news about a job. A new job is loaded and dispatched to the
   * devices held here; a cancelled one stops here too; a run's new state counts for the
   * job's concurrency and its end; consoles that follow jobs hear it all.
   */
  heard(event: HeardJobEvent): Promise<void> {
    const jobId = event.kind === 'job' ? event.job.id : event.jobId;
    let freed = false;
    // In the job's own queue, so that a job is loaded once and its runs change in order.
    const applied = this.enqueue(`job:${jobId}`, async () => {
      switch (event.kind) {
        case 'created':
          return this.adopt(event.jobId);
        case 'cancelled': {
          const active = this.active.get(event.jobId);
          if (!active) return;
          active.record = { ...active.record, status: 'cancelled' };
          for (const [deviceId, status] of active.runs) if (IN_FLIGHT.includes(status)) this.deps.links.send(deviceId, { t: 'job.cancel', jobId: event.jobId });
          for (const run of await this.deps.store.runs(event.jobId)) active.runs.set(run.deviceId, run.status);
          await this.settle(event.jobId);
          return;
        }
        case 'job':
          for (const l of this.clusterListeners) l.job(event.job);
          return;
        case 'run': {
          const active = this.active.get(event.jobId);
          if (active?.runs.has(event.run.deviceId)) active.runs.set(event.run.deviceId, event.run.status);
          for (const l of this.clusterListeners) l.run(event.jobId, event.run);
          freed = active !== undefined && isFinal(event.run.status);
          return;
        }
        case 'output':
          for (const l of this.clusterListeners) l.output(event.jobId, event.deviceId, event.stream, event.data);
          return;
        default: {
          const never: never = event;
          return never;
        }
      }
    });
    // A place freed on another node may go to a device held here. Outside the job's queue, so
    // that the news heard meanwhile is applied at once and served by one pump, not one each.
    return applied.then(async () => {
      if (!freed) return;
      try {
        await this.pump(jobId);
        await this.settle(jobId);
      } catch (err) {
        this.log.error({ err, job: jobId }, 'jobs: dispatching after a run ended elsewhere failed');
      }
    });
  }

  /** Loads a job another node created and dispatches it to the devices held here. */
  private async adopt(jobId: string): Promise<void> {
    if (this.active.has(jobId)) return;
    const record = await this.deps.store.job(jobId);
    if (!record || record.status !== 'running') return;
    const runs = await this.deps.store.runs(jobId);
    this.active.set(jobId, { record, runs: new Map(runs.map((r) => [r.deviceId, r.status])) });
    await this.pump(jobId);
  }

  /** Stores a new job and dispatches it to the online devices, up to its concurrency. */
  async create(input: NewJob): Promise<Job> {
    const record = await this.deps.store.create(input);
    this.active.set(record.id, { record, runs: new Map(input.deviceIds.map((d) => [d, 'pending'])) });
    this.meter.jobRuns('pending', input.deviceIds.length);
    await this.pump(record.id);
    const job = await this.view(record.id);
    this.emitJob(job!);
    for (const l of this.listeners) l.created?.(record.id);
    return job!;
  }

  /**
   * The job with its counts, or null. The counts are the store's: on a cluster, every node
   * answers the same, whatever news of the runs it heard or missed.
   */
  async view(jobId: string): Promise<Job | null> {
    const active = this.active.get(jobId);
    const record = active?.record ?? (await this.deps.store.job(jobId));
    if (!record) return null;
    const counts = await this.deps.store.counts(jobId);
    // Between a job's last result and its settling (a few store writes), it already reads as settled.
    return { ...record, status: active ? settledStatusOf(record.status, counts) : record.status, counts };
  }

  /** Cancels: pending runs are skipped, in-flight ones are told to stop. Returns the job, or null when unknown. */
  async cancel(jobId: string): Promise<Job | null> {
    const active = this.active.get(jobId);
    if (!active) return this.view(jobId);
    if (active.record.status === 'running') {
      active.record = { ...active.record, status: 'cancelled' };
      await this.deps.store.setJobStatus(jobId, 'cancelled');
    }
    const skipped = await this.deps.store.moveRuns(jobId, ['pending'], 'cancelled', 'the job was cancelled before it ran here');
    for (const deviceId of skipped) active.runs.set(deviceId, 'cancelled');
    this.meter.jobRuns('cancelled', skipped.length);
    for (const [deviceId, status] of active.runs) if (IN_FLIGHT.includes(status)) this.deps.links.send(deviceId, { t: 'job.cancel', jobId });
    await Promise.all(skipped.map((d) => this.emitRun(jobId, d)));
    for (const l of this.listeners) l.cancelled?.(jobId);
    await this.settle(jobId);
    const job = await this.view(jobId);
    this.emitJob(job!);
    return job;
  }

  /**
   * A device was revoked: its open runs (pending, dispatched, running) are settled
   * at once as cancelled with the reason, so their jobs finish when the other
   * devices do; in-flight ones are told to stop while the connection still exists.
   * Resolves once every job it touched is updated.
   */
  deviceRevoked(deviceId: string): Promise<void> {
    return this.enqueue(deviceId, async () => {
      const settled: string[] = [];
      for (const [jobId, active] of this.active) {
        const status = active.runs.get(deviceId);
        if (status === undefined || isFinal(status)) continue;
        if (IN_FLIGHT.includes(status)) (this.deps.anywhere ?? this.deps.links).send(deviceId, { t: 'job.cancel', jobId });
        if (!(await this.deps.store.patchRun(jobId, deviceId, { status: 'cancelled', reason: REVOKED_REASON, finished_at: Date.now() }, OPEN))) continue;
        active.runs.set(deviceId, 'cancelled');
        this.meter.jobRuns('cancelled');
        settled.push(jobId);
      }
      // Then each job moves on: a freed place goes to another device, a job with nothing open finishes.
      for (const jobId of settled) {
        await this.emitRun(jobId, deviceId);
        await this.pump(jobId);
        if (!(await this.settle(jobId))) this.emitJob((await this.view(jobId))!);
      }
    });
  }

  /**
   * A device connected: in-flight runs are sent again (cancels for cancelled jobs), then pending
   * ones dispatched. The runs in flight are read from the store, not this node's memory: on a
   * cluster, the node that claimed them may have died before its news reached this one.
   * Resolves once done.
   */
  deviceOnline(deviceId: string): Promise<void> {
    return this.enqueue(deviceId, async () => {
      for (const { jobId, status } of await this.deps.store.inFlightRuns(deviceId)) {
        const active = await this.load(jobId);
        if (!active) continue;
        active.runs.set(deviceId, status);
        this.deps.links.send(deviceId, active.record.status === 'cancelled' ? { t: 'job.cancel', jobId } : this.runMessage(active.record));
      }
      for (const [jobId, active] of this.active) if (active.runs.get(deviceId) === 'pending') await this.pump(jobId);
    });
  }

  /** A job still open in the store, in memory (loaded when this node did not have it). */
  private async load(jobId: string): Promise<ActiveJob | null> {
    const known = this.active.get(jobId);
    if (known) return known;
    const record = await this.deps.store.job(jobId);
    if (!record || (record.status !== 'running' && record.status !== 'cancelled')) return null;
    const runs = await this.deps.store.runs(jobId);
    // Loaded meanwhile by other work: that copy stays (it may be newer).
    if (!this.active.has(jobId)) this.active.set(jobId, { record, runs: new Map(runs.map((r) => [r.deviceId, r.status])) });
    return this.active.get(jobId)!;
  }

  /** A message about a job from a device, handled after the device's earlier ones. */
  fromAgent(deviceId: string, message: JobMessage): void {
    void this.enqueue(deviceId, () => this.handle(deviceId, message));
  }

  /** Runs `work` after the device's earlier work; the promise settles when it is done (it never rejects). */
  private enqueue(deviceId: string, work: () => Promise<void>): Promise<void> {
    const tail = (this.chains.get(deviceId) ?? Promise.resolve()).then(work).catch((err: unknown) => this.log.error({ err, device: deviceId }, 'jobs: handling a device failed'));
    this.chains.set(deviceId, tail);
    void tail.then(() => {
      if (this.chains.get(deviceId) === tail) this.chains.delete(deviceId);
    });
    return tail;
  }

  private async handle(deviceId: string, message: JobMessage): Promise<void> {
    const { store } = this.deps;
    const active = this.active.get(message.jobId);
    const known = active ? active.runs.has(deviceId) : (await store.run(message.jobId, deviceId)) !== null;
    switch (message.t) {
      case 'job.started': {
        if (!active || !known) return;
        if (!(await store.markStarted(message.jobId, deviceId, message.startedAt))) return;
        active.runs.set(deviceId, 'running');
        this.meter.jobRuns('running');
        this.emitRunAs(message.jobId, { ...bareRun(message.jobId, deviceId, 'running'), startedAt: message.startedAt });
        this.announce(message.jobId);
        return;
      }
      case 'job.output': {
        if (!known) return;
        const data = Buffer.from(message.data, 'base64');
        if (await store.addOutput(message.jobId, deviceId, message.stream, message.seq, data)) {
          for (const l of this.listeners) l.output(message.jobId, deviceId, message.stream, message.data);
        }
        return;
      }
      case 'job.result': {
        // Acknowledged even when unknown or already stored: the agent may then forget it.
        if (known && (await store.storeResult(message.jobId, deviceId, message))) {
          active?.runs.set(deviceId, message.status);
          this.meter.jobRuns(message.status);
          if (message.status === 'refused') {
            this.deps.audit.note({ actor: `device:${deviceId}`, action: 'job.refused', target: message.jobId, detail: { reason: message.reason } });
          }
          this.emitRunAs(message.jobId, resultRun(message.jobId, deviceId, message));
          if (active) {
            await this.pump(message.jobId);
            // Settled: the final counts are announced; else at most a few times a second.
            if (!(await this.settle(message.jobId))) this.announce(message.jobId);
          } else {
            await this.lateResult(message.jobId);
            const job = await this.view(message.jobId);
            if (job) this.emitJob(job);
          }
        } else if (active && known && !isFinal(active.runs.get(deviceId)!)) {
          // Stored already, by a cluster node that died before its news reached this one: catch up.
          await this.caughtUp(message.jobId, deviceId);
        }
        this.deps.links.send(deviceId, { t: 'job.ack', jobId: message.jobId });
        return;
      }
    }
  }

  /**
   * Dispatches pending runs to online devices while the job has room. One pump per job at a
   * time: the changes made while one runs (results freeing places) are served by one more,
   * which claims every freed place in one transaction rather than one each.
   */
  private pump(jobId: string): Promise<void> {
    const waiting = this.pumpsWaiting.get(jobId);
    if (waiting) return waiting;
    const next = (this.pumpTails.get(jobId) ?? Promise.resolve()).catch(() => undefined).then(() => {
      this.pumpsWaiting.delete(jobId);
      return this.pumpOnce(jobId);
    });
    this.pumpsWaiting.set(jobId, next);
    this.pumpTails.set(jobId, next);
    const forget = (): void => {
      if (this.pumpTails.get(jobId) === next) this.pumpTails.delete(jobId);
    };
    next.then(forget, forget);
    return next;
  }

  private async pumpOnce(jobId: string): Promise<void> {
    const active = this.active.get(jobId);
    if (!active || active.record.status !== 'running' || Date.now() >= active.record.expiresAt) return;
    let inFlight = 0;
    for (const status of active.runs.values()) if (IN_FLIGHT.includes(status)) inFlight++;
    const chosen: string[] = [];
    for (const [deviceId, status] of active.runs) {
      if (inFlight >= active.record.concurrency) break;
      if (status !== 'pending' || !this.deps.links.isOnline(deviceId)) continue;
      // Claimed in memory first, so a concurrent pump cannot pick the same run.
      active.runs.set(deviceId, 'dispatched');
      chosen.push(deviceId);
      inFlight++;
    }
    if (chosen.length === 0) return;
    this.meter.jobRuns('dispatched', chosen.length);
    const now = Date.now();
    // Then in the store, only from pending and within the concurrency counted on every node: a run
    // the store no longer has pending (claimed by another cluster node, or settled meanwhile), or one
    // the other nodes' runs leave no room for, is not sent from here.
    const claimed = await this.deps.store.claimRuns(jobId, chosen, active.record.concurrency, now);
    const sent = chosen.filter((d) => claimed.has(d));
    for (const deviceId of chosen.filter((d) => !claimed.has(d))) {
      const run = await this.deps.store.run(jobId, deviceId);
      if (run) active.runs.set(deviceId, run.status);
    }
    const message = this.runMessage(active.record);
    for (const deviceId of sent) {
      // Went offline meanwhile: it stays dispatched and is sent again on reconnect.
      this.deps.links.send(deviceId, message);
    }
    for (const deviceId of sent) this.emitRunAs(jobId, bareRun(jobId, deviceId, 'dispatched'));
  }

  /** A run this node had in flight is final in the store: the job moves on as if it had heard so. */
  private async caughtUp(jobId: string, deviceId: string): Promise<void> {
    const active = this.active.get(jobId);
    const run = await this.deps.store.run(jobId, deviceId);
    if (!active || !run || !isFinal(run.status)) return;
    active.runs.set(deviceId, run.status);
    for (const l of this.listeners) l.run(jobId, run);
    await this.pump(jobId);
    if (!(await this.settle(jobId))) this.emitJob((await this.view(jobId))!);
  }

  /** One sweep at a time (a slow store must not stack them). */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.expire();
      if (Date.now() - this.resyncedAt >= RESYNC_MS) {
        this.resyncedAt = Date.now();
        for (const jobId of [...this.active.keys()]) await this.enqueue(`job:${jobId}`, () => this.resync(jobId));
      }
    } catch (err) {
      this.log.warn({ err }, 'jobs: the sweep failed; it runs again shortly');
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Brings a running job's runs in memory in line with the store when their counts differ (a
   * cluster node died before publishing what it stored, or this node missed an event), so
   * that the job's concurrency and its end are right on every node.
   */
  private async resync(jobId: string): Promise<void> {
    const active = this.active.get(jobId);
    if (!active) return;
    const stored = await this.deps.store.counts(jobId);
    const remembered = countsOf([...active.runs.values()].map((s) => [s, 1]));
    if (sameCounts(stored, remembered)) return;
    const record = await this.deps.store.job(jobId);
    if (record && active.record.status === 'running' && record.status !== 'running') active.record = { ...active.record, status: record.status };
    for (const run of await this.deps.store.runs(jobId)) if (active.runs.has(run.deviceId)) active.runs.set(run.deviceId, run.status);
    await this.pump(jobId);
    if (!(await this.settle(jobId))) {
      const job = await this.view(jobId);
      if (job) this.emitJob(job);
    }
  }

  /** Expires jobs past their time: pending runs, and in-flight runs on devices that are offline. */
  private async expire(): Promise<void> {
    const now = Date.now();
    for (const [jobId, active] of this.active) {
      if (now < active.record.expiresAt) continue;
      const expired = await this.deps.store.moveRuns(jobId, ['pending'], 'expired', 'the device was not reached before the job expired');
      for (const [deviceId, status] of active.runs) {
        if (!IN_FLIGHT.includes(status) || (this.deps.isPresent ?? this.deps.links.isOnline.bind(this.deps.links))(deviceId)) continue;
        if (await this.deps.store.patchRun(jobId, deviceId, { status: 'expired', reason: 'the device went offline before reporting, and the job expired', finished_at: now }, IN_FLIGHT)) expired.push(deviceId);
      }
      for (const deviceId of expired) active.runs.set(deviceId, 'expired');
      this.meter.jobRuns('expired', expired.length);
      await Promise.all(expired.map((d) => this.emitRun(jobId, d)));
      if (!(await this.settle(jobId)) && expired.length > 0) {
        const job = await this.view(jobId);
        if (job) this.emitJob(job);
      }
    }
  }

  /** Finishes a job whose runs are all final; true when it did. */
  private async settle(jobId: string): Promise<boolean> {
    const active = this.active.get(jobId);
    if (!active) return false;
    if (!allFinal(active)) return false;
    const status = settledStatus(active);
    await this.deps.store.setJobStatus(jobId, status);
    const counts: JobCounts = await this.deps.store.counts(jobId);
    active.record = { ...active.record, status };
    this.active.delete(jobId);
    this.quiet(jobId);
    this.emitJob({ ...active.record, counts });
    return true;
  }

  /** A result that came back after its run had expired replaces `expired`: the job is complete once none is left. */
  private async lateResult(jobId: string): Promise<void> {
    const record = await this.deps.store.job(jobId);
    if (record?.status === 'expired' && (await this.deps.store.counts(jobId)).expired === 0) await this.deps.store.setJobStatus(jobId, 'completed');
  }

  private runMessage(record: JobRecord): ControllerToAgent {
    return {
      t: 'job.run',
      jobId: record.id,
      script: { name: record.scriptName, interpreter: record.interpreter, body: record.body, timeoutSeconds: record.timeoutSeconds },
      params: record.params,
      expiresAt: record.expiresAt,
    };
  }

  private async emitRun(jobId: string, deviceId: string): Promise<void> {
    if (this.listeners.size === 0) return;
    const run = await this.deps.store.run(jobId, deviceId);
    if (run) for (const l of this.listeners) l.run(jobId, run);
  }

  /** A run as it now is, known without reading it back from the store. */
  private emitRunAs(jobId: string, run: Run): void {
    for (const l of this.listeners) l.run(jobId, run);
  }

  /**
   * Announces the job's counts (one store count, one cluster event) at most every
   * ANNOUNCE_MS: at once when the last was longer ago, else once at the end of the wait.
   */
  private announce(jobId: string): void {
    if (this.listeners.size === 0 || this.announcing.has(jobId)) return;
    const wait = (this.announcedAt.get(jobId) ?? 0) + ANNOUNCE_MS - Date.now();
    const send = (): void => {
      this.announcing.delete(jobId);
      this.announcedAt.set(jobId, Date.now());
      void this.view(jobId).then((job) => {
        if (job) this.emitJob(job);
      }, (err: unknown) => this.log.warn({ err, job: jobId }, 'jobs: the counts could not be announced'));
    };
    if (wait <= 0) {
      send();
      return;
    }
    const timer = setTimeout(send, wait);
    timer.unref();
    this.announcing.set(jobId, timer);
  }

  /** A settled job announces no more. */
  private quiet(jobId: string): void {
    const timer = this.announcing.get(jobId);
    if (timer) clearTimeout(timer);
    this.announcing.delete(jobId);
    this.announcedAt.delete(jobId);
  }

  private emitJob(job: Job): void {
    for (const l of this.listeners) l.job(job);
  }
}

/** A run with nothing stored but its status. */
function bareRun(jobId: string, deviceId: string, status: RunStatus): Run {
  return {
    jobId, deviceId, status, exitCode: null, signal: null, startedAt: null, finishedAt: null, durationMs: null,
    stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, reason: null,
  };
}

/** A run as its stored result makes it (what JobStore.storeResult writes). */
function resultRun(jobId: string, deviceId: string, result: JobResultMessage): Run {
  return {
    jobId, deviceId, status: result.status, exitCode: result.exitCode, signal: result.signal, startedAt: result.startedAt, finishedAt: result.finishedAt,
    durationMs: result.startedAt === null ? null : Math.max(0, result.finishedAt - result.startedAt), stdoutBytes: result.stdoutBytes, stderrBytes: result.stderrBytes,
    stdoutTruncated: result.stdoutTruncated, stderrTruncated: result.stderrTruncated, reason: result.reason,
  };
}

/** The status a job has once every run is final (cancelled, expired or completed); its own status until then. */
function settledStatus(active: ActiveJob): JobStatus {
  return settledStatusOf(active.record.status, countsOf([...active.runs.values()].map((s) => [s, 1])));
}

function settledStatusOf(status: JobStatus, counts: JobCounts): JobStatus {
  if (counts.pending + counts.running > 0) return status;
  if (status === 'cancelled') return 'cancelled';
  return counts.expired > 0 ? 'expired' : 'completed';
}

function sameCounts(a: JobCounts, b: JobCounts): boolean {
  return (Object.keys(a) as Array<keyof JobCounts>).every((key) => a[key] === b[key]);
}

function allFinal(active: ActiveJob): boolean {
  for (const status of active.runs.values()) if (!isFinal(status)) return false;
  return true;
}
