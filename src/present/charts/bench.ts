/**
 * bench's Vega-Lite chart builders: throughput over time, p99 over time, the percentile spectrum
 * (the HDR plot: latency against percentile on a log axis of 1/(1-p)), and run vs run.
 * Interval rows are few (one per second per op), but long runs are still sampled to
 * MAX_CHART_POINTS and the title says so.
 */
import { MAX_CHART_POINTS, sampleForChart, type VegaLiteSpec } from "../chart";
import type { BenchInterval } from "../../bench/run";

function sampled<T>(rows: T[], title: string): { rows: T[]; title: string } {
  const s = sampleForChart(rows, MAX_CHART_POINTS);
  return {
    rows: s.rows,
    title: s.sampled ? `${title} (every ${Math.ceil(rows.length / s.rows.length)}th row of ${rows.length.toLocaleString("en-US")})` : title,
  };
}

/** ops/s per second, one line per op type. */
export function throughputChart(intervals: BenchInterval[], title: string): VegaLiteSpec {
  const s = sampled(
    intervals.map((r) => ({ second: r.second, op: r.op, ops_per_s: r.ops_per_s, errors: r.errors })),
    title,
  );
  return {
    title: s.title,
    width: 640,
    height: 240,
    data: { values: s.rows },
    mark: { type: "line", point: s.rows.length < 120 },
    encoding: {
      x: { field: "second", type: "quantitative", title: "second of the run" },
      y: { field: "ops_per_s", type: "quantitative", title: "operations per second" },
      color: { field: "op", type: "nominal", title: "op" },
      tooltip: [{ field: "second" }, { field: "op" }, { field: "ops_per_s", title: "op/s" }, { field: "errors" }],
    },
  };
}

/** p99 (and max as points) per second, log latency axis. */
export function p99Chart(intervals: BenchInterval[], title: string): VegaLiteSpec {
  const rows = intervals.flatMap((r) => [
    ...(r.p99_ms !== null ? [{ second: r.second, op: r.op, measure: "p99", latency_ms: Math.max(0.001, r.p99_ms) }] : []),
    ...(r.service_p99_ms !== null && r.service_p99_ms !== undefined
      ? [{ second: r.second, op: r.op, measure: "service p99", latency_ms: Math.max(0.001, r.service_p99_ms) }]
      : []),
    ...(r.max_ms !== null ? [{ second: r.second, op: r.op, measure: "max", latency_ms: Math.max(0.001, r.max_ms) }] : []),
  ]);
  const s = sampled(rows, title);
  return {
    title: s.title,
    width: 640,
    height: 240,
    data: { values: s.rows },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "second", type: "quantitative", title: "second of the run" },
      y: { field: "latency_ms", type: "quantitative", scale: { type: "log" }, title: "latency (ms, log)" },
      color: { field: "op", type: "nominal" },
      strokeDash: { field: "measure", type: "nominal", title: "measure" },
      tooltip: [{ field: "second" }, { field: "op" }, { field: "measure" }, { field: "latency_ms", title: "ms" }],
    },
  };
}

/** One point of a percentile spectrum. */
export interface SpectrumRow {
  series: string;
  percentile: number;
  latency_ms: number;
}

const PERCENTILE_TICKS = [0, 50, 90, 99, 99.9, 99.99, 99.999, 99.9999];

/** The HDR plot: x = 1/(1-p) on a log axis labelled as percentiles, y = latency (log). */
export function spectrumChart(rows: SpectrumRow[], title: string): VegaLiteSpec {
  // 100% itself has no place on a 1/(1-p) axis: plot max one decade past the last finite point.
  const bySeries = new Map<string, SpectrumRow[]>();
  for (const r of rows) bySeries.set(r.series, [...(bySeries.get(r.series) ?? []), r]);
  const values: { series: string; x: number; percentile: number; latency_ms: number }[] = [];
  for (const [series, rs] of bySeries) {
    const finite = rs.filter((r) => r.percentile < 100);
    const lastX = finite.length ? 1 / (1 - finite[finite.length - 1].percentile / 100) : 1;
    for (const r of rs)
      values.push({
        series,
        percentile: r.percentile,
        latency_ms: Math.max(0.001, r.latency_ms),
        x: r.percentile < 100 ? 1 / (1 - r.percentile / 100) : lastX * 10,
      });
  }
  const s = sampled(values, title);
  return {
    title: s.title,
    width: 640,
    height: 280,
    data: { values: s.rows },
    mark: { type: "line", point: true, interpolate: "step-after" },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        scale: { type: "log" },
        title: "percentile",
        axis: { values: PERCENTILE_TICKS.map((p) => 1 / (1 - p / 100)), labelExpr: "datum.value <= 1 ? '0%' : format(100 - 100 / datum.value, '.6~f') + '%'" },
      },
      y: { field: "latency_ms", type: "quantitative", scale: { type: "log" }, title: "latency (ms, log)" },
      color: { field: "series", type: "nominal", title: "" },
      tooltip: [{ field: "series" }, { field: "percentile" }, { field: "latency_ms", title: "ms" }],
    },
  };
}

/**
 * Run vs run: one bar pair per percentile, three panels a row (so the chart stays under
 * MAX_CHART_WIDTH), each on its own log axis (latency spans decades; bars side by side, never stacked).
 */
export function compareChart(rows: { metric: string; run: string; value: number }[], title: string): VegaLiteSpec {
  const drawn = rows.filter((r) => r.value > 0);
  const zeros = rows.length - drawn.length;
  return {
    title: `${title} (log scales${zeros ? `; ${zeros} zero ${zeros === 1 ? "value" : "values"} not drawn` : ""})`,
    data: { values: drawn },
    facet: { field: "metric", type: "nominal", title: null, sort: null },
    columns: 3,
    spec: {
      width: 160,
      height: 180,
      mark: "bar",
      encoding: {
        x: { field: "run", type: "nominal", title: null, axis: { labels: false, ticks: false } },
        y: { field: "value", type: "quantitative", scale: { type: "log" }, stack: null, title: "ms (ops/s for throughput), log" },
        color: { field: "run", type: "nominal", title: "run", legend: { labelLimit: 400, orient: "bottom", direction: "vertical" } },
        tooltip: [{ field: "metric" }, { field: "run" }, { field: "value" }],
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}
