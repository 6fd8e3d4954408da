import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonEscaper, ESCAPE_WASM } from '../../controller/server/recordings/cast-escape.js';

/** The event JSON.stringify writes for the decoded text: the escaper must give exactly these bytes. */
const reference = (time: number, bytes: Uint8Array) => Buffer.from(`${JSON.stringify([time, 'o', new TextDecoder().decode(bytes)])}\n`);

/** Bytes a terminal prints, weighted towards the ones JSON escapes (every control character, `"`, `\`) and multi-byte UTF-8. */
const terminalText = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
      { weight: 2, arbitrary: fc.constantFrom('\r\n', '\n', '\t', '"', '\\', '\x1b[31m', '\x00', '\x7f', '\b', '\f', '\x1f', '\u2028') },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 20 }) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('cast escaper', () => {
  const escapers = [['SIMD module', createJsonEscaper(ESCAPE_WASM)], ['plain loop', createJsonEscaper(null)]] as const;

  it('uses the SIMD module on this Node', () => {
    expect(escapers[0][1].simd).toBe(true);
    expect(escapers[1][1].simd).toBe(false);
  });

  for (const [name, escaper] of escapers) {
    it(`${name}: writes what JSON.stringify writes for any valid UTF-8 text`, () => {
      fc.assert(
        fc.property(terminalText, fc.integer({ min: 0, max: 9_999_999_999 }), (text, ms) => {
          const bytes = new TextEncoder().encode(text);
          const time = ms / 1000;
          const event = escaper.event(`${time},"o","`, bytes);
          expect(Buffer.from(event).toString('latin1')).toBe(reference(time, bytes).toString('latin1'));
          expect(JSON.parse(Buffer.from(event).toString('utf8'))).toEqual([time, 'o', text]);
        }),
        { numRuns: 500 },
      );
    });

    it(`${name}: every byte that needs escaping, at every place of a 16-byte block, and long inputs`, () => {
      for (let b = 0; b < 0x80; b++) {
        for (let at = 0; at < 40; at++) {
          const bytes = new Uint8Array(40).fill(0x61);
          bytes[at] = b;
          expect(Buffer.from(escaper.event('0,"o","', bytes)).toString('latin1')).toBe(reference(0, bytes).toString('latin1'));
        }
      }
      // Larger than the escaper's first memory (its worst case is 6 bytes out per byte in).
      const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i % 7 === 0 ? 0x01 : 0x41 + (i % 26)));
      // Compared as a whole: a deep equality of 20 MB would take a minute.
      expect(Buffer.from(escaper.event('1.5,"o","', big)).equals(reference(1.5, big))).toBe(true);
    });
  }
});
