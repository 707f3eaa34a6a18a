/**
 * THE registry of helpers: one entry per helper, `export const x = helper("x", run, { subject, needs, health })`.
 * Everything that lists helpers reads these entries (./registry.ts says who): the package's exports
 * and so the kernel's and REPL's prelude (./index.ts `export * from "./helpers"`), the helpers as
 * methods of every source and their types (`SourceHelpers`, this module's exports), health()'s steps,
 * inventory()'s capability rows and the helpers' "the source has no ..." errors (`needs`), the REPL's
 * :help line and the kernel's path completion. This module exports helpers and their types only.
 *
 * Every helper follows one calling rule, `helper(subject?, { source, ...options })`
 * (./cluster/resolve.ts helperArgs): the subject is what it is about (a table, a query, a workload),
 * or the source itself for helpers about a whole source; a path is always read as a source.
 *
 * Adding a helper: its gather function with its options and report types in ./analyze/<helper>/, its
 * rule table (./analyze/rule.ts Rule), its charts in ./present/charts/<helper>.ts, then one entry
 * here (with its `export type` line): nothing else lists helpers.
 */
import { helperArgs, type SourceInput } from "./cluster/resolve";
import { LiveSource } from "./cluster/live";
import { liveBenchRuns } from "./cluster/bench-runs";
import {
  GC_IN_SYSTEM_LOG,
  HISTOGRAM_HEADER,
  LARGE_PARTITION,
  LIVE_NODETOOL_MISSING,
  QUERY_LINES,
  TABLESTATS_PARTITIONS,
  logsOr,
  nodetoolOr,
  nodetoolOrViews,
  type HelperNeeds,
} from "./cluster/capabilities";
import { helper, healthSteps } from "./registry";
import { inventory as inventoryOf } from "./analyze/inventory";
import { gcStats as gcStatsOf } from "./analyze/gc/gc-stats";
import { jvm as jvmOf } from "./analyze/gc/jvm";
import { logs as logsOf, timeline as timelineOf } from "./analyze/logs/logs";
import { histograms as histogramsOf } from "./analyze/histograms/histograms";
import { trace as traceOf, traces as tracesOf } from "./analyze/trace/trace";
import { queryPatterns as queryPatternsOf } from "./analyze/trace/query-patterns";
import { compactionAdvice as compactionAdviceOf } from "./analyze/compaction/compaction";
import { caches as cachesOf } from "./analyze/monitors/caches";
import { connections as connectionsOf } from "./analyze/monitors/connections";
import { bench as benchOf, benchRuns as benchRunsOf } from "./analyze/bench/bench";
import { partitionScan as partitionScanOf } from "./analyze/partitions/partitions";
import { runHealth, tableToScan, type HealthOptions, type HealthReport } from "./analyze/health";

export type { HelperOptions } from "./cluster/resolve";

export type { InventoryOptions, InventoryReport } from "./analyze/inventory";
export const inventory = helper("inventory", inventoryOf, {
  subject: "source",
  needs: { recorded: null, liveFrom: "the driver's metadata", live: () => null, missing: "" } satisfies HelperNeeds,
  health: (s) => inventoryOf(s),
});

export type { GcStatsOptions, GcReport, GcStatsReport } from "./analyze/gc/gc-stats";
export const gcStats = helper("gcStats", gcStatsOf, {
  subject: "source",
  needs: {
    recorded: { kinds: ["gc-log"], commands: ["gcstats"], contains: [{ kinds: ["system-log"], texts: GC_IN_SYSTEM_LOG }] },
    liveFrom: "GC logs when connect() is given logs",
    live: (s) => logsOr(s, "GC logs"),
    missing: "logs/cassandra/gc.log* (or a system.log with GCInspector lines, or nodetool gcstats output) per node",
  } satisfies HelperNeeds,
  health: (s) => gcStatsOf(s),
});

