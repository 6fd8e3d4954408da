/**
 * One definition of how full a file system is, df's: used / (used + available).
 * Blocks reserved for the superuser count neither as used nor as available, so
 * size − used is more than a user can still write: a percent of `size` would
 * understate a nearly full disk. The agent's diagnostics and every summary use this.
 */

/** Percent used (0–100, not rounded) from used and available bytes; 0 when both are 0 or unreadable. */
export function diskUsePercent(usedBytes: number, availableBytes: number): number {
  const used = Number.isFinite(usedBytes) ? Math.max(0, usedBytes) : 0;
  const available = Number.isFinite(availableBytes) ? Math.max(0, availableBytes) : 0;
  const total = used + available;
  return total > 0 ? Math.min(100, (used / total) * 100) : 0;
}
