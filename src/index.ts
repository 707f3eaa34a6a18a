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

// ---- The helpers (one entry each in ./helpers.ts HELPERS; re-exported one by one so their JSDoc is the hover help) ----
export { inventory, type InventoryOptions, type InventoryReport } from "./analyze/inventory";
export { gcStats, type GcStatsOptions, type GcReport, type GcStatsReport } from "./analyze/gc/gc-stats";
export { jvm, type JvmOptions, type JvmReport } from "./analyze/gc/jvm";
export { logs, timeline, type LogsOptions, type LogsReport, type TimelineOptions, type TimelineReport } from "./analyze/logs/logs";
export type { LogEventsFilter } from "./analyze/logs/log-events";
export { histograms, type HistogramsOptions, type HistogramsReport, type HistogramFrameRow } from "./analyze/histograms/histograms";
export { trace, traces, type TraceOptions, type TraceFilter, type TraceReport, type TracesOptions, type TracesReport } from "./analyze/trace/trace";
export { queryPatterns, type QueryPatternsOptions, type QueryPatternsReport } from "./analyze/trace/query-patterns";
export {
  compactionAdvice,
  type CompactionAdviceOptions,
  type CompactionWorkload,
  type CompactionReport,
  type CompactionAdviceReport,
} from "./analyze/compaction/compaction";
export { caches, type CachesOptions, type CachesReport } from "./analyze/monitors/caches";
export { connections, type ConnectionsOptions, type ConnectionsReport } from "./analyze/monitors/connections";
export { bench, benchRuns, type BenchReport, type BenchRunsReport, type BenchOptions, type BenchRunsOptions, type BenchRun } from "./analyze/bench/bench";
export { partitionScan, type PartitionScanOptions, type PartitionScanReport } from "./analyze/partitions/partitions";
export { health, type HelperName, type SourceHelpers } from "./helpers";
export type { HealthOptions, HealthReport } from "./analyze/health";
export type { HelperOptions } from "./cluster/resolve";

// ---- Tools beside the helpers: recording, comparing, generators, the lab ----
export { record, type RecordWhat, type RecordResult } from "./cluster/record";
export { compareTraces } from "./analyze/trace/trace";
export { importStress, compareRuns, gen, benchRunToJSON, readBenchRun, type ImportStressOptions } from "./analyze/bench/bench";
export { logEvents, type LogEvent, type LogEventKind } from "./analyze/logs/log-events";
export { queryPattern } from "./analyze/trace/query-patterns";
export * as lab from "./lab";
export type { RunOptions, Progress } from "./run-context";

// ---- The helpers as methods of every source: `live.trace(...)`, `pm.gcStats()` (./methods.ts) ----
import { attachHelpers } from "./methods";
import { HELPERS, type SourceHelpers } from "./helpers";

declare module "./cluster/live" {
  interface LiveSource extends SourceHelpers {}
}
declare module "./cluster/recorded" {
  interface RecordedSource extends SourceHelpers {}
}

attachHelpers(HELPERS);
