/**
 * The file transfers of one connection, from `file.offer` or `file.request` to their
 * end: check what can be checked before asking (size, free space, the path), ask the
 * machine's consent authority (the person, or a managed device's policy) with the
 * name, size and destination, move the bytes only after its yes, and leave nothing
 * partial behind whatever ends it (the technician, the person with Ctrl+], a lost
 * connection, a damaged file). Channel numbers are the controller's (FILE_CHANNEL_BASE up).
 */
import { mkdir, statfs, unlink, type FileHandle } from 'node:fs/promises';
import {
  CreditAcks, FILE_LIMITS, FrameKind, isPlainText, plainText, type ControllerToAgent, type FileCancelReason, type FileErrorCode, type Frame,
} from '../../protocol/index.js';
import type { ConsentAuthority } from '../consent/consent.js';
import type { PersonTerminal } from '../person/person-terminal.js';
import type { ShellWire } from '../shell/shell-requests.js';
import { downloadsFolder, freeName, ioFailure, openForFetch, type HomeFacts } from './file-paths.js';
import { CANCEL_CODES, reasonText, refused, sizeText, whoOf, words } from './file-words.js';
import { sweepLeftoverParts } from './leftover-parts.js';
import { IncomingFile } from './incoming-file.js';
import { OutgoingFile } from './outgoing-file.js';
import { TransferProgress, type ProgressFigures } from './transfer-progress.js';

type FileOffer = Extract<ControllerToAgent, { t: 'file.offer' }>;
type FileRequest = Extract<ControllerToAgent, { t: 'file.request' }>;
type FileEnd = Extract<ControllerToAgent, { t: 'file.end' }>;

export interface FileRequestsParts {
  readonly wire: ShellWire;
  readonly consent: ConsentAuthority;
  readonly terminal: Pick<PersonTerminal, 'say' | 'interactive'>;
  readonly host: HomeFacts & { readonly localUser: string };
  /** The largest file this agent sends or receives (RELAIS_FILE_MAX_BYTES, else FILE_LIMITS.defaultMaxBytes). */
  readonly maxBytes: number;
  /** Where sent files are saved (tests give a folder); the Downloads folder otherwise. */
  readonly downloads?: () => string;
}

/** One transfer, from the controller's message to its end. */
interface Entry {
  readonly channel: number;
  readonly direction: 'send' | 'fetch';
  phase: 'checking' | 'asking' | 'moving' | 'finishing';
  /** The name (send) or the path (fetch), as the person reads it. */
  label: string;
  incoming: IncomingFile | null;
  outgoing: OutgoingFile | null;
  /** A fetch's file, open from the check on. */
  handle: FileHandle | null;
}

export class FileRequests {
  private readonly channels = new Map<number, Entry>();
  private closing = false;

  constructor(private readonly parts: FileRequestsParts) {}

  /** Send: asks the person to accept a file into their Downloads folder; receives it on their yes. */
  async offer(message: FileOffer): Promise<void> {
    const entry = this.claim(message.channel, 'send', message.name);
    if (!entry) return;
    const who = whoOf(message.requestedBy);
    const size = sizeText(message.size);
    const refuse = (code: FileErrorCode, detail: string): void => {
      this.fail(entry, code, detail);
      this.say(words('offerRefused', { who, name: message.name, size, reason: reasonText(code, detail) }));
    };
    if (message.size > this.parts.maxBytes) return refuse('FILE_ERR_TOO_LARGE', `${message.size} > ${this.parts.maxBytes}`);
    const folder = this.parts.downloads?.() ?? downloadsFolder(this.parts.host);
    if (!isPlainText(folder) || folder.length > FILE_LIMITS.maxPathChars) return refuse('FILE_ERR_IO', 'downloads-folder-name-not-text');
    try {
      await mkdir(folder, { recursive: true });
      // What killed transfers left here goes first: it may be the space this file needs.
      await sweepLeftoverParts(folder);
      const free = await statfs(folder).then((s) => s.bavail * s.bsize, () => null);
      if (free !== null && free < message.size) return refuse('FILE_ERR_NO_SPACE', `${free} < ${message.size}`);
    } catch (error) {
      const failure = ioFailure(error);
      return refuse(failure.code, failure.detail);
    }
    if (!this.current(entry)) return;
    const saved = freeName(folder, message.name);
    entry.phase = 'asking';
    const decision = await this.parts.consent.ask({
      channel: message.channel,
      requestedBy: message.requestedBy,
      localUser: this.parts.host.localUser,
      shell: '',
      file: {
        asked: [words('askSend', { who, name: message.name, size }), words('askSendWhere', { folder, saved })],
        granted: words('grantedSend'),
        what: words('whatSend', { name: message.name, size }),
        refused,
      },
    });
    if (!this.answered(entry, decision)) return;
    const acks = new CreditAcks(message.channel, (frame) => this.parts.wire.sendFrame(frame), { flushBytes: FILE_LIMITS.ackBytes });
    const progress = this.progressOf(entry, message.size);
    let incoming: IncomingFile;
    try {
      incoming = await IncomingFile.create({ folder, name: saved, size: message.size }, {
        written: (bytes) => {
          acks.consumed(bytes);
          progress.update(incoming.written);
        },
        failed: (code, detail) => this.abandon(entry, code, detail),
      });
    } catch (error) {
      const failure = ioFailure(error);
      return this.endWith(entry, failure.code, failure.detail);
    }
    if (!this.current(entry)) return void incoming.abort();
    entry.incoming = incoming;
    entry.phase = 'moving';
    this.parts.wire.send({ t: 'file.accept', channel: message.channel, window: FILE_LIMITS.windowBytes, name: saved, folder });
  }

