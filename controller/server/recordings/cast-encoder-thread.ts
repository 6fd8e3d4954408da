/**
 * The recordings' writing thread: turns batches of terminal output into asciicast v2 events
 * and appends them to their files, so that neither the UTF-8 decoding and JSON escaping
 * (about 0.4 CPU-s per 100 MB here) nor the file writes run on the relay's event loop.
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
 * nothing. Valid UTF-8 (nearly all output; `isUtf8` is simdutf) is escaped as latin1 text:
 * JSON escapes only characters below U+0020, `"` and `\`, the same single bytes in both
 * encodings, so writing the escaped text back as latin1 gives the original UTF-8 with its
 * escapes, without decoding it. Writes are asynchronous, so a slow file delays only itself.
 */

/** Host → thread. `bytes` arrive transferred, not copied. */
export type EncoderRequest =
  | { readonly t: 'open'; readonly id: number; readonly path: string; readonly header: string; readonly maxBytes: number; readonly lines: { readonly size: string; readonly behind: string }; readonly marker: string }
  | { readonly t: 'o'; readonly id: number; readonly time: number; readonly bytes: Uint8Array }
  | { readonly t: 'r'; readonly id: number; readonly time: number; readonly size: string }
  | { readonly t: 'behind'; readonly id: number; readonly time: number }
  | { readonly t: 'flush'; readonly id: number; readonly seq: number }
  | { readonly t: 'close'; readonly id: number; readonly time: number };

export type RecordingOutcome = 'recording' | 'truncated' | 'failed';

/** Thread → host. `done`: output bytes taken care of (written, or dropped once truncated); `bytes`: the file's size. */
export type EncoderReply =
  | { readonly t: 'progress'; readonly id: number; readonly done: number; readonly bytes: number; readonly state: RecordingOutcome }
  | { readonly t: 'flushed'; readonly id: number; readonly seq: number }
  | { readonly t: 'closed'; readonly id: number; readonly bytes: number; readonly state: RecordingOutcome }
  | { readonly t: 'failed'; readonly id: number; readonly message: string };

export interface EncoderEnv {
  readonly fs: typeof import('node:fs');
  readonly isUtf8: (input: Uint8Array) => boolean;
  post(reply: EncoderReply): void;
  onMessage(handler: (request: EncoderRequest) => void): void;
}

