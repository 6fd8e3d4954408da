/** The session trailer's format and checks: what the controller writes, the agent reads back; anything else is refused. */
import { describe, expect, it } from 'vitest';
import {
  TRAILER_MAGIC, TRAILER_MAX_PAYLOAD_BYTES, encodeTrailerPayload, findPlainTrailer, parseTrailerPayload, plainTrailer,
} from '../../protocol/executable/index.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const payload = (value: unknown) => bytes(JSON.stringify(value));

describe('session trailer', () => {
  it('round-trips at the end of a file', () => {
    const trailer = { v: 1 as const, controller: 'https://help.example.com/relais', code: '482193557', lang: 'fr' as const };
    const file = new Uint8Array([...new Uint8Array(100).fill(9), ...plainTrailer(encodeTrailerPayload(trailer))]);
    const found = findPlainTrailer(file);
    expect(found).toBeInstanceOf(Uint8Array);
    expect(parseTrailerPayload(found as Uint8Array)).toEqual({ kind: 'found', trailer });
  });

  it('finds nothing in a file that does not end with the magic', () => {
    expect(findPlainTrailer(new Uint8Array(4096))).toBeNull();
    expect(findPlainTrailer(bytes(TRAILER_MAGIC.slice(1)))).toBeNull();
  });

  it('refuses a length beyond the bounds instead of reading it', () => {
    const trailer = plainTrailer(payload({ v: 1 }));
    new DataView(trailer.buffer).setUint32(trailer.length - TRAILER_MAGIC.length - 4, TRAILER_MAX_PAYLOAD_BYTES + 1, true);
    expect(findPlainTrailer(trailer)).toEqual({ invalid: 'length out of bounds' });
    const short = plainTrailer(payload({ v: 1 }));
    new DataView(short.buffer).setUint32(short.length - TRAILER_MAGIC.length - 4, 1000, true);
    expect(findPlainTrailer(short)).toEqual({ invalid: 'length out of bounds' });
  });

  it.each([
    ['a script URL', { v: 1, controller: 'javascript:alert(1)', code: '482193557' }],
    ['another scheme', { v: 1, controller: 'file:///etc/passwd', code: '482193557' }],
    ['credentials in the URL', { v: 1, controller: 'https://user:pw@help.example.com', code: '482193557' }],
    ['a query', { v: 1, controller: 'https://help.example.com/?x=1', code: '482193557' }],
    ['a short code', { v: 1, controller: 'https://help.example.com', code: '48219355' }],
    ['a code with letters', { v: 1, controller: 'https://help.example.com', code: '48219355a' }],
    ['another version', { v: 2, controller: 'https://help.example.com', code: '482193557' }],
    ['an unknown field', { v: 1, controller: 'https://help.example.com', code: '482193557', insecure: true }],
    ['an unknown language', { v: 1, controller: 'https://help.example.com', code: '482193557', lang: 'de' }],
    ['a very long address', { v: 1, controller: `https://${'a'.repeat(600)}.example`, code: '482193557' }],
  ])('refuses %s', (_what, value) => {
    expect(parseTrailerPayload(payload(value))).toMatchObject({ kind: 'invalid' });
  });

  it('refuses what is not UTF-8 JSON, and a payload too large', () => {
    expect(parseTrailerPayload(Uint8Array.of(0xff, 0xfe, 0x7b))).toEqual({ kind: 'invalid', reason: 'not UTF-8 JSON' });
    expect(parseTrailerPayload(new Uint8Array(TRAILER_MAX_PAYLOAD_BYTES + 1))).toEqual({ kind: 'invalid', reason: 'payload too large' });
  });

  it('the controller cannot write an invalid trailer either', () => {
    expect(() => encodeTrailerPayload({ v: 1, controller: 'ftp://x', code: '1' })).toThrow();
  });
});
