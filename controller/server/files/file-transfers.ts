/**
 * File transfers on the controller: the technician asks over the console socket
 * (`file.send` with a name and size, `file.fetch` with one path), the agent asks its
 * person, and on the yes the technician's browser uploads or downloads over HTTP
 * while the bytes cross the agent's socket as DATA frames on a file channel, under
 * credit. The controller is one end of the agent's leg: it hashes what it sends or
 * receives and compares with the agent's SHA-256. Only the account that asked may
 * upload, download or cancel (the person agreed to give the file to that technician).
 * Every transfer ends in one audit entry (`file.send` / `file.fetch`) with its outcome.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FILE_CHANNEL_BASE, FILE_CHANNEL_END, FILE_LIMITS, FRAME_HEADER_BYTES, FrameKind, LIMITS, RelaisError, peekHeader, refusalCode,
  type AgentToController, type ConsoleToController, type FileCancelReason, type FileErrorCode, type FileTransferView,
} from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import type { AuditLog } from '../audit/audit.js';
import type { AgentLinks } from '../relay/agent-links.js';
import type { AgentLink, ConsoleLink } from '../relay/links.js';
import { attachmentHeader } from './content-disposition.js';
import { DownloadStream } from './download-stream.js';
import { TransferRecord } from './transfer-record.js';
import { UploadStream } from './upload-stream.js';

type AgentFileMessage = Extract<AgentToController, { t: `file.${string}` }>;
type ConsoleFileMessage = Extract<ConsoleToController, { t: `file.${string}` }>;

export interface FileTransfersOptions {
  /** The largest file sent or fetched (--file-max-bytes). */
  readonly maxBytes: number;
  /** After the yes, how long the browser has to start its upload or download. */
  readonly readyTimeoutMs?: number;
  readonly progressIntervalMs?: number;
  /** A transfer under way that moves nothing for this long is stopped. */
  readonly stallTimeoutMs?: number;
  /** The file channel numbers given here, from `first` to before `end` (a cluster node's slot; default: all file channels). */
  readonly channels?: { readonly first: number; readonly end: number };
}

export class FileTransfers {
  private readonly byId = new Map<string, TransferRecord>();
  private readonly byChannel = new Map<number, TransferRecord>();
  private nextChannel: number;
  private readonly firstChannel: number;
  private readonly endChannel: number;
  private readonly readyTimeoutMs: number;
  private readonly progressIntervalMs: number;
  private readonly stallTimeoutMs: number;

