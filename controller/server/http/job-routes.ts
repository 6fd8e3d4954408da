/**
 * Scripts, jobs and API tokens (documented in the README). Mounted after the
 * session guard, so a login cookie or an API token (`Authorization: Bearer`) works.
 */
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { RelaisError, apiTokenRequest, createJobRequest, fleetAnswers, jobSummaryOf, paramEnvName, runQuery, scriptInput, type Job, type JobTarget } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { ApiTokens } from '../auth/api-tokens.js';
import { newId } from '../auth/tokens.js';
import type { ManagedDeviceRecord, ManagedDevices } from '../fleet/managed-devices.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { JobStore } from '../jobs/job-store.js';
import type { ScriptLibrary } from '../jobs/script-library.js';
import { requireAdminTo } from './guards.js';
import { answer } from './answer.js';
import { badQuery, badRequest } from './errors.js';
import { clientIp } from './origin.js';
import { scriptInLanguage } from '../store/script-words.js';
import { readerLanguage } from './server-language.js';

export interface JobDeps {
  readonly scripts: ScriptLibrary;
  readonly jobStore: JobStore;
  readonly dispatcher: Dispatcher;
  readonly apiTokens: ApiTokens;
  readonly managedDevices: ManagedDevices;
  readonly audit: AuditLog;
}

/** The enrolled, unrevoked devices a target names (all of its criteria must hold), in a stable order. */
export function resolveTarget(target: JobTarget, devices: readonly ManagedDeviceRecord[]): string[] {
  const usable = devices.filter((d) => d.revokedAt === null);
  const byId = new Map(usable.map((d) => [d.id, d]));
  const candidates = target.deviceIds ? [...new Set(target.deviceIds)].flatMap((id) => byId.get(id) ?? []) : [...usable].sort((a, b) => a.enrolledAt - b.enrolledAt);
  return candidates.filter((d) => (target.tag === undefined || d.tags.includes(target.tag)) && (target.group === undefined || d.group === target.group)).map((d) => d.id);
}

/**
 * A job from a validated request, created and audited as `actor`: the one path every job takes
 * (the Jobs page, the `relais` CLI, a knowledge-base article's "Run this fix").
 */
export async function startJob(deps: JobDeps, input: z.output<typeof createJobRequest>, actor: string, ip: string | null): Promise<Job> {
  const script = input.scriptId !== undefined ? await deps.scripts.byId(input.scriptId) : await deps.scripts.byName(input.scriptName!);
  if (!script) throw new RelaisError('SCRIPT_ERR_NOT_FOUND');
  const declared = new Map(script.parameters.map((p) => [paramEnvName(p.name), p]));
  const params: Record<string, string> = {};
  for (const p of script.parameters) if (p.default !== undefined) params[p.name] = p.default;
  for (const [name, value] of Object.entries(input.params)) {
    const parameter = declared.get(paramEnvName(name));
    if (!parameter) throw new RelaisError('HTTP_ERR_BAD_REQUEST', `The script ${script.name} has no parameter "${name}" (it has: ${script.parameters.map((p) => p.name).join(', ') || 'none'}).`);
    params[parameter.name] = value;
  }
  const deviceIds = resolveTarget(input.target, await deps.managedDevices.list());
  if (deviceIds.length === 0) throw new RelaisError('JOB_ERR_NO_DEVICES');
  const now = Date.now();
  const job = await deps.dispatcher.create({
    id: newId(),
    scriptId: script.id,
    scriptName: script.name,
    body: script.body,
    interpreter: script.interpreter,
    params,
    target: input.target,
    deviceIds,
    concurrency: input.concurrency,
    timeoutSeconds: input.timeoutSeconds ?? script.timeoutSeconds,
    expiresAt: now + Math.round(input.expiresInMinutes * 60_000),
    createdBy: actor,
    createdAt: now,
    status: 'running',
  });
  deps.audit.note({
    actor, action: 'job.created', target: job.id,
    detail: { script: script.name, target: input.target, devices: deviceIds.length, concurrency: job.concurrency, timeoutSeconds: job.timeoutSeconds, expiresAt: job.expiresAt },
    ip,
  });
  return job;
}

