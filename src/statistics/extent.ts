/**
 * The smallest and largest of some numbers (simple-statistics' `extent`, a loop), or null for none.
 *
 * Why not `Math.min(...values)`: spreading passes every value as an argument, and past about
 * 120,000 values (a week of system.log events, a long GC log) V8 throws "Maximum call stack size
 * exceeded". Why a wrapper: simple-statistics throws on empty input; here empty gives null, which
 * the reports show as "no value" (a missing value is not a measurement).
 *
 * @example extent([3, 1, 2])  // { min: 1, max: 3 }
 */
// simple-statistics is loaded on the first call: logs() imports this module for one rare finding, and loading the library
// took ~13 ms of every logs() start (node 20, 2 cores).
let minMax: typeof import("./statistics").minMax | undefined;

export function extent(values: readonly number[]): { min: number; max: number } | null {
  if (!values.length) return null;
  minMax ??= (require("./statistics") as typeof import("./statistics")).minMax;
  const [min, max] = minMax(values);
  return { min, max };
}
