/**
 * How bytes reach the person's terminal without blocking the agent. Node writes to
 * a TTY synchronously on POSIX (a slow terminal would freeze every shell and the
 * link with it), so there the writes go through libuv's thread pool on the file
 * descriptor (fs.writev: one blocking write off the main thread, nothing changed on
 * the terminal's own file flags). Pipes and Windows consoles are already
 * asynchronous streams; files are fast: those use the stream itself.
 */
import { writev } from 'node:fs';
import type { Writable } from 'node:stream';
import type { OutputSink } from './mirror-writer.js';

/** A terminal that cannot take more right now (non-blocking descriptor): try again shortly. */
const RETRY_MS = 5;

export function sinkFor(stream: Writable & { isTTY?: boolean; fd?: number }): OutputSink {
  if (process.platform !== 'win32' && stream.isTTY === true && typeof stream.fd === 'number') return fdSink(stream.fd);
  return streamSink(stream);
}

/** Writes with fs.writev on `fd` until every byte is out (a write may be partial). */
export function fdSink(fd: number): OutputSink {
  return {
    write(chunks, done) {
      let buffers = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
      const attempt = (): void => {
        writev(fd, buffers, (error, written) => {
          if (error && (error as NodeJS.ErrnoException).code === 'EAGAIN') return void setTimeout(attempt, RETRY_MS);
          if (error) return done(error);
          buffers = skip(buffers, written);
          if (buffers.length > 0) attempt();
          else done(null);
        });
      };
      attempt();
    },
  };
}

/** Writes through the stream (corked, so Node hands it all over in one writev). */
export function streamSink(stream: Writable): OutputSink {
  return {
    write(chunks, done) {
      stream.cork();
      chunks.forEach((chunk, i) => {
        if (i < chunks.length - 1) stream.write(chunk);
        else stream.write(chunk, (error) => done(error ?? null));
      });
      stream.uncork();
    },
  };
}

/** The buffers left once the first `bytes` were written. */
function skip(buffers: Buffer[], bytes: number): Buffer[] {
  let left = bytes;
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (left >= buffer.byteLength) left -= buffer.byteLength;
    else {
      rest.push(left > 0 ? buffer.subarray(left) : buffer);
      left = 0;
    }
  }
  return rest;
}
