/**
 * Cassandra 4.0+ `system_views` table-metric virtual tables -> histogram rows.
 *
 * TableMetricTables.java defines them, one row per (keyspace_name, table_name), node-local:
 *  - latency tables (local_read_latency, local_scan_latency, local_write_latency,
 *    coordinator_read_latency, coordinator_scan_latency, coordinator_write_latency): count,
 *    p50th_ms, p99th_ms, max_ms (milliseconds, rounded to 0.001), per_second;
 *  - count histograms (tombstones_per_read, rows_per_read): count, p50th, p99th, max;
 *  - max_partition_size (and disk_usage): mebibytes, rounded UP to a whole MiB.
 * Early builds named the percentile columns `50th_ms`/`99th_ms` (no "p"): both are read.
 * Latencies are returned in microseconds and sizes in bytes, like nodetool's histograms.
 *
 * Column rules:
 * | column                    | percentile | conversion                         |
 * |---------------------------|------------|------------------------------------|
 * | p50th_ms / 50th_ms        | 50         | ms -> microseconds (x 1000)        |
 * | p99th_ms / 99th_ms        | 99         | ms -> microseconds                 |
 * | max_ms                    | max        | ms -> microseconds                 |
 * | p50th / 50th, p99th, max  | 50, 99, max| count, as is                       |
 * | mebibytes                 | max        | MiB -> bytes (x 1048576, rounded up by Cassandra) |
 */
import { numOf } from "./nodetool-common";
import type { HistogramMetric, HistogramRow, HistogramUnit, PercentileLabel } from "./nodetool-tablehistograms";

/** The virtual tables read, -> metric and unit. */
export const SYSTEM_VIEWS: Record<string, { metric: HistogramMetric; unit: HistogramUnit; kind: "latency" | "count" | "mebibytes" }> = {
  local_read_latency: { metric: "read_latency", unit: "microseconds", kind: "latency" },
  local_write_latency: { metric: "write_latency", unit: "microseconds", kind: "latency" },
  local_scan_latency: { metric: "range_latency", unit: "microseconds", kind: "latency" },
  coordinator_read_latency: { metric: "coordinator_read_latency", unit: "microseconds", kind: "latency" },
  coordinator_write_latency: { metric: "coordinator_write_latency", unit: "microseconds", kind: "latency" },
  coordinator_scan_latency: { metric: "coordinator_scan_latency", unit: "microseconds", kind: "latency" },
  tombstones_per_read: { metric: "tombstones_per_read", unit: "count", kind: "count" },
  rows_per_read: { metric: "rows_per_read", unit: "count", kind: "count" },
  max_partition_size: { metric: "partition_size", unit: "bytes", kind: "mebibytes" },
};

const PERCENTILE_COLUMNS: [RegExp, PercentileLabel][] = [
  [/^p?50th(_ms)?$/, "50"],
  [/^p?99th(_ms)?$/, "99"],
  [/^max(_ms)?$/, "max"],
];

/**
 * Rows of one system_views table metric (as the driver returns them) -> histogram rows.
 * Rows without keyspace_name/table_name are ignored; unknown views give no rows.
 * @example systemViewsHistogramRows("local_read_latency", (await client.execute("SELECT * FROM system_views.local_read_latency")).rows)
 */
export function systemViewsHistogramRows(view: string, rows: Record<string, unknown>[]): HistogramRow[] {
  const spec = SYSTEM_VIEWS[view];
  if (!spec) return [];
  const out: HistogramRow[] = [];
  rows.forEach((r, i) => {
    const keyspace = r.keyspace_name;
    const table = r.table_name;
    if (typeof keyspace !== "string" || typeof table !== "string") return;
    if (spec.kind === "mebibytes") {
      const v = numOf(r.mebibytes);
      out.push({ keyspace, table, metric: spec.metric, percentile: "max", value: v === null ? null : v * 1024 * 1024, unit: spec.unit, line: i + 1 });
      return;
    }
    for (const [col, v] of Object.entries(r)) {
      const p = PERCENTILE_COLUMNS.find(([re]) => re.test(col));
      if (!p) continue;
      const n = numOf(v);
      out.push({
        keyspace,
        table,
        metric: spec.metric,
        percentile: p[1],
        value: n === null ? null : spec.kind === "latency" ? Math.round(n * 1000 * 1000) / 1000 : n,
        unit: spec.unit,
        line: i + 1,
      });
    }
  });
  return out;
}
