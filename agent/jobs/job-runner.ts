/**
 * Fleet jobs on a managed device: the local policy decides (allow, ask a person
 * at the terminal, deny), the ledger guarantees a job id runs at most once, the
 * script runs in a JobProcess, and output and results the controller has not
 * acknowledged are sent again after every reconnect (same seq numbers, so the
 * controller stores them once).
 */
import type { AgentToController, JobResultMessage, JobRunMessage, JobStream } from '../../protocol/index.js';
import type { ConsentQueue } from '../consent/consent.js';
import { endOrphanGroup, processStartTime } from './orphan-groups.js';
import { JobLedger, type OutputRecord } from './job-ledger.js';
import { JobProcess, type JobHost } from './job-process.js';
import { policyVerdict, type PolicyRead } from '../consent/local-policy.js';
import { agentWords } from '../cli/agent-language.js';
import { managedCatalog } from '../managed/managed-catalog.js';

const words = agentWords(managedCatalog);

export interface JobRunnerParts {
  /** `<state>/jobs`: the ledger, and the scripts being run under `run/`. */
  readonly dir: string;
  readonly host: Omit<JobHost, 'scriptDir'>;
  readonly localUser: string;
  /** Sends when connected; false otherwise (it is sent again after the reconnect). */
  readonly send: (message: AgentToController) => boolean;
  readonly readPolicy: () => PolicyRead;
  /** The person's questions when someone is at a terminal; null for a service. */
  readonly person: ConsentQueue | null;
  readonly log: (line: string) => void;
}

interface Live {
  process: JobProcess | null;
  startedAt: number | null;
  readonly output: OutputRecord[];
  cancelled: boolean;
}

/** Question channels for jobs, far above any shell channel the controller assigns. */
const QUESTION_CHANNELS = 0xf000_0000;

export class JobRunner {
  private readonly ledger: JobLedger;
  private readonly live = new Map<string, Live>();

  constructor(private readonly parts: JobRunnerParts) {
    this.ledger = new JobLedger(parts.dir);
    this.ledger.load((text) => parts.log(text));
    // Seen but never finished: the agent stopped mid-job. It is reported, never run again,
    // and what the script left running is ended.
    for (const entry of this.ledger.all()) {
      if (entry.state !== 'accepted') continue;
      if (entry.group) {
        const outcome = endOrphanGroup(entry.group);
        if (outcome === 'ended') parts.log(words('jobEndedLeftovers', { jobId: entry.jobId }));
        if (outcome === 'unverifiable') parts.log(words('jobUnverifiable', { jobId: entry.jobId, pid: String(entry.group.pid) }));
      }
      this.ledger.finish(entry.jobId, result(entry.jobId, 'error', words('jobInterrupted'), entry.acceptedAt), []);
    }
  }

  /** job.run: runs a job id never seen before; a known one gets its stored result (never a second run). */
  run(message: JobRunMessage): void {
    const known = this.ledger.get(message.jobId);
    if (known) return this.replay(message.jobId);
    this.ledger.accept(message.jobId, message.expiresAt);
    const live: Live = { process: null, startedAt: null, output: [], cancelled: false };
    this.live.set(message.jobId, live);
    void this.decide(message).then((refusal) => {
      if (refusal !== null) return this.finish(message.jobId, result(message.jobId, live.cancelled ? 'cancelled' : 'refused', refusal));
      this.start(message, live);
    });
  }

  /** job.cancel: stops a running job; a job not started yet is recorded as cancelled, so it never runs. */
  cancel(jobId: string): void {
    const live = this.live.get(jobId);
    if (live) {
      live.cancelled = true;
      if (live.process) return live.process.cancel();
      return this.parts.person?.cancel(this.channelOf(jobId), words('whyJobCancelled'));
    }
    if (this.ledger.get(jobId)) return this.replay(jobId);
    this.ledger.accept(jobId, Date.now());
    this.finish(jobId, result(jobId, 'cancelled', words('cancelledBeforeReached')));
  }

  /** job.ack: the controller stored the result; the output may go. */
  acknowledge(jobId: string): void {
    this.ledger.acknowledge(jobId);
  }

