/** The fleet's REST calls: enrollment tokens, revocation, scripts, jobs and API tokens. */
import type { DeviceView } from '../../../protocol/index.js';
import { request } from '../connection/api.js';
import type {
  ApiTokenView, EnrollmentTokenView, Job, NewEnrollmentToken, NewJob, Run, Script, ScriptDraft,
} from './fleet-types.js';

const seg = encodeURIComponent;

export const fleetApi = {
  devices: () => request<{ devices: DeviceView[] }>('GET', '/api/devices'),
  revokeDevice: (deviceId: string) => request<void>('POST', `/api/devices/${seg(deviceId)}/revoke`),

  enrollmentTokens: () => request<{ tokens: EnrollmentTokenView[] }>('GET', '/api/enrollment-tokens'),
  createEnrollmentToken: (body: { group: string; expiresInHours: number; maxUses: number }) =>
    request<NewEnrollmentToken>('POST', '/api/enrollment-tokens', body),
  revokeEnrollmentToken: (id: string) => request<void>('DELETE', `/api/enrollment-tokens/${seg(id)}`),

  scripts: () => request<{ scripts: Script[] }>('GET', '/api/scripts'),
  createScript: (draft: ScriptDraft) => request<{ script: Script }>('POST', '/api/scripts', draft),
  updateScript: (id: string, draft: ScriptDraft) => request<{ script: Script }>('PUT', `/api/scripts/${seg(id)}`, draft),
  deleteScript: (id: string) => request<void>('DELETE', `/api/scripts/${seg(id)}`),

  jobs: () => request<{ jobs: Job[] }>('GET', '/api/jobs'),
  job: (id: string) => request<{ job: Job; runs: Run[] }>('GET', `/api/jobs/${seg(id)}`),
  run: (jobId: string, deviceId: string) => request<{ run: Run }>('GET', `/api/jobs/${seg(jobId)}/runs/${seg(deviceId)}`),
  createJob: (body: NewJob) => request<{ job: Job }>('POST', '/api/jobs', body),
  cancelJob: (id: string) => request<{ job: Job }>('POST', `/api/jobs/${seg(id)}/cancel`),

  apiTokens: () => request<{ tokens: ApiTokenView[] }>('GET', '/api/api-tokens'),
  createApiToken: (name: string) => request<{ id: string; token: string }>('POST', '/api/api-tokens', { name }),
  revokeApiToken: (id: string) => request<void>('DELETE', `/api/api-tokens/${seg(id)}`),
};
