/**
 * The three writes a running job makes per device, each as one PostgreSQL statement for
 * a whole batch (write-batcher.ts): a run started, an output message, a final result.
 * Each keeps the condition of its single-row form (SQLite's path, job-store.ts): a run
 * starts only from pending or dispatched, a result lands only on an open run, output only
 * under the byte bound and once per sequence number. Each answers the keys it changed.
 */
import { sql } from 'kysely';
import { LIMITS, type JobResultMessage, type JobStream } from '../../../protocol/index.js';
import type { Db } from '../store/database.js';

export interface StartedWrite { readonly jobId: string; readonly deviceId: string; readonly startedAt: number }
export interface OutputWrite { readonly jobId: string; readonly deviceId: string; readonly stream: JobStream; readonly seq: number; readonly data: Buffer }
export interface ResultWrite { readonly jobId: string; readonly deviceId: string; readonly result: JobResultMessage }

export const runKey = (w: { jobId: string; deviceId: string }): string => `${w.jobId}\u0000${w.deviceId}`;
export const streamKey = (w: OutputWrite): string => `${w.jobId}\u0000${w.deviceId}\u0000${w.stream}`;

/** Runs open to a final result (a late result may replace `expired`). */
const OPEN_TO_RESULT = ['pending', 'dispatched', 'running', 'expired'];
const OPEN_TO_START = ['pending', 'dispatched'];

const keysOf = (rows: ReadonlyArray<{ job_id: string; device_id: string }>) => new Set(rows.map((r) => runKey({ jobId: r.job_id, deviceId: r.device_id })));

export async function writeStarted(db: Db, batch: readonly StartedWrite[]): Promise<ReadonlySet<string>> {
  const values = sql.join(batch.map((w) => sql`(CAST(${w.jobId} AS text), CAST(${w.deviceId} AS text), CAST(${w.startedAt} AS bigint))`));
  const { rows } = await sql<{ job_id: string; device_id: string }>`
    UPDATE job_runs AS r SET status = 'running', started_at = v.started_at
    FROM (VALUES ${values}) AS v(job_id, device_id, started_at)
    WHERE r.job_id = v.job_id AND r.device_id = v.device_id AND r.status IN (${sql.join(OPEN_TO_START)})
    RETURNING r.job_id, r.device_id
  `.execute(db);
  return keysOf(rows);
}

export async function writeResults(db: Db, batch: readonly ResultWrite[]): Promise<ReadonlySet<string>> {
  const values = sql.join(batch.map(({ jobId, deviceId, result: r }) => sql`(
    CAST(${jobId} AS text), CAST(${deviceId} AS text), CAST(${r.status} AS text), CAST(${r.exitCode} AS bigint), CAST(${r.signal} AS text),
    CAST(${r.startedAt} AS bigint), CAST(${r.finishedAt} AS bigint), CAST(${r.stdoutBytes} AS bigint), CAST(${r.stderrBytes} AS bigint),
    CAST(${r.stdoutTruncated ? 1 : 0} AS bigint), CAST(${r.stderrTruncated ? 1 : 0} AS bigint), CAST(${r.reason} AS text))`));
  const { rows } = await sql<{ job_id: string; device_id: string }>`
    UPDATE job_runs AS r SET status = v.status, exit_code = v.exit_code, signal = v.signal, started_at = v.started_at,
      finished_at = v.finished_at, stdout_bytes = v.stdout_bytes, stderr_bytes = v.stderr_bytes,
      stdout_truncated = v.stdout_truncated, stderr_truncated = v.stderr_truncated, reason = v.reason
    FROM (VALUES ${values}) AS v(job_id, device_id, status, exit_code, signal, started_at, finished_at, stdout_bytes, stderr_bytes, stdout_truncated, stderr_truncated, reason)
    WHERE r.job_id = v.job_id AND r.device_id = v.device_id AND r.status IN (${sql.join(OPEN_TO_RESULT)})
    RETURNING r.job_id, r.device_id
  `.execute(db);
  return keysOf(rows);
}

export async function writeOutput(db: Db, batch: readonly OutputWrite[]): Promise<ReadonlySet<string>> {
  const values = sql.join(batch.map((w) => sql`(CAST(${w.jobId} AS text), CAST(${w.deviceId} AS text), CAST(${w.stream} AS text), CAST(${w.seq} AS bigint), CAST(${w.data} AS bytea))`));
  // One row per stream in a batch, so the bound's sum sees every byte stored before this statement.
  const { rows } = await sql<{ job_id: string; device_id: string; stream: JobStream }>`
    INSERT INTO job_output (job_id, device_id, stream, seq, data)
    SELECT v.job_id, v.device_id, v.stream, v.seq, v.data FROM (VALUES ${values}) AS v(job_id, device_id, stream, seq, data)
    WHERE (SELECT COALESCE(SUM(length(o.data)), 0) FROM job_output o WHERE o.job_id = v.job_id AND o.device_id = v.device_id AND o.stream = v.stream)
      + length(v.data) <= ${LIMITS.maxJobOutputBytes}
    ON CONFLICT DO NOTHING
    RETURNING job_id, device_id, stream
  `.execute(db);
  return new Set(rows.map((r) => `${r.job_id}\u0000${r.device_id}\u0000${r.stream}`));
}
