/**
 * bench(): run a workload against a live cluster with honest latencies; read saved runs and
 * cassandra-stress outputs from a recording; compare two runs.
 *
 *  - `bench(workload, opts)` on a live source runs one of the built-in workloads (writes, reads,
 *    mixed, large-partitions, time-series) or a custom one, closed loop (`concurrency`) or fixed
 *    rate (`rate`, latency from the intended start: coordinated-omission corrected, service time
 *    recorded too), and returns a report with `intervals` (one row per second per op type), `ops`
 *    (merged-histogram percentiles per op type) and `spectrum` (the HDR plot).
 *  - `bench()` / `bench(recordedSourceOrPath)` on a recording returns its saved runs
 *    (bench/<run>.json) and cassandra-stress outputs (`runs` frame; each run's report in `.reports`).
 *  - `importStress(file)` reads one cassandra-stress output (2.1 to 4.x) into the same shape.
 *  - `compareRuns(a, b)` puts two runs side by side with the difference per percentile and whether
 *    it is beyond run-to-run noise (thresholds in ./bench-rules.ts: NOISE_MIN_RELATIVE, NOISE_P_VALUE).
 *
 * Saved runs: `benchRunToJSON(report)` gives the JSON record() writes to bench/<run>.json;
 * `readBenchRun(json)` turns it back into the same report. `liveBenchRuns(source)` lists the runs
 * made on a live source in this session (what record() saves).
 *
 * Files are read at the I/O edge (../../cluster/bench-runs.ts: saved runs named by path, stress
 * outputs, the session's live runs) or through the Source (a recording's runs); findings come from
 * BENCH_RULES (./bench-rules.ts); chart specs from ../../present/charts/bench.ts.
 */
import { awaitSchemaAgreement } from "../../cluster/schema-agreement";
import * as path from "node:path";
import type { Client } from "cassandra-driver";
import { CassperfError, shownValue } from "../../errors";
import { currentOrUndefined } from "../../cluster/current";
import { consistencyCode, consistencyLevel } from "../../cluster/consistency";
import { LiveSource } from "../../cluster/live";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { describeImpossible, impossibleLatencies, type ImpossibleLatency } from "../../bench/impossible";
import { perSecondNoise } from "../../bench/noise";
import { missing } from "../../cluster/evidence";
import type { Source } from "../../cluster/source";
import { makeReport, rowsToColumns, type DataFrame, type Finding, type Report } from "../../present/report";
import { compareChart, p99Chart, spectrumChart, throughputChart, type SpectrumRow } from "../../present/charts/bench";
import { gen, makeRng } from "../../bench/generators";
import { decodeHistogram, encodeHistogram, HDR_UNIT, mergeHistograms, percentiles, rowPercentiles, spectrum, type Histogram } from "../../bench/hdr";
import { BENCH_THRESHOLDS, benchFindings, compareFindings, type BeyondNoise } from "./bench-rules";
import { liveBenchRuns, readRunFile, readStressFile, rememberLiveRun, runPathExists, savedRunJSON } from "../../cluster/bench-runs";
import {
  BENCH_RUN_FORMAT,
  BENCH_RUN_VERSION,
  runId,
  validateBenchRun,
  type BenchInterval,
  type BenchMode,
  type BenchOpRow,
  type BenchRun,
} from "../../bench/run";
import { benchClient } from "../../bench/client";
import { runLoad, type BenchProgress, type RunnerResult } from "../../bench/runner";
import { runOptions, type Progress } from "../../run-context";
import { resolveWorkload, WORKLOADS, type WorkloadOptions } from "../../bench/workloads";
import { parseStress, type StressOutput, type StressRun } from "../../parse/cassandra-stress";
import { inflect, plural } from "../../present/plural";
import { nativeProtocol, protocolNote, wireProtocol, type NativeProtocol } from "../../bench/protocol";
import { chooseProtocol } from "../../bench/protocol-choice";
import type { JavaWire } from "../../bench/wire";

export { gen };
export type { BenchRun, BenchInterval, BenchOpRow, BenchProgress, BenchMode };
export type { CustomWorkload, CustomOp, WorkloadOptions } from "../../bench/workloads";
export type { Generator, Rng } from "../../bench/generators";
export { BENCH_THRESHOLDS, liveBenchRuns };

/** Options for {@link bench}. Either `duration` or `ops` bounds the run (default: 10 s). */
export interface BenchOptions extends WorkloadOptions {
  /**
   * Closed loop (no `rate`): number of concurrent workers, each sending its next operation when the
   * previous one completes. Default 32. Fixed rate: the most operations in flight. Default 128.
   * 1 to 32,768 (the native protocol's stream ids per connection).
   * @example bench("writes", { concurrency: 64 })
   */
  concurrency?: number;
  /**
   * Fixed-rate mode: operations per second, scheduled at start + k/rate. Latency is measured from
   * the intended start (coordinated-omission corrected); service time is recorded separately.
   * Above 0, at most 1,000,000.
   * @example bench("reads", { rate: 2000, duration: 30 })
   */
  rate?: number;
  /** Seconds to measure (after warm-up), above 0 and at most 86,400 (a day). Default 10 when `ops` is not given. @example bench("writes", { duration: 5 }) */
  duration?: number;
  /** Operations to measure (after warm-up), instead of a duration: 1 to 1,000,000,000. @example bench("writes", { ops: 50000 }) */
  ops?: number;
  /** Seconds of warm-up: load applied, nothing recorded. 0 to 3,600; default 1. @example bench("writes", { warmup: 0 }) */
  warmup?: number;
  /** Consistency level name. Default "ONE" (cassandra-stress's default). @example bench("reads", { consistency: "QUORUM" }) */
  consistency?: string;
  /** Use prepared statements. Default true. @example bench("writes", { prepared: false }) */
  prepared?: boolean;
  /**
   * Connections per host: bench opens its own driver client with this pool size (otherwise it uses
   * the source's client). 1 to 64.
   * @example bench("writes", { connectionsPerHost: 4 })
   */
  connectionsPerHost?: number;
  /**
   * Send requests only to these nodes as coordinators (a whitelist); bench opens its own client.
   * @example bench("writes", { coordinators: ["127.0.0.1"] })
   */
  coordinators?: string[];
  /**
   * Client threads (worker_threads), each with its own driver client, sharing concurrency, rate and
   * op count; their HdrHistograms are merged exactly. Built-in workloads only. 1 to 32; default 1.
   * @example bench("writes", { concurrency: 64, threads: 2 })
   */
  threads?: number;
  /** The bench keyspace: the only keyspace bench writes to. Default "cassperf_bench". */
  keyspace?: string;
  /** Replication factor when bench creates its keyspace (SimpleStrategy), 1 to 32. Default 1, like cassandra-stress. @example bench("writes", { replicationFactor: 3 }) */
  replicationFactor?: number;
  /** Client-side timeout per request in ms (driver readTimeout), 1 to 600,000. Default: the driver's (12 s). @example bench("reads", { timeoutMs: 2000 }) */
  timeoutMs?: number;
  /** Seed for keys and values (same seed, same data). Default 1. */
  seed?: number;
  /** Cancel: the run stops, keeps what it measured and is marked partial (Ctrl-C / SIGINT during a run does the same). @example const ac = new AbortController(); bench("writes", { signal: ac.signal }) */
  signal?: AbortSignal;
  /** Progress events for bars, about four a second. @example bench("writes", { onProgress: (p) => console.log(p.label) }) */
  onProgress?: (p: BenchProgress) => void;
  /** The live source to run on. Default: the current source. */
  source?: LiveSource;
  /**
   * Native protocol of the measured load. Default: v5 on a cluster that speaks it (Cassandra 4.0+) when a
   * JDK (java and javac) and Maven are on this machine — the operations then go through the Apache
   * Cassandra Java driver (java/BenchWire.java; the Node.js driver has no v5) — else v4, and the report's
   * notes say why. "v4" forces the Node.js driver; "v5" forces the Java driver and fails with one line
   * saying what is missing. Schema creation and data loading always use the source's Node.js client.
   * @example bench("writes", { protocol: "v5", rate: 500, duration: 10 })
   */
  protocol?: "v4" | "v5";
}

