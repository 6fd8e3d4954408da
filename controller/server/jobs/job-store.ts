/**
 * Jobs, runs and run output in the store. Output rows are keyed by (job, device,
 * stream, seq) and inserted with ON CONFLICT DO NOTHING under the byte bound, so an
 * agent replaying its output after a reconnect never duplicates a byte.
 */
import { sql } from 'kysely';
import {
  LIMITS, FINAL_RUN_STATUSES, jobParams, jobTarget, summarizeTarget, type Job, type JobCounts, type JobResultMessage, type JobStatus, type JobStream,
  type JobTarget, type Run, type RunPage, type RunQuery, type RunStatus,
} from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import { engineOf, forUpdate } from '../store/dialect.js';
import type { Selectable } from 'kysely';
import type { JobRunsTable, JobsTable } from '../store/schema.js';
import { runKey, streamKey, writeOutput, writeResults, writeStarted, type OutputWrite, type ResultWrite, type StartedWrite } from './run-writes-postgres.js';
import { WriteBatcher } from './write-batcher.js';

/** A job as stored: what GET /api/jobs/:id shows, less the counts. */
export type JobRecord = Omit<Job, 'counts'>;
/** A job to create: its whole target and the devices it resolved to, in dispatch order. */
export type NewJob = Omit<JobRecord, 'target' | 'deviceCount'> & { readonly target: JobTarget; readonly deviceIds: readonly string[] };

export interface RunPatch {
  status?: RunStatus;
  dispatched_at?: number | null;
  started_at?: number | null;
  reason?: string | null;
  finished_at?: number | null;
}

export class JobStore {
  /** PostgreSQL only: the writes a running job makes per device, a batch per statement (SQLite writes in-process, one row at a time). */
  private readonly batched: { started: WriteBatcher<StartedWrite>; output: WriteBatcher<OutputWrite>; results: WriteBatcher<ResultWrite> } | null;

  constructor(private readonly db: Db) {
    this.batched = engineOf(db) === 'postgres'
      ? {
          started: new WriteBatcher<StartedWrite>(runKey, (batch) => writeStarted(db, batch)),
          output: new WriteBatcher<OutputWrite>(streamKey, (batch) => writeOutput(db, batch)),
          results: new WriteBatcher<ResultWrite>(runKey, (batch) => writeResults(db, batch)),
        }
      : null;
  }

