/**
 * Throughput: a command in the shell writes `bytes` of terminal output as fast
 * as it can, then a marker; we count what the reader receives from the moment
 * the command is sent until the marker arrives. The same function measures the
 * relay (console ← controller ← agent ← pty) and node-pty alone.
 */
import { markerScanner, waitQuiet } from './terminal-io.mjs';

export const THROUGHPUT_MARKER = 'BENCH-DONE-42';

/**
 * `yes` and `head` move data in large blocks, so the producer is never the
 * bottleneck; the pty turns each "\n" into "\r\n", so a little more than
 * `bytes` arrives. The marker is computed by the shell, so the echoed command
 * line does not contain it.
 */
export function throughputCommand(bytes) {
  return `yes relais-throughput-line | head -c ${bytes}; echo BENCH-DONE-$((40+2))`;
}

/** Runs the producer once; returns bytes received, seconds and MB/s (1 MB = 10^6 bytes). */
export async function measureThroughput(terminal, { bytes, timeoutMs }) {
  const seen = markerScanner(THROUGHPUT_MARKER);
  let received = 0;
  let firstByteAt = null;
  let started = 0n;
  const finished = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      terminal.setListener(null);
      reject(new Error(`${terminal.label}: the throughput run did not finish within ${timeoutMs} ms (${received} bytes received)`));
    }, timeoutMs);
    terminal.setListener((chunk) => {
      firstByteAt ??= process.hrtime.bigint();
      received += chunk.length;
      if (!seen(chunk)) return;
      const ended = process.hrtime.bigint();
      clearTimeout(timer);
      terminal.setListener(null);
      resolve(ended);
    });
  });
  started = process.hrtime.bigint();
  terminal.write(`${throughputCommand(bytes)}\r`);
  const ended = await finished;
  // Let the prompt that follows the marker arrive, so it is not counted in the next run.
  await waitQuiet(terminal, 150, 3000);
  if (received < bytes) throw new Error(`${terminal.label}: only ${received} bytes arrived, the command wrote ${bytes}`);
  const seconds = Number(ended - started) / 1e9;
  return {
    bytesRequested: bytes,
    bytesReceived: received,
    seconds,
    firstByteMs: firstByteAt === null ? null : Number(firstByteAt - started) / 1e6,
    mbPerSecond: received / 1e6 / seconds,
  };
}
