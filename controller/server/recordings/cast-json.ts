/**
 * Terminal output bytes as the JSON string of an asciicast event, cheaply: the recorder
 * encodes a whole batch (up to 64 KiB, 50 ms of output) at once instead of one event per
 * relayed chunk, so what costs is per byte, and this does the per-byte work in native code.
 *
 * Valid UTF-8 (nearly all terminal output; `isUtf8` is simdutf) is read as latin1, one
 * byte per character: JSON escapes only characters below U+0020, `"` and `\`, which are
 * the same single bytes in both encodings, and leaves bytes 0x80–0xFF alone, so writing
 * the escaped string back as latin1 gives the original UTF-8 with its escapes, as
 * `JSON.stringify(text)` encoded as UTF-8 would. Output that holds no control character
 * but CR and LF (base64, logs, most of a shell's lines) skips JSON.stringify: CR and LF are
 * replaced by split/join, twice as fast here. Anything else takes the standard path.
 */
import { isUtf8 } from 'node:buffer';

/** Characters that need an escape other than CR and LF (then JSON.stringify does the work). */
const OTHER_ESCAPES = /[\u0000-\u0009\u000b\u000c\u000e-\u001f"\\]/;

/** The output event `[time,"o","<text>"]\n` as bytes, `body` the UTF-8 output. */
export function outputEventBytes(time: number, body: Uint8Array): Buffer {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isUtf8(bytes)) {
    const text = bytes.toString('latin1');
    const literal = OTHER_ESCAPES.test(text) ? JSON.stringify(text) : `"${text.split('\r').join('\\r').split('\n').join('\\n')}"`;
    return Buffer.from(`[${time},"o",${literal}]\n`, 'latin1');
  }
  // Invalid sequences become U+FFFD, as the WHATWG decoder (and asciinema) read them.
  return Buffer.from(`[${time},"o",${JSON.stringify(new TextDecoder().decode(bytes))}]\n`, 'utf8');
}

/**
 * How many bytes at the end of `bytes` begin a UTF-8 character that is not complete
 * yet (0 to 3): they wait for the next batch, so a character split across two chunks is
 * written whole. Bytes that cannot begin a valid character are not held back.
 */
export function incompleteTail(bytes: Uint8Array, length = bytes.length): number {
  for (let back = 1; back <= 3 && back <= length; back++) {
    const lead = bytes[length - back]!;
    if (lead < 0x80) return 0;
    if (lead < 0xc0) continue; // a continuation byte: look further back for its lead
    const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (need < back) return 0; // complete (or not a lead at all)
    // The second byte's range depends on the lead (no overlongs, surrogates or beyond U+10FFFF).
    if (back >= 2) {
      const second = bytes[length - back + 1]!;
      const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
      const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
      if (second < low || second > high) return 0;
    }
    return back;
  }
  return 0;
}
