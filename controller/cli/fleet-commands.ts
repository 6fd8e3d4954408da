/** The four fleet commands; each returns the process's exit status. */
import { FleetApi } from './api-client.js';
import type { Command } from './args.js';
import type { Job, RunListItem } from '../../protocol/index.js';
import { CliError, EXIT } from './cli-errors.js';
import { exitStatusFor, jsonReport, runsWithOutput, textReport } from './job-report.js';
import { plainLine } from '../../protocol/index.js';
import { ProgressBar } from './progress-bar.js';
import { say } from './cli-language.js';
import { jobsTable } from './summary-table.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The progress bar's terminal (stderr), when it is one. */
  readonly progressTty: { write(text: string): unknown; columns?: number } | null;
  /** Registers what to do on Ctrl-C while a job is being watched; returns an unregister function. */
  onInterrupt(handler: () => void): () => void;
  /** Standard input as UTF-8 text, at most `maxBytes` (beyond: cut there). */
  readStdin(maxBytes: number): Promise<string>;
}

const POLL_MS = 300;
/** Failed polls in a row (unreachable, timed out) tolerated before giving up: a controller may restart. */
const POLL_RETRIES = 3;

type FleetCommand = Extract<Command, { kind: 'run' | 'job' | 'jobs' | 'cancel' }>;

/** Runs one parsed command. */
export async function runFleetCommand(command: FleetCommand, io: CliIo): Promise<number> {
  const api = new FleetApi({ controller: command.controller, token: command.token, timeoutMs: command.requestTimeoutMs });
  switch (command.kind) {
    case 'run': {
      const job = await api.createJob({
        scriptName: command.scriptName,
        target: command.target,
        params: command.params,
        ...(command.concurrency !== undefined ? { concurrency: command.concurrency } : {}),
        ...(command.timeoutSeconds !== undefined ? { timeoutSeconds: command.timeoutSeconds } : {}),
      });
      if (!command.json) io.err(`${say('jobStarted', { id: job.id, script: plainLine(job.scriptName, 64), count: job.deviceCount })}\n`);
      const final = await watch(api, job, io);
      return report(api, final, await api.runs(final.id), command.json, io);
    }
    case 'job': {
      const job = await api.job(command.jobId);
      return report(api, job, await api.runs(job.id), command.json, io);
    }
    case 'jobs': {
      const jobs = await api.listJobs();
      io.out(command.json ? `${JSON.stringify({ jobs }, null, 2)}\n` : jobs.length === 0 ? `${say('noJobs')}\n` : `${jobsTable(jobs)}\n`);
      return EXIT.ok;
    }
    case 'cancel': {
      const job = await api.cancel(command.jobId);
      io.out(command.json ? `${JSON.stringify({ job }, null, 2)}\n` : `${say('jobCancelled', { id: job.id, status: say('jobStatus', { status: job.status }) })}\n`);
      return EXIT.ok;
    }
  }
}

async function report(api: FleetApi, job: Job, runs: RunListItem[], json: boolean, io: CliIo): Promise<number> {
  const detailed = await runsWithOutput(api, job.id, runs);
  const names = new Map(runs.flatMap((r) => (r.deviceName ?? r.hostname ? [[r.deviceId, (r.deviceName ?? r.hostname)!] as const] : [])));
  io.out(json ? jsonReport(job, detailed) : textReport(job, detailed, names));
  return exitStatusFor(detailed);
}

/** Polls the job (its counts, never its runs) until it is over, drawing the progress bar on a terminal. */
async function watch(api: FleetApi, created: Job, io: CliIo): Promise<Job> {
  const bar = io.progressTty ? new ProgressBar(io.progressTty) : null;
  const stopListening = io.onInterrupt(() => {
    bar?.finish();
    io.err(`${say('stoppedWatching', { id: created.id })}\n`);
  });
  try {
    bar?.update(created.counts, created.deviceCount);
    let failures = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      let state: Job;
      try {
        state = await api.job(created.id);
        failures = 0;
      } catch (err) {
        const transient = err instanceof CliError && (err.code === 'CLI_ERR_UNREACHABLE' || err.code === 'CLI_ERR_TIMEOUT');
        if (!transient || ++failures > POLL_RETRIES) throw err;
        continue;
      }
      bar?.update(state.counts, state.deviceCount);
      if (state.status !== 'running' || state.counts.pending + state.counts.running === 0) return state;
    }
  } finally {
    bar?.finish();
    stopListening();
  }
}
