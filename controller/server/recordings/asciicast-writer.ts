/**
 * A shell's output recorded as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/),
 * written to its file as it happens:
 *
 *   {"version":2,"width":80,"height":24,"timestamp":1796000000,"title":"…"}
 *   [0.123,"o","text the shell printed"]
 *   [1.5,"r","120x40"]
 *
 * - Output only: keystrokes are never recorded (there is no method for them).
 * - The relay's event loop only copies each chunk into the recording's batch. A batch becomes
 *   one "o" event with its first chunk's time, to the millisecond (players show output by
 *   event, so coalescing only rounds times down to the batch) when it is `flushIntervalMs`
 *   old (default 50 ms), holds 256 KiB, before a resize and on close; it is then handed over
 *   in one message, not copied, to the writing thread (cast-encoder-thread.ts), which escapes
 *   and appends it and hands the buffer back to be filled again. The thread writes once 1 MiB
 *   waits or 200 ms after its oldest byte came, so output reaches the file within 250 ms and a
 *   write's time: a crash of the controller loses at most about the last half second.
 *   (Written to the OS, not fsync'ed: a power cut may lose more.)
 * - Never slows the shell: nothing waits for the disk. If the thread falls 16 MiB behind, the
 *   recording stops with a visible line ("[recording truncated: the disk could not keep
 *   up]") and a "m" marker, as at the size limit.
 * - Bounded: past `maxBytes`, the output that fits, one output event with a visible line in
 *   the reader's language ("[recording truncated: size limit reached]") and one "m" marker
 *   are written, then nothing.
 * - Never throws into the caller: a disk error ends the recording and is reported once
 *   through `onError`; later calls do nothing.
 * - `state` and `bytes` follow the thread's reports; after `flush()` or `close()` they are exact.
 */
import { performance } from 'node:perf_hooks';
import { translator, type Language } from '../../../protocol/index.js';
import { castEncoder, type CastEncoder } from './cast-encoder.js';
import type { EncoderReply } from './cast-encoder-thread.js';
import { recordingsCatalog } from './recordings-catalog.js';

export interface AsciicastWriterOptions {
  /** The .cast file, created (or emptied) with mode 0600. */
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly title?: string;
  /** E.g. { TERM, SHELL } of the recorded shell. */
  readonly env?: Readonly<Record<string, string>>;
  /** The language of the truncation line. */
  readonly language: Language;
  /** Largest file size in bytes, truncation marker included (default 64 MiB). */
  readonly maxBytes?: number;
  /** Longest time output waits in this thread before it is handed to the writing thread (default 50 ms; at most 300: with the thread's 200 ms, a crash loses at most about half a second). */
  readonly flushIntervalMs?: number;
  /** Monotonic milliseconds for event times (default performance.now). */
  readonly clock?: () => number;
  /** Wall-clock milliseconds for the header's timestamp (default Date.now). */
  readonly wallClock?: () => number;
  /** Called once when the recording ends on an error (disk full, folder gone…). */
  readonly onError?: (error: Error) => void;
  /** The writing thread (default: the controller's one). */
  readonly encoder?: CastEncoder;
}

export type RecordingState = 'recording' | 'truncated' | 'failed' | 'closed';

export const ASCIICAST_DEFAULTS = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  flushIntervalMs: 50,
  /** Output bytes one event holds at most (a relayed stream: one message to the thread per 256 KiB). */
  batchBytes: 256 * 1024,
  /**
   * Batch buffers handed back by the thread and kept for the next batches: a stream has four
   * or five at the thread between two of its writes (1 MiB). Dropped when output slows to timed batches.
   */
  spareBatches: 8,
  /** Output handed to the writing thread and not written yet, beyond which the recording stops rather than hold the shell back. */
  maxBehindBytes: 16 * 1024 * 1024,
});

/** The marker event's label (asciicast "m" events carry a label; this one is a code, not words). */
export const TRUNCATION_MARKER = 'truncated';

export class AsciicastWriter {
  private readonly options: AsciicastWriterOptions;
  private readonly batchMs: number;
  private readonly clock: () => number;
  private readonly startedAt: number;
  private readonly encoder: CastEncoder;
  private readonly id: number;
  /** Output waiting to become one event (handed over when sealed; the next batch takes a spare buffer). */
  private batch: Buffer | null = null;
  private batchLength = 0;
  private readonly spare: ArrayBuffer[] = [];
  private batchTime = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Output bytes handed to the thread, and those it reported done. */
  private posted = 0;
  private done = 0;
  private written = 0;
  private lastTime = 0;
  private current: RecordingState = 'recording';
  private wasTruncated = false;
  private flushSeq = 0;
  private readonly flushes = new Map<number, () => void>();
  private closing: Promise<void> | null = null;
  private closed: (() => void) | null = null;
  private threadLost = false;

  constructor(options: AsciicastWriterOptions) {
    this.options = options;
    this.batchMs = Math.min(options.flushIntervalMs ?? ASCIICAST_DEFAULTS.flushIntervalMs, 300);
    this.clock = options.clock ?? (() => performance.now());
    this.startedAt = this.clock();
    this.encoder = options.encoder ?? castEncoder;
    const words = translator(recordingsCatalog, options.language);
    const header: Record<string, unknown> = {
      version: 2,
      width: options.width,
      height: options.height,
      timestamp: Math.floor((options.wallClock ?? Date.now)() / 1000),
    };
    if (options.title !== undefined) header.title = options.title;
    if (options.env !== undefined) header.env = { ...options.env };
    this.id = this.encoder.register({ reply: (m) => this.reply(m), lost: (error) => this.lost(error) });
    this.encoder.send({
      t: 'open', id: this.id, path: options.path, header: `${JSON.stringify(header)}\n`, maxBytes: options.maxBytes ?? ASCIICAST_DEFAULTS.maxBytes,
      lines: { size: words('truncated'), behind: words('truncatedBehind') }, marker: TRUNCATION_MARKER,
    });
  }

