/**
 * One open remote shell seen from the wire: its output becomes DATA frames
 * (split to the chunk limit, metered by the reader's credit) and is mirrored to
 * the person; DATA in becomes keystrokes; ACKs refill the credit.
 */
import { encodeData, LIMITS, type ShellCloseReason } from '../../protocol/index.js';
import { Credit } from './flow-control.js';
import type { ShellProcess } from './shell-process.js';

export interface ChannelOutput {
  sendFrame(frame: Uint8Array): void;
  mirror(bytes: Uint8Array): void;
  /** True while the connection has too much queued (whatever the credit says). */
  readonly congested: boolean;
  /** Calls back when the connection has drained. */
  whenDrained(callback: () => void): void;
}

export class ShellChannel {
  private readonly credit: Credit;
  private process: ShellProcess | null = null;
  private paused = false;
  /** Paused because the socket is congested (as opposed to out of credit). */
  private congestionPause = false;
  /** Output that came before the channel was announced (shell.opened must precede DATA). */
  private early: Uint8Array[] | null = [];
  /** Why the agent is ending this shell; null while nobody asked (then it ended by itself: 'exit'). */
  closeReason: ShellCloseReason | null = null;

  constructor(readonly channel: number, window: number, private readonly out: ChannelOutput) {
    this.credit = new Credit(window);
  }

  /** Connects the running shell (its output already flows into output()). */
  attach(process: ShellProcess): void {
    this.process = process;
    if (this.paused) process.pause();
  }

  /** Starts forwarding: call right after shell.opened was sent. */
  begin(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const bytes of early) this.forward(bytes);
  }

  /** Output from the shell. */
  output(bytes: Uint8Array): void {
    if (this.early) this.early.push(bytes);
    else this.forward(bytes);
  }

  /** Keystrokes from the technician. */
  input(bytes: Uint8Array): void {
    this.process?.write(bytes);
  }

  /** The reader consumed `bytes`: send more. */
  ack(bytes: number): void {
    if (this.credit.grant(bytes) && this.paused && !this.congestionPause) {
      this.paused = false;
      this.process?.resume();
    }
  }

  resize(cols: number, rows: number): void {
    this.process?.resize(cols, rows);
  }

  /** Ends the shell for `reason`; the session reports it once the process has exited. */
  end(reason: ShellCloseReason): void {
    this.closeReason ??= reason;
    this.process?.kill();
  }

  private forward(bytes: Uint8Array): void {
    this.out.mirror(bytes);
    for (let offset = 0; offset < bytes.byteLength; offset += LIMITS.maxChunkBytes) {
      this.out.sendFrame(encodeData(this.channel, bytes.subarray(offset, offset + LIMITS.maxChunkBytes)));
    }
    // Spent credit pauses the source; what was already read still goes (bounded by one read).
    const spent = this.credit.spend(bytes.byteLength);
    if ((spent || this.out.congested) && !this.paused) {
      this.paused = true;
      this.process?.pause();
    }
    if (this.out.congested && !this.congestionPause) {
      this.congestionPause = true;
      this.out.whenDrained(() => {
        this.congestionPause = false;
        if (this.paused && this.credit.remaining > 0) {
          this.paused = false;
          this.process?.resume();
        }
      });
    }
  }
}
