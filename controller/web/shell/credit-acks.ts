/**
 * Flow control, reader side: the agent may only send as many bytes as we have
 * acknowledged. We acknowledge bytes once xterm.js has rendered them, batched so a
 * fast stream does not turn into one ACK frame per chunk.
 */
import { encodeAck } from '../../../protocol/index.js';

/** Flush at once when this much has been consumed since the last ACK. */
const FLUSH_BYTES = 64 * 1024;
/** Otherwise flush this long after the first unacknowledged byte was rendered. */
const FLUSH_DELAY_MS = 10;
const MAX_CREDIT = 0xffff_ffff;

export class CreditAcks {
  private consumedBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly channel: number,
    private readonly sendFrame: (frame: Uint8Array) => void,
  ) {}

  /** Records bytes the terminal has rendered. */
  consumed(bytes: number): void {
    if (this.closed || bytes <= 0) return;
    this.consumedBytes += bytes;
    if (this.consumedBytes >= FLUSH_BYTES) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  /** Sends what has been consumed so far. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.consumedBytes > 0 && !this.closed) {
      const credit = Math.min(this.consumedBytes, MAX_CREDIT);
      this.consumedBytes -= credit;
      this.sendFrame(encodeAck(this.channel, credit));
    }
  }

  /** Stops acknowledging: the channel is gone. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
