/**
 * "Run this fix": an article's library script on one enrolled device, through the same job
 * path as any script (http/job-routes.ts startJob: the job is created, audited, dispatched,
 * and the device's local policy decides whether it runs, exactly once). For a ticket, the run
 * goes on its timeline when it starts and again with its outcome, and the article is linked
 * to the ticket. An attended device (a support link) runs no jobs: refused with the catalog's
 * JOB_ERR_NOT_MANAGED before anything is created.
 */
import { FINAL_RUN_STATUSES, RelaisError, type Job, type Run } from '../../../protocol/index.js';
import type { Article } from '../../../protocol/knowledge-model.js';
import type { AuditLog } from '../audit/audit.js';
import type { DeviceRegistry } from '../devices/devices.js';
import { startJob, type JobDeps } from '../http/job-routes.js';
import type { TicketStore } from '../tickets/ticket-store.js';
import type { ArticleStore, KnowledgeCaller } from './article-store.js';

interface Watched {
  readonly ticketNumber: number;
  readonly articleId: string;
  readonly title: string;
}

/** Fix runs whose outcome is still to go on a ticket; a restart forgets them (the job page keeps the result). */
const MAX_WATCHED = 1000;

export interface FixRunDeps {
  readonly jobs: JobDeps;
  readonly devices: Pick<DeviceRegistry, 'view'>;
  readonly tickets: Pick<TicketStore, 'recordEvent'>;
  readonly articles: Pick<ArticleStore, 'linkTicket'>;
  readonly audit: AuditLog;
}

export class FixRuns {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly deps: FixRunDeps) {
    // Whole cluster: the device may be held by another node, which stores the result; only this node watches the job.
    deps.jobs.dispatcher.subscribe({ job: () => {}, output: () => {}, run: (jobId, run) => void this.settled(jobId, run) }, { wholeCluster: true });
  }

  /** Starts the article's script on the device; with a ticket, records it there. */
  async run(article: Article, deviceId: string, ticket: { id: string; number: number } | null, caller: KnowledgeCaller): Promise<Job> {
    if (article.scriptName === null) throw new RelaisError('KB_ERR_NO_SCRIPT');
    const device = this.deps.devices.view(deviceId);
    if (device && device.kind !== 'managed') throw new RelaisError('JOB_ERR_NOT_MANAGED');
    const job = await startJob(this.deps.jobs, {
      scriptName: article.scriptName, target: { deviceIds: [deviceId] }, params: {}, concurrency: 1, expiresInMinutes: 60,
    }, caller.account.username, caller.ip);
    this.deps.audit.note({ actor: caller.account.username, action: 'kb.fix.run', target: article.id, detail: { jobId: job.id, script: article.scriptName, deviceId, ...(ticket ? { ticket: ticket.number } : {}) }, ip: caller.ip });
    if (ticket) {
      if (this.watched.size >= MAX_WATCHED) this.watched.delete(this.watched.keys().next().value!);
      this.watched.set(job.id, { ticketNumber: ticket.number, articleId: article.id, title: article.title });
      await this.deps.articles.linkTicket(article.id, ticket.id, 'ran');
      await this.deps.tickets.recordEvent(ticket.number, 'kb_fix_run', caller.account.username, {
        articleId: article.id, title: article.title, jobId: job.id, scriptName: article.scriptName, deviceId, hostname: device?.hostname ?? '',
      });
    }
    return job;
  }

  /** A watched run ended: its outcome goes on the ticket. */
  private async settled(jobId: string, run: Run): Promise<void> {
    const watched = this.watched.get(jobId);
    if (!watched || !FINAL_RUN_STATUSES.has(run.status)) return;
    this.watched.delete(jobId);
    try {
      await this.deps.tickets.recordEvent(watched.ticketNumber, 'kb_fix_result', null, {
        articleId: watched.articleId, title: watched.title, jobId, deviceId: run.deviceId, status: run.status, exitCode: run.exitCode, reason: run.reason,
      });
    } catch (err) {
      console.error(`knowledge: could not put a fix's outcome on ticket #${watched.ticketNumber}: ${String(err)}`);
    }
  }
}