  /** Fetch: checks the path, asks the person (real path, size), and sends the file on their yes. */
  async request(message: FileRequest): Promise<void> {
    const entry = this.claim(message.channel, 'fetch', plainText(message.path, 512));
    if (!entry) return;
    const who = whoOf(message.requestedBy);
    const check = await openForFetch(message.path, this.parts.host, Math.min(message.maxBytes, this.parts.maxBytes));
    if (!check.ok) {
      this.fail(entry, check.code, check.detail);
      return this.say(words('refusedBeforeAsking', { who, path: entry.label, reason: reasonText(check.code, check.detail) }));
    }
    entry.handle = check.handle;
    if (!this.current(entry)) return void check.handle.close().catch(() => undefined);
    entry.label = check.path;
    entry.phase = 'asking';
    const size = sizeText(check.size);
    this.parts.wire.send({ t: 'file.info', channel: message.channel, name: check.name, path: check.path, size: check.size });
    const decision = await this.parts.consent.ask({
      channel: message.channel,
      requestedBy: message.requestedBy,
      localUser: this.parts.host.localUser,
      shell: '',
      file: {
        asked: [words('askFetch', { who, path: check.path, size }), words('askFetchOnly')],
        granted: words('grantedFetch'),
        what: words('whatFetch', { path: check.path, size }),
        refused,
      },
    });
    if (!this.answered(entry, decision)) return void check.handle.close().catch(() => undefined);
    const progress = this.progressOf(entry, check.size);
    const outgoing = new OutgoingFile(message.channel, check.handle, check.size, message.window, { sendFrame: (f) => this.parts.wire.sendFrame(f), link: this.parts.wire }, (sent) => progress.update(sent));
    entry.outgoing = outgoing;
    entry.phase = 'moving';
    const outcome = await outgoing.run();
    if (!this.current(entry) || outcome === null) return;
    if (!outcome.ok) return this.abandon(entry, outcome.code, outcome.detail);
    this.channels.delete(entry.channel);
    this.parts.wire.send({ t: 'file.end', channel: message.channel, size: check.size, sha256: outcome.sha256 });
    this.say(words('sent', { path: check.path, size, sha: outcome.sha256 }));
  }

  /** Send: the controller has sent every byte; the file is checked, then named (or deleted). */
  async end(message: FileEnd): Promise<void> {
    const entry = this.channels.get(message.channel);
    if (!entry?.incoming || entry.phase !== 'moving') return;
    entry.phase = 'finishing';
    const outcome = await entry.incoming.finish(message);
    // Cancelled while it was being checked and named: what was cancelled does not stay.
    if (!this.current(entry)) return void (outcome.ok && unlink(outcome.savedAs).catch(() => undefined));
    this.channels.delete(entry.channel);
    if (!outcome.ok) return this.endWith(entry, outcome.code, outcome.detail, false);
    this.parts.wire.send({ t: 'file.done', channel: entry.channel, size: message.size, sha256: outcome.sha256, savedAs: outcome.savedAs });
    this.say(words('received', { savedAs: outcome.savedAs, size: sizeText(message.size), sha: outcome.sha256 }));
  }

