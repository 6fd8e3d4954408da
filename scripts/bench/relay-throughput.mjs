/**
 * Throughput: the shell prints a stream as fast as it can between two markers; we
 * count what the reader receives from the moment the command is sent until the end
 * marker, and hash the bytes between the markers (byte-exact check). The same
 * function measures the relay (console ← controller ← agent ← pty) and node-pty alone.
 */
import { sectionHasher } from './section-hash.mjs';
import { END_MARKER, START_MARKER, throughputCommand } from './streams.mjs';
import { waitQuiet } from './terminal-io.mjs';

/** Runs `stream` once; returns bytes received, seconds, MB/s (1 MB = 10^6 bytes) and the content check. */
export async function measureThroughput(terminal, { stream, bytes, expected, timeoutMs }) {
  const section = sectionHasher(START_MARKER, END_MARKER);
  let received = 0;
  let firstByteAt = null;
  const finished = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      terminal.setListener(null);
      reject(new Error(`${terminal.label}: the ${stream} run did not finish within ${timeoutMs} ms (${received} bytes received)`));
    }, timeoutMs);
    terminal.setListener((chunk) => {
      firstByteAt ??= process.hrtime.bigint();
      received += chunk.length;
      if (!section.push(chunk)) return;
      const ended = process.hrtime.bigint();
      clearTimeout(timer);
      terminal.setListener(null);
      resolve(ended);
    });
  });
  const started = process.hrtime.bigint();
  terminal.write(`${throughputCommand(stream, bytes)}\r`);
  const ended = await finished;
  // Let the prompt that follows the marker arrive, so it is not counted in the next run.
  await waitQuiet(terminal, 150, 3000);
  const seconds = Number(ended - started) / 1e9;
  const content = section.result();
  const exact = expected ? content.sha256 === expected.sha256 && content.bytes === expected.bytes : null;
  if (exact === false) {
    throw new Error(`${terminal.label}: the ${stream} output differs from what the command printed (${content.bytes} bytes, sha256 ${content.sha256}; expected ${expected.bytes} bytes, ${expected.sha256})`);
  }
  return {
    stream,
    bytesRequested: bytes,
    bytesReceived: received,
    contentBytes: content.bytes,
    contentSha256: content.sha256,
    exact,
    seconds,
    firstByteMs: firstByteAt === null ? null : Number(firstByteAt - started) / 1e6,
    mbPerSecond: received / 1e6 / seconds,
  };
}
