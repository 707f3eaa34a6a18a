/**
 * A bench run as data: what `bench()` measured, what `importStress()` read, and what a dataset's
 * `bench/<run>.json` holds. One shape for all three so reports, comparisons and charts have one
 * code path.
 *
 * The saved JSON (format "cassperf-bench-run", version 1):
 * ```
 * { format, version, id, workload, origin: "bench" | "cassandra-stress", started_at, ended_at,
 *   partial, mode: "closed-loop" | "fixed-rate", latency_measure, config: {...},
 *   summary: {...},                       // headline numbers (merged histograms, never averaged)
 *   ops: [{ op, count, errors, ... }],    // one row per operation type, plus "all"
 *   intervals: [{ second, op, ops, ops_per_s, errors, p50_ms, ... }],
 *   histograms: { "<op>": { unit: "us", response: "<HdrHistogram compressed base64>",
 *                           service?: "<...>" } },   // service only for fixed-rate runs
 *   client?: { event_loop_delay_p99_ms, event_loop_delay_max_ms, cpu_cores },
 *   errors_by_type: { "<error name>": n }, notes: [...] }
 * ```
 */
import { CassperfError } from "../errors";
import type { RowPercentiles } from "./hdr";

export type { RowPercentiles };

/** The saved format's name and version. */
export const BENCH_RUN_FORMAT = "cassperf-bench-run";
export const BENCH_RUN_VERSION = 1;

/** How latencies were measured. */
export type BenchMode = "closed-loop" | "fixed-rate";

/** One row of the `intervals` frame: one second, one operation type. Latencies in ms. */
export interface BenchInterval extends RowPercentiles {
  /** Seconds since the measured phase started (0 = the first second). For stress imports: stress's `time` column. */
  second: number;
  op: string;
  /** Operations completed in this interval. */
  ops: number;
  ops_per_s: number;
  errors: number;
  /** Fixed-rate runs: p99 of service time (send to response) in this interval; null otherwise. */
  service_p99_ms: number | null;
}

/** One row of the `ops` frame: a whole run for one operation type ("all" = every type merged). */
export interface BenchOpRow extends RowPercentiles {
  op: string;
  count: number;
  errors: number;
  error_rate: number;
  ops_per_s: number;
  /** Fixed-rate runs: service-time percentiles (what a closed-loop tool would have reported). */
  service_p50_ms: number | null;
  service_p99_ms: number | null;
  service_max_ms: number | null;
}

/** Client health while the run ran (bench only). */
export interface BenchClientStats {
  /** p99 of the event loop's delay beyond its 10 ms sampling resolution (perf_hooks.monitorEventLoopDelay). */
  event_loop_delay_p99_ms: number;
  event_loop_delay_max_ms: number;
  /** CPU this process used, in cores (user + system time / wall time). */
  cpu_cores: number;
}

/** A bench run. */
export interface BenchRun {
  format: typeof BENCH_RUN_FORMAT;
  version: typeof BENCH_RUN_VERSION;
  /** A file-name-safe id, e.g. "writes-2026-11-25T00-30-00Z". */
  id: string;
  workload: string;
  origin: "bench" | "cassandra-stress";
  started_at?: string;
  ended_at?: string;
  /** True when the run was cancelled (signal, Ctrl-C) and holds only what was measured until then. */
  partial: boolean;
  mode: BenchMode;
  /** One sentence: what the latencies measure (closed loop: service time, waiting time excluded). */
  latency_measure: string;
  /** The options the run was made with (no credentials, no functions). */
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  ops: BenchOpRow[];
  intervals: BenchInterval[];
  /** Encoded HdrHistograms per operation type (microseconds). Absent for stress imports. */
  histograms: Record<string, { unit: "us"; response: string; service?: string }>;
  client?: BenchClientStats;
  errors_by_type: Record<string, number>;
  notes: string[];
}

/**
 * Check and normalise a parsed run JSON (from a file or `benchRunToJSON`).
 * `where` names the file in error messages.
 */
export function validateBenchRun(value: unknown, where = "bench run"): BenchRun {
  const v = value as Partial<BenchRun> | null;
  if (!v || typeof v !== "object")
    throw new CassperfError(`${where}: expected a JSON object written by benchRunToJSON(), got ${v === null ? "null" : typeof v}.`);
  if (v.format !== BENCH_RUN_FORMAT) {
    throw new CassperfError(
      `${where}: "format" is ${JSON.stringify(v.format)}; expected "${BENCH_RUN_FORMAT}" (a file written by record() or benchRunToJSON()).`,
    );
  }
  if (v.version !== BENCH_RUN_VERSION)
    throw new CassperfError(`${where}: format version ${JSON.stringify(v.version)} is not supported (this cassperf reads version ${BENCH_RUN_VERSION}).`);
  for (const key of ["intervals", "ops"] as const) {
    if (!Array.isArray(v[key])) throw new CassperfError(`${where}: "${key}" must be an array of rows.`);
  }
  if (!v.histograms || typeof v.histograms !== "object") throw new CassperfError(`${where}: "histograms" must be an object (op -> encoded HdrHistogram).`);
  return {
    ...(v as BenchRun),
    config: v.config ?? {},
    summary: v.summary ?? {},
    errors_by_type: v.errors_by_type ?? {},
    notes: v.notes ?? [],
    partial: v.partial === true,
  };
}

/** A file-name-safe id from a workload and a time. */
export function runId(workload: string, at: Date): string {
  return `${workload.replace(/[^\w.-]+/g, "-")}-${at
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-")}`;
}
