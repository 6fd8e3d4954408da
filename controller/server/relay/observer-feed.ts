/**
 * A shell's output as one observer receives it. An observer is not a reader the
 * shell waits for: the driver's credit alone paces the agent. Each observer reads
 * from the shell's scrollback ring at its own pace instead, by stream offset: it is
 * sent what it has not had, as long as it has acknowledged enough of it (a window)
 * and its socket is not backed up. An observer that falls further behind than the
 * ring holds skips what the ring lost (`onSkip` tells it how much), never slowing
 * the shell nor growing our memory.
 */
import { LIMITS, encodeData } from '../../../protocol/index.js';
import type { OutputRing } from './output-ring.js';

/** The observer's socket as the feed uses it. */
export interface FeedSocket {
  sendBinary(frame: Buffer): void;
  readonly pendingBytes: number;
  whenDrained(callback: () => void): void;
  readonly closed: boolean;
}

export interface FeedOptions {
  /** Unacknowledged bytes an observer may have at once (default: the scrollback size). */
  windowBytes?: number;
  /** Queued bytes on the observer's socket beyond which the feed waits (default: the relay's high-water mark). */
  highWaterBytes?: number;
}

export class ObserverFeed {
  /** Stream offset sent up to. */
  private sent: number;
  /** Stream offset acknowledged up to (rendered by the observer's terminal). */
  private acked: number;
  private waitingForDrain = false;
  private stopped = false;
  private readonly windowBytes: number;
  private readonly highWaterBytes: number;

  /** Starts at the oldest byte the ring holds: the scrollback comes first. */
  constructor(
    private readonly channel: number,
    private readonly ring: OutputRing,
    private readonly socket: FeedSocket,
    private readonly onSkip: (bytes: number) => void,
    options: FeedOptions = {},
  ) {
    this.sent = ring.start;
    this.acked = ring.start;
    this.windowBytes = Math.max(LIMITS.maxChunkBytes, options.windowBytes ?? LIMITS.maxScrollbackBytes);
    this.highWaterBytes = options.highWaterBytes ?? LIMITS.relayHighWaterBytes;
  }

  /** Bytes sent and not yet acknowledged. */
  get unacked(): number {
    return this.sent - this.acked;
  }

  /** Bytes the ring holds that this observer has not been sent yet. */
  get behind(): number {
    return Math.max(0, this.ring.end - this.sent);
  }

  /** The stream offset this observer has been sent up to. */
  get offset(): number {
    return this.sent;
  }

  /** Starts from `offset` instead (a driver who becomes an observer has seen everything up to it). */
  skipTo(offset: number): void {
    this.sent = offset;
    this.acked = offset;
  }

  /** New output is in the ring (or the observer caught up): send what the window allows. */
  pump(): void {
    if (this.stopped || this.socket.closed) return;
    while (this.sent < this.ring.end) {
      const room = this.windowBytes - this.unacked;
      if (room <= 0) return;
      if (this.socket.pendingBytes > this.highWaterBytes) return this.waitForDrain();
      const { chunks, skipped } = this.ring.since(this.sent, Math.min(room, LIMITS.maxChunkBytes));
      if (skipped > 0) {
        // What the ring dropped is gone: say so, count it as read, and go on from what is kept.
        this.sent += skipped;
        this.acked += skipped;
        this.onSkip(skipped);
      }
      if (chunks.length === 0) return;
      const payload = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      this.socket.sendBinary(Buffer.from(encodeData(this.channel, payload)));
      this.sent += payload.byteLength;
    }
  }

  /** The observer rendered `bytes`: more may go. Acknowledgements beyond what was sent are ignored. */
  ack(bytes: number): void {
    this.acked = Math.min(this.sent, this.acked + bytes);
    this.pump();
  }

  /** Sends everything still owed at once, whatever the window (the observer becomes the driver); returns how many bytes. */
  flushAll(): number {
    const { chunks, skipped } = this.ring.since(this.sent);
    if (skipped > 0) this.onSkip(skipped);
    let bytes = 0;
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength; at += LIMITS.maxChunkBytes) {
        const part = chunk.subarray(at, at + LIMITS.maxChunkBytes);
        this.socket.sendBinary(Buffer.from(encodeData(this.channel, part)));
        bytes += part.byteLength;
      }
    }
    this.sent = this.ring.end;
    this.stop();
    return bytes;
  }

  stop(): void {
    this.stopped = true;
  }

  private waitForDrain(): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.socket.whenDrained(() => {
      this.waitingForDrain = false;
      this.pump();
    });
  }
}
