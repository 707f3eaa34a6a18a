/**
 * Vega-Lite spec of jvm() reports: heap after GC over time per node (from the GC logs, via
 * gcStats), sampled to MAX_CHART_POINTS with UTC ticks that carry the date when the logs span days.
 */
import { sampleForChart, utcTimeAxis, type VegaLiteSpec } from "../chart";

/** One point of the heap chart: a GC-log pause's heap after GC. */
export interface HeapAfterRow {
  node: string;
  timestamp: string | null;
  heap_after_mb: number | null;
}

/** Heap after GC over time, one line per node (rows without a time stamp are not drawn). */
export function jvmHeapChart(rows: HeapAfterRow[]): VegaLiteSpec {
  const s = sampleForChart(rows.filter((h) => h.timestamp));
  return {
    title: `Heap after GC over time${s.sampled ? ` (${s.note} pauses)` : ""}`,
    width: 560,
    height: 240,
    data: { values: s.rows },
    mark: { type: "line", point: false },
    // UTC ticks that carry the date when the GC logs span days.
    encoding: {
      x: { field: "timestamp", type: "temporal", ...utcTimeAxis(s.rows.map((h) => h.timestamp)) },
      y: { field: "heap_after_mb", type: "quantitative", title: "heap after GC (MB)" },
      color: { field: "node", type: "nominal" },
    },
  };
}
