/**
 * Vega-Lite spec of logs()' chart: log events per kind and node, one bar each (symlog scale: a
 * handful of GC pauses stay visible beside thousands of flushes).
 */
import { COUNT_AXIS, type VegaLiteSpec } from "../chart";
import { LOG_EVENT_KINDS } from "../../parse/log-rules";

/** Events per kind and node ("other" left out by the caller). */
export function kindsChart(kinds: { node: string; kind: string; count: number }[], name: string): VegaLiteSpec {
  return {
    title: `${name}: log events per kind and node (${kinds.reduce((s, k) => s + k.count, 0).toLocaleString("en-US")} events, "other" left out)`,
    data: { values: kinds },
    mark: { type: "bar" },
    width: 500,
    encoding: {
      y: { field: "kind", type: "nominal", sort: LOG_EVENT_KINDS, title: null },
      x: { field: "count", type: "quantitative", scale: { type: "symlog" }, stack: null, title: "events (symlog scale)", axis: COUNT_AXIS },
      color: { field: "node", type: "nominal" },
      yOffset: { field: "node" },
      tooltip: [{ field: "node" }, { field: "kind" }, { field: "count", format: "," }],
    },
  };
}
