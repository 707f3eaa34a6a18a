/**
 * The row shape of histograms()' `histograms` frame and the vocabulary around it (metric order,
 * which metrics are latencies, which come from the client, a row's table key), in one module that
 * the gatherer (../analyze/histograms/histograms.ts), the client side (../analyze/histograms/histograms-client.ts),
 * the rules (../analyze/histograms/histograms-rules.ts) and the charts (../present/charts/histograms.ts) all
 * import, so none of them imports another for a type. It is a row vocabulary, like ./gc-types.ts: it lives in parse/.
 */
import type { HistogramMetric, HistogramRow } from "./nodetool-tablehistograms";

/** One row of the `histograms` frame: a parsed value (keyspace, table — "proxy" for the coordinator —, metric, percentile, value, unit) with where and when it was taken. */
export interface HistogramFrameRow extends Omit<HistogramRow, "line"> {
  node: string;
  /** ISO time of the snapshot: live, when the snapshot round started; recorded, the manifest's captured_at or a time in the file name; else null. */
  captured_at: string | null;
  /** The file (or "live nodetool ... on <node>") and line the value came from. */
  origin: string;
}

/** Metrics in microseconds of latency (server side). */
export const LATENCY_METRICS: HistogramMetric[] = [
  "read_latency",
  "write_latency",
  "range_latency",
  "cas_read_latency",
  "cas_write_latency",
  "view_write_latency",
  "coordinator_read_latency",
  "coordinator_write_latency",
  "coordinator_scan_latency",
];

/** The order metrics are listed in (frame rows, summary, chart facets). */
export const METRIC_ORDER: HistogramMetric[] = [
  ...LATENCY_METRICS,
  "sstables_per_read",
  "partition_size",
  "cell_count",
  "tombstones_per_read",
  "rows_per_read",
  "trace_duration",
  "client_latency",
];

/** Metrics measured by the client (traces, bench runs), not by a node. */
export const CLIENT_METRICS: HistogramMetric[] = ["trace_duration", "client_latency"];

/** "keyspace.table", or the table alone ("proxy", "traces") when it has no keyspace. */
export const tableKey = (r: { keyspace: string | null; table: string }) => (r.keyspace === null ? r.table : `${r.keyspace}.${r.table}`);

/** Microseconds as "1.23 ms" (summary, findings). */
export const fmtMs = (us: number) => `${(us / 1000).toLocaleString("en-US", { maximumFractionDigits: 2 })} ms`;
/** Bytes as "1.5 MiB" / "12.0 KiB" / "512 B". */
export const fmtBytes = (b: number) => (b >= 1024 ** 2 ? `${(b / 1024 ** 2).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
