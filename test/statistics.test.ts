/**
 * The statistics every helper shares: nearest-rank percentiles (src/statistics/nearest-rank.ts),
 * extent, mean and the peer median (simple-statistics through src/statistics/statistics.ts).
 * Expected values are computed by hand in the comments: nearest rank = the value at rank
 * ceil(q × n) counting from 1; a median of an even count is the mean of the two middle values.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { extent } from "../src/statistics/extent";
import { nearestRank } from "../src/statistics/nearest-rank";
import { peerMedian } from "../src/statistics/peer-median";
import { meanOrNull, median } from "../src/statistics/statistics";
import type { VegaLiteSpec } from "../src/present/chart";
import { chartToText } from "../src/repl/chart-text";

const ONE_TO_100 = Array.from({ length: 100 }, (_, i) => i + 1);

test("nearestRank: the observed value at rank ceil(q × n)", () => {
  assert.equal(nearestRank([1, 2, 3, 4], 0.5), 2); // ceil(0.5 × 4) = 2 → 2nd value
  assert.equal(nearestRank([1, 2, 3, 4], 0.25), 1); // ceil(1) = 1 → 1st
  assert.equal(nearestRank([1, 2, 3, 4], 0.26), 2); // ceil(1.04) = 2 → 2nd
  assert.equal(nearestRank([1, 2, 3, 4], 0.99), 4); // ceil(3.96) = 4 → 4th
  assert.equal(nearestRank(ONE_TO_100, 0.99), 99); // ceil(99) = 99 → 99
  assert.equal(nearestRank(ONE_TO_100, 0.999), 100); // ceil(99.9) = 100 → 100
  assert.equal(nearestRank(ONE_TO_100, 0.5), 50); // ceil(50) = 50 → 50
  assert.equal(nearestRank([10, 20, 30], 0.5), 20); // ceil(1.5) = 2 → 20
  assert.equal(nearestRank([10, 20, 30], 0), 10, "q = 0: the smallest value, not index -1");
  assert.equal(nearestRank([10, 20, 30], 1), 30);
  assert.equal(nearestRank([7], 0.99), 7);
  assert.equal(nearestRank([], 0.99), null, "no values: no percentile, never 0");
});

test("nearestRank is not simple-statistics' quantile: an observed value, not an interpolated one", () => {
  // simple-statistics 7.12.1 quantileSorted interpolates (R type 7): p50 of [1,2,3,4] = 2.5 and
  // p99 of 1..100 = 1 + 0.99 × 99 = 99.01 — neither was ever observed.
  const { quantileSorted } = require("simple-statistics") as { quantileSorted(x: number[], p: number): number };
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(Math.round(quantileSorted(ONE_TO_100, 0.99) * 100) / 100, 99.01);
  assert.notEqual(nearestRank([1, 2, 3, 4], 0.5), quantileSorted([1, 2, 3, 4], 0.5));
});

test("extent: min and max, null for none, and past the spread limit of Math.min(...)", () => {
  assert.deepEqual(extent([3, 1, 2]), { min: 1, max: 3 });
  assert.deepEqual(extent([-5]), { min: -5, max: -5 });
  assert.equal(extent([]), null);
  // 200,000 values: Math.min(...values) throws "Maximum call stack size exceeded" in V8 past ~120,000.
  const many = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 200_000); // a permutation of 0..199,999 (7919 is prime, coprime to 200,000)
  assert.deepEqual(extent(many), { min: 0, max: 199_999 });
});

test("meanOrNull and median: simple-statistics, with null for no values", () => {
  assert.equal(meanOrNull([2, 4]), 3);
  assert.equal(meanOrNull([1, 2, 3, 4]), 2.5); // 10 / 4
  assert.equal(meanOrNull([]), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5); // middle two of 1,2,3,4: (2 + 3) / 2
});

test("peerMedian: the median of the OTHER values", () => {
  assert.equal(peerMedian([100, 300], 1), 100); // node 1's only peer holds 100
  assert.equal(peerMedian([1, 2, 3, 10], 3), 2); // median of 1, 2, 3
  assert.equal(peerMedian([1, 2, 3, 10], 0), 3); // median of 2, 3, 10
  assert.equal(peerMedian([1, 2, 3, 10, 20], 4), 2.5); // median of 1, 2, 3, 10: (2 + 3) / 2
  assert.equal(peerMedian([5], 0), undefined, "one node has no peers");
});

test("the REPL's terminal chart aggregates as Vega-Lite does: median of an even count is the mean of the middle two", () => {
  // Vega-Lite's "median" aggregate is d3.median: [1, 2, 3, 10] → (2 + 3) / 2 = 2.5 (the upper middle, 3, was shown before).
  const spec = {
    data: { values: [1, 2, 3, 10].map((v) => ({ node: "10.0.0.1", pause_ms: v })) },
    mark: "bar",
    encoding: { y: { field: "node", type: "nominal" }, x: { field: "pause_ms", type: "quantitative", aggregate: "median" } },
  } as unknown as VegaLiteSpec;
  const bar = chartToText("pauses", spec, { width: 60 }).find((l) => l.includes("10.0.0.1"));
  assert.ok(bar, "one bar for the node");
  assert.match(bar, / 2\.5$/);
});
