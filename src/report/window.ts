/**
 * What `--from/--to` does to each section of the report: the helpers whose evidence carries time
 * stamps are re-run on the window (logs, gcStats, the timeline); every other section is a snapshot
 * or has no time range, and the report says so on it instead of showing it as if it were narrowed.
 */

/** Helpers re-run on the window: their rows are time-stamped log or GC-log lines. */
export const NARROWED = ["logs", "gcStats", "timeline"] as const;

/** Why a section is not narrowed, by helper: the kind of evidence it reads and why that has no time range. */
export const NOT_NARROWED: Record<string, { snapshot: boolean; why: string }> = {
  histograms: { snapshot: true, why: "nodetool output has no time range (tablehistograms/proxyhistograms are counts since the node started)" },
  compactionAdvice: { snapshot: true, why: "nodetool output has no time range (tablestats, compactionstats)" },
  caches: { snapshot: true, why: "nodetool output has no time range (nodetool info's cache counters since start)" },
  connections: { snapshot: true, why: "nodetool output has no time range (clientstats lists the connections open when it ran)" },
  partitionScan: { snapshot: true, why: "nodetool output has no time range (partition sizes as tablestats/tablehistograms state them)" },
  jvm: { snapshot: true, why: "the JVM's settings (command line, nodetool info, GC log header) have no time range" },
  inventory: { snapshot: true, why: "the nodes, versions and files of the source have no time range" },
  traces: { snapshot: false, why: "query traces are read whole (each session keeps its own start time)" },
  queryPatterns: { snapshot: false, why: "built on the traces and slow-query lines, read whole" },
  bench: { snapshot: false, why: "bench runs are whole runs with their own start and end" },
};

/**
 * The label a section carries under a window: "snapshot taken at <time>, not narrowed: <why>", or
 * "not narrowed: <why>" for evidence that is not a snapshot; null for a narrowed helper.
 * @example notNarrowedLabel("histograms", "2020-07-22T13:49:47Z") // "snapshot taken at 2020-07-22T13:49:47Z, not narrowed: nodetool output has no time range ..."
 */
export function notNarrowedLabel(helper: string, snapshotAt: string | null): string | null {
  if ((NARROWED as readonly string[]).includes(helper)) return null;
  const r = NOT_NARROWED[helper] ?? { snapshot: false, why: "this helper does not take a time window" };
  if (!r.snapshot) return `not narrowed: ${r.why}`;
  const at = snapshotAt
    ? `snapshot taken at ${snapshotAt} (the end of the logs: the bundle was collected after)`
    : "snapshot taken when the bundle was collected";
  return `${at}, not narrowed: ${r.why}`;
}