  get state(): RecordingState {
    return this.current;
  }

  /** Whether the recording was cut short (size limit, or a disk that could not keep up); stays true once closed. */
  get truncated(): boolean {
    return this.wasTruncated;
  }

  /** Bytes of the file as the writing thread last reported them (exact after `flush()` or `close()`). */
  get bytes(): number {
    return this.written;
  }

  /** Records what the shell printed (bytes as they came, or text): copied into the batch, nothing more. */
  output(data: Uint8Array | string): void {
    if (this.current !== 'recording' || this.closing) return;
    let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    while (bytes.length > 0) {
      if (this.batchLength === 0) this.startBatch();
      const taken = Math.min(ASCIICAST_DEFAULTS.batchBytes - this.batchLength, bytes.length);
      this.batch!.set(taken === bytes.length ? bytes : bytes.subarray(0, taken), this.batchLength);
      this.batchLength += taken;
      bytes = bytes.subarray(taken);
      if (this.batchLength === ASCIICAST_DEFAULTS.batchBytes) this.seal();
      if (this.current !== 'recording') return;
    }
  }

  /** Records a change of the terminal's size (after the output before it). */
  resize(cols: number, rows: number): void {
    if (this.current !== 'recording' || this.closing) return;
    this.seal();
    this.encoder.send({ t: 'r', id: this.id, time: this.time(), size: `${Math.trunc(cols)}x${Math.trunc(rows)}` });
  }

  /** Hands over what waits and resolves once everything accepted is written (never rejects). */
  flush(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.current === 'failed' || this.threadLost) return Promise.resolve();
    this.seal();
    const seq = ++this.flushSeq;
    return new Promise((resolve) => {
      this.flushes.set(seq, resolve);
      this.encoder.send({ t: 'flush', id: this.id, seq });
    });
  }

  /** Ends the recording: the last output (an unfinished character as U+FFFD), the file closed. Never rejects; safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.seal();
    this.stopTimer();
    // Even a failed recording is closed in the thread (its file and entry); not when the thread itself is gone.
    this.closing = this.threadLost
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.closed = resolve;
          this.encoder.send({ t: 'close', id: this.id, time: this.time() });
        });
    this.closing = this.closing.then(() => {
      this.encoder.forget(this.id);
      if (this.current !== 'failed') this.current = 'closed';
    });
    return this.closing;
  }

  private startBatch(): void {
    const spare = this.spare.pop();
    this.batch ??= spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(ASCIICAST_DEFAULTS.batchBytes);
    this.batchTime = this.time();
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        // Output no longer fills a batch in 50 ms: no pool needed (an idle shell holds one batch at most).
        this.spare.length = 0;
        if (this.current === 'recording' && !this.closing) this.seal();
      }, this.batchMs);
      this.timer.unref?.();
    }
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The batch, handed over to the writing thread as one output event; then a fresh one. */
  private seal(): void {
    this.stopTimer();
    if (this.batchLength === 0 || this.current !== 'recording' || !this.batch) return;
    const bytes = this.batch.subarray(0, this.batchLength);
    this.posted += this.batchLength;
    this.encoder.send({ t: 'o', id: this.id, time: this.batchTime, bytes }, [bytes.buffer as ArrayBuffer]);
    this.batch = null;
    this.batchLength = 0;
    if (this.posted - this.done > ASCIICAST_DEFAULTS.maxBehindBytes) {
      // The disk (or the thread) cannot keep up: stop here rather than hold the shell back or grow memory.
      this.encoder.send({ t: 'behind', id: this.id, time: this.time() });
      this.markTruncated();
    }
  }

  private markTruncated(): void {
    this.current = 'truncated';
    this.wasTruncated = true;
    this.batchLength = 0;
    this.stopTimer();
  }

  private reply(m: EncoderReply): void {
    switch (m.t) {
      case 'progress':
        for (const buffer of m.spare) if (this.spare.length < ASCIICAST_DEFAULTS.spareBatches && buffer.byteLength === ASCIICAST_DEFAULTS.batchBytes) this.spare.push(buffer);
        this.done = m.done;
        this.written = m.bytes;
        if (m.state === 'truncated' && this.current === 'recording') this.markTruncated();
        return;
      case 'flushed':
        this.flushes.get(m.seq)?.();
        this.flushes.delete(m.seq);
        return;
      case 'closed':
        this.written = m.bytes;
        if (m.state === 'truncated') this.wasTruncated = true;
        this.settle();
        return;
      case 'failed':
        this.fail(new Error(m.message));
        return;
    }
  }

  private lost(error: Error): void {
    this.threadLost = true;
    this.fail(error);
    this.settle();
  }

  /** Every waiting flush and close resolves. */
  private settle(): void {
    for (const resolve of this.flushes.values()) resolve();
    this.flushes.clear();
    this.closed?.();
    this.closed = null;
  }

  /** Seconds since the start, to the millisecond (what a player shows), never going backwards. */
  private time(): number {
    const ms = Math.max(0, Math.round(this.clock() - this.startedAt));
    this.lastTime = Math.max(this.lastTime, ms / 1000);
    return this.lastTime;
  }

  private fail(error: Error): void {
    if (this.current === 'failed') return;
    this.current = 'failed';
    this.batchLength = 0;
    this.stopTimer();
    for (const resolve of this.flushes.values()) resolve();
    this.flushes.clear();
    try {
      this.options.onError?.(error);
    } catch {
      // The caller's callback must not break the shell either.
    }
  }
}
