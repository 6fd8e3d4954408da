/**
 * Send, on the controller: the technician's upload (an HTTP request body) becomes
 * DATA frames to the agent, hashed as it passes, and read only as fast as the agent
 * acknowledges what its disk has taken (credit, protocol/credit.ts) and its socket
 * drains. The request is paused otherwise, so TCP holds the browser back: no file
 * is ever held in the controller's memory beyond the window.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Credit, FRAME_HEADER_BYTES, LIMITS, writeDataHeader, type FileErrorCode } from '../../../protocol/index.js';

/** The agent's connection as the upload uses it. */
export interface UploadWire {
  /** Sends a frame; `written` runs once its buffer is free again (the kernel has the bytes). */
  sendFrame(frame: Buffer, written: () => void): void;
  /** Bytes queued on the agent's socket, and a call once they are back under half the high-water mark. */
  readonly pendingBytes: number;
  whenDrained(callback: () => void): void;
}

export interface UploadEvents {
  /** Every byte went out: their count and SHA-256 (the agent compares its own). */
  sent(size: number, sha256: string): void;
  /** The body ended early, ran past the announced size, or the browser went away. */
  failed(code: FileErrorCode, detail: string): void;
}

/** Frames in flight at most: the window and the socket's high-water mark, in full frames. */
const POOL_FRAMES = 256;

export class UploadStream {
  private readonly credit: Credit;
  /**
   * Frame buffers given back once the kernel has their bytes: in steady state the upload
   * allocates none. Fewer fresh 64 KiB buffers means fewer full garbage collections, which
   * V8 runs each time enough memory outside its heap was allocated.
   */
  private readonly pool: Buffer[] = [];
  private readonly hash = createHash('sha256');
  private waitingForDrain = false;
  private over = false;
  /** Bytes read from the request and sent on. */
  received = 0;
  /** Bytes the agent says its disk has taken: the transfer's progress. */
  acked = 0;

  constructor(
    private readonly body: Readable,
    private readonly channel: number,
    readonly size: number,
    window: number,
    private readonly wire: UploadWire,
    private readonly events: UploadEvents,
  ) {
    this.credit = new Credit(window);
    body.on('data', (chunk: Buffer) => this.take(chunk));
    body.on('end', () => this.ended());
    // 'close' before 'end': the browser cancelled or its connection dropped.
    body.on('close', () => this.fail('FILE_ERR_CANCELLED', 'the upload stopped before its end'));
    body.on('error', (error) => this.fail('FILE_ERR_CANCELLED', error.message));
  }

  /** The agent's disk took `bytes`: read on. */
  ack(bytes: number): void {
    this.acked = Math.min(this.acked + bytes, this.size);
    if (this.credit.grant(bytes)) this.flow();
  }

  /** Stops reading and forgets the rest of the body (the transfer ended otherwise). */
  stop(): void {
    this.over = true;
    this.body.pause();
  }

  private take(chunk: Buffer): void {
    if (this.over) return;
    if (this.received + chunk.byteLength > this.size) return this.fail('FILE_ERR_SIZE_MISMATCH', `more than the announced ${this.size} bytes`);
    this.received += chunk.byteLength;
    this.hash.update(chunk);
    for (let at = 0; at < chunk.byteLength; at += LIMITS.maxChunkBytes) {
      // One copy into the frame, none to zero it first (the payload fills it).
      const length = Math.min(LIMITS.maxChunkBytes, chunk.byteLength - at);
      const buffer = this.pool.pop() ?? Buffer.allocUnsafe(FRAME_HEADER_BYTES + LIMITS.maxChunkBytes);
      chunk.copy(buffer, FRAME_HEADER_BYTES, at, at + length);
      const frame = buffer.subarray(0, FRAME_HEADER_BYTES + length);
      this.wire.sendFrame(writeDataHeader(frame, this.channel) as Buffer, () => {
        if (this.pool.length < POOL_FRAMES) this.pool.push(buffer);
      });
    }
    // What was read still goes; reading stops until the agent has taken enough of it.
    if (this.credit.spend(chunk.byteLength) || this.wire.pendingBytes > LIMITS.relayHighWaterBytes) {
      this.body.pause();
      this.flow();
    }
  }

  /** Reads again once there is credit and the agent's socket is not congested. */
  private flow(): void {
    if (this.over || this.credit.remaining <= 0) return;
    if (this.wire.pendingBytes > LIMITS.relayHighWaterBytes) {
      if (this.waitingForDrain) return;
      this.waitingForDrain = true;
      return this.wire.whenDrained(() => {
        this.waitingForDrain = false;
        this.flow();
      });
    }
    this.body.resume();
  }

  private ended(): void {
    if (this.over) return;
    this.over = true;
    if (this.received !== this.size) return this.events.failed('FILE_ERR_SIZE_MISMATCH', `${this.received} bytes uploaded, ${this.size} announced`);
    this.events.sent(this.received, this.hash.digest('hex'));
  }

  private fail(code: FileErrorCode, detail: string): void {
    if (this.over) return;
    this.over = true;
    this.body.pause();
    this.events.failed(code, detail);
  }
}
