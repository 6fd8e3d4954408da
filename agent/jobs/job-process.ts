/**
 * One job's script as a child process: the body written to a private temporary
 * file and run by its interpreter, with pipes (exact bytes, unlike a pty), stdin
 * closed, parameters as RELAIS_PARAM_<NAME>, in its own process group so a
 * timeout or a cancel kills everything it started (SIGTERM, SIGKILL after
 * LIMITS.jobKillGraceMs). Each stream keeps at most LIMITS.maxJobOutputBytes,
 * cut into numbered chunks of LIMITS.maxJobOutputChunkBytes; the rest is counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS, paramEnvName, type JobResultMessage, type JobRunMessage, type JobStream, type ResultStatus, type ScriptInterpreter } from '../../protocol/index.js';
import { agentWords } from '../cli/agent-language.js';
import { managedCatalog } from '../managed/managed-catalog.js';

const words = agentWords(managedCatalog);

export interface JobProcessEvents {
  started(startedAt: number, pid: number | null): void;
  output(stream: JobStream, seq: number, data: Buffer): void;
  finished(result: JobResultMessage): void;
}

export interface JobHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** A private folder for the script files. */
  readonly scriptDir: string;
  /** Where scripts run. */
  readonly cwd: string;
}

/** How an interpreter runs a script file on this platform; null when it cannot here. */
export function interpreterCommand(interpreter: ScriptInterpreter, file: string, platform: NodeJS.Platform): { command: string; args: string[] } | null {
  const windows = platform === 'win32';
  switch (interpreter) {
    case 'sh':
      return { command: 'sh', args: [file] };
    case 'bash':
      return { command: 'bash', args: [file] };
    case 'powershell':
      return { command: windows ? 'powershell.exe' : 'pwsh', args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', // i18n-ignore: a PowerShell argument
        '-File', file] };
    case 'cmd':
      return windows ? { command: 'cmd.exe', args: ['/d', '/c', file] } : null;
  }
}

const EXTENSIONS: Record<ScriptInterpreter, string> = { sh: '.sh', bash: '.sh', powershell: '.ps1', cmd: '.cmd' };
/** After the script exits, how long its pipes may stay open (a background child holding them) before the rest of its group is killed. */
const DRAIN_MS = 1000;

export class JobProcess {
  private child: ChildProcess | null = null;
  private seq = -1;
  private readonly kept = { stdout: 0, stderr: 0 };
  private readonly total = { stdout: 0, stderr: 0 };
  private readonly truncated = { stdout: false, stderr: false };
  private outcome: { status: ResultStatus; reason: string } | null = null;
  private startedAt: number | null = null;
  private done = false;
  private timers: NodeJS.Timeout[] = [];
  private file = '';

  constructor(private readonly job: JobRunMessage, private readonly host: JobHost, private readonly events: JobProcessEvents) {}

