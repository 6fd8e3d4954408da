/**
 * One file transfer as the controller keeps it: what the technician's page is shown
 * (FileTransferView), who asked, the agent's link and channel, the upload or download
 * under way, and two timers — how long the browser has to start once the person said
 * yes, and the pacing of progress updates.
 */
import type { FileDirection, FileTransferView, Person } from '../../../protocol/index.js';
import type { AgentLink, ConsoleLink } from '../relay/links.js';
import type { DownloadStream } from './download-stream.js';
import type { UploadStream } from './upload-stream.js';

export interface TransferStart {
  readonly id: string;
  readonly channel: number;
  readonly direction: FileDirection;
  readonly agent: AgentLink;
  readonly console: ConsoleLink;
  readonly requestedBy: Person;
  readonly name: string | null;
  readonly size: number | null;
  readonly path: string | null;
  readonly timeoutMs?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class TransferRecord {
  readonly id: string;
  readonly channel: number;
  readonly direction: FileDirection;
  readonly agent: AgentLink;
  readonly requestedBy: Person;
  /** The page that asked; null once it is gone (the transfer may go on without it). */
  console: ConsoleLink | null;
  /** The person (or the policy) answered. */
  answered = false;
  /** A send's window, as the agent's file.accept gave it. */
  window = 0;
  upload: UploadStream | null = null;
  download: DownloadStream | null = null;
  /** The upload's HTTP request waits for the end of the transfer. */
  reply: { resolve(view: FileTransferView): void; reject(error: Error): void } | null = null;
  private readonly state_: Mutable<FileTransferView>;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastActivity = 0;
  private paced: ReturnType<typeof setTimeout> | null = null;
  private lastToldAt = 0;

  constructor(start: TransferStart) {
    this.id = start.id;
    this.channel = start.channel;
    this.direction = start.direction;
    this.agent = start.agent;
    this.console = start.console;
    this.requestedBy = start.requestedBy;
    this.state_ = {
      id: start.id, deviceId: start.agent.deviceId, direction: start.direction, state: 'asking', name: start.name, size: start.size, path: start.path,
      bytes: 0, sha256: null, savedAs: null, code: null, detail: null, startedAt: Date.now(), ...(start.timeoutMs !== undefined ? { timeoutMs: start.timeoutMs } : {}),
    };
  }

  get owner(): string {
    return this.requestedBy.username;
  }

  get state(): FileTransferView['state'] {
    return this.state_.state;
  }

  get size(): number | null {
    return this.state_.size;
  }

  get name(): string | null {
    return this.state_.name;
  }

  get sha256(): string | null {
    return this.state_.sha256;
  }

  set(change: Partial<Omit<FileTransferView, 'id' | 'deviceId' | 'direction' | 'startedAt'>>): void {
    Object.assign(this.state_, change);
  }

  /** A copy for a message (the page's view of it). */
  view(): FileTransferView {
    return { ...this.state_ };
  }

  startTimer(ms: number, expired: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(expired, ms);
    this.timer.unref?.();
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.cancelThrottle();
  }

  /** Calls `stalled` once no activity (touch) was seen for `ms`, checked four times per period. */
  watch(ms: number, stalled: () => void): void {
    this.clearTimer();
    this.touch();
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastActivity >= ms) stalled();
    }, ms / 4);
    this.watchdog.unref?.();
  }

  /** Bytes moved (a frame, an acknowledgement, a write done). */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Calls `tell` at most every `ms`, the last change always told (a trailing call). */
  throttle(ms: number, tell: () => void): void {
    if (this.paced) return;
    const wait = this.lastToldAt + ms - Date.now();
    const go = () => {
      this.paced = null;
      this.lastToldAt = Date.now();
      tell();
    };
    if (wait <= 0) return go();
    this.paced = setTimeout(go, wait);
    this.paced.unref?.();
  }

  cancelThrottle(): void {
    if (this.paced) clearTimeout(this.paced);
    this.paced = null;
  }
}
