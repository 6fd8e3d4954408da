/**
 * Untrusted text, one definition for every side: what no peer may send (the schemas
 * refuse it), how any string is made safe (agent, CLI, web UI and controller replace
 * it), how many bytes a string takes in JSON, and how text is cut to fit a field.
 */

/** Bytes a text field may take per character in JSON: enough for any BMP character (3 bytes of UTF-8). */
export const TEXT_BYTES_PER_CHAR = 3;

/**
 * Characters no peer may send in text: C0 controls but tab, DEL, C1 controls (some terminals
 * act on U+009B as an escape), bidirectional embeddings, overrides and isolates that reorder
 * what a person reads (a consent question must say what it seems to say), and lone surrogates
 * (not text at all: six bytes of JSON each, and UTF-8 cannot store them, so they would not read back).
 */
export const FORBIDDEN_TEXT = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FORBIDDEN_ALL = new RegExp(FORBIDDEN_TEXT.source, 'g');
const SURROGATE = /^[\ud800-\udfff]$/;

/** True when a string holds nothing the protocol forbids in text. */
export function isPlainText(value: string): boolean {
  return !FORBIDDEN_TEXT.test(value);
}

export interface SanitizeOptions {
  /** Keep line feeds (multi-line output shown in a block); by default they become spaces. */
  readonly keepNewlines?: boolean;
  /** Tabs become spaces (columns of a terminal table stay aligned); by default tabs stay. */
  readonly tabsToSpaces?: boolean;
}

/** Replaces what the protocol forbids: lone surrogates by U+FFFD, every other forbidden character by a space. */
export function sanitizeText(value: string, options: SanitizeOptions = {}): string {
  let clean = value.replace(FORBIDDEN_ALL, (c) => (SURROGATE.test(c) ? '\ufffd' : options.keepNewlines && c === '\n' ? c : ' '));
  if (options.tabsToSpaces) clean = clean.replace(/\t/g, ' ');
  return clean;
}

/** Bytes a string's characters take inside a JSON string literal (escapes included, quotes not). */
export function jsonByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2; // \" and \\
    else if (c < 0x20) bytes += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) bytes += 6; // a lone surrogate: JSON.stringify writes \udXXX
    else bytes += 3;
  }
  return bytes;
}

const ELLIPSIS = '…';

/**
 * Cuts text to at most `maxChars` characters and `maxBytes` bytes of JSON, marking a cut
 * with "…", never splitting a surrogate pair. Text that fits is returned unchanged.
 */
export function fitText(value: string, maxChars: number, maxBytes = maxChars * TEXT_BYTES_PER_CHAR): string {
  if (value.length <= maxChars && jsonByteLength(value) <= maxBytes) return value;
  const room = { chars: maxChars - ELLIPSIS.length, bytes: maxBytes - jsonByteLength(ELLIPSIS) };
  if (room.chars < 0 || room.bytes < 0) return '';
  let end = 0;
  let bytes = 0;
  while (end < value.length) {
    const step = isHighSurrogate(value.charCodeAt(end)) && isLowSurrogate(value.charCodeAt(end + 1)) ? 2 : 1;
    const size = jsonByteLength(value.slice(end, end + step));
    if (end + step > room.chars || bytes + size > room.bytes) break;
    end += step;
    bytes += size;
  }
  return value.slice(0, end) + ELLIPSIS;
}

/** Any value as protocol text: forbidden characters replaced, cut to fit the field. */
export function plainText(value: unknown, maxChars: number, maxBytes = maxChars * TEXT_BYTES_PER_CHAR): string {
  return fitText(sanitizeText(String(value ?? '')), maxChars, maxBytes);
}

/** One line of untrusted text for a terminal or a table cell: forbidden characters and tabs become spaces, cut to `maxChars`. */
export function plainLine(value: string, maxChars = 200): string {
  return fitText(sanitizeText(value, { tabsToSpaces: true }), maxChars);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
