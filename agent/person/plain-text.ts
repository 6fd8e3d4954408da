/** Making any string fit the protocol's `text(max)` fields: no control characters, bounded length. */

import { FORBIDDEN_TEXT } from '../../protocol/index.js';

// Everything fields.ts's text() refuses, as a global pattern for replacing.
const CONTROL = new RegExp(FORBIDDEN_TEXT.source, 'g');

/** Replaces control characters with spaces and cuts to `max` characters (marking the cut with "…"). */
export function plainText(value: unknown, max: number): string {
  const text = String(value ?? '').replace(CONTROL, ' ');
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
