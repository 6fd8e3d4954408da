/**
 * Reader-side flow control exactly as the browser does it
 * (controller/web/shell/credit-acks.ts): bytes are acknowledged once "rendered",
 * batched — at once when 64 KiB have been consumed, else 10 ms after the first
 * unacknowledged byte.
 */
import { encodeAck } from './wire.mjs';

const FLUSH_BYTES = 64 * 1024;
const FLUSH_DELAY_MS = 10;
const MAX_CREDIT = 0xffff_ffff;

export class CreditAcks {
  #consumed = 0;
  #timer = null;
  #closed = false;

  constructor(channel, sendFrame) {
    this.channel = channel;
    this.sendFrame = sendFrame;
    /** ACK frames sent, for the report. */
    this.sent = 0;
  }

  /** Records bytes the reader has finished with. */
  consumed(bytes) {
    if (this.#closed || bytes <= 0) return;
    this.#consumed += bytes;
    if (this.#consumed >= FLUSH_BYTES) this.flush();
    else if (!this.#timer) this.#timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  flush() {
    clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#consumed > 0 && !this.#closed) {
      const credit = Math.min(this.#consumed, MAX_CREDIT);
      this.#consumed -= credit;
      this.sendFrame(encodeAck(this.channel, credit));
      this.sent += 1;
    }
  }

  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}