/** What bench(), importStress() and readBenchRun() return: the report plus its run data. */
export type BenchReport = Report<"intervals" | "ops" | "spectrum"> & {
  readonly intervals: DataFrame;
  readonly ops: DataFrame;
  readonly spectrum: DataFrame;
  /** The run as data (what benchRunToJSON returns). */
  readonly run: BenchRun;
  /** The run's response-time histogram of one op type (or every op merged when omitted); undefined for stress imports. */
  histogram(op?: string, kind?: "response" | "service"): Histogram | undefined;
};

/**
 * Options of {@link benchRuns}: only where to read from (`source`); benchRuns() has no options of its own.
 * @example await benchRuns({ source: "datasets/lab-3node" })
 */
export type BenchRunsOptions = HelperOptions;

/** What bench() on a recording returns: every saved run and stress output. */
export type BenchRunsReport = Report<"runs" | "intervals"> & {
  /** One row per saved run (a DataFrame). */
  readonly runs: DataFrame;
  readonly intervals: DataFrame;
  /** Each saved run's own report, in the order of the `runs` frame: compareRuns(r.reports[0], r.reports[1]). */
  readonly reports: BenchReport[];
};

// ---------------------------------------------------------------------------------------------
// Run -> report

function hist(run: BenchRun, op: string | undefined, kind: "response" | "service"): Histogram | undefined {
  const entries = Object.entries(run.histograms);
  if (!entries.length) return undefined;
  const pick = op === undefined || op === "all" ? entries : entries.filter(([k]) => k === op);
  const encoded = pick.map(([, h]) => h[kind]).filter((x): x is string => typeof x === "string");
  if (!encoded.length) return undefined;
  return mergeHistograms(encoded.map(decodeHistogram));
}

function spectrumRows(run: BenchRun): SpectrumRow[] {
  const rows: SpectrumRow[] = [];
  const ops = Object.keys(run.histograms);
  if (ops.length) {
    const series = ops.length > 1 ? [...ops, "all"] : ops;
    for (const op of series) {
      const r = hist(run, op, "response");
      if (r) for (const p of spectrum(r)) rows.push({ series: run.mode === "fixed-rate" ? `${op} response` : op, ...p });
      const s = run.mode === "fixed-rate" ? hist(run, op, "service") : undefined;
      if (s) for (const p of spectrum(s)) rows.push({ series: `${op} service`, ...p });
    }
    return rows;
  }
  // Stress imports: the percentiles stress printed.
  for (const o of run.ops) {
    if (run.ops.length > 1 && o.op === "all") continue;
    const pts: [number, number | null][] = [
      [50, o.p50_ms],
      [95, o.p95_ms],
      [99, o.p99_ms],
      [99.9, o.p99_9_ms],
      [100, o.max_ms],
    ];
    for (const [p, v] of pts) if (v !== null) rows.push({ series: o.op, percentile: p, latency_ms: v });
  }
  return rows;
}

const INTERVAL_COLUMNS: (keyof BenchInterval)[] = [
  "second",
  "op",
  "ops",
  "ops_per_s",
  "errors",
  "p50_ms",
  "p95_ms",
  "p99_ms",
  "p99_9_ms",
  "max_ms",
  "mean_ms",
  "service_p99_ms",
];
const OP_COLUMNS: (keyof BenchOpRow)[] = [
  "op",
  "count",
  "errors",
  "error_rate",
  "ops_per_s",
  "mean_ms",
  "p50_ms",
  "p95_ms",
  "p99_ms",
  "p99_9_ms",
  "max_ms",
  "service_p50_ms",
  "service_p99_ms",
  "service_max_ms",
];

/** Build the report of a run (live, saved or imported). */
function reportOfRun(run: BenchRun, source?: string): BenchReport {
  const notes = [...run.notes];
  for (const x of impossibleLatencies(run)) notes.push(`Impossible value, not to be trusted: ${describeImpossible(x)}.`);
  if (run.mode === "closed-loop") notes.unshift(`Closed loop: ${run.latency_measure}`);
  const spec = spectrumRows(run);
  const label = `${run.workload}${run.partial ? " (partial)" : ""}`;
  const report = makeReport({
    helper: "bench",
    title: `${run.origin === "cassandra-stress" ? "cassandra-stress" : "bench"} ${label}: ${run.mode}, ${String(run.summary.ops_per_s ?? "?")} op/s, p99 ${String(run.summary.p99_ms ?? "?")} ms`,
    ...(source ? { source } : {}),
    summary: run.summary,
    findings: benchFindings(run),
    frames: {
      intervals: () => rowsToColumns(run.intervals, INTERVAL_COLUMNS),
      ops: () => rowsToColumns(run.ops, OP_COLUMNS),
      spectrum: () => rowsToColumns(spec, ["series", "percentile", "latency_ms"]),
    },
    charts: {
      throughput: () => throughputChart(run.intervals, `Throughput per second — ${label}`),
      p99: () =>
        p99Chart(
          run.intervals,
          `p99 and max per second — ${label}${run.mode === "fixed-rate" ? " (response time from intended start; service p99 dashed)" : " (service time: closed loop)"}`,
        ),
      spectrum: () =>
        spectrumChart(
          spec,
          `Percentile spectrum — ${label}${Object.keys(run.histograms).length ? " (HdrHistogram)" : " (percentiles printed by cassandra-stress)"}`,
        ),
    },
    notes,
    previewFrame: "ops",
  });
  Object.defineProperty(report, "run", { value: run, enumerable: false });
  Object.defineProperty(report, "histogram", { value: (op?: string, kind: "response" | "service" = "response") => hist(run, op, kind), enumerable: false });
  return report as unknown as BenchReport;
}

// ---------------------------------------------------------------------------------------------
// Saved runs

/**
 * The JSON saved as a dataset's bench/<run>.json (record() writes it): config, intervals, ops
 * and the encoded HdrHistogram per op type. See ../../bench/run.ts for the format.
 * @example fs.writeFileSync("bench/run1.json", JSON.stringify(benchRunToJSON(await bench("writes"))))
 */
export function benchRunToJSON(report: BenchReport | BenchRun): BenchRun {
  const run = (report as BenchReport).run ?? (report as BenchRun);
  return savedRunJSON(run);
}

/**
 * Read a saved run (the JSON text, the parsed object, or a path to bench/<run>.json) back into a report.
 * @example readBenchRun(fs.readFileSync("datasets/lab/bench/writes-2026-11-25T00-30-00Z.json", "utf8"))
 */
export function readBenchRun(json: string | object, where?: string): BenchReport {
  let value: unknown = json;
  let name = where ?? "bench run";
  if (typeof json === "string") {
    const t = json.trimStart();
    if (!t.startsWith("{")) {
      if (!runPathExists(json)) throw new CassperfError(`readBenchRun: ${json} is neither JSON text nor an existing file.`);
      name = where ?? json;
      value = readRunFile(json, "readBenchRun", "the saved run");
    }
    try {
      value = JSON.parse(value as string);
    } catch (e) {
      throw new CassperfError(`readBenchRun: ${name} is not valid JSON (${(e as Error).message}).`);
    }
  }
  return reportOfRun(validateBenchRun(value, name), name);
}

