/** Text built from peer data must fit its finding field: a long printer or server name is cut, never a reason to drop the finding. */

/** Cuts `value` to `max` characters, marking the cut with "…". */
export function cutText(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, Math.max(0, max - 1))}…`;
}