export function castEncoderThread(env: EncoderEnv): void {
  /** Room kept for the truncation events: the longest time we could write. */
  const LONGEST_TIME = 9_999_999.999999;
  const OVERHEAD = Buffer.byteLength(`[${LONGEST_TIME},"o",""]\n`);

  interface Recording {
    fd: number | null;
    chain: Promise<void>;
    carry: Buffer;
    bytes: number;
    done: number;
    state: RecordingOutcome;
    maxBytes: number;
    lines: { size: string; behind: string };
    marker: string;
    reserve: number;
  }
  const recordings = new Map<number, Recording>();

  const opened = (path: string) => new Promise<number>((resolve, reject) => env.fs.open(path, 'w', 0o600, (err, fd) => (err ? reject(err) : resolve(fd))));
  const written = (fd: number, data: Buffer) =>
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
  const outputEvent = (time: number, body: Buffer): Buffer =>
    env.isUtf8(body)
      ? Buffer.from(`[${time},"o",${JSON.stringify(body.toString('latin1'))}]\n`, 'latin1')
      : Buffer.from(`[${time},"o",${JSON.stringify(new TextDecoder().decode(body))}]\n`, 'utf8');
  const truncation = (r: Recording, time: number, cause: 'size' | 'behind') =>
    Buffer.from(`${JSON.stringify([time, 'o', `\r\n${r.lines[cause]}\r\n`])}\n${JSON.stringify([time, 'm', r.marker])}\n`);

  const report = (id: number, r: Recording) => env.post({ t: 'progress', id, done: r.done, bytes: r.bytes, state: r.state });
  const fail = (id: number, r: Recording, err: unknown) => {
    if (r.state === 'failed') return;
    r.state = 'failed';
    if (r.fd !== null) env.fs.close(r.fd, () => undefined);
    r.fd = null;
    env.post({ t: 'failed', id, message: err instanceof Error ? err.message : String(err) });
  };
  const append = async (r: Recording, data: Buffer) => {
    r.bytes += data.length;
    await written(r.fd!, data);
  };
  const truncate = async (r: Recording, time: number, cause: 'size' | 'behind') => {
    r.state = 'truncated';
    r.carry = Buffer.alloc(0);
    await append(r, truncation(r, time, cause));
  };
  /** One output event, cut at a character's start to what fits when it would pass the size bound. */
  const output = async (r: Recording, time: number, body: Buffer) => {
    let event = outputEvent(time, body);
    const room = r.maxBytes - r.reserve - r.bytes;
    if (event.length <= room) return append(r, event);
    let length = body.length;
    while (event.length > room && length > 0) {
      length = Math.floor((length * Math.max(0, room - OVERHEAD)) / event.length);
      while (length > 0 && (body[length]! & 0xc0) === 0x80) length--;
      event = outputEvent(time, body.subarray(0, length));
    }
    if (length > 0 && event.length <= room) await append(r, event);
    await truncate(r, time, 'size');
  };

  const handle = async (m: EncoderRequest, r: Recording): Promise<void> => {
    switch (m.t) {
      case 'open':
        r.fd = await opened(m.path);
        return append(r, Buffer.from(m.header));
      case 'o': {
        if (r.state === 'recording') {
          const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
          const all = r.carry.length > 0 ? Buffer.concat([r.carry, bytes]) : bytes;
          const hold = incompleteTail(all);
          r.carry = Buffer.from(all.subarray(all.length - hold));
          if (all.length > hold) await output(r, m.time, all.subarray(0, all.length - hold));
        }
        r.done += m.bytes.byteLength;
        return report(m.id, r);
      }
      case 'r': {
        // A character split before the resize stays waiting for its last bytes.
        if (r.state !== 'recording') return;
        const line = Buffer.from(`${JSON.stringify([m.time, 'r', m.size])}\n`);
        if (r.bytes + line.length + r.reserve > r.maxBytes) return truncate(r, m.time, 'size');
        return append(r, line);
      }
      case 'behind':
        if (r.state === 'recording') await truncate(r, m.time, 'behind');
        return report(m.id, r);
      case 'flush':
        return env.post({ t: 'flushed', id: m.id, seq: m.seq });
      case 'close': {
        // An unfinished last character is written as U+FFFD.
        if (r.state === 'recording' && r.carry.length > 0) await output(r, m.time, r.carry);
        return;
      }
    }
  };

  env.onMessage((m) => {
    let r = recordings.get(m.id);
    if (m.t === 'open') {
      const lines = { size: m.lines.size, behind: m.lines.behind };
      r = { fd: null, chain: Promise.resolve(), carry: Buffer.alloc(0), bytes: 0, done: 0, state: 'recording', maxBytes: m.maxBytes, lines, marker: m.marker, reserve: 0 };
      r.reserve = Math.max(truncation(r, LONGEST_TIME, 'size').length, truncation(r, LONGEST_TIME, 'behind').length);
      recordings.set(m.id, r);
    }
    if (!r) return;
    const rec = r;
    rec.chain = rec.chain.then(async () => {
      if (rec.state === 'failed') {
        if (m.t === 'o') rec.done += m.bytes.byteLength;
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
        const fd = rec.fd;
        rec.fd = null;
        if (fd !== null) await new Promise<void>((resolve) => env.fs.close(fd, () => resolve()));
        env.post({ t: 'closed', id: m.id, bytes: rec.bytes, state: rec.state });
      }
    });
  });
}
