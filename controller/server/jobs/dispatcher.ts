/**
 * Dispatches jobs to devices: at most `concurrency` runs of a job in flight
 * (dispatched or running), only to devices that are online; offline devices get
 * the job when they reconnect, until it expires. After a controller restart the
 * running jobs are loaded again and their in-flight runs re-sent on reconnect —
 * the agent's ledger makes a repeated job.run harmless (it answers with the
 * stored result, never a second run). Messages from one device are handled in
 * arrival order, so a result is stored only after the output sent before it.
 */
import type { ControllerToAgent, Job, JobCounts, JobStatus, JobStream, Run, RunStatus } from '../../../protocol/index.js';
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
  /** How often expired jobs are looked for (default 500 ms). */
  readonly sweepMs?: number;
  /** Counts runs entering each state (NO_METRICS when metrics are off). */
  readonly meter?: Pick<Meter, 'jobRuns'>;
  readonly log?: Log;
}

export interface JobEvents {
  job(job: Job): void;
  run(jobId: string, run: Run): void;
  output(jobId: string, deviceId: string, stream: JobStream, data: string): void;
}

interface ActiveJob {
  record: JobRecord;
  /** Every run's status, in target order. */
  readonly runs: Map<string, RunStatus>;
}

const IN_FLIGHT: readonly RunStatus[] = ['dispatched', 'running'];
const OPEN: readonly RunStatus[] = ['pending', ...IN_FLIGHT];
const REVOKED_REASON = 'the device was revoked by an administrator';
const DEFAULT_SWEEP_MS = 500;

export class Dispatcher {
  private readonly active = new Map<string, ActiveJob>();
  private readonly listeners = new Set<JobEvents>();
  /** Per device: the tail of its message chain. */
  private readonly chains = new Map<string, Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;
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
    this.sweeper = setInterval(() => void this.sweep(), this.deps.sweepMs ?? DEFAULT_SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Resolves once the work queued for every device so far is done (tests, and a node handing over). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  subscribe(listener: JobEvents): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a new job and dispatches it to the online devices, up to its concurrency. */
  async create(input: NewJob): Promise<Job> {
    const record = await this.deps.store.create(input);
    this.active.set(record.id, { record, runs: new Map(input.deviceIds.map((d) => [d, 'pending'])) });
    this.meter.jobRuns('pending', input.deviceIds.length);
    await this.pump(record.id);
    const job = await this.view(record.id);
    this.emitJob(job!);
    return job!;
  }

  /** The job with its counts (live for running jobs), or null. */
  async view(jobId: string): Promise<Job | null> {
    const active = this.active.get(jobId);
    // Between a job's last result and its settling (a few store writes), it already reads as settled.
    if (active) return { ...active.record, status: settledStatus(active), counts: countsOf([...active.runs.values()].map((s) => [s, 1])) };
    const record = await this.deps.store.job(jobId);
    return record ? { ...record, counts: await this.deps.store.counts(jobId) } : null;
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
        if (IN_FLIGHT.includes(status)) this.deps.links.send(deviceId, { t: 'job.cancel', jobId });
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

  /** A device connected: in-flight runs are sent again (cancels for cancelled jobs), then pending ones dispatched. */
  deviceOnline(deviceId: string): void {
    void this.enqueue(deviceId, async () => {
      for (const [jobId, active] of this.active) {
        const status = active.runs.get(deviceId);
        if (status === undefined || !IN_FLIGHT.includes(status)) continue;
        this.deps.links.send(deviceId, active.record.status === 'cancelled' ? { t: 'job.cancel', jobId } : this.runMessage(active.record));
      }
      for (const [jobId, active] of this.active) if (active.runs.get(deviceId) === 'pending') await this.pump(jobId);
    });
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
        if (!(await store.patchRun(message.jobId, deviceId, { status: 'running', started_at: message.startedAt }, ['pending', 'dispatched']))) return;
        active.runs.set(deviceId, 'running');
        this.meter.jobRuns('running');
        await this.emitRun(message.jobId, deviceId);
        this.emitJob((await this.view(message.jobId))!);
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
          await this.emitRun(message.jobId, deviceId);
          if (active) {
            await this.pump(message.jobId);
            await this.settle(message.jobId);
          } else {
            await this.lateResult(message.jobId);
          }
          const job = await this.view(message.jobId);
          if (job) this.emitJob(job);
        }
        this.deps.links.send(deviceId, { t: 'job.ack', jobId: message.jobId });
        return;
      }
    }
  }

  /** Dispatches pending runs to online devices while the job has room. */
  private async pump(jobId: string): Promise<void> {
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
    // Then in the store, only from pending: a run the store no longer has pending (claimed by
    // another controller node sharing the database, or settled meanwhile) is not sent from here.
    const claimed = await Promise.all(chosen.map((d) => this.deps.store.patchRun(jobId, d, { status: 'dispatched', dispatched_at: now }, ['pending'])));
    const sent = chosen.filter((_, i) => claimed[i]);
    for (const deviceId of chosen.filter((_, i) => !claimed[i])) {
      const run = await this.deps.store.run(jobId, deviceId);
      if (run) active.runs.set(deviceId, run.status);
    }
    const message = this.runMessage(active.record);
    for (const deviceId of sent) {
      // Went offline meanwhile: it stays dispatched and is sent again on reconnect.
      this.deps.links.send(deviceId, message);
    }
    await Promise.all(sent.map((d) => this.emitRun(jobId, d)));
  }

  /** Expires jobs past their time: pending runs, and in-flight runs on devices that are offline. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [jobId, active] of this.active) {
      if (now < active.record.expiresAt) continue;
      const expired = await this.deps.store.moveRuns(jobId, ['pending'], 'expired', 'the device was not reached before the job expired');
      for (const [deviceId, status] of active.runs) {
        if (!IN_FLIGHT.includes(status) || this.deps.links.isOnline(deviceId)) continue;
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
    const counts: JobCounts = countsOf([...active.runs.values()].map((s) => [s, 1]));
    await this.deps.store.setJobStatus(jobId, status);
    active.record = { ...active.record, status };
    this.active.delete(jobId);
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

  private emitJob(job: Job): void {
    for (const l of this.listeners) l.job(job);
  }
}

/** The status a job has once every run is final (cancelled, expired or completed); its own status until then. */
function settledStatus(active: ActiveJob): JobStatus {
  if (!allFinal(active)) return active.record.status;
  if (active.record.status === 'cancelled') return 'cancelled';
  for (const status of active.runs.values()) if (status === 'expired') return 'expired';
  return 'completed';
}

function allFinal(active: ActiveJob): boolean {
  for (const status of active.runs.values()) if (!isFinal(status)) return false;
  return true;
}
