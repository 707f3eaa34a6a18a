/**
 * Vega-Lite specs of gcStats() reports: pauses per node on one time axis (y = the time the JVM
 * stood still, with the PAUSE_WARN_MS / PAUSE_CRITICAL_MS lines the caller passes: ../../analyze/gc/gc-rules.ts),
 * heap after GC over time, and the pause histogram in log-spaced bins. Every builder caps what it
 * hands to Vega (MAX_CHART_POINTS) and says so in the title when it sampled.
 */
import { COUNT_AXIS, MAX_CHART_POINTS, sampleForChart, utcTimeAxis, type VegaLiteSpec } from "../chart";
import type { Threshold } from "../report";
import type { PauseRow } from "../../analyze/gc/gc-rows";

function timeAxis(rows: PauseRow[]): { field: string; type: "temporal" | "quantitative"; title: string; extra: Record<string, unknown> } {
  const allStamped = rows.length > 0 && rows.every((r) => r.timestamp !== null);
  if (!allStamped) return { field: "uptime_s", type: "quantitative", title: "JVM uptime (s)", extra: {} };
  const { title, ...extra } = utcTimeAxis(rows.map((r) => r.timestamp));
  return { field: "timestamp", type: "temporal", title: String(title), extra };
}

/** A transform that leaves one row per view: threshold lines and labels drawn once. */
const ONE_ROW = [{ aggregate: [{ op: "count", as: "n" }] }];

/** What the pauses chart plots for a pause: its stopped (safepoint) time when that is longer, else the pause. */
export function plottedPauseMs(p: { pause_ms: number; stopped_ms: number | null }): number {
  return Math.max(p.pause_ms, p.stopped_ms ?? 0);
}

/**
 * Pauses per node on one shared time axis (one row per node), y = the time the JVM stood still:
 * the stopped (safepoint) time where it exceeds the pause — a 44.7 ms G1 pause that stopped the
 * JVM for 1,066 ms is drawn at 1,066 ms, with a grey line down to its 44.7 ms pause. The warning
 * and critical thresholds are labelled lines.
 */
/** The rule lines drawn on the pauses chart: the rule table's thresholds (../../analyze/gc/gc-rules.ts GC_THRESHOLDS), passed in. */
export interface PauseLines {
  PAUSE_WARN_MS: Threshold;
  PAUSE_CRITICAL_MS: Threshold;
}

