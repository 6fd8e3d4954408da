/**
 * Live job updates for technicians' consoles: every console hears `job.update`
 * (a summary: no body, parameters or device list, so its size never grows with the
 * job); `run.update` and `run.output` go only to consoles that sent `job.watch` for
 * that job. Watching sends the job at once; its runs are paged over REST
 * (GET /api/jobs/:id/runs) and kept live by run.update.
 * job.update is sent at most every 100 ms per job (always with its latest state).
 */
import { jobSummaryOf, type ConsoleToController, type ControllerToConsole, type Job, type JobSummary } from '../../../protocol/index.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { PeerSocket } from './peer-socket.js';

type ConsolePeer = PeerSocket<ConsoleToController, ControllerToConsole>;

/** Jobs one console may watch at once. */
const MAX_WATCHED = 32;
/** job.update is coalesced per job: a 1,000-device job changes a thousand times in seconds. */
const JOB_UPDATE_EVERY_MS = 100;

export class JobWatch {
  private readonly watching = new Map<ConsolePeer, Set<string>>();
  /** The latest state of each job with an update waiting to go out. */
  private readonly dueUpdates = new Map<string, JobSummary>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly dispatcher: Dispatcher) {
    // Every node's jobs: a console sees a job whichever node holds its devices.
    dispatcher.subscribe({
      job: (job) => this.jobChanged(job),
      run: (jobId, run) => {
        for (const [peer, jobs] of this.watching) if (jobs.has(jobId)) send(peer, { t: 'run.update', jobId, run });
      },
      output: (jobId, deviceId, stream, data) => {
        for (const [peer, jobs] of this.watching) if (jobs.has(jobId)) send(peer, { t: 'run.output', jobId, deviceId, stream, data });
      },
    }, { wholeCluster: true });
  }

  private jobChanged(job: Job | JobSummary): void {
    this.dueUpdates.set(job.id, 'body' in job ? jobSummaryOf(job) : job);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      const jobs = [...this.dueUpdates.values()];
      this.dueUpdates.clear();
      for (const peer of this.watching.keys()) for (const changed of jobs) send(peer, { t: 'job.update', job: changed });
    }, JOB_UPDATE_EVERY_MS);
  }

  /** A console joined; returns what to call when it leaves. */
  connect(peer: ConsolePeer): () => void {
    this.watching.set(peer, new Set());
    return () => this.watching.delete(peer);
  }

  async watch(peer: ConsolePeer, jobId: string): Promise<void> {
    const jobs = this.watching.get(peer);
    if (!jobs) return;
    const job = await this.dispatcher.view(jobId);
    if (!job) return peer.sendError('JOB_ERR_NOT_FOUND', `Job ${jobId}.`);
    if (!jobs.has(jobId) && jobs.size >= MAX_WATCHED) return peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', `A console watches at most ${MAX_WATCHED} jobs.`);
    jobs.add(jobId);
    send(peer, { t: 'job.update', job: jobSummaryOf(job) });
  }

  unwatch(peer: ConsolePeer, jobId: string): void {
    this.watching.get(peer)?.delete(jobId);
  }
}

/** A message too large for the protocol (a huge job's device list) is skipped, not allowed to break the socket. */
function send(peer: ConsolePeer, message: ControllerToConsole): void {
  try {
    peer.send(message);
  } catch (err) {
    peer.logger.warn({ err, message: message.t, refusal: 'PROTO_ERR_MESSAGE_TOO_LARGE' }, 'jobs: a message was not sent to a console');
  }
}
