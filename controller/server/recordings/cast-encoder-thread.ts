/**
 * The recordings' writing thread: turns batches of terminal output into asciicast v2 events
 * and appends them to their files, so that neither the JSON escaping nor the file writes run
 * on the relay's event loop.
 *
 * `castEncoderThread` runs inside a worker_thread, started from its own source text
 * (cast-encoder.ts: `new Worker(code, { eval: true })`), so it must stand alone: it uses
 * only its parameter and globals, never a name of this module. The same function runs in
 * the bundled controller and under the test runner.
 *
 * Per recording, in the order the messages came: the header; each output batch as one "o"
 * event (a character split across two batches waits for its last bytes; invalid UTF-8
 * becomes U+FFFD, as the WHATWG decoder and asciinema read it); resizes; and at the size
 * bound, the output that fits, then the visible truncation line and a "m" marker, then
 * nothing. Valid UTF-8 (nearly all output; `isUtf8` is simdutf) is escaped as bytes without
 * being decoded (cast-escape.ts). The batch's buffer goes back to the host with the next
 * progress report, to be filled again (no allocation per batch, no garbage).
 *
 * Events are appended to a write buffer, written in one call once 1 MiB waits or its oldest
 * byte is 200 ms old (and at once for a flush or the end), never two writes at a time: at a
 * relayed stream's rate one write per 1 MiB, else one per 200 ms at most. With the host's
 * 50 ms batches (300 ms at most), output reaches the file within half a second plus a
 * write's time. Writes are asynchronous, so a slow file delays only itself.
 */
import type { JsonEscaper } from './cast-escape.js';

/** Host → thread. `bytes` arrive transferred, not copied; their buffer is handed back in a `progress` reply. */
export type EncoderRequest =
  | { readonly t: 'open'; readonly id: number; readonly path: string; readonly header: string; readonly maxBytes: number; readonly lines: { readonly size: string; readonly behind: string }; readonly marker: string }
  | { readonly t: 'o'; readonly id: number; readonly time: number; readonly bytes: Uint8Array }
  | { readonly t: 'r'; readonly id: number; readonly time: number; readonly size: string }
  | { readonly t: 'behind'; readonly id: number; readonly time: number }
  | { readonly t: 'flush'; readonly id: number; readonly seq: number }
  | { readonly t: 'close'; readonly id: number; readonly time: number };

export type RecordingOutcome = 'recording' | 'truncated' | 'failed';

/**
 * Thread → host. `done`: output bytes taken care of (written, or dropped once truncated); `bytes`: the file's
 * size with what waits to be written; `spare`: batch buffers the host may fill again (transferred).
 */
export type EncoderReply =
  | { readonly t: 'progress'; readonly id: number; readonly done: number; readonly bytes: number; readonly state: RecordingOutcome; readonly spare: ArrayBuffer[] }
  | { readonly t: 'flushed'; readonly id: number; readonly seq: number }
  | { readonly t: 'closed'; readonly id: number; readonly bytes: number; readonly state: RecordingOutcome }
  | { readonly t: 'failed'; readonly id: number; readonly message: string };

export interface EncoderEnv {
  readonly fs: typeof import('node:fs');
  readonly isUtf8: (input: Uint8Array) => boolean;
  readonly escaper: JsonEscaper;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  post(reply: EncoderReply, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (request: EncoderRequest) => void): void;
}

