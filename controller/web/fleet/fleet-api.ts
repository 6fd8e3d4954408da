/** The fleet's REST calls: enrollment tokens, revocation, scripts, jobs and API tokens, each answer checked against its schema. */
import { fleetAnswers as F } from '../../../protocol/index.js';
import { request, send } from '../connection/api.js';
import type { NewJob, ScriptDraft } from './fleet-types.js';

const seg = encodeURIComponent;

export const fleetApi = {
  revokeDevice: (deviceId: string) => send('POST', `/api/devices/${seg(deviceId)}/revoke`),

  enrollmentTokens: () => request('GET', '/api/enrollment-tokens', F.enrollmentTokens),
  createEnrollmentToken: (body: { group: string; expiresInHours: number; maxUses: number }) =>
    request('POST', '/api/enrollment-tokens', F.enrollmentTokenCreated, body),
  revokeEnrollmentToken: (id: string) => send('DELETE', `/api/enrollment-tokens/${seg(id)}`),

  scripts: () => request('GET', '/api/scripts', F.scripts),
  createScript: (draft: ScriptDraft) => request('POST', '/api/scripts', F.script, draft),
  updateScript: (id: string, draft: ScriptDraft) => request('PUT', `/api/scripts/${seg(id)}`, F.script, draft),
  deleteScript: (id: string) => send('DELETE', `/api/scripts/${seg(id)}`),

  jobs: () => request('GET', '/api/jobs', F.jobs),
  job: (id: string) => request('GET', `/api/jobs/${seg(id)}`, F.job),
  /** One page of a job's runs in target order; `status` keeps only those (comma-separated). */
  runs: (id: string, page: { cursor?: string | null; limit?: number; status?: string }) =>
    request('GET', `/api/jobs/${seg(id)}/runs?limit=${page.limit ?? 100}${page.cursor ? `&cursor=${seg(page.cursor)}` : ''}${page.status ? `&status=${seg(page.status)}` : ''}`, F.runPage),
  run: (jobId: string, deviceId: string) => request('GET', `/api/jobs/${seg(jobId)}/runs/${seg(deviceId)}`, F.run),
  createJob: (body: NewJob) => request('POST', '/api/jobs', F.job, body),
  cancelJob: (id: string) => request('POST', `/api/jobs/${seg(id)}/cancel`, F.job),

  apiTokens: () => request('GET', '/api/api-tokens', F.apiTokens),
  createApiToken: (name: string) => request('POST', '/api/api-tokens', F.apiTokenCreated, { name }),
  revokeApiToken: (id: string) => send('DELETE', `/api/api-tokens/${seg(id)}`),
};