  /** Stores a new job and one pending run per device, in one transaction. */
  async create(job: NewJob): Promise<JobRecord> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('jobs').values(toRow(job)).execute();
      const runs = job.deviceIds.map((deviceId, position) => ({ job_id: job.id, device_id: deviceId, position, status: 'pending' as const, exit_code: null, signal: null, dispatched_at: null, started_at: null, finished_at: null, reason: null }));
      // SQLite caps bound variables per statement: insert in slices.
      for (let i = 0; i < runs.length; i += 500) await tx.insertInto('job_runs').values(runs.slice(i, i + 500)).execute();
    });
    const { deviceIds, target, ...rest } = job;
    return { ...rest, target: summarizeTarget(target), deviceCount: deviceIds.length };
  }

  private selectJobs() {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .select((eb) => eb.selectFrom('job_runs').select(eb.fn.countAll<number>().as('n')).whereRef('job_runs.job_id', '=', 'jobs.id').as('device_count'));
  }

  async job(id: string): Promise<JobRecord | null> {
    const row = await this.selectJobs().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Jobs newest first. */
  async list(limit = 200): Promise<JobRecord[]> {
    return (await this.selectJobs().orderBy('created_at', 'desc').limit(limit).execute()).map(toRecord);
  }

  async runningJobs(): Promise<JobRecord[]> {
    return (await this.selectJobs().where('status', '=', 'running').orderBy('created_at').execute()).map(toRecord);
  }

  /** One page of a job's runs in target order (keyset on the position), with each device's name. */
  async runPage(jobId: string, query: RunQuery): Promise<RunPage> {
    let q = this.db
      .selectFrom('job_runs')
      .leftJoin('devices', 'devices.id', 'job_runs.device_id')
      .selectAll('job_runs')
      .select(['devices.name as device_name', 'devices.hostname as device_hostname'])
      .where('job_runs.job_id', '=', jobId);
    if (query.status && query.status.length > 0) q = q.where('job_runs.status', 'in', query.status);
    if (query.cursor !== undefined) q = q.where('job_runs.position', '>', Number(query.cursor));
    const rows = await q.orderBy('job_runs.position').limit(query.limit + 1).execute();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      runs: page.map((r) => ({ ...toRun(r), deviceName: r.device_name, hostname: r.device_hostname })),
      nextCursor: rows.length > query.limit && last ? String(last.position) : null,
    };
  }

  async counts(jobId: string): Promise<JobCounts> {
    const rows = await this.db.selectFrom('job_runs').select(['status', sql<number>`count(*)`.as('n')]).where('job_id', '=', jobId).groupBy('status').execute();
    return countsOf(rows.map((r) => [r.status, Number(r.n)]));
  }

  async runs(jobId: string): Promise<Run[]> {
    const rows = await this.db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).orderBy('position').execute();
    return rows.map(toRun);
  }

  /**
   * The device's runs in flight (dispatched or running) in every job: read from the store, so
   * a cluster node the device reconnects to re-sends them whichever node claimed them.
   */
  async inFlightRuns(deviceId: string): Promise<Array<{ jobId: string; status: RunStatus }>> {
    const rows = await this.db.selectFrom('job_runs').select(['job_id', 'status'])
      .where('device_id', '=', deviceId).where('status', 'in', ['dispatched', 'running']).execute();
    return rows.map((r) => ({ jobId: r.job_id, status: r.status }));
  }

  async run(jobId: string, deviceId: string): Promise<Run | null> {
    const row = await this.db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).where('device_id', '=', deviceId).executeTakeFirst();
    return row ? toRun(row) : null;
  }

  /** The stored bytes of one stream of a run, in order. */
  async output(jobId: string, deviceId: string, stream: JobStream): Promise<Buffer> {
    const rows = await this.db.selectFrom('job_output').select('data').where('job_id', '=', jobId).where('device_id', '=', deviceId).where('stream', '=', stream).orderBy('seq').execute();
    return Buffer.concat(rows.map((r) => Buffer.from(r.data)));
  }

  async setJobStatus(id: string, status: JobStatus): Promise<void> {
    await this.db.updateTable('jobs').set({ status }).where('id', '=', id).execute();
  }

  async patchRun(jobId: string, deviceId: string, patch: RunPatch, onlyFrom?: readonly RunStatus[]): Promise<boolean> {
    let query = this.db.updateTable('job_runs').set(patch).where('job_id', '=', jobId).where('device_id', '=', deviceId);
    if (onlyFrom) query = query.where('status', 'in', onlyFrom as RunStatus[]);
    return Number((await query.executeTakeFirst()).numUpdatedRows) > 0;
  }

  /** The agent started the run: running from pending or dispatched only; true when it moved. */
  markStarted(jobId: string, deviceId: string, startedAt: number): Promise<boolean> {
    if (this.batched) return this.batched.started.add({ jobId, deviceId, startedAt });
    return this.patchRun(jobId, deviceId, { status: 'running', started_at: startedAt }, ['pending', 'dispatched']);
  }

  /**
   * Claims pending runs of `deviceIds` (in that order) for dispatch, as many as the job's
   * concurrency leaves room for counting what is in flight on every node: under the job's
   * row lock (PostgreSQL), so two cluster nodes claiming at once neither take the same run
   * nor exceed the concurrency together. Returns the devices claimed.
   */
  async claimRuns(jobId: string, deviceIds: readonly string[], concurrency: number, now: number): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    return this.db.transaction().execute(async (tx) => {
      await forUpdate(tx, tx.selectFrom('jobs').select('id').where('id', '=', jobId)).execute();
      const inFlight = await tx.selectFrom('job_runs').select((eb) => eb.fn.countAll().as('n'))
        .where('job_id', '=', jobId).where('status', 'in', ['dispatched', 'running']).executeTakeFirst();
      const room = concurrency - Number(inFlight?.n ?? 0);
      if (room <= 0) return new Set<string>();
      const pending = new Set((await tx.selectFrom('job_runs').select('device_id')
        .where('job_id', '=', jobId).where('device_id', 'in', [...deviceIds]).where('status', '=', 'pending').execute()).map((r) => r.device_id));
      const chosen = deviceIds.filter((d) => pending.has(d)).slice(0, room);
      if (chosen.length === 0) return new Set<string>();
      await tx.updateTable('job_runs').set({ status: 'dispatched', dispatched_at: now }).where('job_id', '=', jobId).where('device_id', 'in', chosen).execute();
      return new Set(chosen);
    });
  }

  /** Moves every run of a job in one of `from` to `to`; returns the devices changed. */
  async moveRuns(jobId: string, from: readonly RunStatus[], to: RunStatus, reason: string): Promise<string[]> {
    // One statement: a run another cluster node claims meanwhile is neither moved nor reported as moved.
    const rows = await this.db.updateTable('job_runs').set({ status: to, reason, finished_at: Date.now() })
      .where('job_id', '=', jobId).where('status', 'in', from as RunStatus[]).returning('device_id').execute();
    return rows.map((r) => r.device_id);
  }

  /** Stores one output message once, and only while the stream is under the bound; true when it was new. */
  async addOutput(jobId: string, deviceId: string, stream: JobStream, seq: number, data: Buffer): Promise<boolean> {
    if (this.batched) return this.batched.output.add({ jobId, deviceId, stream, seq, data });
    const result = await sql`
      INSERT INTO job_output (job_id, device_id, stream, seq, data)
      SELECT CAST(${jobId} AS text), CAST(${deviceId} AS text), CAST(${stream} AS text), CAST(${seq} AS bigint), CAST(${data} AS blob)
      WHERE (SELECT COALESCE(SUM(length(data)), 0) FROM job_output WHERE job_id = ${jobId} AND device_id = ${deviceId} AND stream = ${stream}) + ${data.byteLength} <= ${LIMITS.maxJobOutputBytes}
      ON CONFLICT DO NOTHING
    `.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * Stores a final result unless the run already has one (a late result may replace `expired`); true when stored.
   * On PostgreSQL, results arriving while a batch is being written go together into the next one.
   */
  storeResult(jobId: string, deviceId: string, result: JobResultMessage): Promise<boolean> {
    if (this.batched) return this.batched.results.add({ jobId, deviceId, result });
    return storeOneResult(this.db, jobId, deviceId, result);
  }
}

