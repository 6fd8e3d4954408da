/** Small statistics for benchmark samples. */

/** The median of a list of numbers (mean of the two middle values for an even count). */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The p-th percentile (0–100) by the nearest-rank method: a value that was actually measured. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50, p99, max, mean of latency samples in milliseconds. */
export function summarizeLatency(samplesMs) {
  const mean = samplesMs.reduce((sum, v) => sum + v, 0) / samplesMs.length;
  return { count: samplesMs.length, p50: percentile(samplesMs, 50), p99: percentile(samplesMs, 99), max: Math.max(...samplesMs), mean };
}