export function pausesChart(all: PauseRow[], T: PauseLines): VegaLiteSpec {
  const basis = timeAxis(all.filter((p) => p.origin === "gc-log").length ? all.filter((p) => p.origin === "gc-log") : all);
  const rows = all.filter((p) => (basis.field === "timestamp" ? p.timestamp !== null : p.uptime_s !== null));
  // The tick format follows the span of every pause drawn (GCInspector lines may reach days past the GC log).
  const axis = basis.field === "timestamp" ? timeAxis(rows) : basis;
  const { rows: shown, sampled, keptAll, note } = sampleForChart(rows, MAX_CHART_POINTS, (p) => plottedPauseMs(p) >= T.PAUSE_WARN_MS.value);
  const data = shown.map((p) => ({
    node: p.node,
    [axis.field]: (p as unknown as Record<string, unknown>)[axis.field],
    stood_ms: Math.max(plottedPauseMs(p), 0.001),
    pause_ms: Math.max(p.pause_ms, 0.001),
    stopped_ms: p.stopped_ms,
    type: p.type,
    origin: p.origin,
    cause: p.cause,
  }));
  const nodes = new Set(shown.map((p) => p.node)).size;
  const longer = data.filter((d) => d.stopped_ms !== null && d.stopped_ms > d.pause_ms).length;
  const sampleText = !sampled
    ? ""
    : keptAll
      ? ` (sampled: ${shown.length.toLocaleString("en-US")} of ${rows.length.toLocaleString("en-US")} pauses shown, every pause ≥ ${T.PAUSE_WARN_MS.value} ms kept)`
      : ` (${note}: pauses ≥ ${T.PAUSE_WARN_MS.value} ms)`;
  const title = {
    text: `GC pauses per node${sampleText}`,
    subtitle: longer
      ? `y = time the JVM stood still: stopped (safepoint) time where it exceeds the pause (${longer.toLocaleString("en-US")} ${longer === 1 ? "pause" : "pauses"}, grey line down to the pause)`
      : "y = pause time (no stopped time longer than its pause)",
  };
  const x = { field: axis.field, type: axis.type, title: axis.title, ...axis.extra };
  const types = [...new Set(data.map((d) => d.type))].sort();
  const origins = [...new Set(data.map((d) => d.origin))].sort();
  const thresholds = [
    { ms: T.PAUSE_WARN_MS.value, label: `${T.PAUSE_WARN_MS.value} ms warning`, color: "#e08000", left: true },
    { ms: T.PAUSE_CRITICAL_MS.value, label: `${T.PAUSE_CRITICAL_MS.value} ms critical`, color: "#c00000", left: false },
  ];
  const layer = [
    {
      mark: { type: "point", filled: true, size: 22, opacity: 0.75 },
      encoding: {
        x,
        y: { field: "stood_ms", type: "quantitative", scale: { type: "log" }, title: "JVM stopped (ms, log)" },
        color: { field: "type", type: "nominal", title: "pause type", scale: { domain: types }, legend: { labelLimit: 240 } },
        shape: { field: "origin", type: "nominal", title: "from", scale: { domain: origins } },
        tooltip: [
          { field: "node" },
          { field: axis.field, type: axis.type, ...(axis.type === "temporal" ? { format: "%Y-%m-%d %H:%M:%S", formatType: "utc" } : {}) },
          { field: "type" },
          { field: "cause" },
          { field: "pause_ms", title: "pause ms" },
          { field: "stopped_ms", title: "stopped ms" },
        ],
      },
    },
    {
      transform: [{ filter: "datum.stopped_ms !== null && datum.stopped_ms > datum.pause_ms" }],
      mark: { type: "rule", color: "#999", strokeWidth: 1 },
      encoding: { x, y: { field: "pause_ms", type: "quantitative" }, y2: { field: "stood_ms" } },
    },
    ...thresholds.flatMap((t) => [
      // One row per view (aggregated), so each line and label is drawn once, not once per pause.
      { transform: ONE_ROW, mark: { type: "rule", strokeDash: [4, 4], color: t.color }, encoding: { y: { datum: t.ms, type: "quantitative" } } },
      {
        transform: ONE_ROW,
        mark: { type: "text", align: t.left ? "left" : "right", baseline: "alphabetic", dy: -4, fontSize: 10, color: t.color },
        encoding: { y: { datum: t.ms, type: "quantitative" }, x: { value: t.left ? 4 : 696 }, text: { value: t.label } },
      },
    ]),
  ];
  if (nodes > 1)
    return {
      title,
      data: { values: data },
      facet: { row: { field: "node", type: "nominal", title: "node" } },
      spec: { width: 700, height: 140, layer },
      resolve: { scale: { x: "shared", y: "shared" } },
    };
  return { title, width: 700, height: 260, data: { values: data }, layer };
}

export function heapChart(rows: PauseRow[]): VegaLiteSpec {
  const axis = timeAxis(rows);
  const withHeap = rows.filter((p) => p.heap_after_mb !== null && (axis.field === "timestamp" ? p.timestamp !== null : p.uptime_s !== null));
  const { rows: shown, sampled, keptAll, note } = sampleForChart(withHeap, MAX_CHART_POINTS, (p) => p.type === "full");
  const data = shown.map((p) => ({
    node: p.node,
    [axis.field]: (p as unknown as Record<string, unknown>)[axis.field],
    heap_after_mb: p.heap_after_mb,
    heap_total_mb: p.heap_total_mb,
    type: p.type,
  }));
  return {
    title: `Heap after GC${!sampled ? "" : keptAll ? ` (sampled: ${shown.length.toLocaleString("en-US")} of ${withHeap.length.toLocaleString("en-US")} pauses shown, every full GC kept)` : ` (${note}: full GCs)`}${withHeap.length === 0 ? " (no heap sizes in the evidence)" : ""}`,
    width: 700,
    height: 260,
    data: { values: data },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1, opacity: 0.8 },
        encoding: {
          x: { field: axis.field, type: axis.type, title: axis.title, ...axis.extra },
          y: { field: "heap_after_mb", type: "quantitative", title: "heap after GC (MB)" },
          color: { field: "node", type: "nominal" },
        },
      },
      {
        mark: { type: "line", strokeDash: [3, 3], strokeWidth: 1, color: "#888" },
        encoding: {
          x: { field: axis.field, type: axis.type, ...axis.extra },
          y: { field: "heap_total_mb", type: "quantitative" },
          detail: { field: "node", type: "nominal" },
        },
      },
    ],
  };
}