  /** The controller ends a transfer, or withdraws its question. */
  cancel(channel: number, reason: FileCancelReason): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    this.channels.delete(channel);
    if (entry.phase === 'checking' || entry.phase === 'asking') {
      this.parts.consent.cancel(channel, words('whyTechnicianWithdrew'));
      void entry.handle?.close().catch(() => undefined);
      return;
    }
    this.stop(entry);
    this.say(this.endLine(entry, reason === 'technician' ? words('byTechnician') : reasonText(CANCEL_CODES[reason], '')));
  }

  /** DATA for a file arriving, ACK for a file leaving. Frames after a transfer ended are dropped quietly. */
  frame(frame: Frame): void {
    const entry = this.channels.get(frame.channel);
    if (frame.kind === FrameKind.ack) return entry?.outgoing?.ack(frame.credit);
    if (!entry?.incoming || entry.phase !== 'moving') return;
    if (!entry.incoming.write(frame.payload)) this.abandon(entry, 'FILE_ERR_SIZE_MISMATCH', `> ${entry.incoming.target.size}`);
  }

  /** The person stops every transfer under way (Ctrl+] or "end"); returns how many there were. */
  stopAll(): number {
    const moving = [...this.channels.values()].filter((entry) => entry.phase === 'moving' || entry.phase === 'finishing');
    for (const entry of moving) this.abandon(entry, 'FILE_ERR_CANCELLED', 'stopped-by-the-person', words('byYou'));
    return moving.length;
  }

  /** The connection is gone: every question withdrawn, every transfer stopped, nothing partial kept. */
  dropAll(): void {
    this.forgetAll(words('connectionLost'), words('whyConnectionLost'));
  }

  /** The session is ending: no new transfers; partial files are deleted before this resolves (at most `ms`). */
  async closeAll(ms: number): Promise<void> {
    this.closing = true;
    const cleanups = this.forgetAll(words('sessionEnding'), words('whySessionEnding'));
    await Promise.race([Promise.allSettled(cleanups), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  }

  /** Transfers in flight (tests). */
  get size(): number {
    return this.channels.size;
  }

  private claim(channel: number, direction: Entry['direction'], label: string): Entry | null {
    const { wire } = this.parts;
    if (this.closing) return null;
    if (this.channels.has(channel)) return void wire.replyError('PROTO_ERR_CHANNEL_IN_USE', '', channel), null;
    if (this.channels.size >= FILE_LIMITS.maxTransfersPerConnection) return void wire.replyError('PROTO_ERR_TOO_MANY_CHANNELS', '', channel), null;
    const entry: Entry = { channel, direction, phase: 'checking', label, incoming: null, outgoing: null, handle: null };
    this.channels.set(channel, entry);
    return entry;
  }

  private current(entry: Entry): boolean {
    return this.channels.get(entry.channel) === entry;
  }

  /** Reports the person's (or the policy's) answer; true when the transfer goes on. */
  private answered(entry: Entry, decision: Awaited<ReturnType<ConsentAuthority['ask']>>): boolean {
    if (!this.current(entry)) return false;
    if (decision === 'cancelled') return void this.channels.delete(entry.channel), false;
    this.parts.wire.send({ t: 'file.consent', channel: entry.channel, decision });
    if (decision === 'granted') return true;
    this.channels.delete(entry.channel);
    return false;
  }

  private progressOf(entry: Entry, total: number): TransferProgress {
    const how = words(this.parts.terminal.interactive ? 'stopKey' : 'stopLine');
    const line = entry.direction === 'send' ? 'receiving' : 'sending';
    const label = entry.direction === 'send' ? { name: entry.label } : { path: entry.label };
    return new TransferProgress(total, (figures: ProgressFigures) => {
      if (this.current(entry)) this.say(words(line, { ...label, ...figures, how }));
    });
  }

  /** A failure found on this machine mid-transfer: stop, delete, tell the controller and the person. */
  private abandon(entry: Entry, code: FileErrorCode, detail: string, why = reasonText(code, detail)): void {
    if (!this.current(entry)) return;
    this.channels.delete(entry.channel);
    this.stop(entry);
    this.parts.wire.send({ t: 'file.failed', channel: entry.channel, code, detail: plainText(detail, 512) });
    this.say(this.endLine(entry, why));
  }

  /** A transfer that cannot go on before or after its bytes moved: the controller and the person are told. */
  private endWith(entry: Entry, code: FileErrorCode, detail: string, forget = true): void {
    if (forget) this.channels.delete(entry.channel);
    this.parts.wire.send({ t: 'file.failed', channel: entry.channel, code, detail: plainText(detail, 512) });
    this.say(this.endLine(entry, reasonText(code, detail)));
  }

  /** Refused before any question: only the controller is told (the caller words it for the person). */
  private fail(entry: Entry, code: FileErrorCode, detail: string): void {
    this.channels.delete(entry.channel);
    this.parts.wire.send({ t: 'file.failed', channel: entry.channel, code, detail: plainText(detail, 512) });
  }

  /** Stops the bytes and deletes what is partial; resolves once it is deleted. */
  private stop(entry: Entry): Promise<unknown> {
    entry.outgoing?.stop();
    const closed = entry.outgoing ? Promise.resolve() : (entry.handle?.close().catch(() => undefined) ?? Promise.resolve());
    return Promise.all([closed, entry.incoming?.abort()]);
  }

  /** Forgets every transfer: questions withdrawn (`whyAsked` says why), transfers stopped (`why` ends their line). */
  private forgetAll(why: string, whyAsked: string): Promise<unknown>[] {
    const entries = [...this.channels.values()];
    this.channels.clear();
    const cleanups: Promise<unknown>[] = [];
    for (const entry of entries) {
      if (entry.phase === 'checking' || entry.phase === 'asking') {
        this.parts.consent.cancel(entry.channel, whyAsked);
        cleanups.push(entry.handle?.close().catch(() => undefined) ?? Promise.resolve());
        continue;
      }
      cleanups.push(this.stop(entry));
      this.say(this.endLine(entry, why));
    }
    return cleanups;
  }

  private endLine(entry: Entry, reason: string): string {
    return entry.direction === 'send' ? words('failedSend', { name: entry.label, reason }) : words('failedFetch', { path: entry.label, reason });
  }

  private say(text: string): void {
    this.parts.terminal.say(text);
  }
}