export type { JvmOptions, JvmReport } from "./analyze/gc/jvm";
export const jvm = helper("jvm", jvmOf, {
  subject: "source",
  needs: {
    recorded: { kinds: ["gc-log", "system-log"], commands: ["info"], names: /(^|\/)(java_cmdline|java_command_line\.txt)$/ },
    liveFrom: "system.log's JVM Arguments line, the GC log header or nodetool info",
    live: (s) =>
      logsOr(s, "JVM Arguments line, GC log header") === null || nodetoolOr(s) === null
        ? null
        : `connect() was given neither log folders nor a nodetool command; ${LIVE_NODETOOL_MISSING}`,
    missing: "system.log (its JVM Arguments line), gc.log*, nodetool info or java_cmdline per node",
  } satisfies HelperNeeds,
  health: (s, ctx) => jvmOf(s, { gc: ctx.reports.get("gcStats") }),
});

export type { LogsOptions, LogsReport } from "./analyze/logs/logs";
export type { LogEventsFilter } from "./analyze/logs/log-events";
export const logs = helper("logs", logsOf, {
  subject: "source",
  needs: {
    recorded: { kinds: ["system-log", "debug-log"] },
    liveFrom: "system.log when connect() is given logs",
    live: (s) =>
      s.files({ kind: ["system-log", "debug-log"] }).length
        ? null
        : 'connect() was given no log folders (system.log): pass connect({ ..., logs: { "<host>": "/var/log/cassandra" } })',
    missing: "logs/cassandra/system.log* and debug.log* per node",
  } satisfies HelperNeeds,
  health: (s) => logsOf(s),
});

export type { HistogramsOptions, HistogramsReport, HistogramFrameRow } from "./analyze/histograms/histograms";
export const histograms = helper("histograms", histogramsOf, {
  subject: "table",
  needs: {
    recorded: { kinds: ["jmx-dump"], commands: ["proxyhistograms"], contains: [{ commands: ["tablehistograms"], texts: HISTOGRAM_HEADER }] },
    liveFrom: "nodetool (when connect() is given nodetool) or system_views on 4.0+",
    live: nodetoolOrViews,
    missing: "nodetool tablehistograms / proxyhistograms output in nodes/<node>/nodetool/ (or a JmxScraper dump)",
  } satisfies HelperNeeds,
  health: (s) => histogramsOf(s),
});

/** What trace() and traces() read: the same trace sessions. */
const TRACE_NEEDS: HelperNeeds = {
  recorded: { kinds: ["trace-sessions", "trace-events", "trace-cqlsh", "trace-events-csv"] },
  liveFrom: "system_traces (any version)",
  live: () => null,
  missing: "traces/sessions.jsonl and events.jsonl (record(live, dir)), a cqlsh TRACING ON output or a system_traces.events CSV",
};

export type { TraceOptions, TraceFilter, TraceReport, TracesOptions, TracesReport } from "./analyze/trace/trace";
export const traces = helper("traces", tracesOf, {
  subject: "source",
  needs: TRACE_NEEDS,
  health: (s) => tracesOf(s, s instanceof LiveSource ? { limit: 1000 } : {}),
});

export type { QueryPatternsOptions, QueryPatternsReport } from "./analyze/trace/query-patterns";
export const queryPatterns = helper("queryPatterns", queryPatternsOf, {
  subject: "source",
  needs: {
    recorded: {
      kinds: ["trace-sessions", "trace-events", "trace-cqlsh", "trace-events-csv"],
      contains: [{ kinds: ["system-log", "debug-log"], texts: QUERY_LINES }],
    },
    liveFrom: "system_traces, and logs when connect() is given them",
    live: () => null,
    missing: "system.log/debug.log with slow-query or tombstone lines, or trace sessions",
  } satisfies HelperNeeds,
  health: (s, ctx) => queryPatternsOf(s, { traces: ctx.reports.get("traces") }),
});

export type { CompactionAdviceOptions, CompactionWorkload, CompactionReport, CompactionAdviceReport } from "./analyze/compaction/compaction";
export const compactionAdvice = helper("compactionAdvice", compactionAdviceOf, {
  subject: "table",
  needs: {
    recorded: { kinds: ["schema"], commands: ["tablestats", "tablehistograms", "compactionstats"] },
    liveFrom: "the schema over CQL, and nodetool when given",
    live: () => null,
    missing: "schema.cql and nodetool tablestats/tablehistograms/compactionstats",
  } satisfies HelperNeeds,
  health: (s) => compactionAdviceOf({ source: s }),
});

