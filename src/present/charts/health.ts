/**
 * Vega-Lite spec of health()'s chart: how many findings each helper raised, stacked by severity
 * (red critical, orange warning, blue info).
 */
import type { VegaLiteSpec } from "../chart";
import type { Finding } from "../report";

/** Findings per helper and severity. */
export function findingsChart(ranked: Finding[]): VegaLiteSpec {
  return {
    title: "Findings per helper and severity",
    width: 420,
    height: Math.max(60, 22 * new Set(ranked.map((f) => f.helper)).size),
    data: { values: ranked.map((f) => ({ helper: f.helper, severity: f.severity })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "helper", type: "nominal", title: null },
      x: { aggregate: "count", type: "quantitative", title: "findings" },
      color: { field: "severity", type: "nominal", scale: { domain: ["critical", "warning", "info"], range: ["#d62728", "#ff7f0e", "#1f77b4"] } },
    },
  };
}
