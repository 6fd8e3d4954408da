/**
 * The web app's view of the fleet's REST answers and requests. Scripts, jobs and
 * runs come from the protocol (protocol/jobs.ts); enrollment and API tokens are
 * REST-only shapes, described in the README's table.
 */
import type { Script } from '../../../protocol/index.js';

export { INTERPRETERS, type Job, type JobCounts, type Run, type RunStatus, type Script, type JobStream as OutputStream } from '../../../protocol/index.js';

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

export type EnrollmentTokenStatus = 'active' | 'expired' | 'used-up' | 'revoked';

export interface EnrollmentTokenView {
  id: string;
  group: string;
  createdAt: number;
  /** Who created it: a username, or the person. */
  createdBy: string | { username?: string; name?: string } | null;
  expiresAt: number;
  maxUses: number;
  uses: number;
  revokedAt: number | null;
  status: EnrollmentTokenStatus;
}

export interface NewEnrollmentToken {
  id: string;
  token: string;
  group: string;
  expiresAt: number;
  maxUses: number;
}

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt?: number;
  createdBy?: string | null;
  lastUsedAt?: number | null;
}
