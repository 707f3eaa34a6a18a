/**
 * compareRuns' run-to-run noise test (src/bench/noise.ts): a seeded permutation test of per-second
 * values, on the real bench runs bundled in datasets/lab-3node/bench/ (a 3-node Cassandra 2.1.0
 * lab, the same fixed-rate 1,000 op/s write workload with a concurrency cap of 4, then 32; see
 * datasets/lab-3node/cassperf.json's notes).
 *
 * The expected p-values come from an EXACT permutation test computed here by enumerating every
 * split of the pooled seconds (a different computation from the code under test's 10,000 random
 * shuffles); the Monte-Carlo p must fall within 4 binomial standard errors of it. Verdicts are
 * reasoned in each test. datasets/ holds no two runs of one configuration, so "same workload" is
 * the interleaved even and odd seconds of one real run: the same cluster, the same minute, and
 * the run's upward trend split evenly between the halves.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { compareRuns } from "../src/analyze/bench/bench";
import { BENCH_THRESHOLDS } from "../src/analyze/bench/bench-rules";
import { perSecondNoise } from "../src/bench/noise";
import type { BenchRun } from "../src/bench/run";
import { ROOT } from "./support";

const BENCH = path.join(ROOT, "datasets", "lab-3node", "bench");
const BEFORE = path.join(BENCH, "writes-2026-12-02T13-43-59Z.json"); // concurrency cap 4: could not keep 1,000 op/s
const AFTER = path.join(BENCH, "writes-2026-12-02T13-44-17Z.json"); // concurrency cap 32: ~1,000 op/s
const readRun = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as BenchRun;

/** Exact two-sided permutation p: the share of all C(n, n_a) splits with |mean difference| ≥ the observed one. */
function exactP(a: number[], b: number[]): number {
  const all = [...a, ...b];
  const total = all.reduce((s, x) => s + x, 0);
  const observed = Math.abs(a.reduce((s, x) => s + x, 0) / a.length - b.reduce((s, x) => s + x, 0) / b.length);
  let extreme = 0;
  let splits = 0;
  const walk = (start: number, left: number, sum: number) => {
    if (left === 0) {
      splits++;
      if (Math.abs(sum / a.length - (total - sum) / b.length) >= observed - 1e-9) extreme++;
      return;
    }
    for (let i = start; i <= all.length - left; i++) walk(i + 1, left - 1, sum + all[i]);
  };
  walk(0, a.length, 0);
  return extreme / splits;
}

const withinMonteCarlo = (p: number, exact: number, k: number) => Math.abs(p - exact) <= 4 * Math.sqrt((exact * (1 - exact)) / k) + 1 / k;

test("same workload (even vs odd seconds of one real run): not significant, and the same p every time", () => {
  const run = readRun(BEFORE);
  // Seconds that carried operations, without the last, partial one (second 16: 517 ops in 0.56 s).
  const full = run.intervals.filter((r) => r.ops > 0 && r.second < 16);
  const even = full.filter((r) => r.second % 2 === 0);
  const odd = full.filter((r) => r.second % 2 === 1);
  assert.equal(even.length + odd.length, 13, "seconds 3..15 of the file");
  for (const key of ["ops_per_s", "p99_ms"] as const) {
    const a = even.map((r) => r[key] as number);
    const b = odd.map((r) => r[key] as number);
    const t = perSecondNoise(a, b)!;
    const exact = exactP(a, b);
    // By reasoning: both halves climb the same queueing ramp (p99 3.6 s → 8.5 s), so their means differ
    // by a small part of the scatter (ops/s: 25 op/s against 351..831): far from significant.
    assert.ok(exact > 0.5, `${key}: exact p ${exact}`);
    assert.ok(withinMonteCarlo(t.p, exact, t.permutations), `${key}: Monte-Carlo p ${t.p} vs exact ${exact}`);
    assert.equal(t.significant, false);
    assert.deepEqual(perSecondNoise(a, b), t, "seeded: the same runs give the same p-value");
  }
});

test("too few seconds: no permutation test (it could never reach the threshold)", () => {
  // 4 + 4 seconds: C(8, 4) = 70 splits, so the smallest two-sided p is 2/70 = 0.029 > 0.01.
  assert.equal(perSecondNoise([1000, 980, 963, 1057], [993, 1009, 889, 1107]), null);
  // 6 + 6: C(12, 6) = 924 splits, smallest p 2/924 = 0.002: testable.
  assert.notEqual(perSecondNoise([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]), null);
  assert.equal(BENCH_THRESHOLDS.NOISE_P_VALUE.value, 0.01);
});

test("the two real runs (concurrency cap 4 vs 32): clearly different in throughput and latency", async () => {
  const c = await compareRuns(BEFORE, AFTER);
  const row = (metric: string) => c.rows("comparison").find((r) => r.op === "write" && r.metric === metric)!;
  // ops/s 483.2 → 999.4 (whole-run figures in the files' "ops"); p99 8,609.8 ms → 135.6 ms.
  assert.equal(row("ops/s").a, 483.2);
  assert.equal(row("ops/s").b, 999.4);
  assert.equal(row("ops/s").verdict, "better");
  // Every second of run a had p99 ≥ 3,639 ms, every second of run b ≤ 153 ms: complete separation,
  // exact p = 2 / C(23, 9) (the observed split and its mirror) — far below 0.01.
  assert.equal(row("p99").verdict, "better");
  assert.equal(row("p99").beyond_noise, true);
  assert.ok((row("p99").p_value as number) < 0.001, String(row("p99").p_value));
  assert.match(String(row("p99").basis), /permutation p = < 0\.0001 \(below 0\.01\)/);
  assert.match(String(c.summary.noise_rule), /permutation test of the per-second values gives p < 0\.01 \(10,000 seeded shuffles\)/);
});

test("a constructed copy 100 ms slower: latency significant, throughput unchanged", async () => {
  const run = readRun(AFTER);
  const shifted = readRun(AFTER);
  shifted.id = "after + 100 ms";
  for (const r of [...shifted.intervals, ...shifted.ops]) {
    for (const k of ["p50_ms", "p95_ms", "p99_ms", "p99_9_ms", "max_ms", "mean_ms"] as const) if (r[k] !== null) r[k] = (r[k] as number) + 100;
  }
  const c = await compareRuns(run, shifted);
  const row = (metric: string) => c.rows("comparison").find((r) => r.op === "write" && r.metric === metric)!;
  // p99: 135.551 → 235.551 ms, +74% (over the 10% floor). Per second, 8 of the copy's 9 p99s exceed
  // all 9 of the original's (the 9th is the last, partial second: 10 ms + 100): significant.
  const a = run.intervals.filter((r) => r.ops > 0).map((r) => r.p99_ms as number);
  const b = shifted.intervals.filter((r) => r.ops > 0).map((r) => r.p99_ms as number);
  const exact = exactP(a, b);
  assert.ok(exact < 0.01, `exact p ${exact}`);
  const p99 = row("p99");
  assert.equal(p99.diff, 100);
  assert.equal(p99.beyond_noise, true);
  assert.equal(p99.verdict, "worse");
  assert.ok(withinMonteCarlo(p99.p_value as number, exact, BENCH_THRESHOLDS.NOISE_PERMUTATIONS.value), `p ${p99.p_value} vs exact ${exact}`);
  // ops/s untouched: identical per-second values, so every shuffle is at least as far apart as 0: p = 1.
  assert.equal(row("ops/s").p_value, 1);
  assert.equal(row("ops/s").verdict, "within noise");
  assert.ok(c.findings.some((f) => f.id === "bench.compare-worse" && /p99/.test(f.title)));
});
