/**
 * The smallest and largest of some numbers, by a loop.
 *
 * Why not `Math.min(...values)`: spreading passes every value as an argument, and past about
 * 120,000 values (a week of system.log events, a long GC log) V8 throws "Maximum call stack size
 * exceeded". Empty input gives null.
 *
 * @example extent([3, 1, 2])  // { min: 1, max: 3 }
 */
export function extent(values: readonly number[]): { min: number; max: number } | null {
  if (!values.length) return null;
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
