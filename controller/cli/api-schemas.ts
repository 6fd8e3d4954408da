/**
 * The shapes of the controller's answers. Jobs and runs are the contract's own
 * schemas (protocol/jobs.ts), so the CLI and the controller cannot drift apart;
 * here are only the envelopes of each route. Every answer is checked against
 * these before the CLI uses it: a controller that lies or sends garbage is
 * reported, never trusted.
 */
import { z } from 'zod';
import { LIMITS, deviceName as deviceNameField, id, job, run, text } from '../../protocol/index.js';

export { FINAL_RUN_STATUSES } from '../../protocol/index.js';
export type { Job, JobCounts, Run, RunStatus } from '../../protocol/index.js';

/** Base64 of a run's whole bounded output (1 MiB per stream, 4/3 of it as base64). */
const outputBase64 = z.string().max(Math.ceil((2 * 1024 * 1024) / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/** A run with its output, from `GET /api/jobs/:id/runs/:deviceId`. */
export const runWithOutput = run.extend({ stdout: outputBase64, stderr: outputBase64 });
export type RunWithOutput = z.infer<typeof runWithOutput>;

/** A device as `GET /api/devices` lists it; only what names it in a table. */
const namedDevice = z.object({ id, hostname: text(255), name: deviceNameField.optional() });

export const answers = {
  created: z.object({ job }),
  jobs: z.object({ jobs: z.array(job).max(10_000) }),
  jobWithRuns: z.object({ job, runs: z.array(run).max(LIMITS.maxJobDevices) }),
  run: z.object({ run: runWithOutput }),
  devices: z.object({ devices: z.array(namedDevice).max(100_000) }),
  /** Every refusal: `{"error": {"code", "message"}}`. */
  error: z.object({ error: z.object({ code: text(64), message: text(1024) }) }),
};
