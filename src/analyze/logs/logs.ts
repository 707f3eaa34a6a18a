/**
 * logs() and timeline(): the postmortem from system.log and debug.log.
 *
 * logs() parses every node's system.log and debug.log (./log-events.ts) into one `events` frame
 * (GC pauses, StatusLogger pools and tables, dropped messages, flushes, compactions, large
 * partitions, tombstone warnings and failures, slow and timed-out queries, startups, shutdowns,
 * exceptions) and judges them with ONE rule table (./log-findings.ts).
 *
 * timeline() lines those events up per node on one time axis, lane by lane (GC pauses from the GC
 * logs through gcStats() when the source has them, else GCInspector; dropped messages; pending
 * thread-pool work; flushes and compactions; warnings; slow queries; request latency from trace
 * sessions or bench runs when the source has them), aggregated to at most
 * MAX_CHART_POINTS points, with a drag-to-zoom interval bound to the scales. Its summary names the
 * busiest windows and what happened around each GC pause, slow query or latency spike; clocks that disagree
 * across nodes are reported, since they would misalign the picture.
 */
import { makeReport, type Columns, type Finding, type Report, answerOrExplain } from "../../present/report";
import { COUNT_AXIS, MAX_CHART_POINTS, distinctLabels, utcTimeAxis, type VegaLiteSpec } from "../../present/chart";
import { helperArgs, isSource, type SourceInput } from "../../cluster/resolve";
import type { Source } from "../../cluster/source";
import { gcStats } from "../gc/gc-stats";
import { logEvents, type LogEvent, type LogEventKind, type LogEventsFilter } from "./log-events";
import { LOG_EVENT_KINDS } from "../../parse/log-rules";
import { logFindings, LOG_RULES } from "./log-findings";
import { checkClocks } from "./log-clock";
import { latencyPoints } from "./log-latency";
import { extent } from "../../statistics/extent";
import { parseUtc } from "../../parse/utc-time";
import { inflect, plural } from "../../present/plural";

export { logEvents, type LogEvent, type LogEventKind, type LogEventsFilter } from "./log-events";
export { LOG_THRESHOLDS, LOG_RULES } from "./log-findings";

/** Columns of the `events` frame, in order. */
export const EVENT_COLUMNS = [
  "node",
  "time",
  "level",
  "thread",
  "source",
  "kind",
  "pause_ms",
  "gc",
  "pool",
  "active",
  "pending",
  "blocked",
  "all_time_blocked",
  "dump",
  "dropped",
  "bytes",
  "phase",
  "operation",
  "keyspace",
  "table",
  "partition_key",
  "partition_bytes",
  "live_rows",
  "tombstones",
  "query",
  "duration_ms",
  "exception",
  "message",
  "file",
  "line",
] as const;

/** The report logs() returns: frames `events`, `kinds`, `files`; chart "kinds". */
export type LogsReport = Report<"events" | "kinds" | "files"> & {
  readonly events: import("danfojs-node").DataFrame;
  readonly kinds: import("danfojs-node").DataFrame;
  readonly files: import("danfojs-node").DataFrame;
};

/** A filter from what the user passed: a filter object, or a source / path (shorthand for { source }). */
function asFilter<F extends LogEventsFilter>(v: F | SourceInput): F {
  if (v === undefined || v === null) return {} as F;
  if (typeof v === "string" || isSource(v)) return { source: v } as F;
  return v as F;
}

/** The StatusLogger dump a pool/table row belongs to (node, file and the dump's header line). */
const dumpKey = (e: LogEvent) => `${e.node}|${e.file}|${e.dump ?? e.line}`;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** Events to columns (one pass, no intermediate row objects). */
export function eventColumns(events: LogEvent[]): Columns {
  const out: Columns = {};
  for (const c of EVENT_COLUMNS) out[c] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as unknown as Record<string, unknown>;
    for (const c of EVENT_COLUMNS) {
      if (c === "time") out.time[i] = iso(events[i].ts);
      else {
        const v = e[c];
        out[c][i] = v === undefined ? null : v;
      }
    }
  }
  return out;
}

