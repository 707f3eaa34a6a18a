/**
 * Vega-Lite specs of histograms(): the percentile ladder per node (log scale), one metric across
 * nodes, and one metric over snapshots — each for the focused table. The "how many values would it
 * draw" counts beside them let the analyzer leave out a chart that would be empty and say why.
 */
import { utcTimeAxis, type VegaLiteSpec } from "../chart";
import { plural } from "../plural";
import { METRIC_ORDER, tableKey, type HistogramFrameRow } from "../../parse/histogram-rows";
import { PERCENTILE_ORDER, type HistogramMetric, type PercentileLabel } from "../../parse/nodetool-tablehistograms";

/** Percentile ladder per node (log scale) for the latency metrics of one table. */
export function ladderChart(latest: HistogramFrameRow[], focus: string): VegaLiteSpec {
  const data = latest
    .filter((r) => tableKey(r) === focus && r.unit === "microseconds" && r.value !== null && r.value > 0)
    .map((r) => ({
      node: r.node,
      metric: r.metric,
      percentile: r.percentile === "min" || r.percentile === "max" ? r.percentile : `p${r.percentile}`,
      ms: r.value! / 1000,
    }));
  const dropped = latest.filter((r) => tableKey(r) === focus && r.unit === "microseconds" && (r.value === null || r.value <= 0)).length;
  return {
    title: data.length
      ? `${focus}: latency percentile ladder per node (ms, log scale${dropped ? `; ${dropped} zero/missing values not plotted` : ""})`
      : `${focus}: no non-zero latency to plot (${dropped} zero/missing values)`,
    width: 220,
    height: 260,
    data: { values: data },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "percentile",
        type: "ordinal",
        sort: PERCENTILE_ORDER.map((p) => (p === "min" || p === "max" ? p : `p${p}`)),
        title: "percentile",
        axis: { labelAngle: 0 },
      },
      y: { field: "ms", type: "quantitative", scale: { type: "log" }, title: "latency (ms)" },
      color: { field: "node", type: "nominal" },
      facet: { field: "metric", type: "nominal", title: null, sort: METRIC_ORDER, columns: 3 },
      tooltip: [{ field: "node" }, { field: "metric" }, { field: "percentile" }, { field: "ms", format: ".3f" }],
    },
  };
}

/** How many bars the "across-nodes" chart would draw: positive p50/p95/p99/max values of `metric` for the focused table. */
export function acrossNodesValues(latest: HistogramFrameRow[], focus: string, metric: HistogramMetric): number {
  const keep: PercentileLabel[] = ["50", "95", "99", "max"];
  return latest.filter((r) => tableKey(r) === focus && r.metric === metric && keep.includes(r.percentile) && r.value !== null && r.value > 0).length;
}

/** One metric of one table across nodes: p50/p95/p99/max bars per node. */
export function acrossNodesChart(latest: HistogramFrameRow[], focus: string, metric: HistogramMetric): VegaLiteSpec {
  const keep: PercentileLabel[] = ["50", "95", "99", "max"];
  const rs = latest.filter((r) => tableKey(r) === focus && r.metric === metric && keep.includes(r.percentile) && r.value !== null);
  const unit = rs[0]?.unit ?? "microseconds";
  const scale = unit === "microseconds" ? 1000 : 1;
  const label = unit === "microseconds" ? "ms" : unit;
  // Latency and sizes span decades (p50 0.1 ms, max 100 ms): a log axis, on which a 0 has no place.
  const zeros = rs.filter((r) => r.value! <= 0).length;
  return {
    title: `${focus}: ${metric} across nodes (${label}, log scale${zeros ? `; ${plural(zeros, "zero value")} not plotted` : ""})`,
    width: 520,
    height: 280,
    data: {
      values: rs
        .filter((r) => r.value! > 0)
        .map((r) => ({ node: r.node, percentile: r.percentile === "max" ? "max" : `p${r.percentile}`, value: r.value! / scale })),
    },
    mark: "bar",
    encoding: {
      x: { field: "node", type: "nominal", axis: { labelAngle: 0 } },
      xOffset: { field: "percentile", type: "nominal", sort: ["p50", "p95", "p99", "max"] },
      y: { field: "value", type: "quantitative", scale: { type: "log" }, stack: null, title: `${metric} (${label}, log)` },
      color: { field: "percentile", type: "nominal", sort: ["p50", "p95", "p99", "max"] },
      tooltip: [{ field: "node" }, { field: "percentile" }, { field: "value", format: ".3f" }],
    },
  };
}

/** The most dated snapshots of `metric` for the focused table that any one node has. */
export function overTimeSnapshots(rows: HistogramFrameRow[], focus: string, metric: HistogramMetric): number {
  const p: PercentileLabel = metric === "partition_size" || metric === "cell_count" ? "max" : "99";
  const per = new Map<string, Set<string>>();
  for (const r of rows) {
    if (tableKey(r) !== focus || r.metric !== metric || r.percentile !== p || r.value === null || !r.captured_at) continue;
    (per.get(r.node) ?? per.set(r.node, new Set()).get(r.node)!).add(r.captured_at);
  }
  return Math.max(0, ...[...per.values()].map((s) => s.size));
}

/** One metric's p99 (max for sizes) of one table over snapshots, per node. */
export function overTimeChart(rows: HistogramFrameRow[], focus: string, metric: HistogramMetric): VegaLiteSpec {
  const p: PercentileLabel = metric === "partition_size" || metric === "cell_count" ? "max" : "99";
  const rs = rows.filter((r) => tableKey(r) === focus && r.metric === metric && r.percentile === p && r.value !== null);
  const unit = rs[0]?.unit ?? "microseconds";
  const scale = unit === "microseconds" ? 1000 : 1;
  const label = unit === "microseconds" ? "ms" : unit;
  const timed = rs.filter((r) => r.captured_at);
  const untimed = rs.length - timed.length;
  return {
    title: `${focus}: ${metric} p${p} over snapshots (${label})${untimed ? `; ${plural(untimed, "snapshot")} without a capture time not plotted` : ""}`,
    width: 520,
    height: 280,
    data: { values: timed.filter((r) => r.value! > 0).map((r) => ({ node: r.node, captured_at: r.captured_at, value: r.value! / scale })) },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "captured_at",
        type: "temporal",
        ...utcTimeAxis(
          timed.map((r) => r.captured_at),
          "captured at (UTC)",
        ),
      },
      y: { field: "value", type: "quantitative", scale: { type: "log" }, title: `${metric} p${p} (${label}, log)` },
      color: { field: "node", type: "nominal" },
    },
  };
}
