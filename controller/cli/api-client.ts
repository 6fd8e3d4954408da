/**
 * The controller's REST API as the CLI uses it: every request has a deadline
 * (connect, headers and body), every answer is size-bounded and validated
 * against the contract's schema for its route (protocol/rest-answers.ts, the same the
 * controller types its answers with and the web UI checks), and every way it can
 * go wrong becomes a CliError with the right exit status. The
 * token travels only in the Authorization header and is never part of a message.
 */
import type { z } from 'zod';
import { fleetAnswers, formatNumber, formatSize, restAnswers, type Job, type JobSummary, type RunListItem, type RunWithOutput } from '../../protocol/index.js';
import { CliError } from './cli-errors.js';
import { cliLanguage, say } from './cli-language.js';

/** Larger answers are refused: a job's runs without output stay far below this. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export interface ApiOptions {
  /** The controller's origin, e.g. http://127.0.0.1:8080. */
  readonly controller: string;
  readonly token: string;
  /** Deadline for one request, answer included. */
  readonly timeoutMs: number;
}

export interface NewJob {
  scriptName: string;
  target: { deviceIds?: string[]; tag?: string; group?: string };
  params: Record<string, string>;
  concurrency?: number;
  timeoutSeconds?: number;
}

/** The controller's REST API with an API token: one checked request at a time (see the module's comment). */
export class RestClient {
  constructor(private readonly options: ApiOptions) {}

  protected async request<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    const { status, text } = await this.send(method, path, body);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw CliError.of('CLI_ERR_BAD_ANSWER', say('answerNotJson', { method, path, status: String(status) }));
    }
    if (status < 200 || status > 299) {
      const refusal = restAnswers.error.safeParse(value);
      if (!refusal.success) throw CliError.of('CLI_ERR_BAD_ANSWER', say('answerNotRelaisError', { method, path, status: String(status) }));
      throw CliError.fromController(status, refusal.data.error.code, refusal.data.error.message);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : say('theAnswer');
      throw CliError.of('CLI_ERR_BAD_ANSWER', say('answerInvalid', { method, path, where, problem: issue?.message ?? say('isInvalid') }));
    }
    return parsed.data;
  }

  /** One HTTP exchange under one deadline; the body is read with a size bound. */
  private async send(method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`, accept: 'application/json', origin: this.options.controller, 'accept-language': cliLanguage(),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(this.options.controller + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        // A redirect could carry the token elsewhere: a controller answers directly or not at all.
        redirect: 'manual',
      });
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        throw CliError.of('CLI_ERR_BAD_ANSWER', say('answerRedirect', { method, path, status: String(res.status) }));
      }
      return { status: res.status, text: await readBounded(res, `${method} ${path}`) };
    } catch (err) {
      if (err instanceof CliError) throw err;
      if (signal.aborted) throw CliError.of('CLI_ERR_TIMEOUT', say('noAnswerWithin', { method, path, seconds: formatNumber(this.options.timeoutMs / 1000, cliLanguage()) }));
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw CliError.of('CLI_ERR_UNREACHABLE', say('address', { controller: this.options.controller, hasCause: cause ? 'yes' : 'no', cause: cause ?? '' }));
    }
  }
}

/** The jobs API. */
export class FleetApi extends RestClient {
  /** Starts a job; resolves with it as the controller stored it. */
  async createJob(body: NewJob): Promise<Job> {
    return (await this.request('POST', '/api/jobs', fleetAnswers.job, body)).job;
  }

  async listJobs(): Promise<JobSummary[]> {
    return (await this.request('GET', '/api/jobs', fleetAnswers.jobs)).jobs;
  }

  /** A job with its counts. */
  async job(jobId: string): Promise<Job> {
    return (await this.request('GET', `/api/jobs/${encodeURIComponent(jobId)}`, fleetAnswers.job)).job;
  }

  /** Every run of a job (without output), page after page, in target order. */
  async runs(jobId: string): Promise<RunListItem[]> {
    const runs: RunListItem[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=500' : `?limit=500&cursor=${encodeURIComponent(cursor)}`;
      const page = await this.request('GET', `/api/jobs/${encodeURIComponent(jobId)}/runs${query}`, fleetAnswers.runPage);
      runs.push(...page.runs);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return runs;
  }

  /** One device's run with its output (base64). */
  async run(jobId: string, deviceId: string): Promise<RunWithOutput> {
    return (await this.request('GET', `/api/jobs/${encodeURIComponent(jobId)}/runs/${encodeURIComponent(deviceId)}`, fleetAnswers.run)).run;
  }

  async cancel(jobId: string): Promise<Job> {
    return (await this.request('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`, fleetAnswers.job)).job;
  }
}

async function readBounded(res: Response, what: string): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) throw CliError.of('CLI_ERR_BAD_ANSWER', say('answerTooLarge', { what, size: formatSize(MAX_ANSWER_BYTES, cliLanguage()) }));
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