function storeOneResult(db: Db, jobId: string, deviceId: string, result: JobResultMessage): Promise<boolean> {
  const open = ['pending', 'dispatched', 'running', 'expired'] as const;
  return db
    .updateTable('job_runs')
    .set({
      status: result.status,
      exit_code: result.exitCode,
      signal: result.signal,
      started_at: result.startedAt,
      finished_at: result.finishedAt,
      stdout_bytes: result.stdoutBytes,
      stderr_bytes: result.stderrBytes,
      stdout_truncated: result.stdoutTruncated ? 1 : 0,
      stderr_truncated: result.stderrTruncated ? 1 : 0,
      reason: result.reason,
    })
    .where('job_id', '=', jobId)
    .where('device_id', '=', deviceId)
    .where('status', 'in', [...open])
    .executeTakeFirst()
    .then((r) => Number(r.numUpdatedRows) > 0);
}

/** Counts from (status, number) pairs: dispatched counts as running, error as failed. */
export function countsOf(pairs: Iterable<[RunStatus, number]>): JobCounts {
  const counts: JobCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, refused: 0, timedOut: 0, cancelled: 0, expired: 0 };
  for (const [status, n] of pairs) {
    const key: keyof JobCounts =
      status === 'dispatched' ? 'running' : status === 'error' ? 'failed' : status === 'timed-out' ? 'timedOut' : (status as keyof JobCounts);
    counts[key] += n;
  }
  return counts;
}

export function isFinal(status: RunStatus): boolean {
  return FINAL_RUN_STATUSES.has(status);
}

function toRecord(row: JobsTable & { device_count: number | null }): JobRecord {
  return {
    id: row.id,
    scriptId: row.script_id,
    scriptName: row.script_name,
    body: row.body,
    interpreter: row.interpreter,
    params: jobParams.parse(JSON.parse(row.params_json)),
    target: summarizeTarget(jobTarget.parse(JSON.parse(row.target_json))),
    deviceCount: Number(row.device_count ?? 0),
    concurrency: row.concurrency,
    timeoutSeconds: row.timeout_seconds,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    status: row.status,
  };
}

function toRow(job: NewJob): JobsTable {
  return {
    id: job.id,
    script_id: job.scriptId,
    script_name: job.scriptName,
    body: job.body,
    interpreter: job.interpreter,
    params_json: JSON.stringify(job.params),
    target_json: JSON.stringify(job.target),
    concurrency: job.concurrency,
    timeout_seconds: job.timeoutSeconds,
    expires_at: job.expiresAt,
    created_by: job.createdBy,
    created_at: job.createdAt,
    status: job.status,
  };
}

function toRun(row: Selectable<JobRunsTable>): Run {
  return {
    jobId: row.job_id,
    deviceId: row.device_id,
    status: row.status,
    exitCode: row.exit_code,
    signal: row.signal,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.started_at !== null && row.finished_at !== null ? Math.max(0, row.finished_at - row.started_at) : null,
    stdoutBytes: row.stdout_bytes,
    stderrBytes: row.stderr_bytes,
    stdoutTruncated: row.stdout_truncated === 1,
    stderrTruncated: row.stderr_truncated === 1,
    reason: row.reason,
  };
}
