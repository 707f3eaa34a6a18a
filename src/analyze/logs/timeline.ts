/**
 * timeline(): the events of logs() lined up per node on one time axis, lane by lane (GC pauses from
 * the GC logs through gcStats() when the source has them, else GCInspector; dropped messages;
 * pending thread-pool work; flushes and compactions; warnings; slow queries; request latency from
 * trace sessions or bench runs when the source has them), aggregated to at most MAX_CHART_POINTS
 * points, with a drag-to-zoom interval bound to the scales. Its summary names the busiest windows
 * and what happened around each GC pause, slow query or latency spike; clocks that disagree across
 * nodes are reported, since they would misalign the picture.
 *
 * The steps: {@link lanePoints} gathers (through the Source), ./timeline-lanes.ts bins,
 * ./timeline-incidents.ts explains, ./timeline-rules.ts judges, ../../present/charts/timeline.ts draws.
 */
import { makeReport, type Report, answerOrExplain } from "../../present/report";
import { helperArgs, type SourceInput } from "../../cluster/resolve";
import type { Source } from "../../cluster/source";
import { gcStats } from "../gc/gc-stats";
import { asFilter, logEvents, type LogEvent, type LogEventKind, type LogEventsFilter, type LogEventsResult } from "./log-events";
import { checkClocks } from "./log-clock";
import { latencyPoints } from "./log-latency";
import { extent } from "../../statistics/extent";
import { parseUtc } from "../../parse/utc-time";
import { inflect, plural } from "../../present/plural";
import { timelineSpec } from "../../present/charts/timeline";
import { binPoints, COUNT_BIN_MS, dumpKey, iso, TIMELINE_LANES, type DrawnPoint, type Lane, type LanePoint } from "./timeline-lanes";
import { busiestWindows, coincide, incidentWindow, type BusyWindow, type Coincidence } from "./timeline-incidents";
import { TIMELINE_THRESHOLDS, timelineFindings } from "./timeline-rules";

/** timeline() options. */
export interface TimelineOptions extends LogEventsFilter {
  /**
   * Width of a time bin in milliseconds. Default: none when every point fits in MAX_CHART_POINTS,
   * else the smallest round width (1 s, 5 s, ... 1 day) that fits.
   */
  bin?: number;
  /** Use gcStats() on the source's GC logs for the GC lane (default true); GCInspector lines otherwise. */
  gcLogs?: boolean;
  /** Events within this distance of a GC pause or slow query are said to coincide with it (default 10 s). */
  coincideMs?: number;
}

/** The report timeline() returns: frames `points`, `windows`, `coincidences`; chart "timeline". */
export type TimelineReport = Report<"points" | "windows" | "coincidences"> & {
  readonly points: import("danfojs-node").DataFrame;
  readonly windows: import("danfojs-node").DataFrame;
  readonly coincidences: import("danfojs-node").DataFrame;
};

/**
 * One time axis per node for a postmortem: GC pauses (GC logs via gcStats(), else GCInspector),
 * dropped messages, pending thread-pool work (StatusLogger), flushes + compactions, warnings
 * (tombstones, large partitions, exceptions), slow/timed-out queries and, when the source has
 * them, request latency (trace sessions, bench runs), as lanes of one chart
 * faceted by lane (color = node). Drag on the chart to zoom (an interval bound to the scales).
 *
 * @param opts everything {@link logs} takes (`source`, `node`, `from`, `to`, `date`, ...) plus
 *   `bin` (ms per bin; default: none unless needed to stay under MAX_CHART_POINTS), `gcLogs`
 *   (default true) and `coincideMs` (default 10 s).
 * @returns a report: frame `points` (node, lane, time, value, events, label — what the chart
 *   draws), `windows` (the busiest windows), `coincidences` (what happened around each GC pause
 *   and slow query); chart "timeline"; findings: clock checks. A source or a path alone is
 *   shorthand for `{ source }`.
 * @example
 * const t = await timeline({ source: "datasets/lab-3node" });
 * t.summary.busiest
 * await t.chart().toPNG()
 */
export async function timeline(input?: SourceInput | TimelineOptions, opts?: TimelineOptions): Promise<TimelineReport> {
  // The calling rule (../../cluster/resolve.ts helperArgs): the source first (or a path), options second or alone.
  const { source, options: o } = helperArgs("timeline", input, opts, "source");
  const options: TimelineOptions = { ...o, source };
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("timeline", ["points", "windows", "coincidences"] as const, () => timelineOf(options));
}

