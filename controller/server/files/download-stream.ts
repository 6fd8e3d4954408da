/**
 * Fetch, on the controller: DATA frames from the agent become the technician's
 * download (an HTTP response), hashed as they pass, each acknowledged to the agent
 * (credit) once the response has handed it to the network, so a slow browser slows
 * the agent's reads, not our memory. Until the browser asks for the download, what
 * arrives waits here — at most the window. The last chunk is held back until the
 * agent's SHA-256 matches ours: a damaged file never completes in the browser (the
 * response is cut instead, and the browser reports the download as failed).
 * An agent that sends past the credit it was given (the window, then each ACK) is
 * refused, not buffered: what waits here stays within the window whatever it sends.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { CreditAcks, FILE_LIMITS, FRAME_HEADER_BYTES, type FileErrorCode } from '../../../protocol/index.js';

export interface DownloadEvents {
  /** The browser has been handed this many bytes in all. */
  progress(delivered: number): void;
  /** Every byte reached the browser and the SHA-256 matched. */
  done(sha256: string): void;
  failed(code: FileErrorCode, detail: string): void;
}

/** What became of bytes from the agent. */
export type DataVerdict = 'taken' | 'past-size' | 'past-credit';

export class DownloadStream {
  private readonly acks: CreditAcks;
  /** Bytes the agent may have sent by now: its first window and every credit acknowledged since. */
  private allowed: number;
  private readonly hash = createHash('sha256');
  private waiting: Buffer[] = [];
  private tail: Buffer | null = null;
  private response: ServerResponse | null = null;
  /** The agent's SHA-256 matched ours: the response ends once the browser has it all. */
  private verified: string | null = null;
  private settled = false;
  private corked = false;
  /** Bytes received from the agent. */
  received = 0;
  /** Bytes the response handed to the network. */
  delivered = 0;

  constructor(
    channel: number,
    readonly size: number,
    sendAck: (frame: Uint8Array) => void,
    private readonly events: DownloadEvents,
    /** The window the agent was given with the request (file.request). */
    window: number = FILE_LIMITS.prefetchBytes,
  ) {
    this.allowed = window;
    // Counted as it leaves: the agent can only spend credit it has been sent.
    this.acks = new CreditAcks(channel, (frame) => {
      this.allowed += new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(FRAME_HEADER_BYTES);
      sendAck(frame);
    }, { flushBytes: FILE_LIMITS.ackBytes });
  }

  get attached(): boolean {
    return this.response !== null;
  }

  /** Bytes from the agent, in order: taken, or refused for going past the announced size or the credit. */
  data(payload: Buffer): DataVerdict {
    if (this.settled || this.verified !== null) return 'taken';
    if (this.received + payload.byteLength > this.size) return 'past-size';
    // A sender may pass its credit by less than one of its reads (FILE_LIMITS.readBytes), not more.
    if (this.received + payload.byteLength > this.allowed + FILE_LIMITS.readBytes) return 'past-credit';
    this.received += payload.byteLength;
    this.hash.update(payload);
    const previous = this.tail;
    this.tail = payload;
    if (previous) this.deliver(previous);
    return 'taken';
  }

  /** The browser asks for the file: the response starts with what already arrived. */
  attach(response: ServerResponse, headers: Record<string, string>): void {
    this.response = response;
    response.writeHead(200, headers);
    // The browser shows the download at once, even while the first bytes are still held back.
    response.flushHeaders();
    response.on('close', () => {
      if (!response.writableFinished) this.fail('FILE_ERR_CANCELLED', 'the download stopped before its end');
    });
    const waiting = this.waiting;
    this.waiting = [];
    for (const chunk of waiting) this.write(chunk);
    // Until now the agent could send the prefetch window only; the download takes the full one.
    this.acks.grant(FILE_LIMITS.windowBytes - FILE_LIMITS.prefetchBytes);
    if (this.verified !== null) this.complete();
  }

  /** The agent sent everything: compare, then complete the download (or cut it). */
  end(size: number, sha256: string): void {
    if (this.settled || this.verified !== null) return;
    const ours = this.hash.digest('hex');
    if (size !== this.size || this.received !== this.size) return this.fail('FILE_ERR_SIZE_MISMATCH', `${this.received} bytes received, ${size} sent, ${this.size} announced`);
    if (ours !== sha256) return this.fail('FILE_ERR_INTEGRITY', `received ${ours}, sent ${sha256}`);
    this.verified = ours;
    if (this.tail) this.deliver(this.tail);
    this.tail = null;
    // The browser may not have asked yet: then the end waits for it.
    if (this.response) this.complete();
  }

  /** Ends the download without completing it (cancelled, agent gone). */
  stop(): void {
    this.settled = true;
    this.acks.close();
    this.waiting = [];
    this.tail = null;
    if (this.response && !this.response.writableFinished) this.response.destroy();
  }

  private complete(): void {
    const sha256 = this.verified!;
    this.response!.end(() => {
      if (this.settled) return;
      this.settled = true;
      this.acks.close();
      this.events.done(sha256);
    });
  }

  private deliver(chunk: Buffer): void {
    if (this.response) this.write(chunk);
    else this.waiting.push(chunk);
  }

  private write(chunk: Buffer): void {
    const response = this.response!;
    if (response.destroyed) return;
    // Frames that arrive in one turn of the event loop leave in one system call.
    if (!this.corked) {
      this.corked = true;
      response.cork();
      process.nextTick(() => {
        this.corked = false;
        response.uncork();
      });
    }
    response.write(chunk, () => {
      this.delivered += chunk.byteLength;
      this.acks.consumed(chunk.byteLength);
      this.events.progress(this.delivered);
    });
  }

  private fail(code: FileErrorCode, detail: string): void {
    if (this.settled) return;
    this.stop();
    this.events.failed(code, detail);
  }
}