/**
 * Parse every system.log and debug.log of a source and judge them.
 *
 * @param filter what to read (all optional): `source` — a source or a path (bundle, dataset, loose
 *   folder of node folders, archive, or one log file), default the current source; `node`; `kinds`
 *   to keep; `logs` ("system" | "debug" | "both"); `from`/`to` (ISO-8601); `date` (YYYY-MM-DD) for
 *   console logs whose lines carry only a time of day.
 * @returns a report: frame `events` (node, time, level, thread, source, kind, pause_ms, pool,
 *   active, pending, blocked, dropped, bytes, keyspace, table, partition_key, partition_bytes,
 *   live_rows, tombstones, query, duration_ms, exception, message, file, line), `kinds` (count per
 *   node and kind), `files` (what was read, layout, skipped lines); findings from LOG_RULES.
 *   The summary counts operations: `flushes` (flushes requested), `flushes_written`, `compactions`
 *   (started, or ended with the start before the log), `compactions_completed`; `by_kind` counts
 *   lines (a flush logs up to three, a compaction two).
 *   A source or a path alone is shorthand for `{ source }`.
 * @example
 * const l = await logs({ source: "datasets/lab-3node" });
 * await logs("path/to/system.log")
 * l.findings
 * l.rows("events").filter((e) => e.kind === "gc-pause")
 * await logs({ kinds: ["tombstone-warning", "large-partition"] })
 */
export async function logs(input?: SourceInput | LogEventsFilter, options?: LogEventsFilter): Promise<LogsReport> {
  const { source, options: o } = helperArgs("logs", input, options, "source");
  const filter: LogEventsFilter = { ...o, source };
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("logs", ["events", "kinds", "files"] as const, () => logsOf(filter));
}

/** logs() itself; logs() turns "the source has no ..." into an empty report. */
async function logsOf(filter: LogEventsFilter | SourceInput = {}): Promise<LogsReport> {
  const r = await logEvents(asFilter(filter));
  const { events } = r;
  const clock = checkClocks(events);
  const findings: Finding[] = logFindings({ events, clock, clockSteps: r.clockSteps });
  const notes = [
    ...r.notes,
    "Log times are read as UTC (logback writes the JVM's local time without a zone; a zone in the date or in the logback pattern, `%d{..., Europe/Paris}`, is honoured). If the nodes ran in another zone, shift by its offset.",
  ];
  if (!r.files.length) {
    // A log that is there but could not be read is not "no system.log": name it and why.
    const unread = r.source.files({ kind: "unreadable" }).filter((f) => /(^|\/)(system|debug)\.log/.test(f.rel));
    if (unread.length)
      notes.push(
        `${r.source.describe()} has no readable system.log or debug.log: ${unread.map((f) => `${f.rel} (${f.note ?? "unreadable"})`).join(", ")} could not be read.`,
      );
    else notes.push(`${r.source.describe()} has no system.log or debug.log; open a bundle with nodes/<node>/logs/cassandra/, or pass a log file.`);
  }

  // Exact counts over every event (./log-node.ts aggregates them as it streams; `events` may be a sample of a very large bundle).
  const byKind: Record<string, number> = {};
  for (const c of r.counts) byKind[c.kind] = (byKind[c.kind] ?? 0) + c.count;
  const kinds = r.counts
    .slice()
    .sort((a, b) => a.node.localeCompare(b.node) || LOG_EVENT_KINDS.indexOf(a.kind as LogEventKind) - LOG_EVENT_KINDS.indexOf(b.kind as LogEventKind));
  const firsts = r.counts.map((c) => c.first).filter((t): t is number => t !== null);
  const lasts = r.counts.map((c) => c.last).filter((t): t is number => t !== null);
  const span = firsts.length ? { min: Math.min(...firsts), max: Math.max(...lasts) } : undefined;
  const nodes = [...new Set(r.counts.map((c) => c.node))];
  const ops = r.totals.operations;
  const total = r.totals.events;

  const summary: Record<string, unknown> = {
    nodes: nodes.length,
    files: r.files.length,
    lines: r.files.reduce((s, f) => s + f.lines, 0),
    events: total,
    first: span ? iso(span.min) : null,
    last: span ? iso(span.max) : null,
    gc_pauses: byKind["gc-pause"] ?? 0,
    gc_pause_max_ms: r.totals.gcMaxMs,
    statuslogger_dumps: r.totals.dumps,
    dropped_messages: r.totals.dropped,
    // Operations, not lines (./log-operations.ts): the lines are the "flush"/"compaction" rows of `events` and by_kind.
    flushes: ops.flushes,
    flushes_written: ops.flushes_written,
    compactions: ops.compactions,
    compactions_completed: ops.compactions_completed,
    tombstone_warnings: byKind["tombstone-warning"] ?? 0,
    tombstone_failures: byKind["tombstone-failure"] ?? 0,
    large_partitions: byKind["large-partition"] ?? 0,
    slow_queries: byKind["slow-query"] ?? 0,
    timed_out_queries: byKind["timed-out-query"] ?? 0,
    exceptions: byKind.exception ?? 0,
    by_kind: byKind,
    rules: LOG_RULES.length,
    ...(r.sampled ? { events_kept: events.length } : {}),
  };

  return makeReport({
    helper: "logs",
    title: `${r.source.name}: ${total.toLocaleString("en-US")} log events from ${plural(r.files.length, "file")} on ${plural(nodes.length, "node")}`,
    source: r.source.describe(),
    summary,
    findings,
    frames: {
      events: () => eventColumns(events),
      kinds: {
        node: kinds.map((k) => k.node),
        kind: kinds.map((k) => k.kind),
        count: kinds.map((k) => k.count),
        first: kinds.map((k) => iso(k.first)),
        last: kinds.map((k) => iso(k.last)),
      },
      files: {
        node: r.files.map((f) => f.node),
        file: r.files.map((f) => f.file),
        kind: r.files.map((f) => f.kind),
        layout: r.files.map((f) => f.layout),
        lines: r.files.map((f) => f.lines),
        events: r.files.map((f) => f.events),
        skipped: r.files.map((f) => f.skipped),
        bytes: r.files.map((f) => f.bytes),
      },
    },
    charts: {
      kinds: () =>
        kindsChart(
          kinds.filter((k) => k.kind !== "other"),
          r.source.name,
        ),
    },
    notes,
    previewFrame: "kinds",
  }) as LogsReport;
}

