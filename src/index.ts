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
export type { Chart, VegaLiteSpec } from "./present/charts";

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
export { gcStats } from "./analyze/gc";
export { trace, traces, compareTraces } from "./analyze/trace";
export { histograms, type HistogramsOptions, type HistogramFrameRow } from "./analyze/histograms";
export { partitionScan } from "./analyze/partitions";
export { compactionAdvice } from "./analyze/compaction";
export { bench, importStress, compareRuns } from "./analyze/bench";
export { gen, benchRunToJSON, readBenchRun, liveBenchRuns, type BenchReport, type BenchRunsReport, type BenchOptions, type BenchRun } from "./analyze/bench";
export { logs, timeline } from "./analyze/logs";
export { logEvents, type LogEvent, type LogEventKind, type LogEventsFilter } from "./analyze/log-events";
export * as lab from "./lab";
export { runOptions, type RunOptions, type Progress } from "./repl/run-context";
export { caches } from "./analyze/caches";
export { connections, type ConnectionsOptions } from "./analyze/connections";
export { jvm } from "./analyze/jvm";
export { queryPatterns, queryPattern } from "./analyze/query-patterns";
export { type CompactionWorkload, type CompactionAdviceOptions } from "./analyze/compaction";
export { type PartitionScanOptions } from "./analyze/partitions";
export { health, HEALTH_HELPERS, type HealthOptions, type HealthReport } from "./analyze/health";
