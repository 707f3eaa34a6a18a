/**
 * THE registry of helpers. One entry per helper, and everything that lists helpers reads it:
 *  - the package's exports (./index.ts re-exports each entry's function; test/helpers-registry.test.ts
 *    checks the two name the same helpers), and so the kernel's and the REPL's prelude
 *    (./kernel/prelude.ts imports every export);
 *  - the helpers as methods of every source (`live.trace(...)`, `pm.gcStats()`: ./methods.ts) and
 *    their types ({@link SourceHelpers});
 *  - health()'s steps: each entry with a `health` runner, in this table's order;
 *  - what each helper needs from a source: the capability table (./cluster/capabilities.ts), keyed
 *    by the same names, which inventory(), health() and the helpers' "the source has no ..." errors
 *    read.
 *
 * Every helper follows one calling rule, `helper(subject?, { source, ...options })`
 * (./cluster/resolve.ts helperArgs): the subject is what it is about (a table, a query, a workload),
 * or the source itself for helpers about a whole source; a path is always read as a source.
 *
 * Adding a helper: its gather function and report in ./analyze/<helper>/, its rule table
 * (./analyze/rule.ts Rule), its charts in ./present/charts/<helper>.ts, then one entry here and
 * one export line in ./index.ts.
 */
import type { Source } from "./cluster/source";
import { helperArgs, type SourceInput } from "./cluster/resolve";
import type { Report } from "./present/report";
import { LiveSource } from "./cluster/live";
import { inventory } from "./analyze/inventory";
import { gcStats } from "./analyze/gc/gc-stats";
import { jvm } from "./analyze/gc/jvm";
import { logs, timeline } from "./analyze/logs/logs";
import { histograms } from "./analyze/histograms/histograms";
import { trace, traces } from "./analyze/trace/trace";
import { queryPatterns } from "./analyze/trace/query-patterns";
import { compactionAdvice } from "./analyze/compaction/compaction";
import { caches } from "./analyze/monitors/caches";
import { connections } from "./analyze/monitors/connections";
import { bench, benchRuns } from "./analyze/bench/bench";
import { partitionScan } from "./analyze/partitions/partitions";
import { runHealth, tableToScan, type HealthOptions, type HealthReport, type RunContext } from "./analyze/health";

/** One helper: the function, what its first argument is, and how health() runs it (if it does). */
export interface HelperEntry {
  /** The helper: `helper(subject?, { source, ...options })`. */
  run: (...args: any[]) => Promise<Report>;
  /** What the first argument names: "source" for helpers about a whole source, else their subject. */
  subject: "source" | "table" | "query" | "workload";
  /** How health() runs it on a source, given the reports of the steps before; absent: health() does not run it. */
  health?: (source: Source, ctx: RunContext) => Promise<Report>;
}

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
export async function health(input?: SourceInput | HealthOptions, options?: HealthOptions): Promise<HealthReport> {
  const a = helperArgs("health", input, options, "source");
  return runHealth(healthSteps(), a.source, a.options);
}

/**
 * What every source can do: each helper, acting on that source (the current source is left as it was).
 * The registry below is typed by it, so a helper missing from either is a compile error.
 */
export interface SourceHelpers {
  /** {@link inventory} on this source. @example await pm.inventory() */
  inventory: typeof inventory;
  /** {@link gcStats} on this source. @example (await pm.gcStats()).chart("pauses") */
  gcStats: typeof gcStats;
  /** {@link jvm} on this source. @example (await pm.jvm()).rows("heap") */
  jvm: typeof jvm;
  /** {@link logs} on this source. @example await pm.logs({ kinds: "gc-pause" }) */
  logs: typeof logs;
  /** {@link histograms} on this source. @example await pm.histograms("ks.t") */
  histograms: typeof histograms;
  /** {@link traces} on this source. @example await pm.traces({ minDurationMs: 10 }) */
  traces: typeof traces;
  /** {@link queryPatterns} on this source. @example (await pm.queryPatterns()).rows("patterns") */
  queryPatterns: typeof queryPatterns;
  /** {@link compactionAdvice} on this source. @example await pm.compactionAdvice() */
  compactionAdvice: typeof compactionAdvice;
  /** {@link caches} on this source. @example await pm.caches() */
  caches: typeof caches;
  /** {@link connections} on this source. @example await live.connections() */
  connections: typeof connections;
  /** {@link benchRuns} on this source. @example (await pm.benchRuns()).reports */
  benchRuns: typeof benchRuns;
  /** {@link partitionScan} on this source. @example await live.partitionScan("ks.t", { concurrency: 16 }) */
  partitionScan: typeof partitionScan;
  /** {@link trace} on this source. @example await live.trace("SELECT * FROM ks.t WHERE id = ?", { params: [1], consistency: "QUORUM" }) */
  trace: typeof trace;
  /** {@link timeline} on this source. @example await pm.timeline() */
  timeline: typeof timeline;
  /** {@link bench} on this source. @example await live.bench("writes", { duration: 30 }) */
  bench: typeof bench;
  /** {@link health} on this source. @example await pm.health() */
  health: typeof health;
}

/** A helper's name. */
export type HelperName = keyof SourceHelpers;

/** The registry, in health()'s order for the entries it runs. */
export const HELPERS: { [K in HelperName]: HelperEntry & { run: SourceHelpers[K] } } = {
  inventory: { run: inventory, subject: "source", health: (s) => inventory(s) },
  gcStats: { run: gcStats, subject: "source", health: (s) => gcStats(s) },
  jvm: {
    run: jvm,
    subject: "source",
    health: (s, ctx) => jvm(s, { gc: ctx.reports.get("gcStats") }),
  },
  logs: { run: logs, subject: "source", health: (s) => logs(s) },
  histograms: {
    run: histograms,
    subject: "table",
    health: (s) => histograms(s),
  },
  traces: {
    run: traces,
    subject: "source",
    health: (s) => traces(s, s instanceof LiveSource ? { limit: 1000 } : {}),
  },
  queryPatterns: {
    run: queryPatterns,
    subject: "source",
    health: (s, ctx) => queryPatterns(s, { traces: ctx.reports.get("traces") }),
  },
  compactionAdvice: {
    run: compactionAdvice,
    subject: "table",
    health: (s) => compactionAdvice({ source: s }),
  },
  caches: { run: caches, subject: "source", health: (s) => caches(s) },
  connections: { run: connections, subject: "source", health: (s) => connections(s) },
  benchRuns: { run: benchRuns, subject: "source", health: (s) => benchRuns(s) },
  partitionScan: {
    run: partitionScan,
    subject: "table",
    health: async (s, ctx) => partitionScan(await tableToScan(s, ctx), { source: s }),
  },
  trace: { run: trace, subject: "query" },
  timeline: { run: timeline, subject: "source" },
  bench: { run: bench, subject: "workload" },
  health: { run: health, subject: "source" },
};

/** health()'s steps: the entries with a `health` runner, in table order. */
export function healthSteps(): { helper: string; run: (source: Source, ctx: RunContext) => Promise<Report> }[] {
  const steps: { helper: string; run: (source: Source, ctx: RunContext) => Promise<Report> }[] = [];
  for (const [helper, entry] of Object.entries(HELPERS) as [string, HelperEntry][]) if (entry.health) steps.push({ helper, run: entry.health });
  return steps;
}
