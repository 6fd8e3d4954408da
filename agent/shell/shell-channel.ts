/**
 * One open remote shell seen from the wire: its output becomes DATA frames
 * (batched per turn of the event loop, metered by the reader's credit) and is
 * mirrored to the person; DATA in becomes keystrokes; ACKs refill the credit.
 * The pty is paused while any reader is behind: the technician (credit), our
 * socket (congested) or the person's terminal (its writer is full).
 */
import type { ShellCloseReason } from '../../protocol/index.js';
import { Credit } from '../../protocol/credit.js';
import { OutputBatcher, type Defer } from './output-batcher.js';
import type { ShellProcess } from './shell-process.js';

/** A reader that can fall behind: it says so, and calls back once it has caught up. */
export interface Backpressure {
  readonly congested: boolean;
  whenDrained(callback: () => void): void;
}

export interface ChannelOutput {
  sendFrame(frame: Uint8Array): void;
  /** Our connection to the controller. */
  readonly link: Backpressure;
  /** Shows the person what the shell printed (never drops bytes; may fall behind). */
  mirror(bytes: Uint8Array): void;
  readonly mirrorPressure: Backpressure;
}

/** Why the pty is paused; it reads again only when no reason is left. */
type Hold = 'credit' | 'link' | 'mirror';

export class ShellChannel {
  private readonly credit: Credit;
  private readonly batcher: OutputBatcher;
  private process: ShellProcess | null = null;
  private readonly holds = new Set<Hold>();
  /** Output that came before the channel was announced (shell.opened must precede DATA). */
  private early: Uint8Array[] | null = [];
  /** Why the agent is ending this shell; null while nobody asked (then it ended by itself: 'exit'). */
  closeReason: ShellCloseReason | null = null;

  constructor(readonly channel: number, window: number, private readonly out: ChannelOutput, defer?: Defer) {
    this.credit = new Credit(window);
    this.batcher = new OutputBatcher(channel, (frame, payload) => this.deliver(frame, payload), defer);
  }

  /** Connects the running shell (its output already flows into output()). */
  attach(process: ShellProcess): void {
    this.process = process;
    if (this.holds.size > 0) process.pause();
  }

  /** Starts forwarding: call right after shell.opened was sent. */
  begin(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const bytes of early) this.take(bytes);
  }

  /** Output from the shell. */
  output(bytes: Uint8Array): void {
    if (this.early) this.early.push(bytes);
    else this.take(bytes);
  }

  /** Sends what is still batched: before shell.closed, so the last output precedes it. */
  flush(): void {
    if (!this.early) this.batcher.flush();
  }

  /** Keystrokes from the technician. */
  input(bytes: Uint8Array): void {
    this.process?.write(bytes);
  }

  /** The reader consumed `bytes`: send more. */
  ack(bytes: number): void {
    if (this.credit.grant(bytes)) this.release('credit');
  }

  resize(cols: number, rows: number): void {
    this.process?.resize(cols, rows);
  }

  /** Ends the shell for `reason`; the session reports it once the process has exited. */
  end(reason: ShellCloseReason): void {
    this.closeReason ??= reason;
    this.process?.kill();
  }

  /** True while the pty is paused (for tests and the bench). */
  get paused(): boolean {
    return this.holds.size > 0;
  }

  private take(bytes: Uint8Array): void {
    // Spent credit pauses the source at once; what was already read still goes (bounded by one read).
    if (this.credit.spend(bytes.byteLength)) this.hold('credit');
    this.batcher.push(bytes);
  }

  /** One batched frame: to the technician first (their latency), then to the person's screen. */
  private deliver(frame: Uint8Array, payload: Uint8Array): void {
    this.out.sendFrame(frame);
    this.out.mirror(payload);
    this.watch('link', this.out.link);
    this.watch('mirror', this.out.mirrorPressure);
  }

  /** Pauses the pty while `reader` is congested, until it has drained. */
  private watch(reason: Hold, reader: Backpressure): void {
    if (!reader.congested || this.holds.has(reason)) return;
    this.hold(reason);
    reader.whenDrained(() => this.release(reason));
  }

  private hold(reason: Hold): void {
    if (this.holds.size === 0) this.process?.pause();
    this.holds.add(reason);
  }

  private release(reason: Hold): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    this.process?.resume();
  }
}