/** Ticks for a symlog count axis: 0 and 1-2-5 steps up to the largest count (Vega's own symlog ticks skip the small counts). */
export function countTicks(data: { count: number }[]): number[] {
  const max = data.reduce((m, d) => Math.max(m, d.count), 0);
  const out = [0];
  for (let d = 1; d <= max * 2; d *= 10) for (const k of [1, 2, 5]) if (k * d <= Math.max(1, max)) out.push(k * d);
  return out;
}

/** Log-spaced bin edges in ms (1-2-5 steps). */
const BIN_EDGES = [0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, Infinity];

/**
 * Pauses per log-spaced bin and type. Bars of the types stand side by side (never stacked: the
 * count axis is symlog, where stacked heights would lie), and empty bins between the shortest and
 * the longest pause stay on the axis so gaps show.
 */
export function histogramChart(rows: { type: string; pause_ms: number; count?: number }[]): VegaLiteSpec {
  // Aggregated here: at most (bins x types) points reach Vega whatever the number of pauses.
  // A row may stand for `count` pauses of the same type and duration (gcStats' exact durations of a large log).
  const counts = new Map<string, number>();
  let lo = Infinity;
  let hi = -Infinity;
  let total = 0;
  for (const p of rows) {
    let b = 0;
    while (b < BIN_EDGES.length - 2 && p.pause_ms >= BIN_EDGES[b + 1]) b++;
    const key = `${b}|${p.type}`;
    const n = p.count ?? 1;
    total += n;
    counts.set(key, (counts.get(key) ?? 0) + n);
    lo = Math.min(lo, b);
    hi = Math.max(hi, b);
  }
  // Edges of a second or more read as seconds ("1–2 s"), so labels stay short enough not to collide.
  const edge = (ms: number) => (ms >= 1000 ? `${ms / 1000}` : `${ms}`);
  const label = (b: number) => {
    const [a, z] = [BIN_EDGES[b], BIN_EDGES[b + 1]];
    if (z === Infinity) return `≥ ${edge(a)}${a >= 1000 ? " s" : ""}`;
    return a >= 1000 || z > 1000 ? `${a >= 1000 ? edge(a) : a / 1000}–${edge(z)} s` : `${a}–${z}`;
  };
  const order = rows.length ? BIN_EDGES.slice(lo, hi + 1).map((_, k) => label(lo + k)) : [];
  const data = [...counts].map(([k, n]) => {
    const [b, type] = k.split("|");
    return { bin: label(Number(b)), type, count: n };
  });
  const types = [...new Set(data.map((d) => d.type))].sort();
  return {
    title: `Pause histogram (${total.toLocaleString("en-US")} pauses in log-spaced bins)`,
    width: 700,
    height: 260,
    data: { values: data },
    mark: "bar",
    encoding: {
      x: {
        field: "bin",
        type: "ordinal",
        sort: order,
        scale: { domain: order },
        title: "pause (ms unless marked s, log-spaced bins)",
        axis: { labelAngle: 0 },
      },
      xOffset: { field: "type", type: "nominal", sort: types },
      y: {
        field: "count",
        type: "quantitative",
        scale: { type: "symlog" },
        stack: null,
        title: "pauses (symlog)",
        axis: { ...COUNT_AXIS, values: countTicks(data) },
      },
      color: { field: "type", type: "nominal", scale: { domain: types }, legend: { labelLimit: 240 } },
      tooltip: [{ field: "bin", title: "ms" }, { field: "type" }, { field: "count" }],
    },
  };
}
