/**
 * Vega-Lite spec of caches() reports: each node's cache hit rates side by side (one bar per cache).
 */
import type { VegaLiteSpec } from "../chart";
import type { CacheRow } from "../../analyze/monitors/caches-rules";

/** Hit rate per node and cache; `rows` sizes the chart (every cache row), bars are those with a hit rate. */
export function hitRatesChart(rows: CacheRow[]): VegaLiteSpec {
  return {
    title: "Cache hit rate per node",
    width: 480,
    height: Math.max(60, 20 * rows.length),
    data: { values: rows.filter((r) => r.hit_rate !== null).map((r) => ({ node: r.node, cache: r.cache, hit_rate: r.hit_rate })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "node", type: "nominal", title: null },
      yOffset: { field: "cache" },
      x: { field: "hit_rate", type: "quantitative", axis: { format: "%" }, scale: { domain: [0, 1] }, title: "hit rate" },
      color: { field: "cache", type: "nominal" },
    },
  };
}
