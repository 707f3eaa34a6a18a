/**
 * Run-to-run noise, for compareRuns: do two runs' per-second values of one metric (ops/s, or a
 * per-second percentile) differ by more than shuffling those seconds between the runs explains?
 *
 * A permutation test, simple-statistics' `permutationTest`: the statistic is the difference of the
 * two runs' per-second means; the per-second values are pooled and re-split at random into groups
 * of the runs' sizes NOISE_PERMUTATIONS times (../analyze/bench/bench-rules.ts); the two-sided p-value is the fraction of
 * re-splits at least as far apart as the real one. It replaces "whole-run difference over two
 * standard errors of the per-second values", which assumed per-second p99s are normal (they are
 * not: one GC pause makes one second's p99 ten times the others').
 *
 * The shuffles come from a seeded generator (NOISE_SEED), so the same two runs always get the same
 * p-value and verdict. Caveat, said in compareRuns' notes: seconds of one run are not independent
 * (a compaction or a GC spans several), which makes p-values smaller than they should be; the
 * 10% floor (NOISE_MIN_RELATIVE) keeps that from flagging differences nobody would act on.
 */
import { permutationTest } from "../statistics/statistics";
import { makeRng } from "./generators";
import { BENCH_THRESHOLDS } from "../analyze/bench/bench-rules";

/** Seed of the shuffles. Any fixed value gives reproducible verdicts; this one is arbitrary. */
export const NOISE_SEED = 0x5eed;

/** The test's outcome for one metric. */
export interface NoiseTest {
  /** Two-sided p-value: the fraction of shuffles whose mean difference is at least the real one. */
  p: number;
  /** Shuffles drawn. */
  permutations: number;
  /** Per-second values of run a and run b. */
  n_a: number;
  n_b: number;
  /** Whether p is below NOISE_P_VALUE. */
  significant: boolean;
}

/**
 * The number of ways to split n_a + n_b values into groups of n_a and n_b, capped at `cap`
 * (only whether it reaches a bound matters).
 */
function splits(nA: number, nB: number, cap: number): number {
  let c = 1;
  const k = Math.min(nA, nB);
  for (let i = 1; i <= k; i++) {
    c = (c * (nA + nB - k + i)) / i;
    if (c >= cap) return cap;
  }
  return Math.round(c);
}

/**
 * The permutation test of two runs' per-second values, or null when they are too few for any
 * arrangement to reach NOISE_P_VALUE: with k distinct splits the smallest two-sided p-value
 * possible is 2/k, so k must be at least 2 / NOISE_P_VALUE (e.g. 4 + 4 seconds give 70 splits,
 * p ≥ 0.029: never significant at 0.01; 6 + 6 give 924).
 * @example perSecondNoise([990, 1010, 1000, 995, 1005, 1000], [700, 690, 710, 705, 695, 700]).significant // true
 */
export function perSecondNoise(a: readonly number[], b: readonly number[]): NoiseTest | null {
  const alpha = BENCH_THRESHOLDS.NOISE_P_VALUE.value;
  if (!a.length || !b.length || splits(a.length, b.length, 2 / alpha) < 2 / alpha) return null;
  const permutations = BENCH_THRESHOLDS.NOISE_PERMUTATIONS.value;
  const rng = makeRng(NOISE_SEED);
  const p = permutationTest([...a], [...b], "two_side", permutations, rng.next);
  return { p, permutations, n_a: a.length, n_b: b.length, significant: p < alpha };
}