export type { CachesOptions, CachesReport } from "./analyze/monitors/caches";
export const caches = helper("caches", cachesOf, {
  subject: "source",
  needs: {
    recorded: { commands: ["info"] },
    liveFrom: "nodetool info, or system_views.caches on 4.0+",
    live: nodetoolOrViews,
    missing: "nodetool info per node (nodes/<node>/nodetool/info)",
  } satisfies HelperNeeds,
  health: (s) => cachesOf(s),
});

export type { ConnectionsOptions, ConnectionsReport } from "./analyze/monitors/connections";
export const connections = helper("connections", connectionsOf, {
  subject: "source",
  needs: {
    recorded: { commands: ["clientstats"] },
    liveFrom: "the driver's own pool state",
    live: () => null,
    missing: "a live source (the driver's own pool state) or nodetool clientstats output",
  } satisfies HelperNeeds,
  health: (s) => connectionsOf(s),
});

export type { BenchReport, BenchRunsReport, BenchOptions, BenchRunsOptions, BenchRun } from "./analyze/bench/bench";
export const benchRuns = helper("benchRuns", benchRunsOf, {
  subject: "source",
  needs: {
    recorded: { kinds: ["bench-run", "stress-output"] },
    liveFrom: "runs workloads",
    live: (s) => (liveBenchRuns(s).length ? null : 'no bench run in this session: bench("writes") runs one'),
    missing: "bench/<run>.json or a cassandra-stress output",
  } satisfies HelperNeeds,
  health: (s) => benchRunsOf(s),
});

export type { PartitionScanOptions, PartitionScanReport } from "./analyze/partitions/partitions";
export const partitionScan = helper("partitionScan", partitionScanOf, {
  subject: "table",
  needs: {
    recorded: {
      contains: [
        { commands: ["tablehistograms"], texts: HISTOGRAM_HEADER },
        { commands: ["tablestats"], texts: TABLESTATS_PARTITIONS },
        { kinds: ["system-log", "debug-log"], texts: LARGE_PARTITION },
      ],
    },
    liveFrom: "a token-range scan of the table you name",
    live: () => null,
    missing: "nodetool tablehistograms/tablestats output with partition sizes, or a system.log with large-partition warnings",
  } satisfies HelperNeeds,
  health: async (s, ctx) => partitionScanOf(await tableToScan(s, ctx), { source: s }),
});

export const trace = helper("trace", traceOf, {
  subject: "query",
  needs: TRACE_NEEDS,
});

export type { TimelineOptions, TimelineReport } from "./analyze/logs/logs";
export const timeline = helper("timeline", timelineOf, {
  subject: "source",
});

export const bench = helper("bench", benchOf, {
  subject: "workload",
});

export type { HealthOptions, HealthReport } from "./analyze/health";

/**
 * health(): every helper the source can answer, as one report — headline numbers each traced to
 * its file, all findings ranked by severity (each naming the helper that explains it), and what
 * the source cannot answer with what to add.
 *
 * Frames: `headline` (metric, value, node, detail, helper, from), `ranked` (the findings as a table: severity, helper, id,
 * node, title, evidence, action), `helpers` (helper, status "ran" | "failed" | "cannot answer" |
 * "skipped", findings, ms, reason).
 * @example const h = await health("datasets/lab-3node"); h.rows("headline"); h.findings
 * @example (await health()).reports.gcStats.chart("pauses")   // drill down into one helper
 * @example await health(live, { skip: ["traces"] })
 */
async function healthOf(input?: SourceInput | HealthOptions, options?: HealthOptions): Promise<HealthReport> {
  const a = helperArgs("health", input, options, "source");
  return runHealth(healthSteps(), a.source, a.options);
}

export const health = helper("health", healthOf, { subject: "source" });
