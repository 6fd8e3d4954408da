/** Making any string fit the protocol's `text(max)` fields: no control characters, bounded length. */

// Everything fields.ts's text() refuses: C0 controls except tab, and DEL.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/** Replaces control characters with spaces and cuts to `max` characters (marking the cut with "…"). */
export function plainText(value: unknown, max: number): string {
  const text = String(value ?? '').replace(CONTROL, ' ');
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
