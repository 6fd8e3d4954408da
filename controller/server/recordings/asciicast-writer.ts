/**
 * A shell's output recorded as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/),
 * written to its file as it happens:
 *
 *   {"version": 2, "width": 80, "height": 24, "timestamp": 1796000000, "title": "…"}
 *   [0.123456, "o", "text the shell printed"]
 *   [1.5, "r", "120x40"]
 *
 * - Output only: keystrokes are never recorded (there is no method for them).
 * - Bytes are decoded as UTF-8 with a streaming decoder, so a character split across two
 *   chunks is written whole in the later event.
 * - Events are buffered and written at least every `flushIntervalMs` (default 500 ms, on an
 *   unref'd timer), when 64 KiB wait, and on close: a crash of the controller loses at most
 *   the last second. (Written to the OS, not fsync'ed: a power cut may lose more.)
 * - Bounded: past `maxBytes`, one output event with a visible line in the reader's language
 *   ("[recording truncated: size limit reached]") and one "m" marker are written, then nothing.
 * - Never throws into the caller: a disk error ends the recording and is reported once
 *   through `onError`; later calls do nothing.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { translator, type Language } from '../../../protocol/index.js';
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
  /** Longest time an event waits in memory (default 500 ms; at most 1000). */
  readonly flushIntervalMs?: number;
  /** Monotonic milliseconds for event times (default performance.now). */
  readonly clock?: () => number;
  /** Wall-clock milliseconds for the header's timestamp (default Date.now). */
  readonly wallClock?: () => number;
  /** Called once when the recording ends on an error (disk full, folder gone…). */
  readonly onError?: (error: Error) => void;
}

export type RecordingState = 'recording' | 'truncated' | 'failed' | 'closed';

export const ASCIICAST_DEFAULTS = Object.freeze({ maxBytes: 64 * 1024 * 1024, flushIntervalMs: 500, flushBytes: 64 * 1024 });

/** The marker event's label (asciicast "m" events carry a label; this one is a code, not words). */
export const TRUNCATION_MARKER = 'truncated';

/** Room kept for the truncation events: their size with the longest time we could write. */
const LONGEST_TIME = 9_999_999.999999;

export class AsciicastWriter {
  private readonly options: AsciicastWriterOptions;
  private readonly maxBytes: number;
  private readonly clock: () => number;
  private readonly startedAt: number;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly truncationLine: string;
  /** Bytes the truncation events may take (kept free until they are written). */
  private readonly truncationBytes: number;
  private readonly file: Promise<FileHandle | null>;
  private readonly timer: ReturnType<typeof setInterval>;
  private pending: string[] = [];
  private pendingBytes = 0;
  private writes: Promise<void> = Promise.resolve();
  private accepted = 0;
  private lastTime = 0;
  private current: RecordingState = 'recording';
  private closing: Promise<void> | null = null;

  constructor(options: AsciicastWriterOptions) {
    this.options = options;
    this.maxBytes = options.maxBytes ?? ASCIICAST_DEFAULTS.maxBytes;
    this.clock = options.clock ?? (() => performance.now());
    this.startedAt = this.clock();
    this.truncationLine = `\r\n${translator(recordingsCatalog, options.language)('truncated')}\r\n`;
    this.truncationBytes = Buffer.byteLength(this.truncationEvents(LONGEST_TIME));
    const header: Record<string, unknown> = {
      version: 2,
      width: options.width,
      height: options.height,
      timestamp: Math.floor((options.wallClock ?? Date.now)() / 1000),
    };
    if (options.title !== undefined) header.title = options.title;
    if (options.env !== undefined) header.env = { ...options.env };
    this.push(`${JSON.stringify(header)}\n`);
    this.file = open(options.path, 'w', 0o600).catch((error: unknown) => {
      this.fail(error);
      return null;
    });
    const interval = Math.min(options.flushIntervalMs ?? ASCIICAST_DEFAULTS.flushIntervalMs, 1000);
    this.timer = setInterval(() => void this.flush(), interval);
    this.timer.unref?.();
  }

  get state(): RecordingState {
    return this.current;
  }

  /** Bytes of the file once everything accepted is written. */
  get bytes(): number {
    return this.accepted;
  }

  /** Records what the shell printed (bytes as they came, or text). */
  output(data: Uint8Array | string): void {
    if (this.current !== 'recording' || this.closing) return;
    try {
      const text = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true });
      if (text.length > 0) this.event('o', text);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Records a change of the terminal's size. */
  resize(cols: number, rows: number): void {
    if (this.current !== 'recording' || this.closing) return;
    this.event('r', `${Math.trunc(cols)}x${Math.trunc(rows)}`);
  }

  /** Writes what waits now; resolves once it is written (never rejects). */
  flush(): Promise<void> {
    if (this.pending.length === 0 || this.current === 'failed') return this.writes;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.writes = this.writes.then(async () => {
      const handle = await this.file;
      if (!handle || this.current === 'failed') return;
      try {
        await handle.write(chunk);
      } catch (error) {
        this.fail(error);
      }
    });
    return this.writes;
  }

  /** Ends the recording: the decoder's last bytes, a final write, the file closed. Never rejects; safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    clearInterval(this.timer);
    if (this.current === 'recording') {
      try {
        const rest = this.decoder.decode();
        if (rest.length > 0) this.event('o', rest);
      } catch (error) {
        this.fail(error);
      }
    }
    this.closing = (async () => {
      await this.flush();
      const handle = await this.file;
      if (this.current !== 'failed') this.current = 'closed';
      await handle?.close().catch(() => undefined);
    })();
    return this.closing;
  }

  private event(kind: 'o' | 'r', data: string): void {
    const time = this.time();
    const line = `${JSON.stringify([time, kind, data])}\n`;
    const size = Buffer.byteLength(line);
    if (this.accepted + size + this.truncationBytes > this.maxBytes) {
      this.truncate(time);
      return;
    }
    this.push(line, size);
  }

  private truncationEvents(time: number): string {
    return `${JSON.stringify([time, 'o', this.truncationLine])}\n${JSON.stringify([time, 'm', TRUNCATION_MARKER])}\n`;
  }

  private truncate(time: number): void {
    this.push(this.truncationEvents(time));
    this.current = 'truncated';
    clearInterval(this.timer);
    void this.flush();
  }

  private push(line: string, size = Buffer.byteLength(line)): void {
    this.pending.push(line);
    this.pendingBytes += size;
    this.accepted += size;
    if (this.pendingBytes >= ASCIICAST_DEFAULTS.flushBytes) void this.flush();
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
    this.pending = [];
    this.pendingBytes = 0;
    clearInterval(this.timer);
    void this.file.then((handle) => handle?.close()).catch(() => undefined);
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The caller's callback must not break the shell either.
    }
  }
}
