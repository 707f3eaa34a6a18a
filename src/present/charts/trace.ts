/**
 * Vega-Lite specs for trace reports: the waterfall of one session (x = time on the session's common
 * timeline, y = node/thread, colour = stage) and, for many sessions, the duration distribution, the
 * slowest sessions and time per stage stacked. Every builder caps what it hands to Vega
 * (MAX_CHART_POINTS) and says so in the title when it cut.
 */
import { COUNT_AXIS, MAX_CHART_POINTS, distinctLabels, type VegaLiteSpec } from "../chart";
import type { TraceModel, SessionSummary } from "../../analyze/trace/trace-model";
import { STAGES, type Stage } from "../../parse/trace-stages";

/** A fixed colour per stage so charts of different reports compare. */
const STAGE_COLORS: Record<Stage, string> = {
  "parse/prepare": "#9e9e9e",
  coordinator: "#607d8b",
  "replica-read": "#3f51b5",
  memtable: "#00bcd4",
  "sstable-bloom": "#8bc34a",
  "sstable-index": "#4caf50",
  "key-cache": "#cddc39",
  "sstable-read": "#009688",
  merge: "#ff9800",
  tombstones: "#f44336",
  "read-repair": "#9c27b0",
  "speculative-retry": "#e91e63",
  commitlog: "#795548",
  "memtable-write": "#03a9f4",
  hint: "#ffc107",
  "message-send": "#2196f3",
  "message-receive": "#673ab7",
  response: "#1a237e",
  other: "#000000",
};
const stageScale = { domain: [...STAGES], range: STAGES.map((s) => STAGE_COLORS[s]) };

/** The stage colour channel: fixed colours, and a legend that lists only the stages drawn. */
function stageColor(drawn: Iterable<unknown>): Record<string, unknown> {
  const present = new Set([...drawn].map(String));
  return { field: "stage", type: "nominal", scale: stageScale, title: "stage", legend: { values: STAGES.filter((s) => present.has(s)) } };
}

/** Session ids shortened to 8 characters, or to their full text where two would look the same. */
function sessionLabels(ids: string[]): Map<string, string> {
  const short = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id.slice(0, 8), (seen.get(id.slice(0, 8)) ?? 0) + 1);
  for (const id of ids) short.set(id, (seen.get(id.slice(0, 8)) ?? 0) > 1 ? id : id.slice(0, 8));
  return short;
}

/** Log-spaced edges (1-2-5 steps) covering [lo, hi] ms. */
function logEdges(lo: number, hi: number): number[] {
  const edges: number[] = [];
  let d = 10 ** Math.floor(Math.log10(Math.max(lo, 0.001)));
  while (edges.length < 60) {
    for (const k of [1, 2, 5]) {
      const e = k * d;
      if (e <= Math.max(lo, 0.001) && edges.length) edges.length = 0;
      edges.push(e);
      if (e > hi) return edges;
    }
    d *= 10;
  }
  return edges;
}

/** Waterfall of one session. */
export function waterfallSpec(m: TraceModel, sessionId: string): VegaLiteSpec {
  const b = m.src;
  const rows: Record<string, unknown>[] = [];
  for (let j = 0; j < m.order.length; j++) {
    const i = m.order[j];
    if (b.session[i] !== sessionId) continue;
    const d = m.deltaUs[i];
    const end = m.tUs[i] / 1000;
    const start = Number.isNaN(d) || d < 0 ? end : end - d / 1000;
    rows.push({
      lane: `${b.node[i]}${m.role[i] === "coordinator" ? " (coord)" : ""} ${b.thread[i]}`,
      start_ms: start,
      end_ms: end,
      stage: m.stage[i],
      activity: b.activity[i],
      delta_ms: Number.isNaN(d) ? null : d / 1000,
    });
  }
  // Lanes grouped by node, the coordinator's first; long lanes cut in the middle so the thread's number stays readable.
  const full = [...new Set(rows.map((r) => r.lane as string))].sort(
    (a, b) => Number(!a.includes("(coord)")) - Number(!b.includes("(coord)")) || a.localeCompare(b, "en", { numeric: true }),
  );
  const short = distinctLabels(full, 44);
  for (const r of rows) r.lane = short.get(r.lane as string);
  const lanes = full.map((l) => short.get(l)!);
  let title = `Trace ${sessionId.slice(0, 8)}: where the time went (x = ms since start, bars = time leading to each event)`;
  let data = rows;
  if (rows.length > MAX_CHART_POINTS) {
    data = rows
      .slice()
      .sort((a, b) => (b.delta_ms as number) - (a.delta_ms as number))
      .slice(0, MAX_CHART_POINTS);
    title += ` — the ${MAX_CHART_POINTS} longest of ${rows.length} events`;
  }
  return {
    title,
    width: 640,
    height: { step: 18 },
    data: { values: data },
    layer: [
      {
        mark: { type: "bar", height: 12, minWidth: 1 } as any,
        encoding: {
          x: { field: "start_ms", type: "quantitative", title: "ms since the session started" },
          x2: { field: "end_ms" },
          y: { field: "lane", type: "nominal", title: "node / thread", sort: lanes, axis: { labelLimit: 420 } },
          color: stageColor(data.map((r) => r.stage)),
          tooltip: [{ field: "activity" }, { field: "stage" }, { field: "delta_ms", title: "ms" }, { field: "end_ms", title: "at ms" }],
        },
      },
      {
        mark: { type: "tick", thickness: 1, color: "#333" },
        encoding: { x: { field: "end_ms", type: "quantitative" }, y: { field: "lane", type: "nominal", sort: lanes } },
      },
    ],
  };
}

