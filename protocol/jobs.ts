/**
 * Fleet jobs: the script library, jobs (one script on many devices), runs (one
 * device's part of a job), the wire messages between controller and agent that
 * carry them, and the console's live updates. Output is bytes, carried base64.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { deviceTag, groupName } from './fleet.js';
import { id, text, timestamp, withinJsonBytes } from './fields.js';

export const INTERPRETERS = ['sh', 'bash', 'powershell', 'cmd'] as const;
export const scriptInterpreter = z.enum(INTERPRETERS);
export type ScriptInterpreter = z.infer<typeof scriptInterpreter>;

/** A script's name: a slug that is easy to type (`relais fleet run --script flush-dns`). */
export const scriptName = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and -');
/** A parameter name: it becomes the environment variable RELAIS_PARAM_<NAME> (upper-cased). */
export const paramName = z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and _ (not starting with a digit)');
/** A parameter value: any text without NUL (environment variables cannot hold it), bounded in JSON bytes. */
export const paramValue = withinJsonBytes(z.string().max(LIMITS.maxJobParamBytes).regex(/^[^\u0000]*$/, 'must not contain NUL'), LIMITS.maxJobParamBytes);
const utf8 = new TextEncoder();
/** A job's parameters, bounded as a whole so that job.run (body and parameters) always fits one message. */
export const jobParams = z
  .record(paramName, paramValue)
  .refine((p) => Object.keys(p).length <= LIMITS.maxJobParams, `at most ${LIMITS.maxJobParams} parameters`)
  .refine((p) => utf8.encode(JSON.stringify(p)).byteLength <= LIMITS.maxJobParamsBytes, {
    message: `must be at most ${LIMITS.maxJobParamsBytes} bytes together`,
    params: { maxJsonBytes: LIMITS.maxJobParamsBytes },
  });
