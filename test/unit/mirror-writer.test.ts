/** The person's screen writer: ordered, coalesced while a write is under way, never dropping, congested above its mark. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MirrorWriter, type OutputSink } from '../../agent/person/mirror-writer.js';

/** A terminal that finishes each write only when told to (a slow terminal, or one frozen with Ctrl+S). */
function slowTerminal() {
  const writes: Array<ReadonlyArray<Uint8Array | string>> = [];
  const pending: Array<(error: Error | null) => void> = [];
  const sink: OutputSink = { write: (chunks, done) => void (writes.push(chunks), pending.push(done)) };
  const text = () => writes.flat().map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString())).join('');
  return { sink, writes, text, finish: (error: Error | null = null) => pending.shift()?.(error), inFlight: () => pending.length };
}

const limits = { highWaterBytes: 10, lowWaterBytes: 4 };

describe('MirrorWriter', () => {
  it('writes at once when idle, and coalesces what arrives meanwhile into one write, in order', () => {
    const t = slowTerminal();
    const w = new MirrorWriter(t.sink, limits);
    w.write('a');
    expect(t.writes).toHaveLength(1);
    w.write(Buffer.from('b'));
    w.write('c');
    w.write(Buffer.from('d'));
    expect(t.writes).toHaveLength(1);
    t.finish();
    expect(t.writes).toHaveLength(2);
    expect(t.writes[1]).toHaveLength(3);
    t.finish();
    expect(t.text()).toBe('abcd');
    expect(w.pendingBytes).toBe(0);
  });

  it('never drops a byte: a terminal slower than the stream gets everything, in order', () => {
    const t = slowTerminal();
    const w = new MirrorWriter(t.sink, limits);
    let expected = '';
    for (let i = 0; i < 200; i += 1) {
      const piece = `${i};`;
      expected += piece;
      w.write(Buffer.from(piece));
      if (i % 7 === 0) t.finish();
    }
    while (t.inFlight() > 0) t.finish();
    expect(t.text()).toBe(expected);
  });

  it('is congested above the high-water mark and calls back once under the low-water mark', () => {
    const t = slowTerminal();
    const w = new MirrorWriter(t.sink, limits);
    w.write('12345678');
    w.write('abcdef');
    expect(w.congested).toBe(true);
    let drained = 0;
    w.whenDrained(() => (drained += 1));
    t.finish(); // the first 8 bytes are out; 6 are being written: still above the low-water mark
    expect(drained).toBe(0);
    expect(w.congested).toBe(false);
    t.finish();
    expect(drained).toBe(1);
    w.whenDrained(() => (drained += 1));
    expect(drained).toBe(2);
  });

  it('a terminal that is gone releases every waiter and takes nothing more', async () => {
    const t = slowTerminal();
    const w = new MirrorWriter(t.sink, limits);
    w.write('0123456789abc');
    w.write('more');
    let drained = false;
    w.whenDrained(() => (drained = true));
    t.finish(new Error('EIO'));
    expect(drained).toBe(true);
    expect(w.pendingBytes).toBe(0);
    w.write('after');
    expect(t.writes).toHaveLength(1);
    await expect(w.idle(1000)).resolves.toBeUndefined();
  });

  it('idle() resolves once everything is on the screen', async () => {
    const t = slowTerminal();
    const w = new MirrorWriter(t.sink, limits);
    w.write('bye');
    let done = false;
    const idle = w.idle(60_000).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    t.finish();
    await idle;
    expect(done).toBe(true);
  });

  describe('while output streams', () => {
    const gathering = { highWaterBytes: 1000, lowWaterBytes: 100, gatherMs: 4, gatherBytes: 50 };
    afterEach(() => vi.useRealTimers());
    /** A slow terminal behind a gathering writer, on fake time. */
    const gatheringWriter = () => {
      vi.useFakeTimers();
      const t = slowTerminal();
      return { t, w: new MirrorWriter(t.sink, gathering) };
    };

    it('gathers what follows a finished write for gatherMs, then writes it as one', () => {
      const { t, w } = gatheringWriter();
      w.write(Buffer.from('a'));
      expect(t.writes).toHaveLength(1); // after a pause: at once
      t.finish();
      w.write(Buffer.from('b'));
      w.write(Buffer.from('c'));
      expect(t.writes).toHaveLength(1);
      vi.advanceTimersByTime(3);
      w.write(Buffer.from('d'));
      expect(t.writes).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(t.writes).toHaveLength(2);
      expect(t.writes[1]).toHaveLength(3);
      t.finish();
      expect(t.text()).toBe('abcd');
      expect(w.pendingBytes).toBe(0);
    });

    it('writes at once when gatherBytes are queued, and at once again after a pause', () => {
      const { t, w } = gatheringWriter();
      w.write(Buffer.from('first'));
      t.finish();
      w.write(Buffer.from('x'.repeat(30)));
      expect(t.writes).toHaveLength(1);
      w.write(Buffer.from('y'.repeat(30)));
      expect(t.writes).toHaveLength(2);
      t.finish();
      vi.advanceTimersByTime(10);
      expect(t.writes).toHaveLength(2); // nothing was left to write
      w.write(Buffer.from('echo'));
      expect(t.writes).toHaveLength(3);
      t.finish();
      expect(t.text()).toBe(`first${'x'.repeat(30)}${'y'.repeat(30)}echo`);
    });

    it('idle() still waits for gathered bytes, and they reach the screen', async () => {
      const { t, w } = gatheringWriter();
      w.write(Buffer.from('one'));
      t.finish();
      w.write(Buffer.from('two'));
      let done = false;
      const idle = w.idle(60_000).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(4);
      expect(done).toBe(false);
      t.finish();
      await idle;
      expect(t.text()).toBe('onetwo');
    });
  
    it("writes the agent's own words at once, with the output gathered before them", () => {
      const { t, w } = gatheringWriter();
      w.write(Buffer.from('out'));
      t.finish();
      w.write(Buffer.from('put'));
      expect(t.writes).toHaveLength(1);
      w.write('Allow? ');
      expect(t.writes).toHaveLength(2);
      t.finish();
      expect(t.text()).toBe('output' + 'Allow? ');
    });
  });
});
