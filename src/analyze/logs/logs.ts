/**
 * logs(): the postmortem from system.log and debug.log.
 *
 * logs() parses every node's system.log and debug.log (./log-events.ts) into one `events` frame
 * (GC pauses, StatusLogger pools and tables, dropped messages, flushes, compactions, large
 * partitions, tombstone warnings and failures, slow and timed-out queries, startups, shutdowns,
 * exceptions) and judges them with ONE rule table (./logs-rules.ts); its chart is
 * ../../present/charts/logs.ts. The steps: logEvents() gathers, {@link logsSummary} counts,
 * logFindings() judges, {@link logsFrames} lays out the frames.
 *
 * timeline() (./timeline.ts) lines the same events up per node on one time axis; it is re-exported
 * here with the names the package has always exported from this module.
 */
import { makeReport, type Columns, type Finding, type Report, answerOrExplain } from "../../present/report";
import { helperArgs, type SourceInput } from "../../cluster/resolve";
import { asFilter, logEvents, type KindCount, type LogEvent, type LogEventKind, type LogEventsFilter, type LogEventsResult } from "./log-events";
import { LOG_EVENT_KINDS } from "../../parse/log-rules";
import { logFindings, LOG_RULES } from "./logs-rules";
import { checkClocks } from "./log-clock";
import { plural, thousands } from "../../present/plural";
import { kindsChart } from "../../present/charts/logs";

export { logEvents, type LogEvent, type LogEventKind, type LogEventsFilter } from "./log-events";
export { LOG_THRESHOLDS, LOG_RULES } from "./logs-rules";
export type { TimelineOptions, TimelineReport } from "./timeline";
/**
 * timeline() (./timeline.ts: every node's events on one time axis, with its GC logs), loaded on its first call: logs() alone
 * never needs its modules (the GC log parsers among them, ~12 ms of every logs() start, measured with node 20).
 * @example await timeline({ source: "diag/dse68" })
 */
export const timeline: typeof import("./timeline").timeline = (...args) => (require("./timeline") as typeof import("./timeline")).timeline(...args);
export { TIMELINE_LANES, COUNT_BIN_MS } from "./timeline-lanes";
export { TIMELINE_THRESHOLDS } from "./timeline-rules";
export { incidentWindow } from "./timeline-incidents";

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

/**
 * Options of {@link logs}: {@link LogEventsFilter} (source, node, kinds, from, to, ...) under the
 * name every helper's options follow (`<helper>Options`).
 * @example await logs({ kinds: "gc-pause", node: "10.0.0.12" })
 */
export type LogsOptions = LogEventsFilter;

/** The report logs() returns: frames `events`, `kinds`, `files`; chart "kinds". */
export type LogsReport = Report<"events" | "kinds" | "files"> & {
  readonly events: import("danfojs-node").DataFrame;
  readonly kinds: import("danfojs-node").DataFrame;
  readonly files: import("danfojs-node").DataFrame;
};

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
export async function logs(input?: SourceInput | LogsOptions, options?: LogsOptions): Promise<LogsReport> {
  const { source, options: o } = helperArgs("logs", input, options, "source");
  const filter: LogEventsFilter = { ...o, source };
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("logs", ["events", "kinds", "files"] as const, () => logsOf(filter));
}

/** logs() itself: gather the events, judge them, count them, build the report; logs() turns "the source has no ..." into an empty report. */
async function logsOf(filter: LogEventsFilter | SourceInput = {}): Promise<LogsReport> {
  const r = await logEvents(asFilter(filter));
  const { events } = r;
  // The findings count with the exact tallies (./log-evidence.ts): `events` may be a sample of a very large bundle.
  const findings: Finding[] = logFindings({ events, clock: checkClocks(events), clockSteps: r.clockSteps, tallies: r.tallies });
  // Exact counts over every event (./log-node.ts aggregates them as it streams; `events` may be a sample of a very large bundle).
  const kinds = r.counts
    .slice()
    .sort((a, b) => a.node.localeCompare(b.node) || LOG_EVENT_KINDS.indexOf(a.kind as LogEventKind) - LOG_EVENT_KINDS.indexOf(b.kind as LogEventKind));
  const summary = logsSummary(r);
  const nodes = summary.nodes as number;
  const total = r.totals.events;

  return makeReport({
    helper: "logs",
    title: `${r.source.name}: ${thousands(total)} log events from ${plural(r.files.length, "file")} on ${plural(nodes, "node")}`,
    source: r.source.describe(),
    summary,
    findings,
    frames: logsFrames(r, kinds),
    charts: {
      kinds: () =>
        kindsChart(
          kinds.filter((k) => k.kind !== "other"),
          r.source.name,
        ),
    },
    notes: logsNotes(r),
    previewFrame: "kinds",
  }) as LogsReport;
}

/** The notes: the parse's own, the time zone the times are read in, and why there is nothing when no log was read. */
function logsNotes(r: LogEventsResult): string[] {
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
  return notes;
}

/** The summary: what was read, and exact counts per kind and operation over every event (not only the kept sample). */
function logsSummary(r: LogEventsResult): Record<string, unknown> {
  const byKind: Record<string, number> = {};
  for (const c of r.counts) byKind[c.kind] = (byKind[c.kind] ?? 0) + c.count;
  const firsts = r.counts.map((c) => c.first).filter((t): t is number => t !== null);
  const lasts = r.counts.map((c) => c.last).filter((t): t is number => t !== null);
  const span = firsts.length ? { min: Math.min(...firsts), max: Math.max(...lasts) } : undefined;
  const nodes = [...new Set(r.counts.map((c) => c.node))];
  const ops = r.totals.operations;
  return {
    nodes: nodes.length,
    files: r.files.length,
    lines: r.files.reduce((s, f) => s + f.lines, 0),
    events: r.totals.events,
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
    ...(r.sampled ? { events_kept: r.events.length } : {}),
  };
}

/** The frames: `events` (built when first asked for), `kinds` (count per node and kind), `files` (what was read). */
function logsFrames(r: LogEventsResult, kinds: KindCount[]) {
  return {
    events: () => eventColumns(r.events),
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
  };
}