  start(): void {
    const { job, host } = this;
    mkdirSync(host.scriptDir, { recursive: true, mode: 0o700 });
    this.file = join(host.scriptDir, `${job.jobId}${EXTENSIONS[job.script.interpreter]}`);
    const how = interpreterCommand(job.script.interpreter, this.file, host.platform);
    if (!how) return this.finish(null, null, { status: 'error', reason: words('windowsOnly', { interpreter: job.script.interpreter }) });
    writeFileSync(this.file, job.script.body, { mode: 0o600 });
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(host.env)) if (value !== undefined && !key.startsWith('RELAIS_PARAM_')) env[key] = value;
    for (const [name, value] of Object.entries(job.params)) env[paramEnvName(name)] = value;
    env.RELAIS_JOB_ID = job.jobId;
    const windows = host.platform === 'win32';
    const child = spawn(how.command, how.args, { cwd: host.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: !windows, windowsHide: true });
    this.child = child;
    this.startedAt = Date.now();
    this.events.started(this.startedAt, child.pid ?? null);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let open = 2;
    const closed = () => {
      if (--open === 0 && exit) this.finish(exit.code, exit.signal);
    };
    child.stdout!.on('data', (chunk: Buffer) => this.take('stdout', chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.take('stderr', chunk));
    child.stdout!.on('close', closed);
    child.stderr!.on('close', closed);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (this.startedAt !== null && child.pid !== undefined) return;
      this.finish(null, null, { status: 'error', reason: error.code === 'ENOENT' ? words('interpreterMissing', { command: how.command }) : words('couldNotStart', { error: error.message }) });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (open === 0) return this.finish(code, signal);
      // Something the script started may still hold its output: end its group, then keep
      // reading until the pipes close (a timer can fire before pending pipe data is read,
      // so the data is never thrown away here). Only a holder outside the group is cut off.
      this.timers.push(setTimeout(() => this.killGroup('SIGKILL'), DRAIN_MS));
      this.timers.push(setTimeout(() => {
        // After a stall of this process (its event loop held, or not scheduled on a busy machine),
        // this timer runs before the pipes' waiting output is read, and a run was stored
        // "succeeded" with none of it. The poll phase that reads them comes before setImmediate.
        setImmediate(() => {
          child.stdout!.destroy();
          child.stderr!.destroy();
          this.finish(code, signal);
        });
      }, DRAIN_MS + LIMITS.jobKillGraceMs));
    });
    this.timers.push(setTimeout(() => this.stop({ status: 'timed-out', reason: words('ranTooLong', { seconds: job.script.timeoutSeconds }) }), job.script.timeoutSeconds * 1000));
  }

  /** Cancelled by the controller: the process group is stopped. */
  cancel(): void {
    this.stop({ status: 'cancelled', reason: words('cancelledByTechnician') });
  }

  /** The agent is stopping: the script is stopped and reported as such. */
  abandon(reason: string): void {
    this.stop({ status: 'error', reason });
  }

  private stop(outcome: { status: ResultStatus; reason: string }): void {
    if (this.done || this.outcome) return;
    this.outcome = outcome;
    this.killGroup('SIGTERM');
    const force = setTimeout(() => this.killGroup('SIGKILL'), LIMITS.jobKillGraceMs);
    // Kept after the result too: a member that ignores SIGTERM is killed all the same.
    force.unref();
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    if (this.host.platform === 'win32') {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
      return;
    }
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is already gone
    }
  }

  private take(stream: JobStream, chunk: Buffer): void {
    this.total[stream] += chunk.byteLength;
    const room = LIMITS.maxJobOutputBytes - this.kept[stream];
    if (chunk.byteLength > room) this.truncated[stream] = true;
    const keep = room <= 0 ? Buffer.alloc(0) : chunk.subarray(0, room);
    for (let at = 0; at < keep.byteLength; at += LIMITS.maxJobOutputChunkBytes) {
      const piece = keep.subarray(at, at + LIMITS.maxJobOutputChunkBytes);
      this.kept[stream] += piece.byteLength;
      this.events.output(stream, ++this.seq, piece);
    }
  }

  private finish(code: number | null, signal: NodeJS.Signals | null, failure?: { status: ResultStatus; reason: string }): void {
    if (this.done) return;
    this.done = true;
    for (const timer of this.timers) clearTimeout(timer);
    if (this.file) rmSync(this.file, { force: true });
    const outcome = failure ?? this.outcome;
    const status: ResultStatus = outcome?.status ?? (code === 0 ? 'succeeded' : 'failed');
    const reason = outcome?.reason ?? (signal ? words('killedBySignal', { signal }) : null);
    this.events.finished({
      t: 'job.result',
      jobId: this.job.jobId,
      status,
      exitCode: code,
      signal,
      startedAt: this.startedAt,
      finishedAt: Date.now(),
      stdoutBytes: this.total.stdout,
      stderrBytes: this.total.stderr,
      stdoutTruncated: this.truncated.stdout,
      stderrTruncated: this.truncated.stderr,
      lastSeq: this.seq,
      reason,
    });
  }
}
