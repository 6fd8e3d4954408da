/**
 * Keystroke echo latency: with the terminal in raw mode and `cat` echoing, one
 * byte is sent and timed until it comes back. Through the relay this is console
 * → controller → agent → pty → cat → pty → agent → controller → console; with
 * node-pty alone it is write → pty → cat → pty → read, in this process.
 */
import { runUntilMarker, waitQuiet } from './terminal-io.mjs';

/** Puts the shell in raw mode running `cat`, so every byte typed comes straight back once. */
async function startEcho(terminal) {
  // Raw: no line buffering, no signals, no output translation; -echo: only cat answers.
  await runUntilMarker(terminal, 'stty raw -echo; echo LAT-READY-$((2+3)); cat', 'LAT-READY-5', 10_000);
  await waitQuiet(terminal, 200, 2000);
}

/** Sends one byte and resolves with the milliseconds until its echo arrived. */
function echoOnce(terminal, byte, timeoutMs) {
  return new Promise((resolve, reject) => {
    let sentAt = 0n;
    const timer = setTimeout(() => {
      terminal.setListener(null);
      reject(new Error(`${terminal.label}: the echo of byte 0x${byte.toString(16)} did not come back within ${timeoutMs} ms`));
    }, timeoutMs);
    terminal.setListener((chunk) => {
      if (!chunk.includes(byte)) return;
      const arrivedAt = process.hrtime.bigint();
      clearTimeout(timer);
      terminal.setListener(null);
      resolve(Number(arrivedAt - sentAt) / 1e6);
    });
    sentAt = process.hrtime.bigint();
    terminal.write(Buffer.of(byte));
  });
}

/**
 * Measures `samples` echoes per terminal after `warmup` unrecorded ones, back to
 * back: the next key leaves as soon as the previous echo is back (a paste, or a
 * key held down), with no pause in which the processes could go idle. The
 * terminals take turns keystroke by keystroke, so a burst of load from elsewhere
 * on the machine hits them alike. Returns one list of milliseconds per terminal.
 * Leaves each shell running `cat` in raw mode: close them afterwards.
 */
export async function measureEchoLatency(terminals, { warmup, samples, timeoutMs }) {
  for (const terminal of terminals) await startEcho(terminal);
  const samplesMs = terminals.map(() => []);
  for (let i = 0; i < warmup + samples; i += 1) {
    for (const [index, terminal] of terminals.entries()) {
      const ms = await echoOnce(terminal, 0x61 + (i % 26), timeoutMs);
      if (i >= warmup) samplesMs[index].push(ms);
    }
  }
  return samplesMs;
}