  constructor(
    private readonly audit: AuditLog,
    private readonly agents: Pick<AgentLinks, 'get'>,
    private readonly options: FileTransfersOptions,
  ) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? FILE_LIMITS.readyTimeoutMs;
    this.progressIntervalMs = options.progressIntervalMs ?? FILE_LIMITS.progressIntervalMs;
    this.stallTimeoutMs = options.stallTimeoutMs ?? FILE_LIMITS.stallTimeoutMs;
    this.firstChannel = options.channels?.first ?? FILE_CHANNEL_BASE;
    this.endChannel = options.channels?.end ?? FILE_CHANNEL_END;
    this.nextChannel = this.firstChannel;
  }

  /** `file.send`, `file.fetch` and `file.cancel` from a technician's page. */
  fromConsole(console: ConsoleLink, message: ConsoleFileMessage): void {
    if (message.t === 'file.cancel') {
      const transfer = this.byId.get(message.transferId);
      if (transfer && transfer.owner === console.account.username) this.cancel(transfer, 'technician', 'FILE_ERR_CANCELLED', 'cancelled by the technician');
      return;
    }
    const { requestId } = message;
    const agent = this.agents.get(message.deviceId);
    if (!agent) return console.peer.sendError('SHELL_ERR_DEVICE_OFFLINE', undefined, { requestId });
    if (message.t === 'file.send' && message.size > this.options.maxBytes) {
      return console.peer.sendError('FILE_ERR_TOO_LARGE', `The limit is ${this.options.maxBytes} bytes.`, { requestId }); // i18n-ignore: detail for the log; the code has catalog words
    }
    const busy = (link: AgentLink | ConsoleLink) => [...this.byChannel.values()].filter((t) => t.agent === link || t.console === link).length;
    if (busy(agent) >= FILE_LIMITS.maxTransfersPerConnection || busy(console) >= FILE_LIMITS.maxTransfersPerConnection || this.nextChannel >= this.endChannel) {
      return console.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', undefined, { requestId });
    }
    const requestedBy = { username: console.account.username, name: console.account.name };
    const transfer = new TransferRecord({
      id: randomBytes(16).toString('base64url'),
      channel: this.nextChannel++,
      direction: message.t === 'file.send' ? 'send' : 'fetch',
      agent,
      console,
      requestedBy,
      name: message.t === 'file.send' ? message.name : null,
      size: message.t === 'file.send' ? message.size : null,
      path: message.t === 'file.fetch' ? message.path : null,
      ...(agent.consentTimeoutMs !== undefined ? { timeoutMs: agent.consentTimeoutMs } : {}),
    });
    this.byId.set(transfer.id, transfer);
    this.byChannel.set(transfer.channel, transfer);
    console.peer.send({ t: 'file.pending', requestId, transfer: transfer.view() });
    const channel = transfer.channel;
    if (message.t === 'file.send') agent.peer.send({ t: 'file.offer', channel, requestedBy, name: message.name, size: message.size });
    else agent.peer.send({ t: 'file.request', channel, requestedBy, path: message.path, window: FILE_LIMITS.prefetchBytes, maxBytes: this.options.maxBytes });
    this.audit.note({ actor: requestedBy.username, action: 'consent.asked', target: agent.deviceId, detail: { channel, action: `file.${transfer.direction}`, transferId: transfer.id } });
  }

  /** What the agent says about a transfer it was asked for; anything about another agent's channel is ignored. */
  fromAgent(agent: AgentLink, message: AgentFileMessage): void {
    const transfer = this.byChannel.get(message.channel);
    if (!transfer || transfer.agent !== agent) return;
    switch (message.t) {
      case 'file.info':
        if (transfer.direction !== 'fetch' || transfer.state !== 'asking') return agent.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'file.info out of turn');
        if (message.size > this.options.maxBytes) return this.cancel(transfer, 'too-large', 'FILE_ERR_TOO_LARGE', `${message.size} bytes`);
        transfer.set({ name: message.name, path: message.path, size: message.size });
        return this.tell(transfer);
      case 'file.consent':
        if (transfer.state !== 'asking' || transfer.answered) return;
        // A fetch is answered only after the agent said what it found (file.info): the download needs its size.
        if (transfer.direction === 'fetch' && transfer.size === null) return agent.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'file.consent before file.info');
        transfer.answered = true;
        this.audit.note({ actor: `device:${agent.deviceId}`, action: 'consent.answered', target: transfer.owner, detail: { channel: transfer.channel, action: `file.${transfer.direction}`, decision: message.decision } });
        if (message.decision !== 'granted') return this.finish(transfer, refusalCode(message.decision), null);
        if (transfer.direction === 'fetch') this.ready(transfer);
        return;
      case 'file.accept':
        if (transfer.direction !== 'send' || transfer.state !== 'asking' || !transfer.answered) return agent.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'file.accept out of turn');
        transfer.set({ name: message.name, path: message.folder });
        transfer.window = message.window;
        return this.ready(transfer);
      case 'file.end':
        if (transfer.direction !== 'fetch' || !transfer.download) return agent.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'file.end out of turn');
        // A small file may be all here before the browser asks for it: it stays ready until then.
        if (transfer.download.attached) transfer.set({ state: 'checking' });
        return transfer.download.end(message.size, message.sha256);
      case 'file.done':
        // Only once every byte was sent (the upload's SHA-256 is known).
        if (transfer.direction !== 'send' || transfer.sha256 === null) return agent.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'file.done out of turn');
        if (message.sha256 !== transfer.sha256 || message.size !== transfer.size) return this.cancel(transfer, 'integrity', 'FILE_ERR_INTEGRITY', 'the device reported another file than the one sent');
        transfer.set({ savedAs: message.savedAs, bytes: message.size });
        return this.finish(transfer, null, null);
      case 'file.failed':
        return this.finish(transfer, message.code, message.detail ?? null);
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** A DATA or ACK frame on a file channel from an agent: to its download or upload. */
  agentBinary(agent: AgentLink, frame: Buffer): void {
    const header = peekHeader(frame);
    if (!header) return agent.peer.violation('PROTO_ERR_BAD_FRAME', 'unknown frame kind or channel 0');
    const transfer = this.byChannel.get(header.channel);
    if (!transfer || transfer.agent !== agent) {
      // Frames still on their way when a transfer ended are normal; a channel never opened is not.
      if (header.channel >= this.nextChannel || header.channel < this.firstChannel) agent.peer.violation('PROTO_ERR_UNKNOWN_CHANNEL', `channel ${header.channel}`);
      return;
    }
    transfer.touch();
    if (header.kind === FrameKind.ack) {
      if (frame.byteLength !== FRAME_HEADER_BYTES + 4) return agent.peer.violation('PROTO_ERR_BAD_FRAME', 'ack frame of the wrong size');
      if (frame.readUInt32BE(FRAME_HEADER_BYTES) === 0) return agent.peer.violation('PROTO_ERR_BAD_FRAME', 'ack credit 0');
      if (!transfer.upload) return;
      transfer.upload.ack(frame.readUInt32BE(FRAME_HEADER_BYTES));
      // What the device's disk has taken is what the page shows as done.
      return this.progress(transfer, transfer.upload.acked);
    }
    if (frame.byteLength - FRAME_HEADER_BYTES > LIMITS.maxChunkBytes) return agent.peer.violation('PROTO_ERR_BAD_FRAME', `payload over ${LIMITS.maxChunkBytes} bytes`);
    if (!transfer.download) return agent.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'file data out of turn');
    const verdict = transfer.download.data(frame.subarray(FRAME_HEADER_BYTES));
    if (verdict === 'past-size') this.cancel(transfer, 'error', 'FILE_ERR_SIZE_MISMATCH', 'the device sent more than the size it announced');
    else if (verdict === 'past-credit') {
      // Nothing past the window is kept: the transfer ends, and the agent hears why.
      agent.peer.violation('PROTO_ERR_CREDIT_EXCEEDED', `channel ${header.channel}`);
      this.cancel(transfer, 'error', 'FILE_ERR_CANCELLED', 'the device sent more than the window it was given');
    }
  }

  /** `POST /api/files/:id/upload`: the body goes to the device; resolves once the device has the file, checked. */
  upload(id: string, account: Account, request: IncomingMessage): Promise<FileTransferView> {
    const transfer = this.ownReady(id, account, 'send');
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) !== transfer.size) throw new RelaisError('FILE_ERR_SIZE_MISMATCH', `Content-Length ${String(declared).slice(0, 20)}, announced ${transfer.size}.`); // i18n-ignore: detail for the log
    transfer.set({ state: 'moving' });
    this.watchForStalls(transfer);
    this.tell(transfer);
    const peer = transfer.agent.peer;
    return new Promise<FileTransferView>((resolve, reject) => {
      transfer.reply = { resolve, reject };
      transfer.upload = new UploadStream(request, transfer.channel, transfer.size!, transfer.window, {
        sendFrame: (frame, written) => {
          transfer.touch();
          peer.sendBinary(frame, written);
        },
        get pendingBytes() {
          return peer.pendingBytes;
        },
        whenDrained: (callback) => peer.whenDrained(callback),
      }, {
        sent: (size, sha256) => {
          // Still moving until the device has written it all: then it checks (see progress).
          transfer.set({ sha256 });
          peer.send({ t: 'file.end', channel: transfer.channel, size, sha256 });
          const acked = transfer.upload?.acked ?? 0;
          if (acked === size) this.progress(transfer, acked);
        },
        failed: (code, detail) => this.cancel(transfer, code === 'FILE_ERR_SIZE_MISMATCH' ? 'error' : 'technician', code, detail),
      });
    });
  }

  /** `GET /api/files/:id/download`: the file from the device, as an attachment. */
  download(id: string, account: Account, response: ServerResponse): void {
    const transfer = this.ownReady(id, account, 'fetch');
    const download = transfer.download!;
    if (download.attached) throw new RelaisError('FILE_ERR_NOT_READY', 'The download was already started.'); // i18n-ignore: detail for the log
    transfer.set({ state: 'moving' });
    this.watchForStalls(transfer);
    download.attach(response, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': attachmentHeader(transfer.name ?? 'file'),
      'Content-Length': String(transfer.size),
      'Cache-Control': 'no-store',
    });
    this.tell(transfer);
  }

  /** The agent's connection is gone: its transfers are over. */
  agentGone(agent: AgentLink): void {
    for (const transfer of [...this.byChannel.values()]) if (transfer.agent === agent) this.finish(transfer, 'FILE_ERR_INTERRUPTED', null);
  }

  /** A technician's page is gone: what it asked and has not started is withdrawn; uploads and downloads under way go on. */
  consoleGone(console: ConsoleLink): void {
    for (const transfer of [...this.byChannel.values()]) {
      if (transfer.console !== console) continue;
      transfer.console = null;
      if (transfer.state === 'asking' || transfer.state === 'ready') this.cancel(transfer, 'technician', 'FILE_ERR_CANCELLED', 'the technician left the page');
    }
  }

  /** Transfers in flight (tests, metrics). */
  get size(): number {
    return this.byChannel.size;
  }

  private ownReady(id: string, account: Account, direction: 'send' | 'fetch'): TransferRecord {
    const transfer = this.byId.get(id);
    if (!transfer || transfer.direction !== direction) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such file transfer.'); // i18n-ignore: detail for the log
    if (transfer.owner !== account.username) throw new RelaisError('AUTH_ERR_FORBIDDEN', 'Only the technician who asked for this transfer may carry it out.'); // i18n-ignore: detail for the log
    if (transfer.state !== 'ready') throw new RelaisError('FILE_ERR_NOT_READY');
    return transfer;
  }

  /** The person said yes (and a send's agent is ready): the browser may start; it has readyTimeoutMs to. */
  private ready(transfer: TransferRecord): void {
    transfer.set({ state: 'ready' });
    if (transfer.direction === 'fetch') {
      transfer.download = new DownloadStream(transfer.channel, transfer.size ?? 0, (frame) => transfer.agent.peer.sendBinary(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)), {
        progress: (delivered) => this.progress(transfer, delivered),
        done: (sha256) => {
          transfer.set({ sha256, bytes: transfer.size ?? 0 });
          this.finish(transfer, null, null);
        },
        failed: (code, detail) => this.cancel(transfer, code === 'FILE_ERR_INTEGRITY' ? 'integrity' : code === 'FILE_ERR_CANCELLED' ? 'technician' : 'error', code, detail),
      });
    }
    transfer.startTimer(this.readyTimeoutMs, () => this.cancel(transfer, 'timeout', 'FILE_ERR_CANCELLED', 'the browser did not start the transfer in time'));
    this.tell(transfer);
  }

  /** From the first byte on, a transfer must keep moving: nothing for stallTimeoutMs stops it. */
  private watchForStalls(transfer: TransferRecord): void {
    transfer.watch(this.stallTimeoutMs, () => this.cancel(transfer, 'error', 'FILE_ERR_STALLED', 'no byte moved'));
  }

  private progress(transfer: TransferRecord, bytes: number): void {
    transfer.touch();
    transfer.set({ bytes });
    // A send whose every byte reached the device's disk: what is left is the check.
    if (transfer.direction === 'send' && transfer.sha256 !== null && bytes === transfer.size && transfer.state === 'moving') {
      transfer.set({ state: 'checking' });
      return this.tell(transfer, true);
    }
    transfer.throttle(this.progressIntervalMs, () => this.tell(transfer));
  }

  /** Ends a transfer on the agent too (it deletes any partial file). */
  private cancel(transfer: TransferRecord, reason: FileCancelReason, code: FileErrorCode, detail: string | null): void {
    if (!this.byChannel.has(transfer.channel)) return;
    transfer.agent.peer.send({ t: 'file.cancel', channel: transfer.channel, reason });
    this.finish(transfer, code, detail);
  }

  /** The end of a transfer, whatever it is: streams stopped, the page and the upload told, one audit entry. */
  private finish(transfer: TransferRecord, code: FileErrorCode | null, detail: string | null): void {
    if (!this.byChannel.delete(transfer.channel)) return;
    this.byId.delete(transfer.id);
    transfer.clearTimer();
    transfer.upload?.stop();
    if (code !== null) transfer.download?.stop();
    transfer.set(code === null ? { state: 'done' } : { state: 'failed', code, detail });
    const view = transfer.view();
    this.tell(transfer, true);
    if (transfer.reply) {
      if (code === null) transfer.reply.resolve(view);
      else transfer.reply.reject(new RelaisError(code, detail ?? undefined));
      transfer.reply = null;
    }
    this.audit.note({
      actor: transfer.owner,
      action: `file.${transfer.direction}`,
      target: transfer.agent.deviceId,
      detail: {
        transferId: transfer.id, name: view.name, size: view.size, sha256: view.sha256, outcome: code === null ? 'done' : code,
        ...(transfer.direction === 'fetch' ? { path: view.path } : { savedAs: view.savedAs }),
      },
    });
  }

  /** Sends the transfer's state to the page that asked (if it is still there). */
  private tell(transfer: TransferRecord, now = false): void {
    if (now) transfer.cancelThrottle();
    transfer.console?.peer.send({ t: 'file.update', transfer: transfer.view() });
  }
}
