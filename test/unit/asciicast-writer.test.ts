import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { setTimeout as pause } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelaisError } from '../../protocol/index.js';
import { parseAsciicast, readAsciicastFile } from '../../controller/server/recordings/asciicast-reader.js';
import { AsciicastWriter, TRUNCATION_MARKER, type AsciicastWriterOptions } from '../../controller/server/recordings/asciicast-writer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relais-cast-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A writer on a fake clock that the test moves by hand. */
function writer(extra: Partial<AsciicastWriterOptions> = {}) {
  const clock = { ms: 1_000 };
  const path = join(dir, 'shell.cast');
  const w = new AsciicastWriter({ path, width: 80, height: 24, language: 'en', clock: () => clock.ms, wallClock: () => 1_796_000_000_000, ...extra });
  return { w, clock, path };
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('asciicast writer', () => {
  it('writes the header, output and resize events with times in seconds, to the millisecond', async () => {
    const { w, clock, path } = writer({ title: 'Shell on PC-ACCUEIL', env: { TERM: 'xterm-256color' } });
    w.output(new TextEncoder().encode('$ ls\r\n'));
    clock.ms += 1_500;
    w.resize(120, 40);
    clock.ms += 250.5;
    w.output('done\r\n');
    await w.close();
    expect(lines(path)).toEqual([
      { version: 2, width: 80, height: 24, timestamp: 1_796_000_000, title: 'Shell on PC-ACCUEIL', env: { TERM: 'xterm-256color' } },
      [0, 'o', '$ ls\r\n'],
      [1.5, 'r', '120x40'],
      [1.751, 'o', 'done\r\n'],
    ]);
    expect(w.state).toBe('closed');
    w.output('after the end');
    await w.close();
    expect(readFileSync(path, 'utf8')).not.toContain('after the end');
    const cast = await readAsciicastFile(path);
    expect(cast.events).toHaveLength(3);
    expect(cast.truncatedTail).toBe(false);
  });

  it('keeps a multi-byte character split across chunks whole', async () => {
    const { w, path } = writer();
    const bytes = new TextEncoder().encode('é€😀');
    for (const b of bytes) w.output(Uint8Array.of(b));
    w.output(Uint8Array.of(0xe2, 0x82)); // an unfinished € at the end: the decoder's last bytes
    await w.close();
    const data = (lines(path).slice(1) as Array<[number, string, string]>).map((e) => e[2]).join('');
    expect(data).toBe('é€😀\ufffd');
  });

  /**
   * Polls the file every 10 ms of real time (node:timers/promises, which the fake timers
   * leave alone; the thread's own 200 ms are real) until it has `count` whole lines: a
   * condition awaited, with a deadline counted in polls that a slow machine only reaches later.
   */
  const fileHas = async (path: string, count: number) => {
    const whole = () => readFileSync(path, 'utf8').split('\n').length - 1;
    for (let poll = 0; poll < 3_000 && whole() < count; poll++) await pause(10);
    return whole();
  };

  it('writes what waits at least every half second, without being asked', async () => {
    // Only the writer's timers are fake: the thread and its file are real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Asked for more: held to 300 ms here, and the thread writes 200 ms after a byte came to it.
    const { w, path } = writer({ flushIntervalMs: 5_000 });
    await w.flush(); // the file is open, with its header
    w.output('first\r\n');
    vi.advanceTimersByTime(299);
    // Still in the batch: nothing was handed to the thread, so nothing can reach the file.
    expect(lines(path)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const handedOver = performance.now();
    expect(await fileHas(path, 2)).toBe(2);
    expect(performance.now() - handedOver).toBeGreaterThanOrEqual(150); // the thread's wait, not a write per batch
    w.output('second\r\n');
    vi.advanceTimersByTime(300);
    expect(await fileHas(path, 3)).toBe(3);
    expect((lines(path).slice(1) as Array<[number, string, string]>).map((e) => e[2])).toEqual(['first\r\n', 'second\r\n']);
    await w.close();
  });

  it('hands output over within 50 ms by default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { w, path } = writer();
    await w.flush();
    w.output('default');
    vi.advanceTimersByTime(49);
    expect(lines(path)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(await fileHas(path, 2)).toBe(2);
    await w.close();
  });

  it('stops at the size limit with one visible truncation line and a marker, in the reader language', async () => {
    const { w, path } = writer({ maxBytes: 600, language: 'fr' });
    for (let i = 0; i < 50; i++) w.output(`line ${i} ${'x'.repeat(20)}\r\n`);
    await w.flush();
    expect(w.state).toBe('truncated');
    w.resize(100, 30); // ignored
    await w.close();
    const text = readFileSync(path, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(600);
    const events = lines(path).slice(1) as Array<[number, string, string]>;
    const last = events.slice(-2);
    expect(last[0]![1]).toBe('o');
    expect(last[0]![2]).toContain('[enregistrement tronqué\u00a0: limite de taille atteinte]');
    expect(last[1]).toEqual([expect.any(Number), 'm', TRUNCATION_MARKER]);
    expect(events.filter((e) => e[1] === 'm')).toHaveLength(1);
    expect(w.state).toBe('closed');
    expect(w.truncated).toBe(true);
    expect(w.bytes).toBe(Buffer.byteLength(text));
  });

  it('never throws into the caller: a disk error ends the recording and is reported once', async () => {
    const errors: Error[] = [];
    const w = new AsciicastWriter({ path: join(dir, 'missing', 'shell.cast'), width: 80, height: 24, language: 'en', onError: (e) => errors.push(e) });
    w.output('lost');
    w.resize(10, 10);
    await w.flush();
    await w.close();
    expect(errors).toHaveLength(1);
    expect(w.state).toBe('failed');
    expect(() => w.output('after')).not.toThrow();
  });

  it('a throwing error callback does not escape either', async () => {
    chmodSync(dir, 0o500);
    try {
      const w = new AsciicastWriter({
        path: join(dir, 'shell.cast'),
        width: 80,
        height: 24,
        language: 'en',
        onError: () => {
          throw new Error('callback broke');
        },
      });
      w.output('x');
      await expect(w.close()).resolves.toBeUndefined();
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

describe('asciicast writer batches', () => {
  it('coalesces the chunks of 50 ms into one output event with the first chunk\u2019s time', async () => {
    vi.useFakeTimers();
    const { w, clock, path } = writer();
    w.output('a');
    clock.ms += 20;
    w.output(new TextEncoder().encode('b\r\n'));
    await vi.advanceTimersByTimeAsync(50);
    clock.ms += 100;
    w.output('c');
    await w.close();
    expect(lines(path).slice(1)).toEqual([[0, 'o', 'ab\r\n'], [0.12, 'o', 'c']]);
  });

  it('writes what TextDecoder and JSON.stringify would, however the bytes are cut (fast-check)', async () => {
    // Bytes a terminal prints, and the ones that need care: escapes, quotes, every kind of UTF-8 error.
    const pool = [0x41, 0x20, 0x22, 0x5c, 0x0a, 0x0d, 0x09, 0x1b, 0x00, 0x7f, 0xc2, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0xc0, 0xff, 0xe0, 0x9f];
    const byte = fc.oneof({ weight: 7, arbitrary: fc.constantFrom(...pool) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) });
    /** Valid UTF-8 text too (most output), so the escaped path is taken for whole batches. */
    const text = fc.string({ unit: 'grapheme', maxLength: 60 }).map((t) => [...new TextEncoder().encode(t)]);
    const stream = fc.array(fc.oneof(byte.map((b) => [b]), text), { minLength: 1, maxLength: 80 }).map((parts) => Uint8Array.from(parts.flat()));
    // Where the stream is cut into chunks, and after which chunks a batch ends (maybe inside a character).
    const cuts = fc.array(fc.record({ size: fc.integer({ min: 1, max: 9 }), flush: fc.boolean() }), { minLength: 1, maxLength: 40 });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(stream, cuts, async (bytes, plan) => {
        const file = join(dir, `stream-${round++}.cast`);
        const writerOn = new AsciicastWriter({ path: file, width: 80, height: 24, language: 'en', clock: () => 0, wallClock: () => 0 });
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const { size, flush } = plan[i % plan.length]!;
          writerOn.output(bytes.subarray(at, at + size));
          if (flush) await writerOn.flush();
          at += size;
        }
        await writerOn.close();
        const written = (lines(file).slice(1) as Array<[number, string, string]>).map((e) => e[2]).join('');
        rmSync(file);
        expect(written, Buffer.from(bytes).toString('hex')).toBe(new TextDecoder().decode(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('stops with a visible line rather than hold the shell back when the disk falls behind by 16 MiB', async () => {
    const fifo = join(dir, 'slow.cast');
    execFileSync('mkfifo', [fifo]);
    // Nobody reads the pipe yet: every write waits, as on a disk that cannot keep up.
    const w = new AsciicastWriter({ path: fifo, width: 80, height: 24, language: 'en' });
    const chunk = new TextEncoder().encode('x'.repeat(60_000) + '\r\n');
    const started = performance.now();
    for (let i = 0; i < 400 && w.state === 'recording'; i++) w.output(chunk);
    expect(performance.now() - started).toBeLessThan(2_000); // never waited for the disk
    expect(w.state).toBe('truncated');
    const reader = createReadStream(fifo);
    const read: Buffer[] = [];
    reader.on('data', (b) => read.push(b as Buffer));
    const readerClosed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    await w.close();
    await readerClosed;
    const text = Buffer.concat(read).toString('utf8');
    expect(text.length).toBeLessThan(17.5 * 1024 * 1024);
    const events = text.split('\n').filter((l) => l !== '').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.at(-2)![2]).toContain('[recording truncated: the disk could not keep up]');
    expect(events.at(-1)).toEqual([expect.any(Number), 'm', TRUNCATION_MARKER]);
    expect(w.truncated).toBe(true);
  });
});

describe('asciicast reader', () => {
  const header = JSON.stringify({ version: 2, width: 80, height: 24 });

  it('tolerates a last line cut short by a crash', async () => {
    const text = `${header}\n[0.1, "o", "hello"]\n[0.2, "o", "wor`;
    expect(parseAsciicast(text)).toMatchObject({ events: [[0.1, 'o', 'hello']], truncatedTail: true });
    const path = join(dir, 'crash.cast');
    writeFileSync(path, text);
    expect(await readAsciicastFile(path)).toMatchObject({ events: [[0.1, 'o', 'hello']], truncatedTail: true });
  });

  it('refuses a damaged file with the catalog error', async () => {
    const bad = [
      '',
      '{"version": 1, "width": 80, "height": 24}\n',
      `${header}\n[0.1, "o", "a"]\nnot json\n[0.3, "o", "b"]\n`,
      `${header}\n[0.1, "x", "a"]\n`,
      `${header}\n[0.1, "r", "wide"]\n`,
      `${header}\n[-1, "o", "a"]\n`,
    ];
    for (const text of bad) {
      expect(() => parseAsciicast(text), text).toThrow(RelaisError);
    }
    const path = join(dir, 'bad.cast');
    writeFileSync(path, bad[2]!);
    await expect(readAsciicastFile(path)).rejects.toMatchObject({ code: 'RECORDING_ERR_INVALID' });
  });
});
