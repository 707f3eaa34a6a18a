/**
 * cassperf: Cassandra performance investigations as re-runnable notebooks.
 *
 * The one rule of the API: each source has the helpers as methods, and the top-level helpers act
 * on the current source — the one most recently returned by connect() or open(), or chosen with use().
 *
 * @example
 * const pm = await open("datasets/lab-3node");   // a recording: now the current source
 * (await gcStats()).findings
 * (await gcStats("logs/gc.log.0.current")).chart("pauses")   // a single file works too
 */
import { use } from "./cluster/current";
import { connectLive, type ConnectOptions, type LiveSource } from "./cluster/live";
import { openRecorded, type OpenOptions, type RecordedSource } from "./cluster/recorded";

export { CassperfError, isCassperfError } from "./errors";
export { use, current } from "./cluster/current";
export type { Source, SourceFile, FileKind, FileFilter } from "./cluster/source";
export type { SourceInput } from "./cluster/resolve";
export { LiveSource, type ConnectOptions, type NodetoolOutput } from "./cluster/live";
export { RecordedSource, type OpenOptions, type DatasetManifest, type RecordedLayout } from "./cluster/recorded";
export { Report, type Finding, type Severity, type Columns, type Threshold, type DataFrame } from "./present/report";
export type { Chart, VegaLiteSpec } from "./present/chart";

/**
 * Connect to a live cluster and make it the current source.
 * @example const live = await connect({ contactPoints: ["127.0.0.1"], localDataCenter: "datacenter1" })
 * @example await connect({ contactPoints: ["10.0.0.1"], nodetool: "ssh {host} nodetool", logs: { "10.0.0.1": "/mnt/logs/n1" } })
 */
export async function connect(options: ConnectOptions): Promise<LiveSource> {
  return use(await connectLive(options));
}

/**
 * Open a recording (a cassperf dataset, a diagnostic bundle, a .tar.gz/.zip of one, or a single
 * gc log / system.log / nodetool output / cassandra-stress output / trace export) and make it the
 * current source.
 * @example await open("datasets/lab-3node")
 * @example await open("~/Downloads/diag-2024-01-15.tar.gz")
 * @example await open("gc.log.0.current", { node: "10.0.0.12" })
 */
export async function open(path: string, options?: OpenOptions): Promise<RecordedSource> {
  return use(await openRecorded(path, options));
}

export { inventory } from "./analyze/inventory";
export { record, type RecordWhat, type RecordResult } from "./cluster/record";
export { gcStats } from "./analyze/gc/gc-stats";
export { trace, traces, compareTraces } from "./analyze/trace/trace";
export { histograms, type HistogramsOptions, type HistogramFrameRow } from "./analyze/histograms/histograms";
export { partitionScan } from "./analyze/partitions/partitions";
export { compactionAdvice } from "./analyze/compaction/compaction";
export { bench, importStress, compareRuns } from "./analyze/bench/bench";
export { gen, benchRunToJSON, readBenchRun, liveBenchRuns, type BenchReport, type BenchRunsReport, type BenchOptions, type BenchRun } from "./analyze/bench/bench";
export { logs, timeline } from "./analyze/logs/logs";
export { logEvents, type LogEvent, type LogEventKind, type LogEventsFilter } from "./analyze/logs/log-events";
export * as lab from "./lab";
export { runOptions, type RunOptions, type Progress } from "./run-context";
export { caches } from "./analyze/monitors/caches";
export { connections, type ConnectionsOptions } from "./analyze/monitors/connections";
export { jvm, type JvmOptions } from "./analyze/gc/jvm";
export { queryPatterns, queryPattern, type QueryPatternsOptions } from "./analyze/trace/query-patterns";
export type { CompactionWorkload, CompactionAdviceOptions } from "./analyze/compaction/compaction";
export type { PartitionScanOptions } from "./analyze/partitions/partitions";
export { health, HEALTH_HELPERS, SAME_PROBLEM, type HealthOptions, type HealthReport } from "./analyze/health";

// ---- The helpers as methods of every source: `live.trace(...)`, `pm.gcStats()` (./methods.ts) ----
import { attachHelpers } from "./methods";
import { inventory as inventory_ } from "./analyze/inventory";
import { gcStats as gcStats_ } from "./analyze/gc/gc-stats";
import { trace as trace_, traces as traces_ } from "./analyze/trace/trace";
import { histograms as histograms_ } from "./analyze/histograms/histograms";
import { partitionScan as partitionScan_ } from "./analyze/partitions/partitions";
import { compactionAdvice as compactionAdvice_ } from "./analyze/compaction/compaction";
import { bench as bench_ } from "./analyze/bench/bench";
import { logs as logs_, timeline as timeline_ } from "./analyze/logs/logs";
import { caches as caches_ } from "./analyze/monitors/caches";
import { connections as connections_ } from "./analyze/monitors/connections";
import { jvm as jvm_ } from "./analyze/gc/jvm";
import { queryPatterns as queryPatterns_ } from "./analyze/trace/query-patterns";
import { health as health_ } from "./analyze/health";

/** What every source can do: each helper, acting on that source (the current source is left as it was). */
export interface SourceHelpers {
  /** {@link inventory} on this source. @example await pm.inventory() */
  inventory: typeof inventory_;
  /** {@link gcStats} on this source. @example (await pm.gcStats()).chart("pauses") */
  gcStats: typeof gcStats_;
  /** {@link trace} on this source. @example await live.trace("SELECT * FROM ks.t WHERE id = ?", [1], { consistency: "QUORUM" }) */
  trace: typeof trace_;
  /** {@link traces} on this source. @example await pm.traces({ minDurationMs: 10 }) */
  traces: typeof traces_;
  /** {@link histograms} on this source. @example await pm.histograms("ks.t") */
  histograms: typeof histograms_;
  /** {@link partitionScan} on this source. @example await live.partitionScan("ks.t", { concurrency: 16 }) */
  partitionScan: typeof partitionScan_;
  /** {@link compactionAdvice} on this source. @example await pm.compactionAdvice() */
  compactionAdvice: typeof compactionAdvice_;
  /** {@link bench} on this source. @example await live.bench("writes", { duration: 30 }) */
  bench: typeof bench_;
  /** {@link logs} on this source. @example await pm.logs({ kinds: "gc-pause" }) */
  logs: typeof logs_;
  /** {@link timeline} on this source. @example await pm.timeline() */
  timeline: typeof timeline_;
  /** {@link caches} on this source. */
  caches: typeof caches_;
  /** {@link connections} on this source. */
  connections: typeof connections_;
  /** {@link jvm} on this source. */
  jvm: typeof jvm_;
  /** {@link queryPatterns} on this source. */
  queryPatterns: typeof queryPatterns_;
  /** {@link health} on this source. @example await pm.health() */
  health: typeof health_;
}

declare module "./cluster/live" {
  interface LiveSource extends SourceHelpers {}
}
declare module "./cluster/recorded" {
  interface RecordedSource extends SourceHelpers {}
}

attachHelpers({
  inventory: inventory_,
  gcStats: gcStats_,
  trace: trace_,
  traces: traces_,
  histograms: histograms_,
  partitionScan: partitionScan_,
  compactionAdvice: compactionAdvice_,
  bench: bench_,
  logs: logs_,
  timeline: timeline_,
  caches: caches_,
  connections: connections_,
  jvm: jvm_,
  queryPatterns: queryPatterns_,
  health: health_,
});