// ---------------------------------------------------------------------------------------------
// Live runs

/**
 * Upper bounds of bench's numeric options: beyond them a run is a typo (duration 1e12 s is 31,700
 * years), not a benchmark, and would tie the kernel up or exhaust memory. Each says why.
 */
export const BENCH_LIMITS = {
  concurrency: { max: 32768, why: "the native protocol (v3+) has 32,768 stream ids per connection" },
  rate: { max: 1_000_000, why: "a million operations per second is beyond one client process; split the load across machines" },
  duration: { max: 86_400, why: "one day of per-second HdrHistograms (86,400 intervals) is the most a report holds in memory" },
  ops: { max: 1_000_000_000, why: "a billion operations is days of load at a client's rate" },
  warmup: { max: 3_600, why: "an hour of warm-up; JIT and caches settle in minutes" },
  connectionsPerHost: { max: 64, why: "each connection already carries 32,768 concurrent requests" },
  replicationFactor: { max: 32, why: "more replicas than any real cluster keeps" },
  timeoutMs: { max: 600_000, why: "ten minutes; Cassandra's own request timeouts are seconds" },
  threads: { max: 32, why: "each thread is a worker with its own driver client (tens of MB); more threads than cores only adds contention" },
} as const;

function checkOptions(o: BenchOptions): void {
  const pos = (name: keyof typeof BENCH_LIMITS, integer: boolean) => {
    const v = o[name];
    if (v === undefined) return;
    const { max, why } = BENCH_LIMITS[name];
    if (typeof v !== "number" || !(v > 0) || !(v <= max) || (integer && !Number.isInteger(v))) {
      throw new CassperfError(
        `bench: option ${name} must be a ${integer ? "whole number" : "number"} from ${integer ? 1 : "above 0"} to ${max.toLocaleString("en-US")}; got ${shownValue(v)}.`,
        { hint: `the upper bound: ${why}` },
      );
    }
  };
  pos("concurrency", true);
  pos("rate", false);
  pos("duration", false);
  pos("ops", true);
  pos("connectionsPerHost", true);
  pos("replicationFactor", true);
  pos("timeoutMs", true);
  pos("threads", true);
  if (o.warmup !== undefined && !(typeof o.warmup === "number" && o.warmup >= 0 && o.warmup <= BENCH_LIMITS.warmup.max))
    throw new CassperfError(
      `bench: option warmup must be a number of seconds from 0 to ${BENCH_LIMITS.warmup.max.toLocaleString("en-US")}; got ${shownValue(o.warmup)}.`,
      { hint: `the upper bound: ${BENCH_LIMITS.warmup.why}` },
    );
  if (o.duration !== undefined && o.ops !== undefined) throw new CassperfError("bench: give either duration (seconds) or ops (an operation count), not both.");
  if (o.keyspace !== undefined && !/^[A-Za-z]\w{0,47}$/.test(o.keyspace))
    throw new CassperfError(`bench: keyspace ${JSON.stringify(o.keyspace)} is not a valid keyspace name (letters, digits, _; starting with a letter).`);
}