/**
 * Duration distribution in log-spaced bins (1-2-5 ms steps): latency spans decades. Pre-binned so
 * any number of sessions plots as a few bars; empty bins between the fastest and slowest stay.
 */
export function durationsSpec(sessions: SessionSummary[]): VegaLiteSpec {
  const d = sessions.map((s) => s.duration_us / 1000).filter((x) => Number.isFinite(x) && x >= 0);
  const lo = d.reduce((m, x) => Math.min(m, x), Infinity);
  const hi = d.reduce((m, x) => Math.max(m, x), 0);
  const edges = d.length ? logEdges(lo, hi) : [0, 1];
  const counts = new Array(edges.length - 1).fill(0);
  for (const x of d) {
    let b = 0;
    while (b < counts.length - 1 && x >= edges[b + 1]) b++;
    counts[b]++;
  }
  const label = (k: number) => `${edges[k]}–${edges[k + 1]}`;
  return {
    title: `Session durations (${d.length} sessions, log-spaced bins)`,
    width: 560,
    height: 220,
    data: { values: counts.map((c, k) => ({ bin: label(k), from_ms: edges[k], to_ms: edges[k + 1], sessions: c })) },
    mark: "bar",
    encoding: {
      x: { field: "bin", type: "ordinal", sort: counts.map((_, k) => label(k)), title: "duration (ms, log-spaced bins)", axis: { labelAngle: 0 } },
      y: { field: "sessions", type: "quantitative", title: "sessions", axis: COUNT_AXIS },
      tooltip: [{ field: "bin", title: "ms" }, { field: "sessions" }],
    },
  };
}

const TOP = 20;
/** The slowest sessions. */
export function slowestSpec(sessions: SessionSummary[]): VegaLiteSpec {
  const top = sessions
    .slice()
    .sort((a, b) => b.duration_us - a.duration_us)
    .slice(0, TOP);
  const ids = sessionLabels(top.map((s) => s.session_id));
  return {
    title: `The ${top.length} slowest of ${sessions.length} sessions (log scale)`,
    width: 560,
    height: { step: 16 },
    data: {
      values: top
        .filter((s) => s.duration_us > 0)
        .map((s) => ({ session: ids.get(s.session_id), duration_ms: s.duration_us / 1000, coordinator: s.coordinator, query: s.query })),
    },
    mark: "bar",
    encoding: {
      y: { field: "session", type: "nominal", sort: "-x", title: "session" },
      x: { field: "duration_ms", type: "quantitative", scale: { type: "log" }, stack: null, title: "duration (ms, log)" },
      tooltip: [{ field: "query" }, { field: "coordinator" }, { field: "duration_ms" }],
    },
  };
}

/** Time per stage, stacked, for the slowest sessions. */
export function stagesSpec(sessions: SessionSummary[]): VegaLiteSpec {
  const top = sessions
    .slice()
    .sort((a, b) => b.duration_us - a.duration_us)
    .slice(0, TOP);
  const values: Record<string, unknown>[] = [];
  const ids = sessionLabels(top.map((s) => s.session_id));
  for (const s of top) for (const [stage, us] of Object.entries(s.stage_us)) if (us) values.push({ session: ids.get(s.session_id), stage, ms: us / 1000 });
  return {
    title: `Time per stage, summed over nodes and threads (${top.length} slowest of ${sessions.length} sessions)`,
    width: 560,
    height: { step: 16 },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "session", type: "nominal", sort: { field: "ms", op: "sum", order: "descending" }, title: "session" },
      // Stacked, so linear: stacked heights on a log axis would lie.
      x: { field: "ms", type: "quantitative", stack: "zero", title: "ms (all nodes and threads)" },
      color: stageColor(values.map((v) => v.stage)),
      tooltip: [{ field: "stage" }, { field: "ms" }],
    },
  };
}

/** Two reports' time per stage side by side. */
export function compareSpec(rows: { stage: string; a_ms: number; b_ms: number }[], labels: [string, string]): VegaLiteSpec {
  const all = rows.flatMap((r) => [
    { stage: r.stage, which: labels[0], ms: r.a_ms },
    { stage: r.stage, which: labels[1], ms: r.b_ms },
  ]);
  // Side by side (not stacked) on a log axis, where a 0 has no place: zeros are left out and counted in the title.
  const values = all.filter((v) => v.ms > 0);
  const zeros = all.length - values.length;
  return {
    title: `Time per stage: ${labels[0]} vs ${labels[1]} (mean per session, log scale${zeros ? `; ${zeros} zero ${zeros === 1 ? "value" : "values"} not drawn` : ""})`,
    width: 520,
    height: { step: 12 },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "stage", type: "nominal", title: "stage" },
      yOffset: { field: "which" },
      x: { field: "ms", type: "quantitative", scale: { type: "log" }, stack: null, title: "ms per session (log)" },
      color: { field: "which", type: "nominal", title: "" },
    },
  };
}
