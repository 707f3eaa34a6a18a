/**
 * partitionScan's Vega-Lite chart specs: live scans (size histogram in log2 buckets, largest
 * partitions, rows per node) and recorded evidence (partition size percentiles per node, largest
 * partitions named in large-partition warnings). Only charts with something to draw are returned.
 */
import type { PartitionCount } from "../../cluster/token-scan";
import { COUNT_AXIS, distinctLabels } from "../chart";

/**
 * The charts with something to draw: size histogram (log), top partitions, rows per node. An
 * empty scan (no rows) gives none: an axis without marks explains nothing.
 */
export function partitionCharts(
  tableLabel: string,
  dist: { min_rows: number; max_rows: number; partitions: number }[],
  top: Pick<PartitionCount, "key" | "rows">[],
  rowsPerNode: Record<string, number>,
) {
  const keys = distinctLabels(
    top.slice(0, 20).map((p) => p.key),
    40,
  );
  const charts: Record<string, () => Record<string, unknown>> = {};
  if (dist.some((d) => d.partitions > 0))
    charts.histogram = () => ({
      title: `${tableLabel}: partitions by rows (log2 buckets, log scale)`,
      width: 520,
      height: 260,
      data: {
        values: dist.map((d) => ({
          bucket: d.min_rows === d.max_rows ? `${d.min_rows}` : `${d.min_rows}–${d.max_rows}`,
          min: d.min_rows,
          partitions: d.partitions,
        })),
      },
      mark: { type: "bar", tooltip: true },
      encoding: {
        x: { field: "bucket", type: "ordinal", sort: { field: "min" }, title: "rows per partition" },
        y: { field: "partitions", type: "quantitative", scale: { type: "log" }, stack: null, title: "partitions (log)", axis: COUNT_AXIS },
      },
    });
  if (top.length)
    charts.top = () => ({
      title: `${tableLabel}: largest partitions (top ${Math.min(20, top.length)})`,
      width: 520,
      height: Math.max(80, 18 * Math.min(20, top.length)),
      data: { values: top.slice(0, 20).map((p) => ({ key: keys.get(p.key), rows: p.rows })) },
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "key", type: "nominal", sort: "-x", title: null, axis: { labelLimit: 400 } },
        x: { field: "rows", type: "quantitative", title: "rows", axis: COUNT_AXIS },
      },
    });
  if (Object.values(rowsPerNode).some((n) => n > 0))
    charts.nodes = () => ({
      title: `${tableLabel}: rows per node (primary replica)`,
      width: 520,
      height: Math.max(60, 24 * Object.keys(rowsPerNode).length),
      data: { values: Object.entries(rowsPerNode).map(([node, rows]) => ({ node, rows })) },
      mark: { type: "bar", tooltip: true },
      encoding: { y: { field: "node", type: "nominal", title: null }, x: { field: "rows", type: "quantitative", title: "rows", axis: COUNT_AXIS } },
    });
  return charts;
}

/** One row of a recorded tablehistograms "Partition Size" percentile. */
export interface RecordedSizeRow {
  node: string;
  percentile: string;
  partition_bytes: number | null;
}

/** One partition named by a large-partition warning. */
export interface WarnedPartition {
  node: string;
  key: string;
  bytes: number | null;
}

/**
 * The recorded-evidence charts: partition size percentiles per node (log scale) and the largest
 * partitions named in warnings. A recording without histograms or large-partition warnings gets no empty plot.
 */
export function recordedPartitionCharts(label: string, dist: RecordedSizeRow[], top: WarnedPartition[]): Record<string, () => Record<string, unknown>> {
  return {
    ...(dist.some((h) => (h.partition_bytes ?? 0) > 0)
      ? {
          sizes: () => ({
            title: `${label}: partition size percentiles per node (bytes, log scale)`,
            width: 520,
            height: 260,
            data: {
              values: dist
                .filter((h) => (h.partition_bytes ?? 0) > 0)
                .map((h) => ({
                  node: h.node,
                  percentile: h.percentile === "max" ? "max" : `p${h.percentile}`,
                  order: h.percentile === "max" ? 101 : Number(h.percentile),
                  bytes: h.partition_bytes,
                })),
            },
            mark: { type: "line", point: true, tooltip: true },
            encoding: {
              x: { field: "percentile", type: "ordinal", sort: { field: "order" }, title: null, axis: { labelAngle: 0 } },
              y: { field: "bytes", type: "quantitative", scale: { type: "log" }, title: "partition size (bytes, log)" },
              color: { field: "node", type: "nominal" },
            },
          }),
        }
      : {}),
    ...(top.length
      ? {
          top: () => {
            const keys = distinctLabels(
              top.slice(0, 20).map((t) => t.key),
              40,
            );
            return {
              title: `${label}: largest partitions named in large-partition warnings (top ${Math.min(20, top.length)}, log scale)`,
              width: 520,
              height: Math.max(60, 18 * Math.min(20, top.length)),
              data: { values: top.slice(0, 20).map((t) => ({ key: keys.get(t.key), mb: (t.bytes ?? 0) / 2 ** 20, node: t.node })) },
              mark: { type: "bar", tooltip: true },
              encoding: {
                y: { field: "key", type: "nominal", sort: "-x", title: null, axis: { labelLimit: 400 } },
                x: { field: "mb", type: "quantitative", scale: { type: "log" }, stack: null, title: "partition size (MiB, log)" },
                color: { field: "node", type: "nominal" },
              },
            };
          },
        }
      : {}),
  };
}
