/**
 * The web app's view of the fleet's REST answers and requests. Scripts, jobs and
 * runs come from the protocol (protocol/jobs.ts), and so do the REST answers'
 * shapes (protocol/rest-fleet-answers.ts).
 */
import type { Script } from '../../../protocol/index.js';

export { INTERPRETERS, type Job, type JobCounts, type JobSummary, type Run, type RunListItem, type RunStatus, type Script, type JobStream as OutputStream } from '../../../protocol/index.js';

export interface ScriptParameter {
  name: string;
  description: string;
  default?: string;
}

/** What the editor sends to create or change a script. */
export type ScriptDraft = Omit<Script, 'id' | 'builtIn' | 'createdAt' | 'updatedAt'>;

/** Where a job runs: chosen devices, everything with a tag, or a group. */
export type JobTarget = { deviceIds: string[] } | { tag: string } | { group: string };

export interface NewJob {
  scriptId: string;
  target: JobTarget;
  params: Record<string, string>;
  concurrency: number;
  timeoutSeconds: number;
  expiresInMinutes: number;
}

export type { ApiTokenView, EnrollmentTokenStatus, EnrollmentTokenView, NewEnrollmentToken } from '../../../protocol/index.js';
