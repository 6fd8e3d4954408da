/**
 * A shell's output recorded as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/),
 * written to its file as it happens:
 *
 *   {"version": 2, "width": 80, "height": 24, "timestamp": 1796000000, "title": "…"}
 *   [0.123456,"o","text the shell printed"]
 *   [1.5,"r","120x40"]
 *
 * - Output only: keystrokes are never recorded (there is no method for them).
 * - The relay's hot path only copies the chunk into the recording's batch (a memcpy).
 *   A batch becomes one "o" event with its first chunk's time (asciicast players show
 *   output by event, so coalescing only rounds times down to the batch) when it is
 *   `flushIntervalMs` old (default 50 ms), holds 64 KiB, before a resize and on close;
 *   it is then encoded in one pass (cast-json.ts) and handed to the file's append stream.
 *   A crash of the controller loses at most the last second. (Written to the OS, not
 *   fsync'ed: a power cut may lose more.)
 * - A UTF-8 character split across two batches waits for its last bytes and is written whole.
 * - Never slows the shell: writes are never awaited on the relay's path. If the disk falls
 *   behind by more than 8 MiB, the recording stops with a visible line ("[recording
 *   truncated: the disk could not keep up]") and a "m" marker, as at the size limit.
 * - Bounded: past `maxBytes`, the output that fits, one output event with a visible line in
 *   the reader's language ("[recording truncated: size limit reached]") and one "m" marker
 *   are written, then nothing.
 * - Never throws into the caller: a disk error ends the recording and is reported once
 *   through `onError`; later calls do nothing.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { translator, type Language, type Translate } from '../../../protocol/index.js';
import { incompleteTail, outputEventBytes } from './cast-json.js';
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
  /** Longest time output waits in memory before it is encoded and written (default 50 ms; at most 1000). */
  readonly flushIntervalMs?: number;
  /** Monotonic milliseconds for event times (default performance.now). */
  readonly clock?: () => number;
  /** Wall-clock milliseconds for the header's timestamp (default Date.now). */
  readonly wallClock?: () => number;
  /** Called once when the recording ends on an error (disk full, folder gone…). */
  readonly onError?: (error: Error) => void;
}

export type RecordingState = 'recording' | 'truncated' | 'failed' | 'closed';

export const ASCIICAST_DEFAULTS = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  flushIntervalMs: 50,
  /** Output bytes one event holds at most. */
  batchBytes: 64 * 1024,
  /** Encoded bytes waiting for the disk beyond which the recording stops rather than hold the shell back. */
  maxBehindBytes: 8 * 1024 * 1024,
});

/** The marker event's label (asciicast "m" events carry a label; this one is a code, not words). */
export const TRUNCATION_MARKER = 'truncated';

/** Room kept for the truncation events: their size with the longest time we could write. */
const LONGEST_TIME = 9_999_999.999999;
/** Bytes an output event takes beyond its escaped text, with the longest time. */
const EVENT_OVERHEAD = Buffer.byteLength(`[${LONGEST_TIME},"o",""]\n`);

type TruncationCause = 'size' | 'behind';

export class AsciicastWriter {
  private readonly options: AsciicastWriterOptions;
  private readonly maxBytes: number;
  private readonly batchMs: number;
  private readonly clock: () => number;
  private readonly startedAt: number;
  private readonly words: Translate<'truncated' | 'truncatedBehind'>;
  /** Bytes the truncation events may take (kept free until they are written). */
  private readonly truncationBytes: number;
  private readonly stream: WriteStream;
  /** Output waiting to become one event: the tail of a split character first, then the chunks. */
  private batch = Buffer.allocUnsafe(ASCIICAST_DEFAULTS.batchBytes + 4);
  private batchLength = 0;
  /** Bytes of the batch that came before this batch's first chunk (an unfinished character). */
  private carried = 0;
  private batchTime = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastWrite: Promise<void> = Promise.resolve();
  private accepted = 0;
  private lastTime = 0;
  private current: RecordingState = 'recording';
  private closing: Promise<void> | null = null;

  constructor(options: AsciicastWriterOptions) {
    this.options = options;
    this.maxBytes = options.maxBytes ?? ASCIICAST_DEFAULTS.maxBytes;
    this.batchMs = Math.min(options.flushIntervalMs ?? ASCIICAST_DEFAULTS.flushIntervalMs, 1000);
    this.clock = options.clock ?? (() => performance.now());
    this.startedAt = this.clock();
    this.words = translator(recordingsCatalog, options.language);
    this.truncationBytes = Math.max(...(['size', 'behind'] as const).map((cause) => this.truncationEvents(LONGEST_TIME, cause).length));
    const header: Record<string, unknown> = {
      version: 2,
      width: options.width,
      height: options.height,
      timestamp: Math.floor((options.wallClock ?? Date.now)() / 1000),
    };
    if (options.title !== undefined) header.title = options.title;
    if (options.env !== undefined) header.env = { ...options.env };
    this.stream = createWriteStream(options.path, { flags: 'w', mode: 0o600 });
    this.stream.on('error', (error) => this.fail(error));
    this.write(Buffer.from(`${JSON.stringify(header)}\n`));
  }

  get state(): RecordingState {
    return this.current;
  }

  /** Bytes of the file once everything accepted is written. */
  get bytes(): number {
    return this.accepted;
  }

