/**
 * What the relay tells about each shell it opens: a recording (asciicast v2 of what the
 * shell printed, never the keystrokes) when recording is on, and the "shell opened" /
 * "shell closed" events on the timeline of the ticket the device's support session is
 * linked to. The relay's hot path only calls `output`, which copies the payload into the
 * writer's batch (no await, no decoding: that is done per batch); rows and timeline
 * events are written off that path, in order, and their failures are logged, never thrown.
 */
import { randomBytes } from 'node:crypto';
import type { Language, ShellCloseReason } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import { AsciicastWriter } from './asciicast-writer.js';
import type { InterruptedRecording, RecordingStore } from './recording-store.js';

/** The part of the ticket store the recorder uses: an event on the session's ticket, its number or null. */
export interface SessionTimeline {
  sessionEvent(sessionId: string, kind: 'shell_opened' | 'shell_closed', actor: string | null, data: Record<string, unknown>): Promise<number | null>;
}

export interface ShellRecorderOptions {
  /** Off (--no-recording): no file, no row, the person is not told; the timeline events still land. */
  readonly enabled: boolean;
  readonly store: RecordingStore | null;
  readonly timeline: SessionTimeline | null;
  readonly audit: AuditLog;
  /** Largest .cast file in bytes (--recording-max-bytes). */
  readonly maxBytes: number;
  /** The truncation line's language when the technician's account states none. */
  readonly language: Language | null;
  readonly log?: (line: string) => void;
}

export interface ShellStart {
  readonly deviceId: string;
  readonly channel: number;
  readonly sessionId: string | null;
  readonly technician: string;
  readonly technicianLanguage: Language | null;
  readonly cols: number;
  readonly rows: number;
  /** The shell program and local user the agent reported. */
  readonly shell: string;
  readonly user: string;
}

/** One relayed shell, from its opening to its end. */
export class ShellLog {
  /** The recording's id; null when recording is off or could not start. */
  readonly recordingId: string | null;
  private readonly writer: AsciicastWriter | null;
  /** Row and "shell opened" event, written in this order; the end waits for them. */
  private readonly started: Promise<number | null>;
  private ending: Promise<void> | null = null;

  constructor(private readonly recorder: ShellRecorder, private readonly start: ShellStart, private readonly options: ShellRecorderOptions) {
    const store = options.enabled ? options.store : null;
    const id = store ? randomBytes(12).toString('base64url') : null;
    this.recordingId = id;
    this.writer =
      store && id
        ? new AsciicastWriter({
            path: store.fileFor(id).path,
            width: start.cols,
            height: start.rows,
            env: { TERM: 'xterm-256color', SHELL: start.shell },
            language: start.technicianLanguage ?? options.language ?? 'en',
            maxBytes: options.maxBytes,
            onError: (error) => {
              options.log?.(`recordings: recording ${id} stopped: ${error.message}`);
              options.audit.note({ actor: 'system', action: 'recording.failed', target: start.deviceId, detail: { recordingId: id, error: error.message.slice(0, 200) } });
            },
          })
        : null;
    const startedAt = Date.now();
    this.started = (async () => {
      const ticketNumber = start.sessionId && options.timeline
        ? await options.timeline.sessionEvent(start.sessionId, 'shell_opened', start.technician, {
            deviceId: start.deviceId, channel: start.channel, user: start.user, shell: start.shell, recordingId: id,
          })
        : null;
      if (store && id) {
        await store.insert({ id, deviceId: start.deviceId, channel: start.channel, technician: start.technician, sessionId: start.sessionId, ticketNumber, startedAt });
      }
      return ticketNumber;
    })().catch((err: unknown) => {
      options.log?.(`recordings: could not note the opening of shell ${start.channel} on ${start.deviceId}: ${String(err)}`);
      return null;
    });
  }

  /** What the shell printed (a DATA frame's payload): copied into the writer's batch, in the file within about a quarter second. */
  output(payload: Uint8Array): void {
    this.writer?.output(payload);
  }

  resize(cols: number, rows: number): void {
    this.writer?.resize(cols, rows);
  }

  /** The shell ended: last write, the row's end, the "shell closed" event. Never rejects; safe to call twice. */
  close(reason: ShellCloseReason, exitCode: number | null): Promise<void> {
    if (this.ending) return this.ending;
    const writer = this.writer;
    this.ending = (async () => {
      await writer?.close();
      const ticketNumber = await this.started;
      const endedAt = Date.now();
      const bytes = writer?.bytes ?? 0;
      const truncated = writer?.truncated ?? false;
      if (writer && this.recordingId && this.options.store) {
        await this.options.store.finish(this.recordingId, { endedAt, bytes, truncated, state: writer.state === 'failed' ? 'failed' : 'closed' });
      }
      if (ticketNumber !== null && this.start.sessionId && this.options.timeline) {
        await this.options.timeline.sessionEvent(this.start.sessionId, 'shell_closed', this.start.technician, {
          deviceId: this.start.deviceId, channel: this.start.channel, reason, exitCode, recordingId: this.recordingId, bytes, truncated,
        });
      }
    })()
      .catch((err: unknown) => this.options.log?.(`recordings: could not note the end of shell ${this.start.channel} on ${this.start.deviceId}: ${String(err)}`))
      .finally(() => this.recorder.forget(this));
    return this.ending;
  }
}

export class ShellRecorder {
  private readonly live = new Set<ShellLog>();

  constructor(private readonly options: ShellRecorderOptions) {}

  /**
   * Shells a dead run (this controller killed, or a cluster node that died) never saw end:
   * their end is told as any other's — the "shell closed" event on the session's ticket and
   * one `shell.closed` audit entry — with the reason the console got when it happened (the
   * agent's link to that process dropped), so no shell stays open in the record.
   */
  async interrupted(shells: readonly InterruptedRecording[]): Promise<void> {
    for (const shell of shells) {
      this.options.audit.note({
        actor: shell.technician,
        action: 'shell.closed',
        target: shell.deviceId,
        detail: { channel: shell.channel, reason: 'agent-offline', exitCode: null, durationMs: shell.endedAt - shell.startedAt, recordingId: shell.id, interrupted: true },
      });
      if (shell.sessionId === null || shell.ticketNumber === null || !this.options.timeline) continue;
      await this.options.timeline.sessionEvent(shell.sessionId, 'shell_closed', shell.technician, {
        deviceId: shell.deviceId, channel: shell.channel, reason: 'agent-offline', exitCode: null, recordingId: shell.id, bytes: shell.bytes, truncated: false,
      }).catch((err: unknown) => this.options.log?.(`recordings: could not note the end of interrupted shell ${shell.channel} on ${shell.deviceId}: ${String(err)}`));
    }
  }

  /** Whether shells are recorded (and the person told so). */
  get recording(): boolean {
    return this.options.enabled && this.options.store !== null;
  }

  /** A shell just opened (the person said yes). */
  opened(start: ShellStart): ShellLog {
    const log = new ShellLog(this, start, this.options);
    this.live.add(log);
    return log;
  }

  /** Closes every recording still open (controller shutdown); resolves once their files and rows are written. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.live].map((log) => log.close('agent-offline', null)));
  }

  /** @internal */
  forget(log: ShellLog): void {
    this.live.delete(log);
  }
}