export function jobRoutes(deps: JobDeps): Router {
  const routes = Router();
  const actor = (req: Request) => req.account!.username;
  // Scripts run on machines that trust them: administrators write the library, technicians run it.
  const requireAdmin = requireAdminTo('change the script library');

  // ---- scripts ----
  // Built-in scripts still as shipped read in the technician's language.
  routes.get('/scripts', async (req, res) => {
    const language = readerLanguage(req);
    answer(res, fleetAnswers.scripts, { scripts: (await deps.scripts.list()).map((script) => scriptInLanguage(script, language)) });
  });

  routes.post('/scripts', requireAdmin, async (req, res) => {
    const body = scriptInput.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const script = await deps.scripts.create(body.data);
    deps.audit.note({ actor: actor(req), action: 'script.created', target: script.id, detail: { name: script.name }, ip: clientIp(req) });
    answer(res, fleetAnswers.script, { script }, 201);
  });

  routes.put('/scripts/:id', requireAdmin, async (req, res) => {
    const body = scriptInput.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const script = await deps.scripts.update(String(req.params.id), body.data);
    deps.audit.note({ actor: actor(req), action: 'script.updated', target: script.id, detail: { name: script.name }, ip: clientIp(req) });
    answer(res, fleetAnswers.script, { script });
  });

  routes.delete('/scripts/:id', requireAdmin, async (req, res) => {
    const script = await deps.scripts.remove(String(req.params.id));
    deps.audit.note({ actor: actor(req), action: 'script.deleted', target: script.id, detail: { name: script.name }, ip: clientIp(req) });
    res.status(204).end();
  });

  // ---- jobs ----
  routes.post('/jobs', async (req, res) => {
    const body = createJobRequest.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    answer(res, fleetAnswers.job, { job: await startJob(deps, body.data, actor(req), clientIp(req)) }, 201);
  });

  // Summaries (no body, no parameters) of the latest jobs: bounded whatever the scripts hold.
  routes.get('/jobs', async (_req, res) => {
    const records = await deps.jobStore.list();
    const jobs = await Promise.all(records.map(async (r) => (await deps.dispatcher.view(r.id)) ?? { ...r, counts: await deps.jobStore.counts(r.id) }));
    answer(res, fleetAnswers.jobs, { jobs: jobs.map(jobSummaryOf) });
  });

  routes.get('/jobs/:id', async (req, res) => {
    const job = await deps.dispatcher.view(String(req.params.id));
    if (!job) throw new RelaisError('JOB_ERR_NOT_FOUND');
    answer(res, fleetAnswers.job, { job });
  });

  // A job's runs, a page at a time in target order: a 10,000-device job is never one answer.
  routes.get('/jobs/:id/runs', async (req, res) => {
    const query = runQuery.safeParse(req.query);
    if (!query.success) throw badQuery(query.error);
    const job = await deps.jobStore.job(String(req.params.id));
    if (!job) throw new RelaisError('JOB_ERR_NOT_FOUND');
    answer(res, fleetAnswers.runPage, await deps.jobStore.runPage(job.id, query.data));
  });

  routes.get('/jobs/:id/runs/:deviceId', async (req, res) => {
    const jobId = String(req.params.id);
    const deviceId = String(req.params.deviceId);
    const run = await deps.jobStore.run(jobId, deviceId);
    if (!run) throw new RelaisError('JOB_ERR_NOT_FOUND', 'That device is not part of this job.');
    const [stdout, stderr] = await Promise.all([deps.jobStore.output(jobId, deviceId, 'stdout'), deps.jobStore.output(jobId, deviceId, 'stderr')]);
    answer(res, fleetAnswers.run, { run: { ...run, stdout: stdout.toString('base64'), stderr: stderr.toString('base64') } });
  });

  routes.post('/jobs/:id/cancel', async (req, res) => {
    const before = await deps.dispatcher.view(String(req.params.id));
    if (!before) throw new RelaisError('JOB_ERR_NOT_FOUND');
    const job = await deps.dispatcher.cancel(before.id);
    if (!job) throw new RelaisError('JOB_ERR_NOT_FOUND');
    if (before.status === 'running') deps.audit.note({ actor: actor(req), action: 'job.cancelled', target: before.id, detail: { script: before.scriptName }, ip: clientIp(req) });
    answer(res, fleetAnswers.job, { job });
  });

  // ---- API tokens (each account manages its own) ----
  routes.post('/api-tokens', async (req, res) => {
    const body = apiTokenRequest.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const issued = await deps.apiTokens.issue(req.account!, body.data.name);
    deps.audit.note({ actor: actor(req), action: 'api-token.created', target: issued.id, detail: { name: body.data.name }, ip: clientIp(req) });
    answer(res, fleetAnswers.apiTokenCreated, { id: issued.id, token: issued.token, name: body.data.name }, 201);
  });

  routes.get('/api-tokens', async (req, res) => answer(res, fleetAnswers.apiTokens, { tokens: await deps.apiTokens.list(req.account!) }));

  routes.delete('/api-tokens/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!(await deps.apiTokens.remove(req.account!, id))) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such API token.');
    deps.audit.note({ actor: actor(req), action: 'api-token.deleted', target: id, ip: clientIp(req) });
    res.status(204).end();
  });

  return routes;
}
