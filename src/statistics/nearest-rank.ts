/**
 * Nearest-rank percentile of sorted values: the smallest value with at least a fraction `q` of the
 * values at or below it (q = 0.99 for p99), i.e. the value at rank ceil(q × n), counting from 1.
 *
 * Why nearest rank: every percentile cassperf reports is a value that was observed, as nodetool's
 * and HdrHistogram's percentiles are. Empty input gives null, never 0: a missing value is not a
 * measurement.
 *
 * Why not simple-statistics' `quantile` (the library cassperf uses for median, mean and the rest,
 * ./statistics.ts): it computes a different number. Its `quantileSorted`
 * (simple-statistics/simple-statistics, src/quantile_sorted.js) has used two rules, neither of them
 * nearest rank: up to 7.8 (commit 83951e9) idx = n × p, and when that is a whole number on an
 * even-length list it returns the MEAN of two neighbours (p50 of [1, 2, 3, 4] = 2.5, a latency no
 * request had); 7.12.1, the version installed here, interpolates linearly between order statistics
 * (R's type 7, idx = (n - 1) × p: p99 of 1..100 = 99.01, p50 of [1, 2, 3, 4] = 2.5). Nearest rank
 * gives 99 and 2.
 *
 * @example nearestRank([1, 2, 3, 4], 0.5)  // 2
 */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