/** A script body: any text up to the limit in JSON bytes (it is run, never parsed by Relais, and travels in one job.run). */
export const scriptBody = withinJsonBytes(z.string().min(1).max(LIMITS.maxScriptBodyBytes).regex(/^[^\u0000]*$/, 'must not contain NUL'), LIMITS.maxScriptBodyBytes);
export const jobTimeoutSeconds = z.number().int().min(1).max(LIMITS.maxJobTimeoutSeconds);
/** Bytes as base64 (standard alphabet, padded). */
export const base64 = z.string().max(Math.ceil(LIMITS.maxJobOutputChunkBytes / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const scriptParameter = z.object({ name: paramName, description: text(512), default: paramValue.optional() });

export const script = z.object({
  id,
  name: scriptName,
  title: text(128),
  description: text(4096),
  interpreter: scriptInterpreter,
  body: scriptBody,
  parameters: z.array(scriptParameter).max(LIMITS.maxJobParams),
  timeoutSeconds: jobTimeoutSeconds,
  builtIn: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Script = z.infer<typeof script>;

/** `POST /api/scripts` and `PUT /api/scripts/:id` (PUT takes the same fields). */
export const scriptInput = z.object({
  name: scriptName,
  title: text(128).min(1),
  description: text(4096).default(''),
  interpreter: scriptInterpreter,
  body: scriptBody,
  parameters: z.array(scriptParameter).max(LIMITS.maxJobParams).default([]),
  timeoutSeconds: jobTimeoutSeconds.default(300),
});
export type ScriptInput = z.input<typeof scriptInput>;

export const JOB_STATUSES = ['running', 'completed', 'cancelled', 'expired'] as const;
export const jobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatus>;

export const RUN_STATUSES = ['pending', 'dispatched', 'running', 'succeeded', 'failed', 'timed-out', 'refused', 'cancelled', 'expired', 'error'] as const;
export const runStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof runStatus>;
/** A run in one of these states is over: nothing changes it any more (a late result may still replace `expired`). */
export const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'timed-out', 'refused', 'cancelled', 'expired', 'error']);
/** What an agent may report in job.result. */
export const resultStatus = z.enum(['succeeded', 'failed', 'timed-out', 'refused', 'cancelled', 'error']);
export type ResultStatus = z.infer<typeof resultStatus>;

export const jobTarget = z
  .object({ deviceIds: z.array(id).min(1).max(LIMITS.maxJobDevices).optional(), tag: deviceTag.optional(), group: groupName.optional() })
  .refine((t) => t.deviceIds !== undefined || t.tag !== undefined || t.group !== undefined, 'name devices, a tag or a group');
export type JobTarget = z.infer<typeof jobTarget>;

/** A target as jobs show it: how many devices were named by id (never the list, which grows with the fleet), a tag, a group. */
export const jobTargetSummary = z.object({
  deviceCount: z.number().int().min(1).max(LIMITS.maxJobDevices).optional(),
  tag: deviceTag.optional(),
  group: groupName.optional(),
});
export type JobTargetSummary = z.infer<typeof jobTargetSummary>;

export function summarizeTarget(target: JobTarget): JobTargetSummary {
  return {
    ...(target.deviceIds ? { deviceCount: new Set(target.deviceIds).size } : {}),
    ...(target.tag !== undefined ? { tag: target.tag } : {}),
    ...(target.group !== undefined ? { group: target.group } : {}),
  };
}

/** Per-job counts of runs. `running` counts dispatched runs too (in flight); `failed` counts `error`. */
export const jobCounts = z.object({
  pending: z.number().int().min(0),
  running: z.number().int().min(0),
  succeeded: z.number().int().min(0),
  failed: z.number().int().min(0),
  refused: z.number().int().min(0),
  timedOut: z.number().int().min(0),
  cancelled: z.number().int().min(0),
  expired: z.number().int().min(0),
});
export type JobCounts = z.infer<typeof jobCounts>;

/** Runs of a job that ended without success: failed (or error), timed out, refused by the device's policy. */
export function unsuccessfulRuns(counts: JobCounts): number {
  return counts.failed + counts.timedOut + counts.refused;
}

/**
 * How a job reads at a glance: `completed` only when every device that finished succeeded;
 * a completed job with failed, timed-out or refused devices is `completed-with-failures`.
 */
export type JobOutcome = JobStatus | 'completed-with-failures';
export function jobOutcome(job: { status: JobStatus; counts: JobCounts }): JobOutcome {
  return job.status === 'completed' && unsuccessfulRuns(job.counts) > 0 ? 'completed-with-failures' : job.status;
}

export const job = z.object({
  id,
  scriptId: id,
  scriptName,
  body: scriptBody,
  interpreter: scriptInterpreter,
  params: jobParams,
  target: jobTargetSummary,
  /** Devices the job runs on; their runs are paged: GET /api/jobs/:id/runs. */
  deviceCount: z.number().int().min(0).max(LIMITS.maxJobDevices),
  concurrency: z.number().int().min(1).max(LIMITS.maxJobConcurrency),
  timeoutSeconds: jobTimeoutSeconds,
  expiresAt: timestamp,
  createdBy: text(64),
  createdAt: timestamp,
  status: jobStatus,
  counts: jobCounts,
});
export type Job = z.infer<typeof job>;

/** One device's part of a job. stdout/stderr (base64) only where a route says so. */
export const run = z.object({
  jobId: id,
  deviceId: id,
  status: runStatus,
  exitCode: z.number().int().nullable(),
  signal: text(32).nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  durationMs: z.number().int().min(0).nullable(),
  stdoutBytes: z.number().int().min(0),
  stderrBytes: z.number().int().min(0),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  reason: text(512).nullable(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
});
export type Run = z.infer<typeof run>;

/** A job without its body and parameters: what job.update and the job list carry. */
export const jobSummary = job.omit({ body: true, params: true });
export type JobSummary = z.infer<typeof jobSummary>;

export function jobSummaryOf(job: Job): JobSummary {
  const { body: _body, params: _params, ...summary } = job;
  return summary;
}

/** A run as one page of GET /api/jobs/:id/runs lists it: with the device's name, for the table. */
export const runListItem = run.omit({ stdout: true, stderr: true }).extend({ deviceName: text(128).nullable(), hostname: text(255).nullable() });
export type RunListItem = z.infer<typeof runListItem>;

/** `GET /api/jobs/:id/runs?cursor=&limit=&status=a,b`: runs in target order. */
export const runQuery = z
  .object({
    cursor: z.string().min(1).max(32).regex(/^\d+$/, 'must be a cursor from a previous page').optional(),
    limit: z.coerce.number().int().min(1).max(LIMITS.maxRunPage).default(100),
    status: z
      .string()
      .max(200)
      .transform((s, ctx) => {
        const parsed = z.array(runStatus).min(1).safeParse(s.split(','));
        if (!parsed.success) ctx.addIssue({ code: 'custom', message: `must be run statuses separated by commas (${RUN_STATUSES.join(', ')})` });
        return parsed.success ? parsed.data : [];
      })
      .optional(),
  })
  .strict();
export type RunQuery = z.output<typeof runQuery>;

export const runPage = z.object({ runs: z.array(runListItem).max(LIMITS.maxRunPage), nextCursor: z.string().max(32).nullable() });
export type RunPage = z.infer<typeof runPage>;

/** `POST /api/jobs`. */
export const createJobRequest = z
  .object({
    scriptId: id.optional(),
    scriptName: scriptName.optional(),
    target: jobTarget,
    params: jobParams.default({}),
    concurrency: z.number().int().min(1).max(LIMITS.maxJobConcurrency).default(10),
    timeoutSeconds: jobTimeoutSeconds.optional(),
    // Fractions allowed (0.5 = 30 s); a week at most.
    expiresInMinutes: z.number().min(1 / 60).max(7 * 24 * 60).default(60),
  })
  .refine((b) => (b.scriptId === undefined) !== (b.scriptName === undefined), 'give scriptId or scriptName (one of them)');
export type CreateJobRequest = z.input<typeof createJobRequest>;

export const apiTokenRequest = z.object({ name: text(128).min(1) });

// ---- wire: controller → agent ---------------------------------------------

export const jobRunMessage = z.object({
  t: z.literal('job.run'),
  jobId: id,
  script: z.object({ name: scriptName, interpreter: scriptInterpreter, body: scriptBody, timeoutSeconds: jobTimeoutSeconds }),
  params: jobParams,
  expiresAt: timestamp,
});
export type JobRunMessage = z.infer<typeof jobRunMessage>;
export const jobCancelMessage = z.object({ t: z.literal('job.cancel'), jobId: id });
/** The controller stored the final result durably: the agent may forget the output. */
export const jobAckMessage = z.object({ t: z.literal('job.ack'), jobId: id });

// ---- wire: agent → controller ---------------------------------------------

export const jobStream = z.enum(['stdout', 'stderr']);
export type JobStream = z.infer<typeof jobStream>;

export const jobStartedMessage = z.object({ t: z.literal('job.started'), jobId: id, startedAt: timestamp });
export const jobOutputMessage = z.object({
  t: z.literal('job.output'),
  jobId: id,
  stream: jobStream,
  /** Per job, from 0, across both streams: the controller stores (job, device, stream, seq) once. */
  seq: z.number().int().min(0).max(1_000_000),
  data: base64,
});
export type JobOutputMessage = z.infer<typeof jobOutputMessage>;
export const jobResultMessage = z.object({
  t: z.literal('job.result'),
  jobId: id,
  status: resultStatus,
  exitCode: z.number().int().nullable(),
  signal: text(32).nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp,
  stdoutBytes: z.number().int().min(0),
  stderrBytes: z.number().int().min(0),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  /** The last output seq sent for this job, -1 when there was none. */
  lastSeq: z.number().int().min(-1).max(1_000_000),
  reason: text(512).nullable(),
});
export type JobResultMessage = z.infer<typeof jobResultMessage>;

// ---- console ------------------------------------------------------------

export const jobWatchMessage = z.object({ t: z.literal('job.watch'), jobId: id });
export const jobUnwatchMessage = z.object({ t: z.literal('job.unwatch'), jobId: id });
export const jobUpdateMessage = z.object({ t: z.literal('job.update'), job: jobSummary });
/** A run's state, never its output (that is `run.output`, or REST): the message stays small whatever the run printed. */
export const runUpdateMessage = z.object({ t: z.literal('run.update'), jobId: id, run: run.omit({ stdout: true, stderr: true }) });
export const runOutputMessage = z.object({ t: z.literal('run.output'), jobId: id, deviceId: id, stream: jobStream, data: base64 });

/** The environment variable a parameter reaches the script as. */
export function paramEnvName(name: string): string {
  return `RELAIS_PARAM_${name.toUpperCase()}`;
}
