/**
 * Vega-Lite spec of timeline()'s chart: one row per lane (GC pauses, dropped messages, pending
 * work, flushes + compactions, warnings, slow queries, latency), colour = node, on one UTC time
 * axis, with a drag-to-zoom interval bound to the scales; optionally opened on an incident window.
 */
import { distinctLabels, utcTimeAxis, type VegaLiteSpec } from "../chart";
import type { DrawnPoint, Lane } from "../../analyze/logs/timeline-lanes";

/** A time in ms as ISO-8601 UTC (null stays null), as the timeline frames carry it. */
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The faceted timeline of `points` over `lanes`; zoomed to `incident` when given (only the points inside it). */
export function timelineSpec(points: DrawnPoint[], lanes: Lane[], title: string, incident?: { from: number; to: number }): VegaLiteSpec {
  // Long client names ("client (bench writes-2026-12-02T13-43-59Z)") cut in the middle, so two runs stay apart in the legend.
  const names = distinctLabels(
    points.map((p) => p.node),
    32,
  );
  // Zoomed: only the points inside the window (points millions of pixels off the plot crash the PNG renderer, resvg).
  if (incident) points = points.filter((p) => p.t >= incident.from && p.t <= incident.to);
  const from = incident?.from ?? Math.min(...points.map((p) => p.t));
  const to = incident?.to ?? Math.max(...points.map((p) => p.t));
  const { title: xTitle, ...x } = utcTimeAxis([from, to]);
  const xScale = { ...(x.scale as object), ...(incident ? { domain: [iso(incident.from), iso(incident.to)] } : {}) };
  return {
    // The title's clauses as a subtitle: one long line is cut by the renderer.
    title: { text: title.split(" — ")[0], subtitle: title.split(" — ").slice(1).join(" — ").split("; "), fontSize: 13 },
    data: {
      values: points.map((p) => ({ node: names.get(p.node), lane: p.lane, time: new Date(p.t).toISOString(), value: p.value, events: p.n, label: p.label })),
    },
    facet: { row: { field: "lane", type: "nominal", sort: lanes, title: null, header: { labelAngle: 0, labelAlign: "left", labelFontSize: 11 } } },
    spec: {
      width: 720,
      height: 70,
      params: [{ name: "zoom", select: { type: "interval", encodings: ["x"] }, bind: "scales" }],
      mark: { type: "point", filled: true, size: 36, opacity: 0.8, clip: true },
      encoding: {
        x: { field: "time", type: "temporal", title: xTitle, ...x, scale: xScale },
        // Whole-number ticks: most lanes are counts, and ms lanes reach tens or thousands.
        y: { field: "value", type: "quantitative", title: null, scale: { zero: true }, axis: { tickMinStep: 1, format: ",d" } },
        color: { field: "node", type: "nominal", title: "node", legend: { labelLimit: 300 } },
        tooltip: [
          { field: "node" },
          { field: "lane" },
          { field: "time", type: "temporal", format: "%Y-%m-%d %H:%M:%S", formatType: "utc" },
          { field: "value", format: "," },
          { field: "events" },
          { field: "label" },
        ],
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}
