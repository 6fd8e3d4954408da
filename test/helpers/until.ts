/**
 * How long a test waits for something a process does before calling it missing. A
 * passing test never waits for it, so it is generous: the suite must stay green on a
 * machine whose cores other work keeps busy, where an agent took over 10 s to start
 * and its first snapshot longer (the probes then get 15 s each, vitest.config.ts).
 */
export const DEADLINE_MS = 30_000;

/** Polls a condition until it holds; throws with a description (read at the deadline) after timeoutMs. */
export async function until(condition: () => boolean, timeoutMs = DEADLINE_MS, what: string | (() => string) = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until a reading has stopped changing for `quietMs` (at most `timeoutMs`), and
 * returns it: how a test sees that a stream it cannot otherwise observe has stopped.
 * A stall of the machine can end the wait early; use it only where that makes the
 * check weaker, never wrong.
 */
export async function settled<T>(read: () => T, quietMs: number, timeoutMs = DEADLINE_MS, what = 'the reading to settle'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    const now = read();
    if (now !== value) {
      value = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return value;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

/** Polls an asynchronous reading until it is not undefined, and returns it; throws after timeoutMs. */
export async function eventuallyDefined<T>(read: () => Promise<T | undefined>, timeoutMs = DEADLINE_MS, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads a value (an API answer) until it satisfies `ok`; returns it, or throws with a description after timeoutMs. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = DEADLINE_MS, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
