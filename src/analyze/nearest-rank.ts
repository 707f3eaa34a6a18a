/**
 * Nearest-rank percentile of sorted values: the smallest value with at least a fraction `q` of the
 * values at or below it (q = 0.99 for p99).
 *
 * Why nearest rank and not interpolation: every percentile cassperf reports is a value that was
 * observed, as nodetool's and HdrHistogram's percentiles are. Empty input gives null, never 0:
 * a missing value is not a measurement.
 *
 * @example nearestRank([1, 2, 3, 4], 0.5)  // 2
 */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
