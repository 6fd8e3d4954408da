/**
 * A file leaving this machine (a fetch the person allowed): read from the handle
 * that was checked, straight into DATA frames (one read fills several frames, no
 * second copy), hashed as it goes, and metered by the reader's credit like a
 * shell's output; it also waits while our socket is congested. Exactly the size
 * announced is read (a log that grows meanwhile is sent as it was when asked for).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Credit, FILE_LIMITS, FRAME_HEADER_BYTES, LIMITS, writeDataHeader, type FileErrorCode } from '../../protocol/index.js';
import type { Backpressure } from '../shell/shell-channel.js';
import { ioFailure } from './file-paths.js';

export interface OutgoingWire {
  sendFrame(frame: Uint8Array): boolean;
  /** Our connection to the controller. */
  readonly link: Backpressure;
}

export type OutgoingOutcome = { readonly ok: true; readonly sha256: string } | { readonly ok: false; readonly code: FileErrorCode; readonly detail: string } | null;

export class OutgoingFile {
  private readonly credit: Credit;
  private readonly hash = createHash('sha256');
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Bytes sent so far. */
  sent = 0;

  constructor(
    private readonly channel: number,
    private readonly handle: FileHandle,
    readonly size: number,
    window: number,
    private readonly wire: OutgoingWire,
    private readonly onProgress: (sent: number) => void,
  ) {
    this.credit = new Credit(window);
  }

  /** The reader consumed `bytes`: send more. */
  ack(bytes: number): void {
    this.credit.grant(bytes);
    this.poke();
  }

  /** Stops sending (cancelled); run() then resolves with null. */
  stop(): void {
    this.stopped = true;
    this.poke();
  }

  /** Reads and sends the whole file: its SHA-256, a read failure, or null once stopped. */
  async run(): Promise<OutgoingOutcome> {
    try {
      while (this.sent < this.size) {
        if (this.stopped) return null;
        if (this.credit.remaining <= 0) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (this.wire.link.congested) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.wire.link.whenDrained(resolve);
          });
          continue;
        }
        // One read, four frames' worth: the protocol lets the receiver take one read past the credit.
        const read = await this.readFrames(Math.min(FILE_LIMITS.readBytes, this.size - this.sent));
        if (read === 0) return { ok: false, code: 'FILE_ERR_IO', detail: `file-shrank:${this.sent}/${this.size}` };
        this.credit.spend(read);
        this.sent += read;
        this.onProgress(this.sent);
      }
      return this.stopped ? null : { ok: true, sha256: this.hash.digest('hex') };
    } catch (error) {
      return ioFailure(error);
    } finally {
      await this.handle.close().catch(() => undefined);
    }
  }

  /** Reads up to `want` bytes into fresh frames and sends those that got bytes; returns how many were read. */
  private async readFrames(want: number): Promise<number> {
    const frames: Buffer[] = [];
    for (let at = 0; at < want; at += LIMITS.maxChunkBytes) frames.push(Buffer.allocUnsafe(FRAME_HEADER_BYTES + Math.min(LIMITS.maxChunkBytes, want - at)));
    const { bytesRead } = await this.handle.readv(frames.map((frame) => frame.subarray(FRAME_HEADER_BYTES)), this.sent);
    if (this.stopped) return bytesRead;
    let left = bytesRead;
    for (const frame of frames) {
      if (left <= 0) break;
      const payload = Math.min(left, frame.byteLength - FRAME_HEADER_BYTES);
      const whole = payload === frame.byteLength - FRAME_HEADER_BYTES ? frame : frame.subarray(0, FRAME_HEADER_BYTES + payload);
      writeDataHeader(whole, this.channel);
      this.hash.update(whole.subarray(FRAME_HEADER_BYTES));
      this.wire.sendFrame(whole);
      left -= payload;
    }
    return bytesRead;
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