/** timeline() itself: gather the lane points, bin them, explain and judge, then build the report. */
async function timelineOf(options: TimelineOptions | SourceInput = {}): Promise<TimelineReport> {
  const opts: TimelineOptions = asFilter(options);
  const r = await logEvents(opts);
  const events = r.events;
  const notes = [...r.notes];
  const { points, nodesWithGcLog } = await lanePoints(r, opts, notes);

  // Aggregate: never more than MAX_CHART_POINTS points.
  const { bin, capped } = binPoints(points, opts.bin, notes);

  // Busiest windows and coincidences.
  const windowMs = bin ?? 60_000;
  const windows = busiestWindows(events, windowMs, TIMELINE_THRESHOLDS.BUSIEST_WINDOWS.value);
  const coincidences = coincide(events, points, opts.coincideMs ?? TIMELINE_THRESHOLDS.COINCIDE_MS.value);

  const findings = timelineFindings({ clock: checkClocks(events), clockSteps: r.clockSteps });
  if (!findings.length && new Set(events.map((e) => e.node)).size > 1)
    notes.push("Clocks: no gossip event contradicts another node's clock (UP/DOWN seen after the peer's own start/shutdown), and no file steps back in time.");
  if (!points.length)
    notes.push(`${r.source.describe()}: no dated GC pause, dropped message, StatusLogger dump, flush, compaction, warning or slow query to draw.`);

  const lanesPresent = TIMELINE_LANES.map((l) => l.lane).filter((l) => points.some((p) => p.lane === l));
  const incident = incidentWindow(coincidences.map((c) => Date.parse(c.time)).filter(Number.isFinite));
  const head = timelineHeading(r, events, points, capped, bin, incident);

  const summary: Record<string, unknown> = {
    nodes: head.nodes,
    ...(head.clients ? { clients: head.clients } : {}),
    lanes: lanesPresent,
    events: points.length,
    points: capped.length,
    bin_ms: bin ?? null,
    first: points.length ? iso(points[0].t) : null,
    last: points.length ? iso(points[points.length - 1].t) : null,
    gc_source: nodesWithGcLog.size ? `GC logs (gcStats) for ${[...nodesWithGcLog].join(", ")}` : "GCInspector lines",
    busiest: windows.slice(0, 3).map((w) => `${w.node} ${w.start.slice(0, 19).replace("T", " ")}: ${w.what}`),
    coincidences: coincidences.slice(0, 5).map((c) => `${c.node} ${String(c.time).slice(0, 19).replace("T", " ")} ${c.spike} — with ${c.nearby}`),
    clock_findings: findings.length,
  };

  return makeReport({
    helper: "timeline",
    title: head.title,
    source: r.source.describe(),
    summary,
    findings,
    frames: timelineFrames(capped, windows, coincidences),
    // "timeline" opens on the incident; "timeline-all" is the whole recording (only when they differ).
    charts: {
      timeline: () => timelineSpec(capped, lanesPresent, head.title, incident),
      ...(incident ? { "timeline-all": () => timelineSpec(capped, lanesPresent, head.title.replace(head.zoomText, "; drag to zoom")) } : {}),
    },
    notes,
    previewFrame: "windows",
  }) as TimelineReport;
}

/** The report's title, the zoom clause in it, and the counts of nodes and clients (bench runs) on the chart. */
function timelineHeading(
  r: LogEventsResult,
  events: LogEvent[],
  points: LanePoint[],
  capped: DrawnPoint[],
  bin: number | undefined,
  incident: { from: number; to: number; count: number } | undefined,
): { title: string; zoomText: string; nodes: number; clients: number } {
  // Lanes of clients (bench runs: "client (bench …)") are not nodes of the cluster: counted apart.
  const lanesOf = [...new Set(events.map((e) => e.node).concat(points.map((p) => p.node)))].sort();
  const nodes = lanesOf.filter((n) => !isClientLane(n));
  const clients = lanesOf.length - nodes.length;
  const binText = bin ? `binned to ${humanMs(bin)} (max or sum per bin)` : `every event; counts per ${humanMs(COUNT_BIN_MS)}`;
  const zoomText = incident
    ? `; zoomed to the incident ${iso(incident.from)!.slice(0, 16).replace("T", " ")}–${iso(incident.to)!.slice(11, 16)} UTC (${plural(incident.count, "coincidence")}, chart("timeline-all") shows the whole recording)`
    : "";
  const title = `${r.source.name}: timeline of ${plural(nodes.length, "node")}${clients ? ` and ${plural(clients, "client")}` : ""} — ${points.length.toLocaleString("en-US")} events as ${capped.length.toLocaleString("en-US")} points, ${binText}${zoomText || "; drag to zoom"}`;
  return { title, zoomText, nodes: nodes.length, clients };
}

