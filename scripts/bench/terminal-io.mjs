/**
 * What both benchmarks need from a shell terminal, whichever it is (the remote
 * shell through the relay, or node-pty alone). A terminal here is
 * `{ label, write(bytes | string), setListener(fn | null), close() }`: one
 * listener at a time receives every output chunk as a Buffer.
 */

/**
 * Returns a scanner that is fed output chunks and answers true once `marker`
 * has appeared, also when it straddles two chunks. It never keeps more than
 * the marker's length of old output, so it can watch hundreds of megabytes.
 */
export function markerScanner(marker) {
  const needle = Buffer.from(marker);
  let tail = Buffer.alloc(0);
  return (chunk) => {
    if (chunk.indexOf(needle) !== -1) return true;
    const head = chunk.subarray(0, needle.length - 1);
    if (tail.length > 0 && Buffer.concat([tail, head]).indexOf(needle) !== -1) return true;
    tail = Buffer.from(chunk.length >= needle.length - 1 ? chunk.subarray(chunk.length - (needle.length - 1)) : Buffer.concat([tail, chunk]).subarray(-(needle.length - 1)));
    return false;
  };
}

/** Resolves when `marker` appears in the terminal's output (from now on); rejects after `timeoutMs`. */
export function waitForMarker(terminal, marker, timeoutMs) {
  const seen = markerScanner(marker);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      terminal.setListener(null);
      reject(new Error(`${terminal.label}: "${marker}" did not appear within ${timeoutMs} ms`));
    }, timeoutMs);
    terminal.setListener((chunk) => {
      if (!seen(chunk)) return;
      clearTimeout(timer);
      terminal.setListener(null);
      resolve();
    });
  });
}

/** Resolves once the terminal has printed nothing for `quietMs` (or after `maxMs` regardless). */
export function waitQuiet(terminal, quietMs, maxMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    let timer = null;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(cap);
      terminal.setListener(null);
      resolve();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, Math.min(quietMs, Math.max(0, maxMs - (Date.now() - started))));
    };
    const cap = setTimeout(done, maxMs);
    terminal.setListener(arm);
    arm();
  });
}

/**
 * Runs `command` in the shell and waits for its output to contain `marker`.
 * The marker is written with shell arithmetic in the command (e.g.
 * `$((40+2))`), so the echoed command line itself never matches.
 */
export async function runUntilMarker(terminal, command, marker, timeoutMs) {
  const done = waitForMarker(terminal, marker, timeoutMs);
  terminal.write(`${command}\r`);
  await done;
}

/**
 * Waits for the shell to take commands (its start-up and prompt are over);
 * returns how long that took. The start-up runs the user's rc files, which can
 * be slow (pyenv's rehash waits up to 60 s on a stale lock), hence the long limit.
 */
export async function waitForShellReady(terminal, timeoutMs = 90_000) {
  const started = Date.now();
  await runUntilMarker(terminal, 'echo BENCH-READY-$((1+2))', 'BENCH-READY-3', timeoutMs);
  await waitQuiet(terminal, 200, 2000);
  return Date.now() - started;
}