/** Create the keyspace and tables, and load the data set when the workload reads. */
async function prepareSchema(
  client: Client,
  keyspace: string,
  rf: number,
  workload: ReturnType<typeof resolveWorkload>,
  consistency: number,
  notes: string[],
  signal?: AbortSignal,
): Promise<void> {
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${rf}}`);
  for (const s of workload.schema) await client.execute(s);
  if (!(await awaitSchemaAgreement(client)))
    notes.push("The nodes did not agree on the schema within 30 s of creating the bench tables: early operations may fail with unconfigured-table errors.");
  const load = workload.load;
  if (!load) return;
  if (load.check) {
    const found = await client.execute(load.check, load.checkValues, { prepare: true, consistency });
    if (found.rowLength > 0) {
      notes.push(`Data set already loaded in ${keyspace} (found the last of ${load.count.toLocaleString("en-US")} rows); not reloaded.`);
      return;
    }
  }
  const { concurrent } = require("cassandra-driver") as typeof import("cassandra-driver");
  const rng = makeRng(7);
  const CHUNK = 5000;
  for (let start = 0; start < load.count; start += CHUNK) {
    signal?.throwIfAborted();
    const params: unknown[][] = [];
    for (let i = start; i < Math.min(load.count, start + CHUNK); i++) params.push(load.op.values(i, rng));
    await concurrent.executeConcurrent(client, load.op.cql, params as any, {
      concurrencyLevel: 64,
      raiseOnFirstError: true,
      collectResults: false,
      executionProfile: undefined as any,
    });
  }
  notes.push(`Loaded ${load.count.toLocaleString("en-US")} rows into ${keyspace} before measuring (not measured).`);
}

/** A signal aborted when any of `signals` is (AbortSignal.any needs Node 20.3). */
function anySignal(signals: AbortSignal[]): AbortSignal {
  const ac = new AbortController();
  for (const sg of signals) {
    if (sg.aborted) ac.abort();
    else sg.addEventListener("abort", () => ac.abort(), { once: true });
  }
  return ac.signal;
}

const LATENCY_MEASURE: Record<BenchMode, string> = {
  "closed-loop":
    "latencies are service times (send to response) and exclude waiting time: a worker does not send while its previous request is outstanding, so a stall delays requests that are never measured (coordinated omission). Use { rate } for corrected latencies.",
  "fixed-rate":
    "latencies are response times from each operation's intended start (start + k/rate), so time spent waiting behind a stall is counted (coordinated-omission corrected); service times (send to response) are recorded separately.",
};

/** A run's settings, resolved once from the options (defaults applied, values checked). */
interface RunPlan {
  workloadName: string;
  keyspace: string;
  mode: BenchMode;
  concurrency: number;
  consistencyName: string;
  consistency: number;
  workload: ReturnType<typeof resolveWorkload>;
}

/** Options -> the run's settings; a careless option is refused here, before anything is sent. */
function planRun(workloadName: string, o: BenchOptions): RunPlan {
  checkOptions(o);
  const keyspace = o.keyspace ?? "cassperf_bench";
  const mode: BenchMode = o.rate !== undefined ? "fixed-rate" : "closed-loop";
  const concurrency = o.concurrency ?? (mode === "fixed-rate" ? 128 : 32);
  const consistencyName = consistencyLevel(o.consistency ?? "ONE", "bench");
  const consistency = consistencyCode(consistencyName);
  const workload = resolveWorkload(workloadName, keyspace, o);
  return { workloadName, keyspace, mode, concurrency, consistencyName, consistency, workload };
}

/** bench(workload) on a live source, step by step: plan, client, measure, the run as data, its report. */
async function runLive(live: LiveSource, workloadName: string, o: BenchOptions): Promise<BenchReport> {
  const plan = planRun(workloadName, o);
  const notes: string[] = [];
  const own = o.connectionsPerHost !== undefined || o.coordinators !== undefined;
  const client = own ? await benchClient(live.options, o) : live.client;
  // The native protocol the driver negotiated (v4 on Cassandra 4.0+ with the Node.js driver: it has no v5),
  // and whether the load goes through the Java driver wire instead (v5; ../../bench/protocol-choice.ts).
  const negotiated = nativeProtocol(client);
  const choice = chooseProtocol({ ...o, ssl: live.options.ssl, driverOptions: live.options.driverOptions }, negotiated.serverMax, negotiated.release);
  if (!choice.wire && choice.note) notes.push(choice.note);
  const { result, protocol } = await measure(live, client, own, plan, o, notes, negotiated, choice);
  const run = runOf(live, plan, o, result, protocol, notes);
  rememberLiveRun(live, run);
  return reportOfRun(run, live.describe());
}

/**
 * Open the Java driver wire (native protocol v5) when chosen; a wire that cannot start falls back to
 * the Node.js driver with a note, unless v5 was required. Returns the wire and the protocol the load speaks.
 */
async function openWire(
  live: LiveSource,
  plan: RunPlan,
  o: BenchOptions,
  choice: ReturnType<typeof chooseProtocol>,
  negotiated: NativeProtocol,
  notes: string[],
): Promise<{ wire: JavaWire | undefined; protocol: NativeProtocol }> {
  if (!choice.wire) return { wire: undefined, protocol: negotiated };
  const { JavaWire } = require("../../bench/wire") as typeof import("../../bench/wire");
  try {
    const wire = await JavaWire.open(
      {
        connect: live.options,
        consistency: plan.consistencyName,
        ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.connectionsPerHost ? { connectionsPerHost: o.connectionsPerHost } : {}),
        ...(o.coordinators ? { coordinators: o.coordinators } : {}),
        requireV5: choice.requireV5,
      },
      plan.workload.ops.map((op) => op.cql),
    );
    const protocol = wireProtocol(wire.hello);
    notes.push(
      `Sent through ${protocol.driver} (native protocol ${protocol.label}); each operation timed in its JVM (System.nanoTime around executeAsync), so response times include the pipe from Node.js to the JVM and service times do not; clocks: ${wire.hello.clock}; the JVM warmed up first (${wire.hello.warmup}, not measured).`,
    );
    return { wire, protocol };
  } catch (e) {
    if (choice.requireV5) throw e;
    const err = e as CassperfError;
    notes.push(`Native protocol v5 not used, fell back to the Node.js driver (v4): ${err.message.replace(/^bench: /, "")}${err.hint ? ` (${err.hint})` : ""}`);
    return { wire: undefined, protocol: negotiated };
  }
}

/**
 * Create the schema, then apply the load (one thread, `threads` workers, or the v5 wire) and record it.
 * Ctrl-C during the run cancels it (the partial run is kept), like opts.signal: SIGINT in a script, the
 * REPL line's / notebook cell's cancel signal otherwise (../../run-context.ts). The bench's own
 * client (connectionsPerHost, coordinators) and the wire are closed after.
 */
async function measure(
  live: LiveSource,
  client: Client,
  own: boolean,
  plan: RunPlan,
  o: BenchOptions,
  notes: string[],
  negotiated: NativeProtocol,
  choice: ReturnType<typeof chooseProtocol>,
): Promise<{ result: RunnerResult; protocol: NativeProtocol }> {
  const { keyspace, mode, concurrency, consistency, workload } = plan;
  let wire: JavaWire | undefined;
  let protocol = negotiated;
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  const ambient = runOptions({ ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress as (p: Progress) => void } : {}) });
  const signal = anySignal([ambient.signal, interrupt.signal]);
  const onProgress = ambient.onProgress as (p: BenchProgress) => void;
  let result: RunnerResult;
  try {
    await prepareSchema(client, keyspace, o.replicationFactor ?? 1, workload, consistency, notes, signal);
    ({ wire, protocol } = await openWire(live, plan, o, choice, negotiated, notes));
    const protoNote = protocolNote(protocol);
    if (protoNote) notes.push(protoNote);
    const shared = {
      mode,
      concurrency,
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      ...(o.ops !== undefined ? { opCount: o.ops } : { durationMs: (o.duration ?? 10) * 1000 }),
      warmupMs: (o.warmup ?? 1) * 1000,
      consistency,
      prepared: o.prepared ?? true,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      seed: o.seed ?? 1,
    };
    if ((o.threads ?? 1) > 1) {
      const { runThreads } = require("../../bench/threads") as typeof import("../../bench/threads");
      const workloadOptions: WorkloadOptions = { ...o };
      for (const k of ["signal", "onProgress", "source", "custom"] as const) delete (workloadOptions as Record<string, unknown>)[k];
      result = await runThreads(
        {
          ...shared,
          connect: live.options,
          client: {
            ...(o.connectionsPerHost ? { connectionsPerHost: o.connectionsPerHost } : {}),
            ...(o.coordinators ? { coordinators: o.coordinators } : {}),
          },
          keyspace,
          workload: plan.workloadName,
          workloadOptions,
        },
        o.threads!,
        { signal, onProgress, opNames: workload.ops.map((op) => op.name) },
      );
    } else {
      result = await runLoad({ client, workload, ...shared, signal, onProgress, ...(wire ? { executor: wire } : {}) });
    }
  } finally {
    process.removeListener("SIGINT", onSigint);
    await wire?.close();
    if (own) await client.shutdown().catch(() => {});
  }
  if (interrupt.signal.aborted) notes.push("Interrupted (Ctrl-C / SIGINT): the run stopped early.");
  return { result, protocol };
}

/** The measured operations per op type and for "all": percentiles of the merged histograms, and the histograms as saved. */
interface MeasuredOps {
  opRows: BenchOpRow[];
  all: BenchOpRow;
  /** Fixed rate: every op's service-time histogram merged; undefined in closed loop. */
  allService: Histogram | undefined;
  histograms: BenchRun["histograms"];
  /** The measured phase's length in seconds. */
  secs: number;
}

/** The recorder's histograms -> one row per op type plus "all" (merged, never averaged), and their encodings. */
function measuredOps(result: RunnerResult, mode: BenchMode): MeasuredOps {
  const rec = result.recorder;
  const secs = Math.max(0.001, result.measuredMs / 1000);
  const opRow = (name: string, response: Histogram, service: Histogram | undefined, count: number, errors: number): BenchOpRow => {
    const { mean_ms, ...p } = rowPercentiles(response);
    const s = service ? percentiles(service) : undefined;
    return {
      op: name,
      count,
      errors,
      error_rate: count ? Math.round((errors / count) * 1e6) / 1e6 : 0,
      ops_per_s: Math.round((count / secs) * 10) / 10,
      mean_ms, // before the percentiles, as in OP_COLUMNS
      ...p,
      service_p50_ms: s?.p50_ms ?? null,
      service_p99_ms: s?.p99_ms ?? null,
      service_max_ms: s?.max_ms ?? null,
    };
  };
  const opRows = rec.ops.map((s) => opRow(s.name, s.response, s.service, s.count, s.errors));
  const allResponse = mergeHistograms(rec.ops.map((s) => s.response));
  const allService = mode === "fixed-rate" ? mergeHistograms(rec.ops.map((s) => s.service!)) : undefined;
  const all = opRow(
    "all",
    allResponse,
    allService,
    rec.ops.reduce((n, s) => n + s.count, 0),
    rec.ops.reduce((n, s) => n + s.errors, 0),
  );
  const histograms: BenchRun["histograms"] = {};
  for (const s of rec.ops)
    histograms[s.name] = { unit: HDR_UNIT, response: encodeHistogram(s.response), ...(s.service ? { service: encodeHistogram(s.service) } : {}) };
  return { opRows, all, allService, histograms, secs };
}

/** What the run was asked to do, as saved with it (config) — enough to run it again. */
function runConfig(live: LiveSource, plan: RunPlan, o: BenchOptions, protocol: NativeProtocol): Record<string, unknown> {
  const { workloadName, keyspace, mode, concurrency, consistencyName, workload } = plan;
  return {
    workload: workloadName,
    mode,
    concurrency,
    ...(o.rate !== undefined ? { rate: o.rate } : {}),
    ...(o.ops !== undefined ? { ops: o.ops } : { duration: o.duration ?? 10 }),
    warmup: o.warmup ?? 1,
    consistency: consistencyName,
    prepared: o.prepared ?? true,
    ...(o.connectionsPerHost ? { connectionsPerHost: o.connectionsPerHost } : {}),
    ...(o.coordinators ? { coordinators: o.coordinators } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    threads: o.threads ?? 1,
    ...(o.protocol ? { protocol: o.protocol } : {}),
    keyspace,
    replicationFactor: o.replicationFactor ?? 1,
    seed: o.seed ?? 1,
    shape: workload.shape,
    opKinds: Object.fromEntries(workload.ops.map((op) => [op.name, op.kind])),
    statements: Object.fromEntries(workload.ops.map((op) => [op.name, op.cql])),
    cluster: live.name,
    native_protocol: protocol.label,
    driver: protocol.driver,
  };
}

/** The headline numbers of a run (the report's summary), from the "all" row and the runner's own health. */
function runSummary(plan: RunPlan, o: BenchOptions, result: RunnerResult, m: MeasuredOps, protocol: NativeProtocol): Record<string, unknown> {
  const { workloadName, mode, concurrency } = plan;
  const { all, allService, secs } = m;
  return {
    workload: workloadName,
    mode,
    latency: mode === "fixed-rate" ? "response time from intended start (coordinated-omission corrected)" : "service time (closed loop: excludes waiting time)",
    partial: result.partial,
    ops: all.count,
    errors: all.errors,
    error_rate: all.error_rate,
    duration_s: Math.round(secs * 100) / 100,
    ops_per_s: all.ops_per_s,
    ...(o.rate !== undefined ? { target_rate: o.rate } : {}),
    concurrency,
    p50_ms: all.p50_ms,
    p95_ms: all.p95_ms,
    p99_ms: all.p99_ms,
    p99_9_ms: all.p99_9_ms,
    max_ms: all.max_ms,
    mean_ms: all.mean_ms,
    ...(allService ? { service_p99_ms: all.service_p99_ms, service_max_ms: all.service_max_ms } : {}),
    warmup_ops: result.warmupOps,
    client_event_loop_p99_ms: result.client.event_loop_delay_p99_ms,
    client_cpu_cores: result.client.cpu_cores,
    native_protocol: protocol.label,
  };
}

/** The run as data (the saved bench/<run>.json shape, ../../bench/run.ts) from what was measured. */
function runOf(live: LiveSource, plan: RunPlan, o: BenchOptions, result: RunnerResult, protocol: NativeProtocol, notes: string[]): BenchRun {
  const { workloadName, mode } = plan;
  const m = measuredOps(result, mode);
  const { opRows, all, histograms, secs } = m;
  if (result.partial) notes.push(`Cancelled: partial run, ${all.count.toLocaleString("en-US")} operations measured over ${secs.toFixed(1)} s.`);
  if (all.count === 0) notes.push("No operation completed in the measured phase.");
  return {
    format: BENCH_RUN_FORMAT,
    version: BENCH_RUN_VERSION,
    id: runId(workloadName, result.startedAt),
    workload: workloadName,
    origin: "bench",
    started_at: result.startedAt.toISOString(),
    ended_at: result.endedAt.toISOString(),
    partial: result.partial,
    mode,
    latency_measure: LATENCY_MEASURE[mode],
    config: runConfig(live, plan, o, protocol),
    summary: runSummary(plan, o, result, m, protocol),
    ops: [...opRows, all],
    intervals: result.recorder.intervals,
    histograms,
    client: result.client,
    errors_by_type: result.recorder.errorsByType,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// cassandra-stress imports

/** Options for {@link importStress}. */
export interface ImportStressOptions {
  /** Which run of a file holding several (a thread-count sweep): 0-based index. Default: the last. */
  run?: number;
  /** Name used in notes and titles. Default: the file name. */
  name?: string;
}

/** A stress run -> the bench run shape. */
function stressToRun(sr: StressRun, name: string, extraNotes: string[]): BenchRun {
  const perOp = new Set(sr.intervals.filter((r) => r.op !== "total").map((r) => r.op));
  // 3.x/4.x print per-op rows and a total row per interval: keep the per-op rows (the totals would double count).
  const rows = perOp.size > 0 ? sr.intervals.filter((r) => r.op !== "total") : sr.intervals;
  const prevTotal = new Map<string, { total: number; time: number }>();
  const intervals: BenchInterval[] = rows.map((r) => {
    const prev = prevTotal.get(r.op) ?? { total: 0, time: 0 };
    const ops = r.total_ops !== null ? r.total_ops - prev.total : Math.round(r.ops_per_s * (r.time_s - prev.time));
    prevTotal.set(r.op, { total: r.total_ops ?? prev.total + ops, time: r.time_s });
    return {
      second: r.time_s,
      op: r.op,
      ops,
      ops_per_s: r.ops_per_s,
      errors: r.errors ?? 0,
      p50_ms: r.p50_ms,
      p95_ms: r.p95_ms,
      p99_ms: r.p99_ms,
      p99_9_ms: r.p99_9_ms,
      max_ms: r.max_ms,
      mean_ms: r.mean_ms,
      service_p99_ms: null,
    };
  });
  const s = sr.summary;
  const lastTime = sr.intervals.length ? sr.intervals[sr.intervals.length - 1].time_s : (s.duration_s ?? 0);
  const totalCount = s.total_partitions ?? intervals.reduce((n, r) => n + r.ops, 0);
  const totalErrors = s.total_errors ?? intervals.reduce((n, r) => n + r.errors, 0);
  const opName = sr.ops.length === 1 ? sr.ops[0] : "all";
  const row = (op: string, pick: (field: string) => number | undefined, count: number, errors: number): BenchOpRow => ({
    op,
    count,
    errors,
    error_rate: count ? Math.round((errors / count) * 1e6) / 1e6 : 0,
    ops_per_s: pick("ops_per_s") ?? 0,
    mean_ms: pick("mean_ms") ?? null,
    p50_ms: pick("p50_ms") ?? null,
    p95_ms: pick("p95_ms") ?? null,
    p99_ms: pick("p99_ms") ?? null,
    p99_9_ms: pick("p99_9_ms") ?? null,
    max_ms: pick("max_ms") ?? null,
    service_p50_ms: null,
    service_p99_ms: null,
    service_max_ms: null,
  });
  const ops: BenchOpRow[] = [];
  const byOpNames = new Set(Object.values(s.byOp).flatMap((m) => Object.keys(m)));
  if (byOpNames.size > 1) {
    for (const op of byOpNames) {
      const count = s.byOp.total_partitions?.[op] ?? intervals.filter((r) => r.op === op).reduce((n, r) => n + r.ops, 0);
      ops.push(row(op, (f) => s.byOp[f]?.[op], count, s.byOp.total_errors?.[op] ?? 0));
    }
  } else if (opName !== "all") ops.push(row(opName, (f) => (s as unknown as Record<string, number | undefined>)[f], totalCount, totalErrors));
  ops.push(row("all", (f) => (s as unknown as Record<string, number | undefined>)[f], totalCount, totalErrors));
  const mode: BenchMode = "closed-loop";
  const summary: Record<string, unknown> = {
    workload: sr.ops.join("+") || "stress",
    mode,
    latency: "as printed by cassandra-stress (threads: service time, waiting time excluded)",
    partial: s.ops_per_s === undefined,
    ops: totalCount,
    errors: totalErrors,
    error_rate: totalCount ? Math.round((totalErrors / totalCount) * 1e6) / 1e6 : 0,
    duration_s: lastTime,
    ops_per_s: s.ops_per_s ?? null,
    concurrency: sr.threads ?? null,
    p50_ms: s.p50_ms ?? null,
    p95_ms: s.p95_ms ?? null,
    p99_ms: s.p99_ms ?? null,
    p99_9_ms: s.p99_9_ms ?? null,
    max_ms: s.max_ms ?? null,
    mean_ms: s.mean_ms ?? null,
  };
  const notes = [...extraNotes];
  if (s.ops_per_s === undefined) notes.push(`${name}: no "Results:" block (the run was interrupted?); summary values are missing, intervals kept.`);
  return {
    format: BENCH_RUN_FORMAT,
    version: BENCH_RUN_VERSION,
    id: `stress-${name.replace(/[^\w.-]+/g, "-")}${sr.index ? `-${sr.index}` : ""}`,
    workload: summary.workload as string,
    origin: "cassandra-stress",
    partial: s.ops_per_s === undefined,
    mode,
    latency_measure: "cassandra-stress's own figures: with -rate threads=N, service times that exclude waiting time (closed loop)",
    config: {
      threads: sr.threads,
      bound: sr.bound,
      ops: sr.ops,
      columns: sr.columns,
      concurrency: sr.threads,
      opKinds: Object.fromEntries(ops.map((o) => [o.op, /read/i.test(o.op) ? "read" : /write|insert/i.test(o.op) ? "write" : "other"])),
    },
    summary,
    ops,
    intervals,
    histograms: {},
    errors_by_type: {},
    notes,
  };
}

/**
 * Import a cassandra-stress output (2.1 through 4.x) into the bench report shape: `intervals` as
 * printed, `ops` from stress's Results block. Lines that are not stress's (JVM warnings, errors)
 * are skipped and reported in `notes` with their line numbers. A saved bench run (bench/<run>.json)
 * is accepted too and read with readBenchRun().
 * @example importStress("datasets/lab-3node/stress/cassandra-stress-write.txt").summary.ops_per_s   // 6548, its "op rate" line
 * @example importStress("sweep.txt", { run: 0 })
 */
export async function importStress(file: string, options: ImportStressOptions = {}): Promise<BenchReport> {
  if (typeof file !== "string" || !file) throw new CassperfError("importStress: expected the path of a cassandra-stress output file.");
  return runFileReport(readStressFile(file), options.name ?? path.basename(file), file, options);
}

/** A run file's text -> its report: a saved run (bench/<run>.json) or a cassandra-stress output. */
function runFileReport(text: string, name: string, where: string, options: ImportStressOptions = {}): BenchReport {
  // A saved run is read as such: one loader for both kinds of run files.
  if (text.trimStart().startsWith("{")) return readBenchRun(text, where);
  return stressReport(parseStress(text), name, where, options);
}

/** The report of one run (options.run, default the last) of a parsed cassandra-stress output. */
function stressReport(parsed: StressOutput, name: string, where: string, options: ImportStressOptions = {}): BenchReport {
  if (parsed.runs.length === 0) {
    throw new CassperfError(
      `importStress: ${where} holds no cassandra-stress run (no interval header like "partitions, op/s, ..." or "type, total ops, ..." and no "Results:" block).`,
      {
        hint: "pass the file cassandra-stress printed to its standard output",
      },
    );
  }
  const idx = options.run ?? parsed.runs.length - 1;
  if (!Number.isInteger(idx) || idx < 0 || idx >= parsed.runs.length)
    throw new CassperfError(`importStress: ${where} has ${plural(parsed.runs.length, "run")}; run ${JSON.stringify(options.run)} does not exist (0-based).`);
  const notes: string[] = [];
  if (parsed.skipped.length) {
    const first = parsed.skipped[0];
    notes.push(
      `${where}: skipped ${plural(parsed.skipped.length, "line")} that ${inflect(parsed.skipped.length, "is", "are")} not cassandra-stress output; first at line ${first.line}: ${first.text.slice(0, 160)}`,
    );
  }
  if (parsed.runs.length > 1)
    notes.push(
      `${where} holds ${parsed.runs.length} runs (${parsed.runs.map((r) => `${r.index}: ${r.ops.join("+")} x${r.threads ?? "?"} threads`).join("; ")}); showing run ${idx}. Pass { run: i } for another.`,
    );
  if (parsed.format) notes.push(`Format: cassandra-stress ${parsed.format}.`);
  const run = stressToRun(parsed.runs[idx], name, notes);
  (run.config as Record<string, unknown>).skipped_lines = parsed.skipped.length;
  (run.config as Record<string, unknown>).format = parsed.format;
  return reportOfRun(run, where);
}

// ---------------------------------------------------------------------------------------------
// Recorded sources: saved runs

async function recordedRuns(source: Source): Promise<{ reports: BenchReport[]; notes: string[] }> {
  const reports: BenchReport[] = [];
  const notes: string[] = [];
  for (const f of source.files({ kind: "bench-run" })) {
    try {
      reports.push(readBenchRun(await source.readText(f), f.rel));
    } catch (e) {
      notes.push(`${f.rel}: not read (${(e as Error).message})`);
    }
  }
  for (const f of source.files({ kind: "stress-output" })) {
    try {
      const parsed = parseStress(await source.readText(f));
      for (const r of parsed.runs) reports.push(stressReport(parsed, path.basename(f.rel), f.rel, { run: r.index }));
    } catch (e) {
      notes.push(`${f.rel}: not read (${(e as Error).message})`);
    }
  }
  return { reports, notes };
}

function runsReport(source: Source, reports: BenchReport[], notes: string[]): BenchRunsReport {
  const runs = reports.map((r) => r.run);
  const rows = runs.map((r) => ({
    run: r.id,
    origin: r.origin,
    workload: r.workload,
    mode: r.mode,
    partial: r.partial,
    ops: r.summary.ops ?? null,
    ops_per_s: r.summary.ops_per_s ?? null,
    p50_ms: r.summary.p50_ms ?? null,
    p99_ms: r.summary.p99_ms ?? null,
    max_ms: r.summary.max_ms ?? null,
    errors: r.summary.errors ?? null,
    started_at: r.started_at ?? null,
  }));
  const intervals = runs.flatMap((r) => r.intervals.map((i) => ({ run: r.id, ...i })));
  let spec: SpectrumRow[] | undefined;
  const spectrumOfAll = () =>
    (spec ??= reports.flatMap((r) => r.rows("spectrum").map((s) => ({ ...s, series: `${r.run.id} ${String(s.series)}` }))) as unknown as SpectrumRow[]);
  if (!runs.length) notes.push(`${source.name} holds no saved bench runs (bench/<run>.json) and no cassandra-stress output.`);
  const report = makeReport({
    helper: "bench",
    title: `${plural(runs.length, "saved run")} in ${source.name}`,
    source: source.describe(),
    summary: {
      runs: runs.length,
      bench_runs: runs.filter((r) => r.origin === "bench").length,
      stress_outputs: runs.filter((r) => r.origin === "cassandra-stress").length,
    },
    findings: reports.flatMap((r) => r.findings.map((f) => ({ ...f, evidence: `${r.run.id}: ${f.evidence}` }))),
    frames: {
      runs: () => rowsToColumns(rows, Object.keys(rows[0] ?? { run: 0 })),
      intervals: () => rowsToColumns(intervals, ["run", ...INTERVAL_COLUMNS]),
    },
    charts: runs.length
      ? {
          throughput: () =>
            throughputChart(
              intervals.map((i) => ({ ...i, op: `${i.run} ${i.op}` })),
              "Throughput per second, every saved run",
            ),
          spectrum: () => spectrumChart(spectrumOfAll(), "Percentile spectrum, every saved run"),
        }
      : {},
    notes,
    previewFrame: "runs",
  });
  Object.defineProperty(report, "reports", { value: reports, enumerable: false });
  return report as unknown as BenchRunsReport;
}

// ---------------------------------------------------------------------------------------------
// bench()

/**
 * Run a workload on a live cluster, or list the saved runs of a recording.
 *
 * Live: `bench(workload, opts)` with workload one of "writes", "reads", "mixed",
 * "large-partitions", "time-series", "custom". Schema goes to the bench keyspace
 * (default `cassperf_bench`) and nowhere else. Without `rate` the run is closed loop (its latencies
 * exclude waiting time — the report says so); with `rate` it is fixed rate and its latencies are
 * coordinated-omission corrected.
 *
 * The runs saved in a recording (bench/<run>.json) and its cassandra-stress outputs are read by
 * {@link benchRuns}; bench() only runs workloads.
 *
 * @example await bench("writes", { concurrency: 32, duration: 10 })
 * @example await bench("mixed", { ratio: { read: 3, write: 1 }, rate: 2000, duration: 30 })
 * @example await bench("custom", { custom: { schema: ["CREATE TABLE IF NOT EXISTS {ks}.kv (k int PRIMARY KEY, v text)"], ops: { put: { cql: "INSERT INTO {ks}.kv (k, v) VALUES (?, ?)", values: [gen.uniform(1, 1000), gen.text(20)] } } } })
 */
export async function bench(workload: string, opts?: BenchOptions): Promise<BenchReport> {
  const a = helperArgs<BenchOptions>("bench", workload, opts, "workload");
  if (typeof a.subject !== "string" || !(WORKLOADS as readonly string[]).includes(a.subject)) {
    const what = a.subject === undefined ? (a.source !== undefined ? "a source" : "no workload") : JSON.stringify(a.subject);
    throw new CassperfError(`bench: expected a workload (${WORKLOADS.join(", ")}); got ${what}.`, {
      hint: "bench() runs a workload on a live cluster; the runs saved in a recording are read by benchRuns(source)",
    });
  }
  const src = a.source !== undefined ? await resolveSource(a.source, "bench") : currentOrUndefined();
  if (!(src instanceof LiveSource)) {
    throw new CassperfError(
      `bench("${a.subject}"): running a workload needs a live cluster; ${src ? `the ${a.source !== undefined ? "" : "current "}source is a recording (${src.name})` : "there is no current source"}.`,
      {
        hint: 'connect({ contactPoints: ["127.0.0.1"] }) or lab.connect(dir) first, or pass { source: live }; benchRuns() lists the saved runs of a recording',
      },
    );
  }
  return runLive(src, a.subject, a.options);
}

/**
 * benchRuns(): the bench runs a source holds — a recording's saved runs (bench/<run>.json) and
 * cassandra-stress outputs, or the runs bench() made on a live source in this session — one report
 * each (`.reports`) and a frame comparing them.
 * @example (await benchRuns()).reports                    // the saved runs of the current recording
 * @example await benchRuns("datasets/lab-3node-5.0")      // a path is read as the source
 */
export async function benchRuns(input?: SourceInput | BenchRunsOptions, options?: BenchRunsOptions): Promise<BenchRunsReport> {
  const a = helperArgs("benchRuns", input, options, "source");
  if (a.source === undefined && !currentOrUndefined())
    throw new CassperfError("benchRuns: no current source: open() a recording to see its saved runs, or connect() and run bench().");
  const source = await resolveSource(a.source, "benchRuns");
  if (source instanceof LiveSource) {
    const reports = liveBenchRuns(source).map((r) => reportOfRun(r, source.describe()));
    return runsReport(source, reports, reports.length ? [] : ['No bench run made on this live source yet: bench("writes") runs one.']);
  }
  const { reports, notes } = await recordedRuns(source);
  // A recording with no run at all cannot answer benchRuns(): the same verdict as inventory() and health() (../../cluster/capabilities.ts).
  if (!reports.length && !notes.length)
    missing(
      "benchRuns",
      source,
      "saved bench runs (bench/<run>.json) and no cassandra-stress output",
      "record(live, dir) after bench() on a live cluster, or open a cassandra-stress output",
    );
  return runsReport(source, reports, notes);
}

// ---------------------------------------------------------------------------------------------
// compareRuns()

/** A run to compare: a report from bench()/importStress()/readBenchRun(), a BenchRun, or a path (bench/<run>.json or a stress output). */
export type RunInput = BenchReport | BenchRun | string;

function toRun(x: RunInput, which: string): BenchRun {
  if (typeof x === "string") {
    return runFileReport(readRunFile(x, "compareRuns", `run ${which}`), path.basename(x), x).run;
  }
  if (x && typeof x === "object" && "run" in x && (x as BenchReport).run?.format === BENCH_RUN_FORMAT) return (x as BenchReport).run;
  if (x && typeof x === "object" && (x as BenchRun).format === BENCH_RUN_FORMAT) return validateBenchRun(x, `run ${which}`);
  throw new CassperfError(`compareRuns: run ${which} must be a bench report, a saved run (bench/<run>.json) or a cassandra-stress output path.`);
}

const METRICS: { key: keyof BenchOpRow & keyof BenchInterval; label: string; higherIsBetter: boolean }[] = [
  { key: "ops_per_s", label: "ops/s", higherIsBetter: true },
  { key: "p50_ms", label: "p50", higherIsBetter: false },
  { key: "p95_ms", label: "p95", higherIsBetter: false },
  { key: "p99_ms", label: "p99", higherIsBetter: false },
  { key: "p99_9_ms", label: "p99.9", higherIsBetter: false },
  { key: "max_ms", label: "max", higherIsBetter: false },
];

function perSecond(run: BenchRun, op: string, key: keyof BenchInterval): number[] {
  const rows = run.intervals.filter((r) => (op === "all" ? true : r.op === op) && r.ops > 0);
  if (op === "all" && key === "ops_per_s") {
    const bySec = new Map<number, number>();
    for (const r of rows) bySec.set(r.second, (bySec.get(r.second) ?? 0) + r.ops_per_s);
    const v = [...bySec.values()];
    return v.length > 2 ? v.slice(0, -1) : v; // the last, partial second is noisy
  }
  if (op === "all" && new Set(run.intervals.map((r) => r.op)).size > 1) return []; // per-op percentiles cannot be merged from rows
  return rows.map((r) => r[key] as number | null).filter((v): v is number => v !== null);
}

/**
 * Two runs side by side: per op type and metric (ops/s, p50, p95, p99, p99.9, max), the values,
 * the difference, and whether it is beyond run-to-run noise.
 *
 * Noise rule (thresholds in BENCH_THRESHOLDS): a difference is beyond noise when it exceeds
 * NOISE_MIN_RELATIVE (10%) of run a's value AND the two runs' per-second values of that metric
 * differ by more than chance: a permutation test (../../bench/noise.ts: NOISE_PERMUTATIONS seeded
 * shuffles, two-sided p below NOISE_P_VALUE). When the runs have too few seconds for the test to
 * ever reach that p-value, only the 10% rule applies (the row's basis says so).
 * Run values are whole-run figures from merged histograms (or stress's Results block).
 * @example compareRuns(before, after).rows("comparison")
 * @example compareRuns("bench/writes-a.json", "stress-write.txt")
 */
export async function compareRuns(a: RunInput, b: RunInput): Promise<Report<"comparison">> {
  const ra = toRun(a, "a");
  const rb = toRun(b, "b");
  const aOps = new Map(ra.ops.map((o) => [o.op, o]));
  const common = rb.ops.map((o) => o.op).filter((op) => aOps.has(op));
  const ops = common.length ? common : ["all"];
  const notes: string[] = [];
  if (!common.length)
    notes.push(`The runs share no op type (a: ${ra.ops.map((o) => o.op).join(", ")}; b: ${rb.ops.map((o) => o.op).join(", ")}); compared "all".`);
  // A percentile that cannot be true in either run (response below service time) is not compared.
  const impossible = [...impossibleLatencies(ra), ...impossibleLatencies(rb)];
  for (const x of impossible) notes.push(`Not compared: ${describeImpossible(x)} (impossible: a response time is never shorter than the service time).`);
  if (ra.mode !== rb.mode)
    notes.push(`Run a is ${ra.mode} and run b is ${rb.mode}: their latencies measure different things (closed loop excludes waiting time).`);
  notes.push(
    "Noise test: a permutation test of the per-second values (see noise_rule). Seconds of one run are not independent (a GC pause or a compaction spans several), which makes p-values smaller than they should be: a difference also has to exceed 10% of run a to count.",
  );
  const { rows, beyond } = compareOps(ra, rb, ops, impossible);
  const findings = compareFindings({ a: ra, b: rb, impossible, beyond });
  return comparisonReport(ra, rb, ops, rows, findings, notes);
}

/** Per op type and metric: the values, the difference and the noise test; the differences beyond noise, in row order, for COMPARE_RULES. */
function compareOps(ra: BenchRun, rb: BenchRun, ops: string[], impossible: ImpossibleLatency[]): { rows: Record<string, unknown>[]; beyond: BeyondNoise[] } {
  const T = BENCH_THRESHOLDS;
  const rows: Record<string, unknown>[] = [];
  const beyondNoise: BeyondNoise[] = [];
  const refused = (op: string, key: string) => impossible.filter((x) => x.op === op && x.key === key);
  for (const op of ops) {
    const oa = ra.ops.find((o) => o.op === op);
    const ob = rb.ops.find((o) => o.op === op);
    if (!oa || !ob) continue;
    for (const m of METRICS) {
      const va = oa[m.key] as number | null;
      const vb = ob[m.key] as number | null;
      if (va === null || vb === null) continue;
      const bad = refused(op, m.key);
      if (bad.length) {
        rows.push({
          op,
          metric: m.label,
          a: va,
          b: vb,
          diff: null,
          diff_pct: null,
          noise_band: null,
          p_value: null,
          beyond_noise: false,
          verdict: "not compared: impossible value",
          basis: bad.map(describeImpossible).join("; "),
        });
        continue;
      }
      const diff = vb - va;
      const band = T.NOISE_MIN_RELATIVE.value * Math.abs(va);
      const noise = perSecondNoise(perSecond(ra, op, m.key), perSecond(rb, op, m.key));
      const beyond = Math.abs(diff) > band && (noise === null || noise.significant);
      const basis = noise
        ? `10% of a, and per-second values over ${noise.n_a}+${noise.n_b} seconds: permutation p = ${fmtP(noise.p, noise.permutations)} (${noise.significant ? "below" : "not below"} ${T.NOISE_P_VALUE.value})`
        : "10% of a only (too few per-second values for the permutation test)";
      const worse = m.higherIsBetter ? diff < 0 : diff > 0;
      rows.push({
        op,
        metric: m.label,
        a: va,
        b: vb,
        diff: Math.round(diff * 1000) / 1000,
        diff_pct: va !== 0 ? Math.round((diff / va) * 1000) / 10 : null,
        noise_band: Math.round(band * 1000) / 1000,
        p_value: noise ? noise.p : null,
        beyond_noise: beyond,
        verdict: beyond ? (worse ? "worse" : "better") : "within noise",
        basis,
      });
      if (beyond) beyondNoise.push({ op, label: m.label, higherIsBetter: m.higherIsBetter, a: va, b: vb, diff, band, basis, worse });
    }
  }
  return { rows, beyond: beyondNoise };
}

/** compareRuns' report: the comparison frame, the summary with the noise rule, and the charts of both runs. */
function comparisonReport(
  ra: BenchRun,
  rb: BenchRun,
  ops: string[],
  rows: Record<string, unknown>[],
  findings: Finding[],
  notes: string[],
): Report<"comparison"> {
  const T = BENCH_THRESHOLDS;
  const chartRows = rows
    .filter((r) => r.op === ops[ops.length - 1] || ops.length === 1)
    .flatMap((r) => [
      { metric: `${String(r.op)} ${String(r.metric)}`, run: `a ${ra.id}`, value: r.a as number },
      { metric: `${String(r.op)} ${String(r.metric)}`, run: `b ${rb.id}`, value: r.b as number },
    ]);
  const specA = spectrumRows(ra).map((s) => ({ ...s, series: `a ${s.series}` }));
  const specB = spectrumRows(rb).map((s) => ({ ...s, series: `b ${s.series}` }));
  const intervals = [...ra.intervals.map((i) => ({ ...i, op: `a ${i.op}` })), ...rb.intervals.map((i) => ({ ...i, op: `b ${i.op}` }))];
  const beyondCount = rows.filter((r) => r.beyond_noise).length;
  return makeReport({
    helper: "compareRuns",
    title: `${ra.id} vs ${rb.id}: ${beyondCount} of ${rows.length} differences beyond noise`,
    summary: {
      a: ra.id,
      b: rb.id,
      a_ops_per_s: ra.summary.ops_per_s ?? null,
      b_ops_per_s: rb.summary.ops_per_s ?? null,
      a_p99_ms: ra.summary.p99_ms ?? null,
      b_p99_ms: rb.summary.p99_ms ?? null,
      beyond_noise: beyondCount,
      noise_rule: `beyond noise when |b - a| > ${T.NOISE_MIN_RELATIVE.value * 100}% of a and a permutation test of the per-second values gives p < ${T.NOISE_P_VALUE.value} (${T.NOISE_PERMUTATIONS.value.toLocaleString("en-US")} seeded shuffles)`,
    },
    findings,
    frames: {
      comparison: () => rowsToColumns(rows, ["op", "metric", "a", "b", "diff", "diff_pct", "noise_band", "p_value", "beyond_noise", "verdict", "basis"]),
    },
    charts: {
      compare: () => compareChart(chartRows, `Run vs run — a: ${ra.id}, b: ${rb.id}`),
      spectrum: () => spectrumChart([...specA, ...specB], "Percentile spectrum, run a vs run b"),
      throughput: () => throughputChart(intervals, "Throughput per second, run a vs run b"),
    },
    notes,
    previewFrame: "comparison",
  });
}

/** A permutation p-value: "< 0.0001" when no shuffle was as extreme (p = 0 would claim certainty). */
function fmtP(p: number, permutations: number): string {
  return p === 0 ? `< ${1 / permutations}` : String(Math.round(p * 10_000) / 10_000);
}
