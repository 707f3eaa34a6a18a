/**
 * Latencies that cannot be true. In a fixed-rate run each operation's response time is measured
 * from its intended start and its service time from when it was sent, so response >= service for
 * every operation and therefore at every percentile (the response distribution dominates the
 * service one). A run whose response-time percentile is below its service-time percentile was
 * measured wrongly (datasets/lab-3node's first bench runs, recorded before the fixed-rate fix,
 * had response p50 0.001 ms under a service p50 of 0.451 ms): reports flag it, comparisons refuse
 * to compare that percentile.
 */
import type { Threshold } from "../present/report";
import type { BenchOpRow, BenchRun } from "./run";

/** How far below service time a response percentile may read before it is impossible (quantisation only). */
export const IMPOSSIBLE_TOLERANCE = {
  name: "IMPOSSIBLE_TOLERANCE",
  value: 0.002,
  unit: "fraction of the service-time percentile (plus 0.001 ms rounding)",
  source:
    "HdrHistogram at 3 significant digits (src/bench/hdr.ts) quantises a value by at most 0.1% of it; two histograms, so 0.2%; saved values are rounded to 0.001 ms",
} satisfies Threshold;

/** A response-time percentile paired with its service-time percentile (the ops row's columns). */
const PAIRS: { percentile: string; response: keyof BenchOpRow; service: keyof BenchOpRow }[] = [
  { percentile: "p50", response: "p50_ms", service: "service_p50_ms" },
  { percentile: "p99", response: "p99_ms", service: "service_p99_ms" },
  { percentile: "max", response: "max_ms", service: "service_max_ms" },
];

/** One impossible value: run, op type, percentile, and both values (ms). */
export interface ImpossibleLatency {
  run: string;
  op: string;
  percentile: string;
  /** The metric key of the response percentile in the ops row (p50_ms, p99_ms, max_ms). */
  key: keyof BenchOpRow;
  response_ms: number;
  service_ms: number;
}

/** Every op row's response percentile that reads below its service percentile. */
export function impossibleLatencies(run: BenchRun): ImpossibleLatency[] {
  const out: ImpossibleLatency[] = [];
  for (const o of run.ops ?? []) {
    for (const p of PAIRS) {
      const r = o[p.response];
      const s = o[p.service];
      if (typeof r !== "number" || typeof s !== "number") continue;
      if (r < s * (1 - IMPOSSIBLE_TOLERANCE.value) - 0.001)
        out.push({ run: run.id, op: o.op, percentile: p.percentile, key: p.response, response_ms: r, service_ms: s });
    }
  }
  return out;
}

/** One sentence naming the run, op type, percentile and both values. */
export function describeImpossible(x: ImpossibleLatency): string {
  return `${x.run}: ${x.op} response-time ${x.percentile} ${x.response_ms} ms is below its service-time ${x.percentile} ${x.service_ms} ms`;
}
