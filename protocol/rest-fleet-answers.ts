/**
 * The fleet routes' answers (enrollment tokens, scripts, jobs, runs, API tokens),
 * shared like rest-answers.ts: the controller types what it sends with them, the
 * web UI and the `relais` CLI validate what they receive. Jobs, runs and scripts
 * are the contract's own schemas (jobs.ts).
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { enrollResponse, groupName } from './fleet.js';
import { id, person, text, timestamp, token } from './fields.js';
import { job, jobSummary, run, runPage, script } from './jobs.js';

const count = z.number().int().min(0);

/** Base64 of a run's whole bounded output (LIMITS.maxJobOutputBytes per stream, 4/3 of it as base64), with room to spare. */
const outputBase64 = z
  .string()
  .max(Math.ceil((2 * LIMITS.maxJobOutputBytes) / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/** A run with its output, from `GET /api/jobs/:id/runs/:deviceId`. */
export const runWithOutput = run.extend({ stdout: outputBase64, stderr: outputBase64 });
export type RunWithOutput = z.infer<typeof runWithOutput>;

export const ENROLLMENT_TOKEN_STATUSES = ['active', 'expired', 'used-up', 'revoked'] as const;
export const enrollmentTokenView = z.object({
  id,
  group: groupName,
  createdAt: timestamp,
  /** The administrator who created it. */
  createdBy: person,
  expiresAt: timestamp,
  maxUses: count,
  uses: count,
  revokedAt: timestamp.nullable(),
  status: z.enum(ENROLLMENT_TOKEN_STATUSES),
});
export type EnrollmentTokenView = z.infer<typeof enrollmentTokenView>;
export type EnrollmentTokenStatus = EnrollmentTokenView['status'];

/** A new enrollment token: the secret is only shown in this answer. */
export const newEnrollmentToken = z.object({ id, token, group: groupName, expiresAt: timestamp, maxUses: count });
export type NewEnrollmentToken = z.infer<typeof newEnrollmentToken>;

export const apiTokenView = z.object({ id, name: text(128), createdAt: timestamp, lastUsedAt: timestamp.nullable() });
export type ApiTokenView = z.infer<typeof apiTokenView>;

/** A new API token: the secret is only shown in this answer. */
export const newApiToken = z.object({ id, token, name: text(128) });
export type NewApiToken = z.infer<typeof newApiToken>;

/** The answers of the fleet routes, by route. */
export const fleetAnswers = {
  /** POST /api/enroll (public). */
  enrolled: enrollResponse,
  /** POST /api/enrollment-tokens (administrators). */
  enrollmentTokenCreated: newEnrollmentToken,
  /** GET /api/enrollment-tokens (administrators). */
  enrollmentTokens: z.object({ tokens: z.array(enrollmentTokenView).max(10_000) }),
  /** GET /api/scripts. */
  scripts: z.object({ scripts: z.array(script).max(10_000) }),
  /** POST /api/scripts, PUT /api/scripts/:id. */
  script: z.object({ script }),
  /** POST /api/jobs, POST /api/jobs/:id/cancel. */
  job: z.object({ job }),
  /** GET /api/jobs: the latest 200 (summaries: no body, no parameters), newest first. */
  jobs: z.object({ jobs: z.array(jobSummary).max(1000) }),
  /** GET /api/jobs/:id/runs: one page of a job's runs in target order, without output. */
  runPage,
  /** GET /api/jobs/:id/runs/:deviceId: one run with its output (base64). */
  run: z.object({ run: runWithOutput }),
  /** POST /api/api-tokens. */
  apiTokenCreated: newApiToken,
  /** GET /api/api-tokens (your own). */
  apiTokens: z.object({ tokens: z.array(apiTokenView).max(10_000) }),
};
