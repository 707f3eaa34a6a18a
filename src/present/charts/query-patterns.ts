/**
 * Vega-Lite spec of queryPatterns(): the most frequent query patterns as bars, coloured by where
 * they were seen (slow-query log, tombstone warning, trace). Patterns are cut in the middle so
 * their table and WHERE columns both show, and two patterns never share a label.
 */
import { COUNT_AXIS, distinctLabels, type VegaLiteSpec } from "../chart";

/** The bars chart of the first 15 patterns (rows sorted by count, most frequent first). */
export function patternsSpec(rows: readonly { pattern: string; count: number; sources: string }[]): VegaLiteSpec {
  const top = rows.slice(0, 15);
  const labels = distinctLabels(
    top.map((r) => r.pattern),
    80,
  );
  return {
    title: `Most frequent query patterns (top ${top.length})`,
    width: 480,
    height: Math.max(60, 20 * top.length),
    data: { values: top.map((r) => ({ pattern: labels.get(r.pattern), count: r.count, sources: r.sources })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "pattern", type: "nominal", sort: "-x", title: null, axis: { labelLimit: 720 } },
      x: { field: "count", type: "quantitative", axis: COUNT_AXIS },
      color: { field: "sources", type: "nominal" },
    },
  };
}
