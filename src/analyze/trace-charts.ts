/**
 * Vega-Lite specs for trace reports: the waterfall of one session (x = time on the session's common
 * timeline, y = node/thread, colour = stage) and, for many sessions, the duration distribution, the
 * slowest sessions and time per stage stacked. Every builder caps what it hands to Vega
 * (MAX_CHART_POINTS) and says so in the title when it cut.
 */
import { MAX_CHART_POINTS, type VegaLiteSpec } from "../present/charts";
import type { TraceModel, SessionSummary } from "./trace-model";
import { STAGES, type Stage } from "./trace-stages";

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
    rows.push({ lane: `${b.node[i]}${m.role[i] === "coordinator" ? " (coord)" : ""} ${b.thread[i]}`, start_ms: start, end_ms: end, stage: m.stage[i], activity: b.activity[i], delta_ms: Number.isNaN(d) ? null : d / 1000 });
  }
  // Lanes grouped by node, the coordinator's first.
  const lanes = [...new Set(rows.map((r) => r.lane as string))].sort((a, b) => Number(!a.includes("(coord)")) - Number(!b.includes("(coord)")) || a.localeCompare(b));
  let title = `Trace ${sessionId.slice(0, 8)}: where the time went (x = ms since start, bars = time leading to each event)`;
  let data = rows;
  if (rows.length > MAX_CHART_POINTS) {
    data = rows.slice().sort((a, b) => (b.delta_ms as number) - (a.delta_ms as number)).slice(0, MAX_CHART_POINTS);
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
          y: { field: "lane", type: "nominal", title: "node / thread", sort: lanes, axis: { labelLimit: 320 } },
          color: { field: "stage", type: "nominal", scale: stageScale, title: "stage" },
          tooltip: [{ field: "activity" }, { field: "stage" }, { field: "delta_ms", title: "ms" }, { field: "end_ms", title: "at ms" }],
        },
      },
      { mark: { type: "tick", thickness: 1, color: "#333" }, encoding: { x: { field: "end_ms", type: "quantitative" }, y: { field: "lane", type: "nominal", sort: lanes } } },
    ],
  };
}

/** Duration distribution (pre-binned so any number of sessions plots as ≤ 40 bars). */
export function durationsSpec(sessions: SessionSummary[]): VegaLiteSpec {
  const d = sessions.map((s) => s.duration_us / 1000).filter((x) => Number.isFinite(x));
  const max = d.reduce((m, x) => Math.max(m, x), 0) || 1;
  const bins = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(d.length))));
  const width = max / bins || 1;
  const counts = new Array(bins).fill(0);
  for (const x of d) counts[Math.min(bins - 1, Math.floor(x / width))]++;
  return {
    title: `Session durations (${d.length} sessions, ${bins} bins of ${width.toFixed(2)} ms)`,
    width: 560,
    height: 220,
    data: { values: counts.map((c, k) => ({ from_ms: k * width, to_ms: (k + 1) * width, sessions: c })) },
    mark: "bar",
    encoding: {
      x: { field: "from_ms", type: "quantitative", bin: { binned: true }, title: "duration (ms)" },
      x2: { field: "to_ms" },
      y: { field: "sessions", type: "quantitative", title: "sessions" },
    },
  };
}

const TOP = 20;
/** The slowest sessions. */
export function slowestSpec(sessions: SessionSummary[]): VegaLiteSpec {
  const top = sessions.slice().sort((a, b) => b.duration_us - a.duration_us).slice(0, TOP);
  return {
    title: `The ${top.length} slowest of ${sessions.length} sessions`,
    width: 560,
    height: { step: 16 },
    data: { values: top.map((s) => ({ session: s.session_id.slice(0, 8), duration_ms: s.duration_us / 1000, coordinator: s.coordinator, query: s.query })) },
    mark: "bar",
    encoding: {
      y: { field: "session", type: "nominal", sort: "-x", title: "session" },
      x: { field: "duration_ms", type: "quantitative", title: "duration (ms)" },
      tooltip: [{ field: "query" }, { field: "coordinator" }, { field: "duration_ms" }],
    },
  };
}

/** Time per stage, stacked, for the slowest sessions. */
export function stagesSpec(sessions: SessionSummary[]): VegaLiteSpec {
  const top = sessions.slice().sort((a, b) => b.duration_us - a.duration_us).slice(0, TOP);
  const values: Record<string, unknown>[] = [];
  for (const s of top) for (const [stage, us] of Object.entries(s.stage_us)) if (us) values.push({ session: s.session_id.slice(0, 8), stage, ms: us / 1000 });
  return {
    title: `Time per stage, summed over nodes and threads (${top.length} slowest of ${sessions.length} sessions)`,
    width: 560,
    height: { step: 16 },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "session", type: "nominal", sort: { field: "ms", op: "sum", order: "descending" }, title: "session" },
      x: { field: "ms", type: "quantitative", stack: "zero", title: "ms (all nodes and threads)" },
      color: { field: "stage", type: "nominal", scale: stageScale, title: "stage" },
      tooltip: [{ field: "stage" }, { field: "ms" }],
    },
  };
}

/** Two reports' time per stage side by side. */
export function compareSpec(rows: { stage: string; a_ms: number; b_ms: number }[], labels: [string, string]): VegaLiteSpec {
  const values = rows.flatMap((r) => [
    { stage: r.stage, which: labels[0], ms: r.a_ms },
    { stage: r.stage, which: labels[1], ms: r.b_ms },
  ]);
  return {
    title: `Time per stage: ${labels[0]} vs ${labels[1]} (mean per session)`,
    width: 520,
    height: { step: 12 },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "stage", type: "nominal", title: "stage" },
      yOffset: { field: "which" },
      x: { field: "ms", type: "quantitative", title: "ms per session" },
      color: { field: "which", type: "nominal", title: "" },
    },
  };
}