export function castEncoderThread(env: EncoderEnv): void {
  /** Room kept for the truncation events: the longest time we could write. */
  const LONGEST_TIME = 9_999_999.999;
  const OVERHEAD = Buffer.byteLength(`[${LONGEST_TIME},"o",""]\n`);
  /** A write starts once this much waits (a write buffer grown past 4 times it by a burst is let go)… */
  const WRITE_BUFFER = 1024 * 1024;
  /** …or once the oldest byte waiting is this old. */
  const WRITE_AFTER_MS = 200;
  const IDLE_BUFFER = 64 * 1024;
  const EMPTY = new Uint8Array(0);
  const decoder = new TextDecoder();

  interface Recording {
    id: number;
    fd: number | null;
    chain: Promise<void>;
    carry: Uint8Array;
    bytes: number;
    /** Output bytes reported done, and those taken since the last write began. */
    done: number;
    taken: number;
    state: RecordingOutcome;
    maxBytes: number;
    lines: { size: string; behind: string };
    marker: string;
    reserve: number;
    /** What waits to be written; the other buffer, free again once its write ended. */
    pending: Buffer;
    pendingLength: number;
    free: Buffer | null;
    writing: boolean;
    /** Armed when the first byte comes to wait; `due` once it fired (the write starts when the current one ends). */
    timer: unknown;
    due: boolean;
    /** The last write was started by the timer, not by 1 MiB waiting. */
    slow: boolean;
    /** Waiting for everything accepted to be written (flush, close). */
    idle: Array<() => void>;
    /** Batch buffers to hand back. */
    spare: ArrayBuffer[];
  }
  const recordings = new Map<number, Recording>();

  const opened = (path: string) => new Promise<number>((resolve, reject) => env.fs.open(path, 'w', 0o600, (err, fd) => (err ? reject(err) : resolve(fd))));
  const written = (fd: number, data: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const step = (offset: number) =>
        env.fs.write(fd, data, offset, data.length - offset, null, (err, n) => (err ? reject(err) : offset + n < data.length ? step(offset + n) : resolve()));
      step(0);
    });

  /** Bytes at the end that begin a UTF-8 character not complete yet (0 to 3); bytes that cannot begin one are not held back. */
  const incompleteTail = (b: Uint8Array): number => {
    for (let back = 1; back <= 3 && back <= b.length; back++) {
      const lead = b[b.length - back]!;
      if (lead < 0x80) return 0;
      if (lead < 0xc0) continue;
      const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
      if (need < back) return 0;
      if (back >= 2) {
        const second = b[b.length - back + 1]!;
        const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
        const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
        if (second < low || second > high) return 0;
      }
      return back;
    }
    return 0;
  };
  /** One output event: escaped as bytes when valid UTF-8, else decoded (U+FFFD for what is not). */
  const outputEvent = (time: number, body: Uint8Array): Uint8Array =>
    env.isUtf8(body)
      ? env.escaper.event(`${time},"o","`, body)
      : Buffer.from(`[${time},"o",${JSON.stringify(decoder.decode(body))}]\n`, 'utf8');
  const truncation = (r: Recording, time: number, cause: 'size' | 'behind') =>
    Buffer.from(`${JSON.stringify([time, 'o', `\r\n${r.lines[cause]}\r\n`])}\n${JSON.stringify([time, 'm', r.marker])}\n`);

  /** Done and file size so far, with the batch buffers to fill again. */
  const report = (id: number, r: Recording) => {
    const spare = r.spare;
    r.spare = [];
    env.post({ t: 'progress', id, done: r.done, bytes: r.bytes, state: r.state, spare }, spare);
  };
  /**
   * Nothing waits to be written: what was taken is done, and flushes waiting for it resolve.
   * After a write its timer started (output slower than 1 MiB per 200 ms), the write buffers
   * shrink back: an idle recording holds 64 KiB here, a stream keeps its two.
   */
  const settle = (id: number, r: Recording) => {
    if (r.slow) {
      r.free = null;
      if (r.pending.length > IDLE_BUFFER) r.pending = Buffer.allocUnsafeSlow(IDLE_BUFFER);
    }
    r.done += r.taken;
    r.taken = 0;
    report(id, r);
    const idle = r.idle;
    r.idle = [];
    for (const resolve of idle) resolve();
  };
  const fail = (id: number, r: Recording, err: unknown) => {
    if (r.state === 'failed') return;
    r.state = 'failed';
    disarm(r);
    if (r.fd !== null) env.fs.close(r.fd, () => undefined);
    r.fd = null;
    r.pendingLength = 0;
    env.post({ t: 'failed', id, message: err instanceof Error ? err.message : String(err) });
    settle(id, r);
  };
  const disarm = (r: Recording) => {
    if (r.timer !== null) env.clearTimeout(r.timer);
    r.timer = null;
  };
  /** Adds to what waits to be written (copied: `data` may be the escaper's memory). */
  const append = (r: Recording, data: Uint8Array) => {
    if (r.pendingLength === 0 && r.timer === null) {
      r.timer = env.setTimeout(() => {
        r.timer = null;
        r.due = true;
        kick(r.id, r);
      }, WRITE_AFTER_MS);
    }
    if (r.pendingLength + data.length > r.pending.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(r.pending.length * 2, r.pendingLength + data.length));
      r.pending.copy(grown, 0, 0, r.pendingLength);
      r.pending = grown;
    }
    r.pending.set(data, r.pendingLength);
    r.pendingLength += data.length;
    r.bytes += data.length;
  };
  /**
   * Writes everything that waits when it is time (1 MiB, 200 ms, or someone waits for it),
   * unless a write is under way (its end comes back here).
   */
  const kick = (id: number, r: Recording) => {
    if (r.writing || r.fd === null || r.state === 'failed') return;
    if (r.pendingLength === 0) return settle(id, r);
    if (!r.due && r.pendingLength < WRITE_BUFFER && r.idle.length === 0) return;
    r.slow = r.due;
    r.due = false;
    disarm(r);
    const data = r.pending.subarray(0, r.pendingLength);
    const covered = r.taken;
    const buffer = r.pending;
    r.taken = 0;
    r.pending = r.free ?? Buffer.allocUnsafeSlow(Math.max(IDLE_BUFFER, Math.min(WRITE_BUFFER, buffer.length)));
    r.free = null;
    r.pendingLength = 0;
    r.writing = true;
    written(r.fd, data).then(
      () => {
        r.writing = false;
        if (buffer.length <= 4 * WRITE_BUFFER) r.free = buffer;
        r.done += covered;
        if (r.pendingLength > 0) report(id, r);
        kick(id, r);
      },
      (err: unknown) => {
        r.writing = false;
        fail(id, r, err);
      },
    );
  };
  /** Writes what waits now and resolves once everything accepted so far is written (or the recording failed). */
  const drained = (r: Recording) => {
    if (r.state === 'failed' || (!r.writing && r.pendingLength === 0)) return Promise.resolve();
    const done = new Promise<void>((resolve) => r.idle.push(resolve));
    kick(r.id, r);
    return done;
  };
  const truncate = (r: Recording, time: number, cause: 'size' | 'behind') => {
    r.state = 'truncated';
    r.carry = EMPTY;
    append(r, truncation(r, time, cause));
  };
  /** One output event, cut at a character's start to what fits when it would pass the size bound. */
  const output = (r: Recording, time: number, body: Uint8Array) => {
    let event = outputEvent(time, body);
    const room = r.maxBytes - r.reserve - r.bytes;
    if (event.length <= room) return append(r, event);
    let length = body.length;
    while (event.length > room && length > 0) {
      length = Math.floor((length * Math.max(0, room - OVERHEAD)) / event.length);
      while (length > 0 && (body[length]! & 0xc0) === 0x80) length--;
      event = outputEvent(time, body.subarray(0, length));
    }
    if (length > 0 && event.length <= room) append(r, event);
    truncate(r, time, 'size');
  };

  const handle = async (m: EncoderRequest, r: Recording): Promise<void> => {
    switch (m.t) {
      case 'open':
        r.fd = await opened(m.path);
        append(r, Buffer.from(m.header));
        return kick(m.id, r);
      case 'o': {
        r.spare.push(m.bytes.buffer as ArrayBuffer);
        if (r.state === 'recording') {
          const all = r.carry.length > 0 ? Buffer.concat([r.carry, m.bytes]) : m.bytes;
          const hold = incompleteTail(all);
          // A copy: the batch's buffer goes back to the host.
          r.carry = hold > 0 ? Uint8Array.from(all.subarray(all.length - hold)) : EMPTY;
          if (all.length > hold) output(r, m.time, all.subarray(0, all.length - hold));
        }
        r.taken += m.bytes.byteLength;
        return kick(m.id, r);
      }
      case 'r': {
        // A character split before the resize stays waiting for its last bytes.
        if (r.state !== 'recording') return;
        const line = Buffer.from(`${JSON.stringify([m.time, 'r', m.size])}\n`);
        if (r.bytes + line.length + r.reserve > r.maxBytes) truncate(r, m.time, 'size');
        else append(r, line);
        return kick(m.id, r);
      }
      case 'behind':
        if (r.state === 'recording') truncate(r, m.time, 'behind');
        return kick(m.id, r);
      case 'flush':
        await drained(r);
        // A failed recording's flush is answered below, once.
        if (r.state !== 'failed') env.post({ t: 'flushed', id: m.id, seq: m.seq });
        return;
      case 'close': {
        // An unfinished last character is written as U+FFFD.
        if (r.state === 'recording' && r.carry.length > 0) output(r, m.time, r.carry);
        kick(m.id, r);
        return drained(r);
      }
    }
  };

  env.onMessage((m) => {
    let r = recordings.get(m.id);
    if (m.t === 'open') {
      const lines = { size: m.lines.size, behind: m.lines.behind };
      r = {
        id: m.id, fd: null, chain: Promise.resolve(), carry: EMPTY, bytes: 0, done: 0, taken: 0, state: 'recording', maxBytes: m.maxBytes, lines, marker: m.marker, reserve: 0,
        pending: Buffer.allocUnsafeSlow(IDLE_BUFFER), pendingLength: 0, free: null, writing: false, timer: null, due: false, slow: false, idle: [], spare: [],
      };
      r.reserve = Math.max(truncation(r, LONGEST_TIME, 'size').length, truncation(r, LONGEST_TIME, 'behind').length);
      recordings.set(m.id, r);
    }
    if (!r) return;
    const rec = r;
    rec.chain = rec.chain.then(async () => {
      if (rec.state === 'failed') {
        if (m.t === 'o') {
          rec.spare.push(m.bytes.buffer as ArrayBuffer);
          rec.done += m.bytes.byteLength;
          report(m.id, rec);
        }
      } else {
        try {
          await handle(m, rec);
        } catch (err) {
          fail(m.id, rec, err);
        }
      }
      if (m.t === 'flush' && rec.state === 'failed') env.post({ t: 'flushed', id: m.id, seq: m.seq });
      if (m.t === 'close') {
        recordings.delete(m.id);
        disarm(rec);
        const fd = rec.fd;
        rec.fd = null;
        if (fd !== null) await new Promise<void>((resolve) => env.fs.close(fd, () => resolve()));
        env.post({ t: 'closed', id: m.id, bytes: rec.bytes, state: rec.state });
      }
    });
  });
}