  /** Records what the shell printed (bytes as they came, or text): copied into the batch, nothing more. */
  output(data: Uint8Array | string): void {
    if (this.current !== 'recording' || this.closing) return;
    let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    while (bytes.length > 0 && this.current === 'recording') {
      if (this.batchLength === this.carried) this.startBatch();
      const room = ASCIICAST_DEFAULTS.batchBytes - this.batchLength;
      const taken = Math.min(room, bytes.length);
      this.batch.set(taken === bytes.length ? bytes : bytes.subarray(0, taken), this.batchLength);
      this.batchLength += taken;
      bytes = bytes.subarray(taken);
      // Full, or about to pass the size bound (escaping only grows text): encode now.
      if (this.batchLength >= ASCIICAST_DEFAULTS.batchBytes || this.accepted + EVENT_OVERHEAD + this.batchLength + this.truncationBytes > this.maxBytes) {
        this.seal(false);
      }
    }
  }

  /** Records a change of the terminal's size (after the output before it). */
  resize(cols: number, rows: number): void {
    if (this.current !== 'recording' || this.closing) return;
    this.seal(false);
    if (this.current !== 'recording') return;
    const line = Buffer.from(`${JSON.stringify([this.time(), 'r', `${Math.trunc(cols)}x${Math.trunc(rows)}`])}\n`);
    if (this.accepted + line.length + this.truncationBytes > this.maxBytes) return this.truncate('size');
    this.write(line);
  }

  /** Encodes what waits and resolves once everything accepted is written (never rejects). */
  flush(): Promise<void> {
    if (this.current === 'recording' && !this.closing) this.seal(false);
    return this.lastWrite;
  }

  /** Ends the recording: the last output (an unfinished character as U+FFFD), the file closed. Never rejects; safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.current === 'recording') this.seal(true);
    this.stopTimer();
    this.closing = (async () => {
      await this.lastWrite;
      if (this.current !== 'failed') this.current = 'closed';
      await new Promise<void>((resolve) => {
        if (this.stream.destroyed || this.stream.closed) return resolve();
        this.stream.once('close', () => resolve());
        this.stream.end();
      });
    })();
    return this.closing;
  }

  private startBatch(): void {
    this.batchTime = this.time();
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.current === 'recording' && !this.closing) this.seal(false);
      }, this.batchMs);
      this.timer.unref?.();
    }
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The batch becomes one output event; an unfinished last character waits for the next batch unless `final`. */
  private seal(final: boolean): void {
    this.stopTimer();
    if (this.batchLength === 0 || (this.batchLength === this.carried && !final)) return;
    const hold = final ? 0 : incompleteTail(this.batch, this.batchLength);
    const end = this.batchLength - hold;
    if (end > 0) {
      try {
        this.append(this.batchTime, this.batch.subarray(0, end));
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    if (hold > 0) this.batch.copyWithin(0, end, this.batchLength);
    this.batchLength = hold;
    this.carried = hold;
  }

  /** One output event, cut to what fits when it would pass the size bound. */
  private append(time: number, body: Uint8Array): void {
    if (this.current !== 'recording') return;
    if (this.stream.writableLength > ASCIICAST_DEFAULTS.maxBehindBytes) return this.truncate('behind');
    let event = outputEventBytes(time, body);
    const room = this.maxBytes - this.truncationBytes - this.accepted;
    if (event.length > room) {
      // Keep as much as fits: shorten the text in proportion, at a character's start, until it does.
      let length = body.length;
      while (event.length > room && length > 0) {
        length = Math.floor((length * Math.max(0, room - EVENT_OVERHEAD)) / event.length);
        while (length > 0 && (body[length]! & 0xc0) === 0x80) length--;
        event = outputEventBytes(time, body.subarray(0, length));
      }
      if (length > 0 && event.length <= room) this.write(event);
      return this.truncate('size');
    }
    this.write(event);
  }

  private truncationEvents(time: number, cause: TruncationCause): Buffer {
    const line = `\r\n${this.words(cause === 'size' ? 'truncated' : 'truncatedBehind')}\r\n`;
    return Buffer.from(`${JSON.stringify([time, 'o', line])}\n${JSON.stringify([time, 'm', TRUNCATION_MARKER])}\n`);
  }

  private truncate(cause: TruncationCause): void {
    this.write(this.truncationEvents(this.time(), cause));
    this.current = 'truncated';
    this.batchLength = 0;
    this.carried = 0;
    this.stopTimer();
  }

  /** Hands bytes to the append stream; never waits for them. */
  private write(bytes: Buffer): void {
    this.accepted += bytes.length;
    this.lastWrite = new Promise((resolve) => this.stream.write(bytes, () => resolve()));
  }

  /** Seconds since the start, to the microsecond, never going backwards. */
  private time(): number {
    const seconds = Math.max(0, (this.clock() - this.startedAt) / 1000);
    this.lastTime = Math.max(this.lastTime, Math.round(seconds * 1e6) / 1e6);
    return this.lastTime;
  }

  private fail(error: unknown): void {
    if (this.current === 'failed') return;
    this.current = 'failed';
    this.batchLength = 0;
    this.carried = 0;
    this.stopTimer();
    this.stream.destroy();
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The caller's callback must not break the shell either.
    }
  }
}