/** The frames: the points drawn, the busiest windows, the coincidences. */
function timelineFrames(capped: DrawnPoint[], windows: BusyWindow[], coincidences: Coincidence[]) {
  return {
    points: {
      node: capped.map((p) => p.node),
      lane: capped.map((p) => p.lane),
      time: capped.map((p) => iso(p.t)),
      value: capped.map((p) => p.value),
      events: capped.map((p) => p.n),
      label: capped.map((p) => p.label),
    },
    windows: {
      node: windows.map((w) => w.node),
      start: windows.map((w) => w.start),
      end: windows.map((w) => w.end),
      events: windows.map((w) => w.events),
      what: windows.map((w) => w.what),
    },
    coincidences: {
      node: coincidences.map((c) => c.node),
      time: coincidences.map((c) => c.time),
      spike: coincidences.map((c) => c.spike),
      nearby: coincidences.map((c) => c.nearby),
    },
  };
}

/**
 * Every lane point of the source inside the window asked for, sorted by time: GC-log pauses
 * (gcStats) first, then the log events, the latency points, the StatusLogger dumps (this order
 * breaks ties in time, so the chart's points are always in the same order).
 */
async function lanePoints(r: LogEventsResult, opts: TimelineOptions, notes: string[]): Promise<{ points: LanePoint[]; nodesWithGcLog: Set<string> }> {
  // The window asked for (logEvents() has checked both times parse).
  const fromMs = opts.from === undefined ? -Infinity : parseUtc(opts.from);
  const toMs = opts.to === undefined ? Infinity : parseUtc(opts.to);

  // GC lane: GC logs through gcStats() when it has them for a node, else GCInspector.
  const gcFromLogs = opts.gcLogs === false ? new Map<string, LanePoint[]>() : await gcLogPauses(r.source, opts, fromMs, toMs, notes);
  const points: LanePoint[] = [];
  for (const [, list] of gcFromLogs) for (const p of list) points.push(p);
  // Per node, the span the GC logs cover: GCInspector lines fill in outside it (rotated-away GC logs).
  const gcSpan = new Map<string, [number, number]>();
  for (const [node, list] of gcFromLogs) {
    const e = extent(list.map((p) => p.t));
    if (e) gcSpan.set(node, [e.min, e.max]);
  }
  points.push(...eventPoints(r.events, gcSpan));
  // Latency lane (optional): traced requests and bench runs, when the source has them.
  const latency = await latencyPoints(r.source, notes);
  for (const p of latency) if (p.t >= fromMs && p.t <= toMs) points.push({ node: p.node, lane: "latency (ms)", t: p.t, value: p.value, label: p.label });
  points.push(...statusLoggerPoints(r.events));
  points.sort((a, b) => a.t - b.t);
  return { points, nodesWithGcLog: new Set(gcFromLogs.keys()) };
}

/** The lane point of each dated event (GCInspector pauses outside the GC logs' span; one phase per flush and compaction). */
function eventPoints(events: LogEvent[], gcSpan: Map<string, [number, number]>): LanePoint[] {
  const points: LanePoint[] = [];
  const flushPhase = preferredPhase(events, "flush", ["write", "complete", "enqueue"]);
  const compactionPhase = preferredPhase(events, "compaction", ["end", "start"]);
  const table = (e: LogEvent) => `${e.keyspace ? e.keyspace + "." : ""}${e.table ?? ""}`;
  for (const e of events) {
    if (e.ts === null) continue;
    switch (e.kind) {
      case "gc-pause":
        if (!covered(gcSpan.get(e.node), e.ts))
          points.push({ node: e.node, lane: "GC pause (ms)", t: e.ts, value: e.pause_ms ?? 0, label: `GCInspector: ${e.gc ?? "GC"} ${e.pause_ms} ms` });
        break;
      case "dropped-messages":
        points.push({ node: e.node, lane: "dropped messages", t: e.ts, value: e.dropped ?? 0, label: `${e.pool} ×${e.dropped}` });
        break;
      case "flush":
        if (e.phase === flushPhase.get(e.node)) points.push({ node: e.node, lane: "flushes + compactions", t: e.ts, value: 1, label: `flush ${table(e)}` });
        break;
      case "compaction":
        if (e.phase === compactionPhase.get(e.node))
          points.push({ node: e.node, lane: "flushes + compactions", t: e.ts, value: 1, label: `compaction ${table(e)}` });
        break;
      case "tombstone-warning":
      case "tombstone-failure":
      case "large-partition":
      case "exception":
        points.push({
          node: e.node,
          lane: "warnings",
          t: e.ts,
          value: 1,
          label: `${e.kind}${e.table ? ` ${e.keyspace}.${e.table}` : ""}${e.exception ? ` ${e.exception}` : ""}`,
        });
        break;
      case "slow-query":
      case "timed-out-query":
        points.push({
          node: e.node,
          lane: "slow queries (ms)",
          t: e.ts,
          value: e.duration_ms ?? 0,
          label: `${e.kind === "slow-query" ? "slow" : "timed out"}: ${(e.query ?? "").slice(0, 80)}`,
        });
        break;
    }
  }
  return points;
}

