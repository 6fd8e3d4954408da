/** Keystrokes into the pty: written at once, what does not fit kept in order and retried, nothing after the descriptor closed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIRST_RETRY_MS, LONGEST_RETRY_MS, PtyWriter, type Later, type WriteSome } from '../../agent/shell/pty-writer.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A pty that takes, at each write, what `room()` says (0: EAGAIN), and records what it took. */
function fakePty(room: () => number) {
  const taken: number[] = [];
  const writeSome: WriteSome = (fd, bytes) => {
    expect(fd).toBe(7);
    const n = Math.min(room(), bytes.byteLength);
    if (n === 0) throw errno('EAGAIN');
    taken.push(...bytes.subarray(0, n));
    return n;
  };
  return { writeSome, taken };
}

/** Timers run by hand: `delays` says what each retry asked for. */
function manualLater() {
  const due: Array<{ ms: number; run: () => void; cancelled: boolean }> = [];
  const later: Later = (ms, run) => {
    const entry = { ms, run, cancelled: false };
    due.push(entry);
    return () => void (entry.cancelled = true);
  };
  const next = () => {
    const entry = due.shift();
    if (!entry) throw new Error('no retry scheduled');
    if (!entry.cancelled) entry.run();
    return entry.ms;
  };
  return { later, next, pending: () => due.filter((d) => !d.cancelled).length, delays: () => due.map((d) => d.ms) };
}

const bytes = (text: string) => Buffer.from(text);
const text = (taken: number[]) => Buffer.from(taken).toString();

describe('PtyWriter', () => {
  it('writes at once when the pty takes everything, with no retry', () => {
    const pty = fakePty(() => 1000);
    const time = manualLater();
    const writer = new PtyWriter(7, () => true, pty.writeSome, time.later);
    writer.write(bytes('ls\r'));
    expect(text(pty.taken)).toBe('ls\r');
    expect(time.pending()).toBe(0);
    expect(writer.queuedBytes).toBe(0);
  });

  it('keeps what did not fit, in order: later writes wait behind it, and the retry sends it all', () => {
    let room = 3;
    const pty = fakePty(() => room);
    const time = manualLater();
    const writer = new PtyWriter(7, () => true, pty.writeSome, time.later);
    writer.write(bytes('abcdef'));
    room = 100;
    writer.write(bytes('gh'));
    expect(text(pty.taken)).toBe('abc');
    expect(writer.queuedBytes).toBe(5);
    expect(time.next()).toBe(FIRST_RETRY_MS);
    expect(text(pty.taken)).toBe('abcdefgh');
    expect(time.pending()).toBe(0);
  });

  it('tries less often while the program takes nothing, and at once again after progress', () => {
    let room = 0;
    const pty = fakePty(() => room);
    const time = manualLater();
    const writer = new PtyWriter(7, () => true, pty.writeSome, time.later);
    writer.write(bytes('x'.repeat(10)));
    const waits = Array.from({ length: 8 }, () => time.next());
    expect(FIRST_RETRY_MS).toBe(1);
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 32, LONGEST_RETRY_MS]);
    room = 4;
    time.next();
    expect(pty.taken).toHaveLength(4);
    expect(time.delays()).toEqual([FIRST_RETRY_MS]);
  });

  it('keeps its own copy: the caller may reuse its buffer', () => {
    let room = 2;
    const pty = fakePty(() => room);
    const time = manualLater();
    const writer = new PtyWriter(7, () => true, pty.writeSome, time.later);
    const buffer = bytes('abcd');
    writer.write(buffer);
    buffer.fill(0x7a);
    room = 100;
    time.next();
    expect(text(pty.taken)).toBe('abcd');
  });

  it('writes nothing once the descriptor is closed, and drops what waited', () => {
    let room = 1;
    let open = true;
    const pty = fakePty(() => room);
    const time = manualLater();
    const writer = new PtyWriter(7, () => open, pty.writeSome, time.later);
    writer.write(bytes('abc'));
    open = false;
    room = 100;
    time.next();
    writer.write(bytes('later'));
    expect(text(pty.taken)).toBe('a');
    expect(writer.queuedBytes).toBe(0);
    expect(time.pending()).toBe(0);
  });

  it('stops at a write that fails for good (the shell is gone), and at close()', () => {
    const failing = new PtyWriter(7, () => true, () => { throw errno('EIO'); }, manualLater().later);
    failing.write(bytes('a'));
    expect(failing.queuedBytes).toBe(0);
    const pty = fakePty(() => 1);
    const time = manualLater();
    const writer = new PtyWriter(7, () => true, pty.writeSome, time.later);
    writer.write(bytes('abc'));
    writer.close();
    expect(time.pending()).toBe(0);
    writer.write(bytes('d'));
    expect(text(pty.taken)).toBe('a');
  });

  it('whatever the pty takes at each try, it gets every byte once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 50 }), { maxLength: 30 }),
        fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (writes, given, retryBetween) => {
          // All zeros would never end: then the pty takes one byte at every tenth try.
          const rooms = given.every((r) => r === 0) ? [...given.slice(0, 9), 1] : given;
          let i = 0;
          const pty = fakePty(() => rooms[i++ % rooms.length] as number);
          const time = manualLater();
          const writer = new PtyWriter(7, () => true, pty.writeSome, time.later);
          writes.forEach((w, k) => {
            writer.write(w);
            if (retryBetween[k] && time.pending() > 0) time.next();
          });
          while (time.pending() > 0) time.next();
          expect(Buffer.from(pty.taken)).toEqual(Buffer.concat(writes));
        },
      ),
    );
  });
});