function kindsChart(kinds: { node: string; kind: string; count: number }[], name: string): VegaLiteSpec {
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

// ---------------------------------------------------------------------------------------------
// timeline()
// ---------------------------------------------------------------------------------------------

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

/** The lanes, top to bottom, with how a bin aggregates them. */
export const TIMELINE_LANES = [
  { lane: "GC pause (ms)", agg: "max" },
  { lane: "dropped messages", agg: "sum" },
  { lane: "pending tasks (StatusLogger)", agg: "max" },
  { lane: "flushes + compactions", agg: "sum" },
  { lane: "warnings", agg: "sum" },
  { lane: "slow queries (ms)", agg: "max" },
  { lane: "latency (ms)", agg: "max" },
] as const;
type Lane = (typeof TIMELINE_LANES)[number]["lane"];

/** Thresholds of timeline()'s summary. */
export const TIMELINE_THRESHOLDS = {
  /** A GC pause at least this long is a spike to explain (Cassandra's gc_log_threshold_in_ms default). */
  GC_SPIKE_MS: {
    name: "GC_SPIKE_MS",
    value: 200,
    unit: "ms",
    source: "Cassandra's gc_log_threshold_in_ms (cassandra.yaml default 200: GC pauses over 200 ms are logged at INFO)",
  },
  /** Events this close to a spike coincide with it. */
  COINCIDE_MS: { name: "COINCIDE_MS", value: 10_000, unit: "ms", source: "choice: two StatusLogger/DroppedMessages periods (5 s each)" },
  /** A traced request or bench interval at least this slow is a latency spike to explain (histograms' READ_P99_MS). */
  LATENCY_SPIKE_MS: { name: "LATENCY_SPIKE_MS", value: 10, unit: "ms", source: "cassperf's choice: the 10 ms of histograms' READ_P99_MS" },
  /** At most this many latency spikes are explained (the slowest). */
  LATENCY_SPIKES: { name: "LATENCY_SPIKES", value: 20, unit: "spikes", source: "choice" },
  /** How many busiest windows the summary names. */
  BUSIEST_WINDOWS: { name: "BUSIEST_WINDOWS", value: 5, unit: "windows", source: "choice" },
};

/** Count lanes (dropped messages, flushes + compactions, warnings) are counted per this bin when the chart is not binned. */
export const COUNT_BIN_MS = 60_000;

const NICE_BINS = [1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 6 * 3_600_000, 86_400_000];

interface LanePoint {
  node: string;
  lane: Lane;
  t: number;
  value: number;
  label: string;
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
  const { source, options: o } = helperArgs("timeline", input, opts, "source");
  const options: TimelineOptions = { ...o, source };
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("timeline", ["points", "windows", "coincidences"] as const, () => timelineOf(options));
}

/** timeline() itself; timeline() turns "the source has no ..." into an empty report. */
async function timelineOf(options: TimelineOptions | SourceInput = {}): Promise<TimelineReport> {
  const opts: TimelineOptions = asFilter(options);
  const r = await logEvents(opts);
  const events = r.events;
  const notes = [...r.notes];
  const coincideMs = opts.coincideMs ?? TIMELINE_THRESHOLDS.COINCIDE_MS.value;
  // The window asked for (logEvents() has checked both times parse).
  const fromMs = opts.from === undefined ? -Infinity : parseUtc(opts.from);
  const toMs = opts.to === undefined ? Infinity : parseUtc(opts.to);

  // GC lane: GC logs through gcStats() when it has them for a node, else GCInspector.
  const gcFromLogs = opts.gcLogs === false ? new Map<string, LanePoint[]>() : await gcLogPauses(r.source, opts, fromMs, toMs, notes);
  const points: LanePoint[] = [];
  for (const [, list] of gcFromLogs) for (const p of list) points.push(p);
  const nodesWithGcLog = new Set(gcFromLogs.keys());
  // Per node, the span the GC logs cover: GCInspector lines fill in outside it (rotated-away GC logs).
  const gcSpan = new Map<string, [number, number]>();
  for (const [node, list] of gcFromLogs) {
    const e = extent(list.map((p) => p.t));
    if (e) gcSpan.set(node, [e.min, e.max]);
  }

  // StatusLogger dumps: one point per dump (node + time + thread), the sum of pending work.
  const dumps = new Map<string, { node: string; t: number; pending: number; top: string; topPending: number }>();
  const flushPhase = preferredPhase(events, "flush", ["write", "complete", "enqueue"]);
  const compactionPhase = preferredPhase(events, "compaction", ["end", "start"]);
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
      case "statuslogger-pool": {
        if (!e.pool || /^TPC\/(\d+|other)\//.test(e.pool)) break;
        const k = dumpKey(e);
        let d = dumps.get(k);
        if (!d) dumps.set(k, (d = { node: e.node, t: e.ts, pending: 0, top: "", topPending: -1 }));
        const p = typeof e.pending === "number" ? e.pending : 0;
        d.pending += p;
        if (p > d.topPending) {
          d.top = e.pool;
          d.topPending = p;
        }
        break;
      }
      case "flush":
        if (e.phase === flushPhase.get(e.node))
          points.push({ node: e.node, lane: "flushes + compactions", t: e.ts, value: 1, label: `flush ${e.keyspace ? e.keyspace + "." : ""}${e.table ?? ""}` });
        break;
      case "compaction":
        if (e.phase === compactionPhase.get(e.node))
          points.push({
            node: e.node,
            lane: "flushes + compactions",
            t: e.ts,
            value: 1,
            label: `compaction ${e.keyspace ? e.keyspace + "." : ""}${e.table ?? ""}`,
          });
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
  // Latency lane (optional): traced requests and bench runs, when the source has them.
  const latency = await latencyPoints(r.source, notes);
  for (const p of latency) if (p.t >= fromMs && p.t <= toMs) points.push({ node: p.node, lane: "latency (ms)", t: p.t, value: p.value, label: p.label });
  for (const d of dumps.values())
    points.push({
      node: d.node,
      lane: "pending tasks (StatusLogger)",
      t: d.t,
      value: d.pending,
      label: `StatusLogger: ${d.pending} pending (most: ${d.top} ${Math.max(0, d.topPending)})`,
    });
  points.sort((a, b) => a.t - b.t);

  // Aggregate: never more than MAX_CHART_POINTS points.
  const series = new Set(points.map((p) => `${p.node}|${p.lane}`)).size || 1;
  const span = points.length ? points[points.length - 1].t - points[0].t : 0;
  let bin = opts.bin;
  if (bin === undefined && points.length > MAX_CHART_POINTS) {
    const perSeries = Math.max(1, Math.floor(MAX_CHART_POINTS / series));
    bin = NICE_BINS.find((b) => span / b <= perSeries) ?? Math.ceil(span / perSeries);
  }
  // Count lanes are always counts per bin (per COUNT_BIN_MS when the chart is not binned): single events would all read "1".
  const countBin = bin ?? COUNT_BIN_MS;
  const isCount = (l: Lane) => TIMELINE_LANES.find((x) => x.lane === l)!.agg === "sum";
  const drawn = bin
    ? aggregate(points, bin)
    : points
        .filter((p) => !isCount(p.lane))
        .map((p) => ({ node: p.node, lane: p.lane, t: p.t, value: p.value, n: 1, label: p.label }))
        .concat(
          aggregate(
            points.filter((p) => isCount(p.lane)),
            countBin,
          ),
        )
        .sort((a, b) => a.t - b.t);
  // A too-small bin given by the user must still respect the cap.
  let capped = drawn;
  if (capped.length > MAX_CHART_POINTS) {
    capped = capped
      .slice()
      .sort((a, b) => b.value - a.value)
      .slice(0, MAX_CHART_POINTS)
      .sort((a, b) => a.t - b.t);
    notes.push(
      `The chart keeps the ${MAX_CHART_POINTS.toLocaleString("en-US")} largest of ${drawn.length.toLocaleString("en-US")} points (bin ${bin} ms is too small for the span).`,
    );
  }

  // Busiest windows and coincidences.
  const windowMs = bin ?? 60_000;
  const windows = busiestWindows(events, windowMs, TIMELINE_THRESHOLDS.BUSIEST_WINDOWS.value);
  const coincidences = coincide(events, points, coincideMs);

  const clock = checkClocks(events);
  const clockRule = LOG_RULES.find((x) => x.id === "logs.clock-skew")!;
  const findings = clockRule.check({ events, clock, clockSteps: r.clockSteps });
  if (!findings.length && new Set(events.map((e) => e.node)).size > 1)
    notes.push("Clocks: no gossip event contradicts another node's clock (UP/DOWN seen after the peer's own start/shutdown), and no file steps back in time.");
  if (!points.length)
    notes.push(`${r.source.describe()}: no dated GC pause, dropped message, StatusLogger dump, flush, compaction, warning or slow query to draw.`);

  const lanesPresent = TIMELINE_LANES.map((l) => l.lane).filter((l) => points.some((p) => p.lane === l));
  // Lanes of clients (bench runs: "client (bench …)") are not nodes of the cluster: counted apart.
  const lanesOf = [...new Set(events.map((e) => e.node).concat(points.map((p) => p.node)))].sort();
  const nodes = lanesOf.filter((n) => !isClientLane(n));
  const clients = lanesOf.length - nodes.length;
  const binText = bin ? `binned to ${humanMs(bin)} (max or sum per bin)` : `every event; counts per ${humanMs(COUNT_BIN_MS)}`;
  const incident = incidentWindow(coincidences.map((c) => Date.parse(c.time)).filter(Number.isFinite));
  const zoomText = incident
    ? `; zoomed to the incident ${iso(incident.from)!.slice(0, 16).replace("T", " ")}–${iso(incident.to)!.slice(11, 16)} UTC (${plural(incident.count, "coincidence")}, chart("timeline-all") shows the whole recording)`
    : "";
  const title = `${r.source.name}: timeline of ${plural(nodes.length, "node")}${clients ? ` and ${plural(clients, "client")}` : ""} — ${points.length.toLocaleString("en-US")} events as ${capped.length.toLocaleString("en-US")} points, ${binText}${zoomText || "; drag to zoom"}`;

  const summary: Record<string, unknown> = {
    nodes: nodes.length,
    ...(clients ? { clients } : {}),
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
    title,
    source: r.source.describe(),
    summary,
    findings,
    frames: {
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
    },
    // "timeline" opens on the incident; "timeline-all" is the whole recording (only when they differ).
    charts: {
      timeline: () => timelineSpec(capped, lanesPresent, title, incident),
      ...(incident ? { "timeline-all": () => timelineSpec(capped, lanesPresent, title.replace(zoomText, "; drag to zoom")) } : {}),
    },
    notes,
    previewFrame: "windows",
  }) as TimelineReport;
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

function aggregate(points: LanePoint[], bin: number): { node: string; lane: Lane; t: number; value: number; n: number; label: string }[] {
  const aggOf = new Map(TIMELINE_LANES.map((l) => [l.lane, l.agg] as const));
  const m = new Map<string, { node: string; lane: Lane; t: number; value: number; n: number; label: string; best: number }>();
  for (const p of points) {
    const t = Math.floor(p.t / bin) * bin;
    const k = `${p.node}|${p.lane}|${t}`;
    const g = m.get(k);
    if (!g) m.set(k, { node: p.node, lane: p.lane, t, value: p.value, n: 1, label: p.label, best: p.value });
    else {
      g.n++;
      g.value = aggOf.get(p.lane) === "sum" ? g.value + p.value : Math.max(g.value, p.value);
      if (p.value > g.best) {
        g.best = p.value;
        g.label = p.label;
      }
    }
  }
  return [...m.values()]
    .map(({ best: _b, ...rest }) => ({ ...rest, label: rest.n > 1 ? `${rest.n} events; largest: ${rest.label}` : rest.label }))
    .sort((a, b) => a.t - b.t);
}

/** The busiest windows: most notable events (not "other"; a StatusLogger dump counts once) per node and window. */
function busiestWindows(events: LogEvent[], windowMs: number, top: number): { node: string; start: string; end: string; events: number; what: string }[] {
  const m = new Map<string, { node: string; t: number; n: number; kinds: Map<string, number>; gcMax: number }>();
  const dumpSeen = new Set<string>();
  for (const e of events) {
    if (e.ts === null || e.kind === "other" || e.kind === "statuslogger-table") continue;
    if (e.kind === "statuslogger-pool") {
      const d = dumpKey(e);
      if (dumpSeen.has(d)) continue;
      dumpSeen.add(d);
    }
    const t = Math.floor(e.ts / windowMs) * windowMs;
    const k = `${e.node}|${t}`;
    let g = m.get(k);
    if (!g) m.set(k, (g = { node: e.node, t, n: 0, kinds: new Map(), gcMax: 0 }));
    g.n++;
    const name = e.kind === "statuslogger-pool" ? "StatusLogger dump" : e.kind;
    g.kinds.set(name, (g.kinds.get(name) ?? 0) + 1);
    if (e.kind === "gc-pause") g.gcMax = Math.max(g.gcMax, e.pause_ms ?? 0);
  }
  return [...m.values()]
    .sort((a, b) => b.n - a.n || a.t - b.t)
    .slice(0, top)
    .map((g) => ({
      node: g.node,
      start: new Date(g.t).toISOString(),
      end: new Date(g.t + windowMs).toISOString(),
      events: g.n,
      what: [...g.kinds]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${n} ${k}${k === "gc-pause" ? ` (max ${g.gcMax} ms)` : ""}`)
        .join(", "),
    }));
}

/** What happened on the same node within `ms` of each GC pause over GC_SPIKE_MS and each slow/timed-out query. */
function coincide(events: LogEvent[], points: LanePoint[], ms: number): { node: string; time: string; spike: string; nearby: string }[] {
  const latencySpikes = points
    .filter((p) => p.lane === "latency (ms)" && p.value >= TIMELINE_THRESHOLDS.LATENCY_SPIKE_MS.value)
    .sort((a, b) => b.value - a.value)
    .slice(0, TIMELINE_THRESHOLDS.LATENCY_SPIKES.value);
  const spikes = points
    .filter((p) => (p.lane === "GC pause (ms)" && p.value >= TIMELINE_THRESHOLDS.GC_SPIKE_MS.value) || p.lane === "slow queries (ms)")
    .concat(latencySpikes);
  if (!spikes.length) return [];
  const byNode = new Map<string, LogEvent[]>();
  for (const e of events)
    if (e.ts !== null && e.kind !== "other" && e.kind !== "statuslogger-table") (byNode.get(e.node) ?? byNode.set(e.node, []).get(e.node)!).push(e);
  const out: { node: string; time: string; spike: string; nearby: string }[] = [];
  const everyNode = [...byNode.values()].flat().sort((a, b) => a.ts! - b.ts!);
  for (const s of spikes) {
    // Client-side latency (bench) is compared with every node's events.
    const list = s.node.startsWith("client (") ? everyNode : (byNode.get(s.node) ?? []);
    const near = new Map<string, number>();
    const dumps = new Set<string>();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ts! < s.t - ms) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && list[i].ts! <= s.t + ms; i++) {
      const e = list[i];
      if (e.kind === "gc-pause" && e.ts === s.t && s.lane === "GC pause (ms)") continue;
      if ((e.kind === "slow-query" || e.kind === "timed-out-query") && e.ts === s.t && s.lane === "slow queries (ms)") continue;
      let name: string = e.kind;
      if (e.kind === "statuslogger-pool") {
        const d = dumpKey(e);
        if (dumps.has(d)) continue;
        dumps.add(d);
        name = "StatusLogger dump";
      } else if (e.kind === "dropped-messages") name = `dropped ${e.pool}`;
      else if (e.kind === "gc-pause") name = `GC ${e.pause_ms} ms`;
      near.set(name, (near.get(name) ?? 0) + 1);
    }
    if (!near.size) continue;
    out.push({
      node: s.node,
      time: new Date(s.t).toISOString(),
      spike:
        s.lane === "GC pause (ms)"
          ? `GC pause ${Math.round(s.value)} ms`
          : s.lane === "latency (ms)"
            ? `latency ${s.value.toFixed(1)} ms (${s.label.slice(0, 60)})`
            : `${s.label.startsWith("slow") ? "slow" : "timed-out"} query ${s.value} ms`,
      nearby: [...near].map(([k, n]) => (n > 1 ? `${n}× ${k}` : k)).join(", "),
    });
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

/** How far apart two coincidences may be and still belong to one incident. */
const INCIDENT_GAP_MS = 10 * 60_000;

/**
 * The window the timeline opens on: the largest run of coincidences (each within INCIDENT_GAP_MS of
 * the previous; the latest run on a tie), widened by a fifth of its span and at least 2 minutes each
 * side. Undefined without coincidences: then the whole recording is shown.
 */
export function incidentWindow(times: number[]): { from: number; to: number; count: number } | undefined {
  if (!times.length) return undefined;
  const t = times.slice().sort((a, b) => a - b);
  let best = { lo: 0, hi: 0 };
  let lo = 0;
  for (let i = 1; i <= t.length; i++) {
    if (i === t.length || t[i] - t[i - 1] > INCIDENT_GAP_MS) {
      if (i - lo >= best.hi - best.lo + 1) best = { lo, hi: i - 1 };
      lo = i;
    }
  }
  const pad = Math.max(2 * 60_000, (t[best.hi] - t[best.lo]) / 5);
  return { from: t[best.lo] - pad, to: t[best.hi] + pad, count: best.hi - best.lo + 1 };
}

function timelineSpec(
  points: { node: string; lane: Lane; t: number; value: number; n: number; label: string }[],
  lanes: Lane[],
  title: string,
  incident?: { from: number; to: number },
): VegaLiteSpec {
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