/** StatusLogger dumps: one point per dump (node + time + thread), the sum of pending work (per-core TPC pools left out). */
function statusLoggerPoints(events: LogEvent[]): LanePoint[] {
  const dumps = new Map<string, { node: string; t: number; pending: number; top: string; topPending: number }>();
  for (const e of events) {
    if (e.ts === null || e.kind !== "statuslogger-pool") continue;
    if (!e.pool || /^TPC\/(\d+|other)\//.test(e.pool)) continue;
    const k = dumpKey(e);
    let d = dumps.get(k);
    if (!d) dumps.set(k, (d = { node: e.node, t: e.ts, pending: 0, top: "", topPending: -1 }));
    const p = typeof e.pending === "number" ? e.pending : 0;
    d.pending += p;
    if (p > d.topPending) {
      d.top = e.pool;
      d.topPending = p;
    }
  }
  return [...dumps.values()].map((d) => ({
    node: d.node,
    lane: "pending tasks (StatusLogger)" as Lane,
    t: d.t,
    value: d.pending,
    label: `StatusLogger: ${d.pending} pending (most: ${d.top} ${Math.max(0, d.topPending)})`,
  }));
}

function covered(span: [number, number] | undefined, t: number): boolean {
  return !!span && t >= span[0] && t <= span[1];
}

/** Per node, the phase used to count flushes (or compactions) once: the first of `order` the node logs. */
function preferredPhase(events: LogEvent[], kind: LogEventKind, order: string[]): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const e of events) if (e.kind === kind && e.phase) (seen.get(e.node) ?? seen.set(e.node, new Set()).get(e.node)!).add(e.phase);
  const out = new Map<string, string>();
  for (const [node, phases] of seen) out.set(node, order.find((p) => phases.has(p)) ?? order[0]);
  return out;
}

/** GC pauses from the source's GC logs via gcStats(), per node, inside [fromMs, toMs]; empty when the source has no GC log. */
async function gcLogPauses(source: Source, opts: TimelineOptions, fromMs: number, toMs: number, notes: string[]): Promise<Map<string, LanePoint[]>> {
  const out = new Map<string, LanePoint[]>();
  if (!source.files({ kind: "gc-log" }).length) return out;
  try {
    const rep = await gcStats(source, { ...(opts.node ? { node: opts.node } : {}), gcinspector: false, nodetool: false });
    let undated = 0;
    for (const p of rep.rows("pauses")) {
      if (p.origin !== undefined && p.origin !== null && p.origin !== "gc-log") continue;
      const t = typeof p.timestamp === "string" ? Date.parse(p.timestamp) : NaN;
      if (!Number.isFinite(t)) {
        undated++;
        continue;
      }
      if (t < fromMs || t > toMs) continue;
      const node = String(p.node);
      const list = out.get(node) ?? out.set(node, []).get(node)!;
      list.push({ node, lane: "GC pause (ms)", t, value: Number(p.pause_ms) || 0, label: `gc log: ${p.type ?? "pause"} ${Number(p.pause_ms).toFixed(1)} ms` });
    }
    if (undated)
      notes.push(`${undated} GC-log ${inflect(undated, "pause")} ${inflect(undated, "carries", "carry")} no date (uptime only) and are not on the timeline.`);
    if (out.size) notes.push(`GC lane: pauses from the GC logs (gcStats) for ${[...out.keys()].join(", ")}; GCInspector lines for any other node.`);
  } catch (e) {
    notes.push(`GC lane: gcStats() could not read the GC logs (${(e as Error).message}); GCInspector lines from system.log are used instead.`);
  }
  return out;
}

function humanMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** A lane of a client (a bench run's latency), not of a node. */
function isClientLane(node: string): boolean {
  return node.startsWith("client (");
}
