/**
 * simple-statistics, the one library for descriptive statistics (median, mean, standard deviation,
 * extent, quantile breaks) and the permutation test compareRuns uses for run-to-run noise.
 *
 * Loaded here once, with the functions cassperf uses typed by hand: simple-statistics is an ES
 * module with a CommonJS build (its "require" export), and TypeScript 5.0 (tslab's, which
 * type-checks notebook cells against these declarations) cannot type an ES module imported from
 * CommonJS. Each throws on empty input, as simple-statistics does; the wrappers elsewhere
 * (./extent.ts, ./peer-median.ts) say what empty means for them.
 *
 * Percentiles are NOT taken from here: see ./nearest-rank.ts for why.
 */
const ss = require("simple-statistics") as {
  mean(x: readonly number[]): number;
  median(x: readonly number[]): number;
  sampleStandardDeviation(x: readonly number[]): number;
  extent(x: readonly number[]): [number, number];
  equalIntervalBreaks(x: readonly number[], nClasses: number): number[];
  permutationTest(sampleX: number[], sampleY: number[], alternative?: "two_side" | "greater" | "less", k?: number, randomSource?: () => number): number;
};

export const { mean, median, sampleStandardDeviation, extent: minMax, equalIntervalBreaks, permutationTest } = ss;

/**
 * The mean of some values, or null for none (a missing value is not a measurement).
 * @example meanOrNull([2, 4]) // 3
 */
export function meanOrNull(values: readonly number[]): number | null {
  return values.length ? ss.mean(values) : null;
}