  /** After a (re)connection: everything not acknowledged is sent again. */
  resend(): void {
    for (const [jobId, live] of this.live) {
      if (live.startedAt !== null) this.parts.send({ t: 'job.started', jobId, startedAt: live.startedAt });
      for (const record of live.output) this.parts.send({ t: 'job.output', jobId, ...record });
    }
    for (const entry of this.ledger.all()) if (entry.state === 'finished') this.replay(entry.jobId);
  }

  /** The agent stops: running scripts are stopped, and their results kept for the next start. */
  async stopAll(waitMs: number): Promise<void> {
    const running = [...this.live.entries()];
    for (const [jobId, live] of running) {
      if (live.process) live.process.abandon(words('stoppedWhileRunning'));
      else this.finish(jobId, result(jobId, 'error', words('stoppedBeforeStart')));
    }
    const deadline = Date.now() + waitMs;
    while (this.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private replay(jobId: string): void {
    const entry = this.ledger.get(jobId);
    if (!entry || this.live.has(jobId)) return;
    for (const record of entry.output) this.parts.send({ t: 'job.output', jobId, ...record });
    if (entry.result) this.parts.send(entry.result);
  }

  /** Null to run; otherwise why it is refused. */
  private async decide(message: JobRunMessage): Promise<string | null> {
    const { log, person } = this.parts;
    const what = words('jobWhat', { jobId: message.jobId, name: message.script.name });
    const read = this.parts.readPolicy();
    if (!read.ok) {
      log(words('jobRefusedPolicyUnusable', { what, problem: read.message }));
      return words('reasonPolicyUnusable');
    }
    switch (policyVerdict(read.policy, 'script', person !== null)) {
      case 'allow':
        log(words('jobAllowed', { what }));
        return null;
      case 'ask-person': {
        log(words('jobAsking', { what }));
        const outcome = await person!.ask({
          channel: this.channelOf(message.jobId),
          requestedBy: { username: 'fleet', name: words('fleetJobAsker') },
          localUser: this.parts.localUser,
          shell: message.script.interpreter,
          script: { name: message.script.name, interpreter: message.script.interpreter },
        });
        if (outcome === 'granted') return null;
        return outcome === 'cancelled' ? words('cancelledBeforeStart') : words(outcome === 'timeout' ? 'reasonNoAnswer' : 'reasonDeclined');
      }
      case 'refuse':
        if (read.policy.script === 'deny') {
          log(words('jobDenied', { what }));
          return words('reasonDenied');
        }
        log(words('jobNobodyToAsk', { what }));
        return words('reasonNobodyToAsk');
    }
  }

  private start(message: JobRunMessage, live: Live): void {
    const jobId = message.jobId;
    if (live.cancelled) return this.finish(jobId, result(jobId, 'cancelled', words('cancelledBeforeStart')));
    const process = new JobProcess(message, { ...this.parts.host, scriptDir: `${this.parts.dir}/run` }, {
      started: (startedAt, pid) => {
        live.startedAt = startedAt;
        if (pid !== null && this.parts.host.platform !== 'win32') this.ledger.running(jobId, { pid, startTime: processStartTime(pid) });
        this.parts.send({ t: 'job.started', jobId, startedAt });
      },
      output: (stream: JobStream, seq: number, data: Buffer) => {
        const record = { stream, seq, data: data.toString('base64') };
        live.output.push(record);
        this.parts.send({ t: 'job.output', jobId, ...record });
      },
      finished: (final) => {
        const ended = { jobId, name: message.script.name, status: final.status, code: String(final.exitCode), reason: final.reason ?? '' };
        this.parts.log(words(final.exitCode !== null ? (final.reason ? 'jobEndedCodeWhy' : 'jobEndedCode') : final.reason ? 'jobEndedWhy' : 'jobEnded', ended));
        this.finish(jobId, final);
      },
    });
    live.process = process;
    process.start();
  }

  private finish(jobId: string, final: JobResultMessage): void {
    const live = this.live.get(jobId);
    this.ledger.finish(jobId, final, live?.output ?? []);
    this.live.delete(jobId);
    this.parts.send(final);
  }

  private channelOf(jobId: string): number {
    let hash = 0;
    for (const char of jobId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return QUESTION_CHANNELS + (hash % 0x0fff_ffff);
  }
}

function result(jobId: string, status: JobResultMessage['status'], reason: string, startedAt: number | null = null): JobResultMessage {
  return {
    t: 'job.result', jobId, status, exitCode: null, signal: null, startedAt, finishedAt: Date.now(),
    stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: -1, reason,
  };
}
