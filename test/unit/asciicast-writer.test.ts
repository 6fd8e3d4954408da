import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  it('writes the header, output and resize events with times in seconds', async () => {
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
      [1.7505, 'o', 'done\r\n'],
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

  it('writes what waits at least every half second (a crash loses at most the last second)', async () => {
    vi.useFakeTimers();
    const { w, path } = writer();
    await vi.advanceTimersByTimeAsync(10); // the file is open
    w.output('first\r\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    await vi.advanceTimersByTimeAsync(500);
    await w.flush();
    expect(lines(path)).toHaveLength(2);
    w.output('second\r\n');
    await vi.advanceTimersByTimeAsync(1_000);
    await w.flush();
    expect(lines(path)).toHaveLength(3);
    await w.close();
  });

  it('stops at the size limit with one visible truncation line and a marker, in the reader language', async () => {
    const { w, path } = writer({ maxBytes: 600, language: 'fr' });
    for (let i = 0; i < 50; i++) w.output(`line ${i} ${'x'.repeat(20)}\r\n`);
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
