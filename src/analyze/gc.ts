/**
 * gcStats(): GC pauses of every node, from every kind of evidence the source has — GC logs
 * (unified JDK 9+ and JDK 8, rotated, compressed), Cassandra's GCInspector lines in system.log,
 * and `nodetool gcstats` — as one `pauses` frame (pause, real and stopped time kept apart), a
 * `cycles` frame of concurrent work, a summary of KPIs, findings from ONE rule table
 * ({@link GC_THRESHOLDS} + {@link GC_RULES}) and three charts.
 *
 * Parsing lives in src/parse/gc-*.ts (pure, reusable by logs()/timeline()/health()); this file
 * only reads files, joins rows and judges them.
 */
import { CassperfError } from "../errors";
import { filesInTimeOrder, missing, nodetoolTexts } from "../cluster/evidence";
import { resolveSource, type SourceInput } from "../cluster/resolve";
import type { SourceFile } from "../cluster/source";
import { COUNT_AXIS, MAX_CHART_POINTS, sampleForChart, utcTimeAxis, type VegaLiteSpec } from "../present/charts";
import {
  makeReport,
  rowsToColumns,
  type Columns,
  type Finding,
  type Report,
  type Severity,
  type Threshold,
  type TypedRows,
  answerOrExplain,
} from "../present/report";
import { gcInspectorParser } from "../parse/gc-inspector";
import { gcLogParser } from "../parse/gc-log";
import type { GcBlockParser, GcParseColumns, PauseTable } from "../parse/gc-pauses";
import { isCancel } from "./parse-cancellable";
import { runOptions } from "../repl/run-context";
import { gcstatsSnapshotNote, gcWindow, narrowGcParse, narrowInspectorParse } from "./gc-window";
import type { GcCycle, GcParse, GcPause, GcStall } from "../parse/gc-types";
import { parseNodetoolGcstats, type NodetoolGcStats } from "../parse/nodetool-gcstats";
import { nearestRank } from "./nearest-rank";
import { inflect, plural } from "../present/plural";

/** Options of {@link gcStats}. */
export interface GcStatsOptions {
  /** Only these nodes (names as the source lists them). Default: every node. */
  node?: string | string[];
  /** Read GCInspector lines from system.log too. Default true. */
  gcinspector?: boolean;
  /** Read `nodetool gcstats` (recorded files, or run it on a live cluster). Default true. */
  nodetool?: boolean;
  /**
   * Only pauses, cycles and stalls at or after this time (ISO-8601; no zone means UTC; compared as UTC instants).
   * nodetool gcstats is a snapshot with no time range: it is kept whole and a note says so.
   * @example await gcStats("bundle.tar.gz", { from: "2020-07-21T06:00:00Z", to: "2020-07-21T07:00:00Z" })
   */
  from?: string | Date;
  /** Only pauses, cycles and stalls before this time (see `from`). */
  to?: string | Date;
}

/** Where a pause row came from. */
export type PauseOrigin = "gc-log" | "gcinspector";

/** A pause row of the `pauses` frame. */
export interface PauseRow extends GcPause {
  node: string;
  origin: PauseOrigin;
  /** The file's path relative to the source. */
  file: string;
  /**
   * A GCInspector pause outside the time window the node's GC log covers (or on a node without a
   * GC log): no GC log line states it, so it counts in the KPIs and findings. GCInspector pauses
   * inside the window are the GC log's own pauses seen again and are not counted twice.
   */
  beyond_gc_log: boolean;
}

/** A row of the `cycles` frame. */
export interface CycleRow extends GcCycle {
  node: string;
  file: string;
}

/** A row of the `stalls` frame (ZGC/Shenandoah allocation stalls). */
export interface StallRow extends GcStall {
  node: string;
  file: string;
}

/** The report gcStats() returns: frames `pauses`, `cycles`, `stalls`, `gcstats`; charts `pauses`, `heap`, `histogram`. */
export type GcReport = TypedRows<{ pauses: PauseRow; cycles: CycleRow; stalls: StallRow; gcstats: NodetoolGcStats & { node: string; file: string } }> &
  Report<"pauses" | "cycles" | "stalls" | "gcstats"> & {
    readonly pauses: import("danfojs-node").DataFrame;
    readonly cycles: import("danfojs-node").DataFrame;
    readonly stalls: import("danfojs-node").DataFrame;
    readonly gcstats: import("danfojs-node").DataFrame;
  };

/**
 * Every threshold gcStats() judges by, with the source of its number. A newcomer finds them all here.
 */
export const GC_THRESHOLDS = {
  PAUSE_WARN_MS: {
    name: "PAUSE_WARN_MS",
    value: 200,
    unit: "ms",
    source: "Cassandra's gc_log_threshold_in_ms (cassandra.yaml default 200: GC pauses over 200 ms are logged at INFO)",
  },
  PAUSE_CRITICAL_MS: {
    name: "PAUSE_CRITICAL_MS",
    value: 500,
    unit: "ms",
    source: "Cassandra's jvm options: -XX:MaxGCPauseMillis=500 for G1; longer pauses miss every read/write timeout budget",
  },
  STOPPED_EXTRA_MS: {
    name: "STOPPED_EXTRA_MS",
    value: 100,
    unit: "ms",
    source: "cassperf: real/stopped this much above the logged pause is time the GC did not report (DSE 6.8 node: 44.7 ms pause, 1066 ms stopped)",
  },
  STOPPED_RATIO: { name: "STOPPED_RATIO", value: 2, unit: "x", source: "cassperf: real/stopped at least twice the logged pause" },
  FULL_GC_COUNT: {
    name: "FULL_GC_COUNT",
    value: 1,
    unit: "full GCs",
    source: "cassperf's choice: a full GC stops every application thread while the whole heap is collected (HotSpot), so one is worth a finding",
  },
  TO_SPACE_EXHAUSTED_COUNT: {
    name: "TO_SPACE_EXHAUSTED_COUNT",
    value: 1,
    unit: "pauses",
    source: "G1 tuning guide: evacuation failure means the heap or reserve is too small",
  },
  HUMONGOUS_COUNT: {
    name: "HUMONGOUS_COUNT",
    value: 1,
    unit: "pauses",
    source: "G1 tuning guide: humongous allocations (objects >= half a region) bypass young gen",
  },
  CMF_COUNT: { name: "CMF_COUNT", value: 1, unit: "events", source: "CMS: a concurrent mode failure / promotion failure falls back to a serial full GC" },
  ALLOCATION_STALL_COUNT: { name: "ALLOCATION_STALL_COUNT", value: 1, unit: "stalls", source: "ZGC: any allocation stall blocks an application thread" },
  HEAP_MIN_GB: {
    name: "HEAP_MIN_GB",
    value: 8,
    unit: "GB",
    source: "cassandra-env.sh's own heap size on a machine with 32 GB of RAM or more: max(min(1/2 RAM, 1 GB), min(1/4 RAM, 8 GB))",
  },
  HEAP_MAX_GB: {
    name: "HEAP_MAX_GB",
    value: 16,
    unit: "GB",
    source: "Cassandra's jvm.options calls heaps of 16 GB and more large (its G1 settings); DataStax's ceiling is 32 GB (Changing heap size parameters)",
  },
  HEAP_MAX_RAM_FRACTION: {
    name: "HEAP_MAX_RAM_FRACTION",
    value: 0.5,
    unit: "of RAM",
    source: "DataStax, Changing heap size parameters (DSE 6.8 docs): heap between 1/4 and 1/2 of system memory; the OS page cache needs the rest",
  },
  THROUGHPUT_MIN_PCT: {
    name: "THROUGHPUT_MIN_PCT",
    value: 95,
    unit: "%",
    source: "cassperf: below 95% of time outside GC pauses the JVM spends a noticeable share of time stopped",
  },
} satisfies Record<string, Threshold>;

const T = GC_THRESHOLDS;

/** What the rules see for one node. */
interface NodeFacts {
  node: string;
  /**
   * The node's pauses any rule can judge ({@link notable}: over PAUSE_WARN_MS, stopped well beyond
   * the pause, full, to-space exhausted, humongous, CMS failure) and every GCInspector pause, in
   * row order. The rest never meet a rule, so they stay in their columns (memory stays flat).
   */
  pauses: PauseRow[];
  /** How many counted pauses had to-space exhausted / humongous regions (only the first of each is in `pauses`). */
  toSpaceCount: number;
  humongousCount: number;
  stalls: StallRow[];
  info: GcParse["info"];
  throughputPct: number | null;
  files: string[];
}

/** One rule: id, severity, and what it finds in a node's facts. */
interface GcRule {
  id: string;
  severity: Severity;
  thresholds: string[];
  check: (f: NodeFacts) => { title: string; evidence: string; action: string } | null;
}

const fmt = (n: number, d = 1) => (Math.round(n * 10 ** d) / 10 ** d).toLocaleString("en-US");
const where = (p: PauseRow) => `${p.file}:${p.line}${p.timestamp ? ` (${p.timestamp})` : p.uptime_s !== null ? ` (uptime ${p.uptime_s}s)` : ""}`;
const worst = (ps: PauseRow[], key: (p: PauseRow) => number) => ps.reduce((a, b) => (key(b) > key(a) ? b : a));
/** The pauses a node's figures count: every GC-log pause, plus GCInspector pauses no GC log line covers. */
const logPauses = (f: NodeFacts) => f.pauses.filter(counted);
const counted = (p: PauseRow) => p.origin === "gc-log" || p.beyond_gc_log;
const stoppedOf = (p: PauseRow) => Math.max(p.stopped_ms ?? 0, p.real_ms ?? 0);

/** THE rule table: every finding gcStats() can raise. */
export const GC_RULES: GcRule[] = [
  {
    id: "gc.pause-critical",
    severity: "critical",
    thresholds: ["PAUSE_CRITICAL_MS"],
    check: (f) => {
      const over = logPauses(f).filter((p) => Math.max(p.pause_ms, p.stopped_ms ?? 0) > T.PAUSE_CRITICAL_MS.value);
      if (!over.length) return null;
      const w = worst(over, (p) => Math.max(p.pause_ms, p.stopped_ms ?? 0));
      return {
        title: `${over.length} GC ${inflect(over.length, "pause")} over ${T.PAUSE_CRITICAL_MS.value} ms on ${f.node}`,
        evidence: `worst ${fmt(Math.max(w.pause_ms, w.stopped_ms ?? 0))} ms (${w.type}${w.cause ? `, ${w.cause}` : ""}) at ${where(w)}`,
        action:
          "Find the cause in the pause's type: full GCs -> heap too small or humongous/promotion failures; young pauses -> young gen too large or too much survivor copying. Compare pause_ms with stopped_ms: a gap is time-to-safepoint, not GC.",
      };
    },
  },
  {
    id: "gc.pause-warning",
    severity: "warning",
    thresholds: ["PAUSE_WARN_MS", "PAUSE_CRITICAL_MS"],
    check: (f) => {
      const over = logPauses(f).filter((p) => {
        const v = Math.max(p.pause_ms, p.stopped_ms ?? 0);
        return v > T.PAUSE_WARN_MS.value && v <= T.PAUSE_CRITICAL_MS.value;
      });
      if (!over.length) return null;
      const w = worst(over, (p) => Math.max(p.pause_ms, p.stopped_ms ?? 0));
      return {
        title: `${over.length} GC ${inflect(over.length, "pause")} between ${T.PAUSE_WARN_MS.value} and ${T.PAUSE_CRITICAL_MS.value} ms on ${f.node}`,
        evidence: `worst ${fmt(Math.max(w.pause_ms, w.stopped_ms ?? 0))} ms (${w.type}${w.stopped_ms !== null ? `; pause ${fmt(w.pause_ms)} ms, stopped ${fmt(w.stopped_ms)} ms` : ""}) at ${where(w)}`,
        action: "Pauses over 200 ms show up in p99 read/write latency; check heap size, young-gen size and allocation rate.",
      };
    },
  },
  {
    id: "gc.stopped-beyond-pause",
    severity: "warning",
    thresholds: ["STOPPED_EXTRA_MS", "STOPPED_RATIO"],
    check: (f) => {
      const bad = f.pauses.filter(
        (p) =>
          p.origin === "gc-log" &&
          p.within_line === null &&
          stoppedOf(p) - p.pause_ms >= T.STOPPED_EXTRA_MS.value &&
          stoppedOf(p) >= T.STOPPED_RATIO.value * p.pause_ms,
      );
      if (!bad.length) return null;
      const w = worst(bad, (p) => stoppedOf(p) - p.pause_ms);
      return {
        title: `${plural(bad.length, "pause")} where the JVM stopped far longer than the GC logged on ${f.node}`,
        evidence: `${where(w)}: pause ${fmt(w.pause_ms)} ms, real ${w.real_ms === null ? "—" : fmt(w.real_ms)} ms, stopped ${w.stopped_ms === null ? "—" : fmt(w.stopped_ms)} ms`,
        action:
          "The extra time is outside the collector: time-to-safepoint (long counted loops), swapping, CPU starvation, or transparent huge page compaction. Check swap (should be off), THP (set to madvise/never), CPU steal, and -XX:+SafepointTimeout logs.",
      };
    },
  },
  {
    id: "gc.full-gc",
    severity: "critical",
    thresholds: ["FULL_GC_COUNT"],
    check: (f) => {
      const full = logPauses(f).filter((p) => p.type === "full");
      if (full.length < T.FULL_GC_COUNT.value) return null;
      const causes = countBy(full, (p) => p.cause ?? "unknown");
      return {
        title: `${full.length} full ${inflect(full.length, "GC", "GCs")} on ${f.node}`,
        evidence: `causes: ${Object.entries(causes)
          .map(([c, n]) => `${c} ×${n}`)
          .join(", ")}; longest ${fmt(worst(full, (p) => p.pause_ms).pause_ms)} ms at ${where(worst(full, (p) => p.pause_ms))}`,
        action:
          "Full GCs stop the node for the whole-heap collection: raise the heap (within 8-16 GB), lower the G1 InitiatingHeapOccupancyPercent, or find what fills the old generation (large partitions, big batches, caches). System.gc() causes: add -XX:+DisableExplicitGC or ExplicitGCInvokesConcurrent.",
      };
    },
  },
  {
    id: "gc.to-space-exhausted",
    severity: "critical",
    thresholds: ["TO_SPACE_EXHAUSTED_COUNT"],
    check: (f) => {
      const ps = logPauses(f).filter((p) => p.to_space_exhausted);
      if (f.toSpaceCount < T.TO_SPACE_EXHAUSTED_COUNT.value || !ps.length) return null;
      return {
        title: `G1 ran out of to-space ${plural(f.toSpaceCount, "time")} on ${f.node}`,
        evidence: `first at ${where(ps[0])}, pause ${fmt(ps[0].pause_ms)} ms`,
        action:
          "Evacuation failure: the heap is too full to copy survivors. Give the heap more room (larger heap, -XX:G1ReservePercent higher, lower InitiatingHeapOccupancyPercent) or reduce the live set.",
      };
    },
  },
  {
    id: "gc.humongous",
    severity: "warning",
    thresholds: ["HUMONGOUS_COUNT"],
    check: (f) => {
      const ps = logPauses(f).filter((p) => p.humongous);
      if (f.humongousCount < T.HUMONGOUS_COUNT.value || !ps.length) return null;
      return {
        title: `${plural(f.humongousCount, "pause")} with humongous allocations on ${f.node}`,
        evidence: `first at ${where(ps[0])}${ps[0].cause ? ` (${ps[0].cause})` : ""}`,
        action:
          "Objects of at least half a G1 region go straight to the old generation: raise -XX:G1HeapRegionSize (e.g. 16m or 32m) or find the large allocations (large partitions/cells, big batches, compaction buffers).",
      };
    },
  },
  {
    id: "gc.concurrent-mode-failure",
    severity: "critical",
    thresholds: ["CMF_COUNT"],
    check: (f) => {
      const ps = logPauses(f).filter((p) => p.concurrent_mode_failure);
      if (ps.length < T.CMF_COUNT.value) return null;
      const w = worst(ps, (p) => p.pause_ms);
      return {
        title: `CMS concurrent mode / promotion failure ${plural(ps.length, "time")} on ${f.node}`,
        evidence: `longest ${fmt(w.pause_ms)} ms at ${where(w)}`,
        action: "The old generation filled before CMS finished: lower CMSInitiatingOccupancyFraction, enlarge the heap, or move to G1.",
      };
    },
  },
  {
    id: "gc.allocation-stall",
    severity: "critical",
    thresholds: ["ALLOCATION_STALL_COUNT"],
    check: (f) => {
      if (f.stalls.length < T.ALLOCATION_STALL_COUNT.value) return null;
      const total = f.stalls.reduce((a, s) => a + s.stall_ms, 0);
      const w = f.stalls.reduce((a, b) => (b.stall_ms > a.stall_ms ? b : a));
      return {
        title: `${plural(f.stalls.length, "allocation stall")} on ${f.node}`,
        evidence: `total ${fmt(total)} ms stalled; worst ${fmt(w.stall_ms)} ms (thread ${w.thread}) at ${w.file}:${w.line}`,
        action: "ZGC could not free memory as fast as it was allocated: give the heap more headroom (-Xmx, SoftMaxHeapSize) or more concurrent GC threads.",
      };
    },
  },
  {
    id: "gc.heap-size",
    severity: "warning",
    thresholds: ["HEAP_MIN_GB", "HEAP_MAX_GB", "HEAP_MAX_RAM_FRACTION"],
    check: (f) => {
      const heap = f.info.heapMaxMb;
      const ram = f.info.ramMb;
      if (heap === undefined || ram === undefined) return null;
      const gb = heap / 1024;
      const problems: string[] = [];
      if (gb < T.HEAP_MIN_GB.value) problems.push(`below ${T.HEAP_MIN_GB.value} GB`);
      if (gb > T.HEAP_MAX_GB.value) problems.push(`above ${T.HEAP_MAX_GB.value} GB`);
      if (heap > T.HEAP_MAX_RAM_FRACTION.value * ram) problems.push(`more than half of RAM`);
      if (!problems.length) return null;
      return {
        title: `Heap of ${fmt(gb)} GB is ${problems.join(" and ")} on ${f.node}`,
        evidence: `max heap ${fmt(heap, 0)} MB, RAM ${fmt(ram, 0)} MB (from ${f.files.join(", ")})`,
        action: `Size the heap between ${T.HEAP_MIN_GB.value} and ${T.HEAP_MAX_GB.value} GB and at most half of RAM (the rest serves the page cache and off-heap structures).`,
      };
    },
  },
  {
    id: "gc.throughput",
    severity: "info",
    thresholds: ["THROUGHPUT_MIN_PCT"],
    check: (f) => {
      if (f.throughputPct === null || f.throughputPct >= T.THROUGHPUT_MIN_PCT.value) return null;
      return {
        title: `Only ${fmt(f.throughputPct)}% of time outside GC pauses on ${f.node}`,
        evidence: `sum of pauses over the logged time span of ${f.files.join(", ")} (pauses run inside another, like a CMSScavengeBeforeRemark scavenge, counted once)`,
        action: "The JVM spends too much time collecting: look at the allocation rate and heap occupancy after GC.",
      };
    },
  },
];

function countBy<T>(rows: T[], key: (r: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const k = key(r);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

const round = (n: number | null, d = 3) => (n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** d) / 10 ** d);

/** Per-file facts kept for the summary. */
interface FileResult {
  node: string;
  file: SourceFile;
  parse: GcParseColumns;
}

/** A GCInspector parse of one system.log. */
interface InspectorResult {
  node: string;
  file: SourceFile;
  parse: GcParse;
}

/**
 * A pause a rule of {@link GC_RULES} reads row by row (over PAUSE_WARN_MS, stopped well beyond the
 * pause, full, CMS failure): the only GC-log pauses made into row objects for the rules. To-space
 * exhausted and humongous pauses are counted; only the first of each becomes a row.
 */
function notable(t: PauseTable, i: number): boolean {
  const ms = t.pauseMs(i);
  const stopped = t.num(i, "stopped_ms") ?? 0;
  const stop = Math.max(stopped, t.num(i, "real_ms") ?? 0);
  return Math.max(ms, stopped) > T.PAUSE_WARN_MS.value || stop - ms >= T.STOPPED_EXTRA_MS.value || t.typeOf(i) === "full" || t.concurrentModeFailure(i);
}

/** Row i of a GC log's pauses as a report row. */
function logRow(r: FileResult, i: number): PauseRow {
  // One literal of a fixed shape (a spread of the pause object made rows 10x slower to build and to read).
  const t = r.parse.pauses;
  return {
    timestamp: t.timestampOf(i),
    uptime_s: t.num(i, "uptime_s"),
    type: t.typeOf(i),
    name: t.nameOf(i),
    cause: t.causeOf(i),
    pause_ms: t.pauseMs(i),
    real_ms: t.num(i, "real_ms"),
    stopped_ms: t.num(i, "stopped_ms"),
    heap_before_mb: t.num(i, "heap_before_mb"),
    heap_after_mb: t.num(i, "heap_after_mb"),
    heap_total_mb: t.num(i, "heap_total_mb"),
    to_space_exhausted: t.toSpaceExhausted(i),
    humongous: t.humongous(i),
    concurrent_mode_failure: t.concurrentModeFailure(i),
    gc_id: t.num(i, "gc_id"),
    within_line: t.num(i, "within_line"),
    line: t.num(i, "line") as number,
    node: r.node,
    origin: "gc-log",
    file: r.file.rel,
    beyond_gc_log: false,
  };
}

/** Every GC-log pause of these files as rows, made one at a time (for frames and charts, on demand). */
function* logRowsOf(results: FileResult[]): Generator<PauseRow> {
  for (const r of results) for (let i = 0; i < r.parse.pauses.length; i++) yield logRow(r, i);
}

/**
 * A GC log read block by block (never as one string: no size ceiling, memory flat), its dialect
 * detected from the first block. A read error is thrown as it is; a parser failure is marked.
 */
async function parseGcFile(source: Awaited<ReturnType<typeof resolveSource>>, file: SourceFile, signal: AbortSignal): Promise<GcParseColumns> {
  let parser: GcBlockParser | undefined;
  for await (const block of source.readLineBlocks(file, { signal })) {
    try {
      (parser ??= gcLogParser(block)).push(block);
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { gcParserFailed: true });
    }
  }
  return (parser ?? gcLogParser("")).end();
}

/** GCInspector lines of a system.log, read block by block. */
async function parseInspectorFile(source: Awaited<ReturnType<typeof resolveSource>>, file: SourceFile, signal: AbortSignal): Promise<GcParse> {
  const parser = gcInspectorParser();
  for await (const block of source.readLineBlocks(file, { signal })) {
    try {
      parser.push(block);
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { gcParserFailed: true });
    }
  }
  return parser.end();
}

/** A failure of the read (or a cancel) goes up; a parser's own failure becomes a note and null. */
function parserFailure(e: unknown, file: SourceFile, notes: string[]): null {
  if (!(e as { gcParserFailed?: boolean })?.gcParserFailed) throw e;
  notes.push(`${file.rel}: the parser failed (${(e as Error).message}); file skipped. Please report this with the file.`);
  return null;
}

/**
 * GC pauses, cycles, KPIs and findings for every node of a source.
 *
 * @param input the current source (omit), a source, or a path to a GC log, a system.log, a
 *   folder or a diagnostic bundle (opened on the spot).
 * @param opts see {@link GcStatsOptions}.
 * @returns a report with frames `pauses` (node, timestamp, uptime_s, type, cause, pause_ms,
 *   real_ms, stopped_ms, heap_before_mb, heap_after_mb, heap_total_mb, to_space_exhausted,
 *   humongous, origin, file, ...), `cycles`, `stalls`, `gcstats`; charts "pauses", "heap", "histogram".
 * @example
 * const gc = await gcStats("datasets/lab-3node");   // the bundled dataset; or a gc log: gcStats("path/to/gc.log")
 * gc.summary.pause_p99_ms
 * gc.findings
 * await gc.chart("pauses").toPNG()
 */
export async function gcStats(input?: SourceInput, opts: GcStatsOptions = {}): Promise<GcReport> {
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("gcStats", ["pauses", "cycles", "stalls", "gcstats"] as const, () => gcStatsOf(input, opts));
}

/** gcStats() itself; gcStats() turns "the source has no ..." into an empty report. */
async function gcStatsOf(input?: SourceInput, opts: GcStatsOptions = {}): Promise<GcReport> {
  const source = await resolveSource(input, "gcStats");
  const wanted = opts.node === undefined ? undefined : new Set(Array.isArray(opts.node) ? opts.node : [opts.node]);
  const keep = (f: SourceFile) => !wanted || wanted.has(f.node);
  const notes: string[] = [];
  const win = gcWindow(opts);

  // 1. GC logs, oldest rotation first per node. A GC log of another JVM in the bundle (OpsCenter,
  // the DataStax agent, Spark, Solr) or of no node is left out of the nodes' figures, with a note.
  const results: FileResult[] = [];
  // Set when a cancel (Ctrl-C, a cell's interrupt) stopped the GC logs: what was read is reported, nothing more is read.
  let cancelled = false;
  const gcFiles = filesInTimeOrder(source, ["gc-log"]).filter(keep);
  // Ctrl-C in the REPL (or a notebook cell's signal) stops the read between blocks; the files already read are kept.
  const signal = runOptions().signal;
  for (const file of gcFiles) {
    const side = sideJvm(file);
    let parse: GcParseColumns | null;
    try {
      parse = await parseGcFile(source, file, signal);
    } catch (e) {
      if (isCancel(e) || signal.aborted) {
        if (!results.length) throw e;
        notes.push(
          `Cancelled: partial, ${results.length} of ${gcFiles.length} GC log files read (stopped in ${file.rel}); GCInspector lines and nodetool gcstats not read.`,
        );
        cancelled = true;
        break;
      }
      if ((e as { gcParserFailed?: boolean })?.gcParserFailed) parse = parserFailure(e, file, notes);
      else {
        notes.push(`${file.rel}: could not be read (${(e as Error).message}); skipped.`);
        continue;
      }
    }
    if (!parse) continue;
    if (
      parse.format === "unknown" ||
      (parse.pauses.length === 0 && parse.cycles.length === 0 && parse.skipped.count > 0 && parse.skipped.count >= parse.lines / 2)
    ) {
      notes.push(
        `${file.rel} is not a GC log: expected unified logging lines ([uptime][level][tags] ...) or JDK 8 PrintGCDetails lines (uptime: [GC ...)${parse.skipped.first ? `; line ${parse.skipped.first.line} reads "${parse.skipped.first.text}"` : ""}.`,
      );
      continue;
    }
    if (side) {
      let worstMs = 0;
      for (let i = 0; i < parse.pauses.length; i++) worstMs = Math.max(worstMs, parse.pauses.pauseMs(i));
      notes.push(
        `${file.rel} is the GC log of ${side}, not of a Cassandra node: left out of the nodes' figures and findings (it holds ${parse.pauses.length.toLocaleString("en-US")} pause(s)${parse.pauses.length ? `, worst ${fmt(worstMs)} ms` : ""}).`,
      );
      continue;
    }
    if (win) narrowGcParse(parse, win, file.rel, notes);
    results.push({ node: file.node, file, parse });
  }

  // Rotation numbers cycle (JDK 8 gc.log.0..N + .current, unified gc.log.0..N), so the names do
  // not give time order: order each node's files by the first time stamp (or uptime) inside them.
  reorderByContent(results, notes);
  dedupe(results, notes);

  // 2. GCInspector lines of system.log.
  const inspector: InspectorResult[] = [];
  if (opts.gcinspector !== false && !cancelled) {
    for (const file of filesInTimeOrder(source, ["system-log"]).filter(keep)) {
      let parse: GcParse | null;
      try {
        parse = await parseInspectorFile(source, file, signal);
      } catch (e) {
        if (isCancel(e) || signal.aborted) throw e;
        if ((e as { gcParserFailed?: boolean })?.gcParserFailed) parse = parserFailure(e, file, notes);
        else {
          notes.push(`${file.rel}: could not be read (${(e as Error).message}); skipped.`);
          continue;
        }
      }
      const side = sideJvm(file);
      if (win && parse) narrowInspectorParse(parse, win, file.rel, notes);
      if (side && parse && parse.pauses.length)
        notes.push(`${file.rel} belongs to ${side}, not to a Cassandra node: its ${plural(parse.pauses.length, "GCInspector line")} are left out.`);
      else if (parse && parse.pauses.length) inspector.push({ node: file.node, file, parse });
    }
    if (inspector.some((r) => r.parse.pauses.some((p) => p.timestamp !== null)))
      notes.push("GCInspector times are the node's local time without a zone; read as UTC.");
  }

  // 3. nodetool gcstats.
  const gcstats: (NodetoolGcStats & { node: string; file: string })[] = [];
  if (opts.nodetool !== false && !cancelled) {
    try {
      for (const t of await nodetoolTexts(source, "gcstats")) {
        if (wanted && !wanted.has(t.node)) continue;
        const row = parseNodetoolGcstats(t.text);
        if (row) gcstats.push({ node: t.node, file: t.origin, ...row });
        else notes.push(`${t.origin}: no gcstats table found (expected the "Interval (ms) Max GC Elapsed (ms) ..." header).`);
      }
    } catch (e) {
      notes.push(`nodetool gcstats could not be read: ${(e as Error).message}`);
    }
    if (win && gcstats.length) notes.push(gcstatsSnapshotNote(gcstats.map((g) => g.file), win));
  }

  if (!results.length && !inspector.length && !gcstats.length) {
    // Unreadable files are not "not a GC log": missing() names them with why they could not be read.
    const others = source.files().filter((f) => f.kind === "unrecognized");
    if (notes.length)
      throw new CassperfError(`gcStats: the source (${source.describe()}) has no usable GC evidence. ${notes.join(" ")}`, {
        noEvidence: true,
        hint: "Pass a GC log (gc.log, gc.log.0.current), a system.log with GCInspector lines, or a folder/bundle holding them.",
      });
    if (others.length && others.length <= 3)
      throw new CassperfError(`gcStats: ${others.map((f) => f.rel).join(", ")} is not a GC log, a system.log or nodetool gcstats output.`, {
        hint: "Pass a GC log written with -Xlog:gc* (JDK 9+) or -XX:+PrintGCDetails (JDK 8).",
      });
    missing(
      "gcStats",
      source,
      "GC logs, GCInspector lines in system.log, or nodetool gcstats output",
      'Open a folder or bundle with nodes/<node>/logs/cassandra/gc.log*, or pass a GC log path: gcStats("/var/log/cassandra/gc.log").',
    );
  }

  // Rows: GC-log pauses stay in their columns (r.parse.pauses); GCInspector pauses (few) are rows.
  const insRows: PauseRow[] = [];
  const stalls: StallRow[] = [];
  // Cycles stay in their columns too; the frame makes rows on demand.
  const cycleCount = results.reduce((a, r) => a + r.parse.cycles.length, 0);
  const cycleRows = (): CycleRow[] => {
    const out: CycleRow[] = [];
    for (const r of results) for (let i = 0; i < r.parse.cycles.length; i++) out.push({ ...r.parse.cycles.get(i), node: r.node, file: r.file.rel });
    return out;
  };
  for (const r of results) {
    for (const s of r.parse.stalls) stalls.push({ ...s, node: r.node, file: r.file.rel });
    const sk = r.parse.skipped;
    if (sk.count && sk.first)
      notes.push(
        `${r.file.rel}: skipped ${plural(sk.count, "line")} it could not read; first at line ${sk.first.line} (${sk.first.reason}): "${sk.first.text}"`,
      );
    if (r.parse.jvmRestarts)
      notes.push(`${r.file.rel}: uptime went back ${plural(r.parse.jvmRestarts, "time")} — more than one JVM run in one file; all runs are included.`);
  }
  // Coverage in time: a GCInspector pause outside every GC-log window of its node is evidence no
  // GC log states (e.g. logged after the GC log's last line), so it counts; inside a window it is
  // the same pause the GC log already has.
  const coverage: Record<string, Record<string, { from: string | null; to: string | null; pauses: number }>> = {};
  const windows = new Map<string, { from: number; to: number }[]>();
  const noClock = new Set<string>();
  for (const r of results) {
    const from = r.parse.firstTimestamp;
    const to = r.parse.lastTimestamp;
    if (from && to) windows.set(r.node, [...(windows.get(r.node) ?? []), { from: Date.parse(from), to: Date.parse(to) }]);
    else noClock.add(r.node);
    const c = ((coverage[r.node] ??= {})["gc-log"] ??= { from: null, to: null, pauses: 0 });
    if (from && (c.from === null || from < c.from)) c.from = from;
    if (to && (c.to === null || to > c.to)) c.to = to;
    c.pauses += r.parse.pauses.length;
  }
  let beyond = 0;
  for (const r of inspector) {
    for (const p of r.parse.pauses) {
      const t = p.timestamp ? Date.parse(p.timestamp) : NaN;
      const ws = windows.get(r.node);
      const hasLog = results.some((x) => x.node === r.node);
      // Without a GC log for the node every GCInspector pause counts; with one, only those outside
      // its windows (and only when both clocks are known: a log without date stamps cannot be compared).
      const out = !hasLog || (!noClock.has(r.node) && Number.isFinite(t) && ws !== undefined && ws.every((w) => t < w.from - 1000 || t > w.to + 1000));
      if (out && hasLog) beyond++;
      insRows.push({ ...p, node: r.node, origin: "gcinspector", file: r.file.rel, beyond_gc_log: out });
      const c = ((coverage[r.node] ??= {}).gcinspector ??= { from: null, to: null, pauses: 0 });
      if (p.timestamp && (c.from === null || p.timestamp < c.from)) c.from = p.timestamp;
      if (p.timestamp && (c.to === null || p.timestamp > c.to)) c.to = p.timestamp;
      c.pauses++;
    }
  }
  for (const [node, kinds] of Object.entries(coverage)) {
    const parts = Object.entries(kinds).map(
      ([k, c]) => `${k === "gc-log" ? "GC log" : "GCInspector"} ${c.from ?? "?"} – ${c.to ?? "?"} (${c.pauses.toLocaleString("en-US")} pauses)`,
    );
    if (parts.length > 1) notes.push(`${node}: time covered by each kind of evidence: ${parts.join("; ")}.`);
  }
  if (beyond)
    notes.push(
      `${beyond} GCInspector pause(s) fall outside the time their node's GC log covers; they count in the figures and findings (origin "gcinspector", beyond_gc_log true). GCInspector pauses inside a GC log's window are not counted again.`,
    );
  for (const n of noClock)
    if (inspector.some((r) => r.node === n))
      notes.push(`${n}: the GC log has no date stamps, so GCInspector pauses cannot be placed against it; they are shown but not counted.`);

  // Per node facts and findings.
  const nodes = [...new Set([...results.map((r) => r.node), ...inspector.map((r) => r.node), ...gcstats.map((g) => g.node)])].sort();
  const findings: Finding[] = [];
  const perNode: Record<string, Record<string, unknown>> = {};
  for (const node of nodes) {
    const files = results.filter((r) => r.node === node);
    const info = Object.assign({}, ...files.map((r) => r.parse.info)) as GcParse["info"];
    const nodeIns = insRows.filter((p) => p.node === node);
    const nodePauses: PauseRow[] = [];
    let toSpaceCount = 0;
    let humongousCount = 0;
    for (const r of files) {
      const t = r.parse.pauses;
      for (let i = 0; i < t.length; i++) {
        const ts = t.toSpaceExhausted(i);
        const hu = t.humongous(i);
        if (notable(t, i) || (ts && toSpaceCount === 0) || (hu && humongousCount === 0)) nodePauses.push(logRow(r, i));
        if (ts) toSpaceCount++;
        if (hu) humongousCount++;
      }
    }
    nodePauses.push(...nodeIns);
    const facts: NodeFacts = {
      node,
      pauses: nodePauses,
      toSpaceCount,
      humongousCount,
      stalls: stalls.filter((s) => s.node === node),
      info,
      throughputPct: throughput(files),
      files: [...files, ...inspector.filter((r) => r.node === node)].map((r) => r.file.rel),
    };
    for (const rule of GC_RULES) {
      const hit = rule.check(facts);
      if (hit) findings.push({ severity: rule.severity, id: rule.id, node, helper: "gcStats", ...hit });
    }
    perNode[node] = kpis(files, nodeIns.filter(counted));
  }

  const logCount = results.reduce((a, r) => a + r.parse.pauses.length, 0);
  const insCounted = insRows.filter(counted);
  const basisCount = logCount + insCounted.length;
  /** Every pause row (GC log, then GCInspector), made on demand for frames and charts. */
  const allRows = () => [...logRowsOf(results), ...insRows];
  const infos = results.map((r) => r.parse.info);
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const k = kpis(results, insCounted);
  const summary: Record<string, unknown> = {
    nodes: nodes.length,
    gc_log_files: results.length,
    collector: uniq(infos.map((i) => i.collector)).join(", ") || null,
    jvm_version: uniq(infos.map((i) => i.jvmVersion)).join(", ") || null,
    heap_max_mb: infos.find((i) => i.heapMaxMb !== undefined)?.heapMaxMb ?? null,
    ram_mb: infos.find((i) => i.ramMb !== undefined)?.ramMb ?? null,
    ...k,
    gcinspector_pauses: insRows.length,
    gcinspector_pauses_beyond_gc_log: insRows.filter((p) => p.beyond_gc_log).length,
    coverage,
    cycles: cycleCount,
    allocation_stalls: stalls.length,
    skipped_lines: results.reduce((a, r) => a + r.parse.skipped.count, 0),
    flags: infos.find((i) => i.flags)?.flags ?? null,
    per_node: perNode,
    nodetool_gcstats: gcstats.length ? Object.fromEntries(gcstats.map((g) => [g.node, g])) : null,
  };

  // The frame is built from the columns on demand, one row object at a time.
  const pauseColumns = (): Columns => {
    const cols: Columns = {};
    for (const c of PAUSE_COLUMNS) cols[c] = new Array(logCount + insRows.length);
    let k = 0;
    const add = (p: PauseRow) => {
      for (const c of PAUSE_COLUMNS) cols[c]![k] = (p as unknown as Record<string, unknown>)[c] ?? null;
      k++;
    };
    for (const p of logRowsOf(results)) add(p);
    for (const p of insRows) add(p);
    return cols;
  };
  return makeReport({
    helper: "gcStats",
    title: `GC pauses of ${plural(nodes.length, "node")}: ${basisCount.toLocaleString("en-US")} pauses${k.pause_max_ms !== null ? `, max ${fmt(k.pause_max_ms as number)} ms` : ""}`,
    source: source.describe(),
    summary,
    findings,
    frames: {
      pauses: pauseColumns,
      cycles: () => rowsToColumns(cycleRows(), CYCLE_COLUMNS),
      stalls: () => rowsToColumns(stalls, ["node", "timestamp", "uptime_s", "thread", "stall_ms", "file", "line"]),
      gcstats: () =>
        rowsToColumns(gcstats, [
          "node",
          "interval_ms",
          "max_gc_elapsed_ms",
          "total_gc_elapsed_ms",
          "stdev_gc_elapsed_ms",
          "gc_reclaimed_mb",
          "collections",
          "direct_memory_bytes",
          "file",
        ]),
    },
    charts: {
      pauses: () => pausesChart(allRows()),
      heap: () => heapChart([...logRowsOf(results)]),
      histogram: () => histogramChart(allRows().filter(counted)),
    },
    notes,
    previewFrame: "pauses",
  }) as GcReport;
}

/** Column order of the `pauses` frame (the contract others rely on comes first). */
export const PAUSE_COLUMNS = [
  "node",
  "timestamp",
  "uptime_s",
  "type",
  "cause",
  "pause_ms",
  "real_ms",
  "stopped_ms",
  "heap_before_mb",
  "heap_after_mb",
  "heap_total_mb",
  "to_space_exhausted",
  "humongous",
  "origin",
  "file",
  "name",
  "concurrent_mode_failure",
  "gc_id",
  "within_line",
  "beyond_gc_log",
  "line",
];
const CYCLE_COLUMNS = ["node", "timestamp", "uptime_s", "name", "cause", "duration_ms", "heap_before_mb", "heap_after_mb", "aborted", "gc_id", "file", "line"];

/**
 * JVMs a bundle may hold beside Cassandra's, recognised by the folder or file name their logs are
 * written under (OpsCenter's opscenterd/gc.log.0.current, datastax-agent/, spark/, solr/).
 */
const SIDE_JVMS: { name: string; test: RegExp }[] = [
  { name: "the OpsCenter daemon (opscenterd)", test: /(^|\/)opscenter(d)?([/._-]|$)/ },
  { name: "the DataStax agent", test: /(^|\/)(datastax-agent|datastax_agent|agent)([/._-]|$)/ },
  { name: "a Spark process (DSE Analytics)", test: /(^|\/)spark[\w-]*([/._-]|$)/ },
  { name: "a Solr process (DSE Search)", test: /(^|\/)solr([/._-]|$)/ },
];

/** Which non-Cassandra JVM a file belongs to, or "no node" for a GC log outside every node's folder; undefined for a node's own file. */
function sideJvm(file: SourceFile): string | undefined {
  const rel = file.rel.toLowerCase();
  for (const j of SIDE_JVMS) if (j.test.test(rel)) return j.name;
  if (file.node === "") return "no node (it is outside every nodes/<node>/ folder, so which node it belongs to is unknown)";
  return undefined;
}

/**
 * Drop pauses logged twice for one node: two copies of a rotated GC log, or files whose ranges
 * overlap, state each pause twice. An identical pause is the same time stamp (else uptime), type
 * and duration; the first file (in time order) keeps it. Cycles and stalls likewise. Says how
 * many were dropped and from which files.
 */
function dedupe(results: FileResult[], notes: string[]): void {
  const byNode = new Map<string, FileResult[]>();
  for (const r of results) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r]);
  for (const [node, rs] of byNode) {
    if (rs.length < 2) continue;
    const seen = new Map<string, string>();
    const seenC = new Set<string>();
    const seenS = new Set<string>();
    const dropped = new Map<string, { n: number; from: Set<string> }>();
    for (const r of rs) {
      const key = (p: { timestamp: string | null; uptime_s: number | null }) => p.timestamp ?? (p.uptime_s !== null ? `u${p.uptime_s}` : null);
      const t = r.parse.pauses;
      t.retain((i) => {
        const p = t.get(i);
        const at = key(p);
        const k = at === null ? null : `${at}|${p.type}|${p.name}|${p.pause_ms}`;
        const first = k === null ? undefined : seen.get(k);
        if (first !== undefined) {
          const d = dropped.get(r.file.rel) ?? { n: 0, from: new Set<string>() };
          d.n++;
          d.from.add(first);
          dropped.set(r.file.rel, d);
          return false;
        }
        if (k !== null) seen.set(k, r.file.rel);
        return true;
      });
      const cs = r.parse.cycles;
      cs.retain((i) => {
        const c = cs.get(i);
        const t = key(c);
        if (t === null) return true;
        const k = `${t}|${c.name}|${c.duration_ms}`;
        if (seenC.has(k)) return false;
        seenC.add(k);
        return true;
      });
      r.parse.stalls = r.parse.stalls.filter((x) => {
        const t = key(x);
        if (t === null) return true;
        const k = `${t}|${x.thread}|${x.stall_ms}`;
        if (seenS.has(k)) return false;
        seenS.add(k);
        return true;
      });
    }
    for (const [file, d] of dropped)
      notes.push(
        `${node}: ${d.n.toLocaleString("en-US")} duplicate pause(s) dropped from ${file}: the same time stamp, type and duration are already in ${[...d.from].join(", ")} (two copies or overlapping ranges of one log); each pause is counted once.`,
      );
  }
}

/** Sort each node's parsed files by their first timestamp (else first uptime); note when that differs from name order. */
function reorderByContent(results: FileResult[], notes: string[]): void {
  const byNode = new Map<string, FileResult[]>();
  for (const r of results) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r]);
  const ordered: FileResult[] = [];
  for (const [node, rs] of byNode) {
    let key: ((r: FileResult) => number) | undefined;
    if (rs.length > 1 && rs.every((r) => r.parse.firstTimestamp !== null)) key = (r) => Date.parse(r.parse.firstTimestamp!);
    else if (rs.length > 1 && rs.every((r) => r.parse.firstUptime !== null) && rs.every((r) => !r.parse.jvmRestarts)) key = (r) => r.parse.firstUptime!;
    const sorted = key ? rs.slice().sort((a, b) => key!(a) - key!(b)) : rs;
    if (sorted.some((r, i) => r !== rs[i]))
      notes.push(`${node}: GC log files read in the order of their contents' time: ${sorted.map((r) => r.file.rel.split("/").pop()).join(", ")}.`);
    ordered.push(...sorted);
  }
  results.splice(0, results.length, ...ordered);
}

/**
 * Share of logged time outside pauses, over the files' uptime spans (each span reaching at least
 * to the end of its last pause). Not computed from fewer than two pauses: a single event gives
 * no span to speak of. A pause that ran inside another (within_line) is counted once, in its outer pause.
 */
function throughput(files: FileResult[]): number | null {
  let span = 0;
  let paused = 0;
  let count = 0;
  for (const r of files) {
    if (r.parse.firstUptime === null || r.parse.lastUptime === null || r.parse.jvmRestarts) continue;
    let end = r.parse.lastUptime;
    let p0 = 0;
    let c = 0;
    const t = r.parse.pauses;
    for (let i = 0; i < t.length; i++) {
      if (t.num(i, "within_line") !== null) continue;
      const ms = t.pauseMs(i);
      p0 += ms;
      c++;
      const up = t.num(i, "uptime_s");
      if (up !== null) end = Math.max(end, up + ms / 1000);
    }
    const s = end - r.parse.firstUptime;
    if (s <= 0 || c === 0) continue;
    span += s * 1000;
    paused += p0;
    count += c;
  }
  return span > 0 && count >= 2 ? Math.max(0, 100 * (1 - paused / span)) : null;
}

/**
 * The headline numbers over the pauses of `files` (their columns, in order) and then `more`
 * (GCInspector rows that count): one pass, no row objects.
 */
function kpis(files: FileResult[], more: PauseRow[]): Record<string, unknown> {
  const n = files.reduce((a, r) => a + r.parse.pauses.length, 0) + more.length;
  const ms = new Float64Array(n);
  let k = 0;
  let total = 0;
  let fullCount = 0;
  const counts: Record<string, number> = {};
  const fullCauses: Record<string, number> = {};
  const add = (type: string, pause: number, within: number | null, cause: string | null) => {
    ms[k++] = pause;
    total += within === null ? pause : 0;
    counts[type] = (counts[type] ?? 0) + 1;
    if (type === "full") {
      fullCount++;
      const c = cause ?? "unknown";
      fullCauses[c] = (fullCauses[c] ?? 0) + 1;
    }
  };
  for (const r of files) {
    const t = r.parse.pauses;
    for (let i = 0; i < t.length; i++) add(t.typeOf(i), t.pauseMs(i), t.num(i, "within_line"), t.causeOf(i));
  }
  for (const p of more) add(p.type, p.pause_ms, p.within_line, p.cause);
  ms.sort();
  const sorted = ms as unknown as number[];
  const stoppedFiles = files.filter((r) => r.parse.safepointStoppedMs !== null);
  // Allocation: heap growth between consecutive pauses; promotion: growth of heap-after between consecutive young pauses.
  let allocMb = 0;
  let promoMb = 0;
  let spanS = 0;
  for (const r of files) {
    const t = r.parse.pauses;
    if (r.parse.firstUptime !== null && r.parse.lastUptime !== null && !r.parse.jvmRestarts) spanS += Math.max(0, r.parse.lastUptime - r.parse.firstUptime);
    let prevAfter: number | null = null;
    let prevYoungAfter: number | null = null;
    for (let i = 0; i < t.length; i++) {
      const before = t.num(i, "heap_before_mb");
      const after = t.num(i, "heap_after_mb");
      const type = t.typeOf(i);
      if (before !== null && prevAfter !== null && before > prevAfter) allocMb += before - prevAfter;
      if (after !== null) prevAfter = after;
      if (type === "young" && after !== null) {
        if (prevYoungAfter !== null && after > prevYoungAfter) promoMb += after - prevYoungAfter;
        prevYoungAfter = after;
      } else if (type !== "young" && type !== "young-concurrent-start") prevYoungAfter = null;
    }
  }
  return {
    pauses: n,
    counts_by_type: counts,
    pause_p50_ms: nearestRank(sorted, 0.5),
    pause_p90_ms: nearestRank(sorted, 0.9),
    pause_p99_ms: nearestRank(sorted, 0.99),
    pause_p99_9_ms: nearestRank(sorted, 0.999),
    pause_max_ms: n ? ms[n - 1] : null,
    total_pause_ms: round(total),
    total_stopped_ms: stoppedFiles.length ? round(stoppedFiles.reduce((a, r) => a + (r.parse.safepointStoppedMs ?? 0), 0)) : null,
    throughput_pct: round(throughput(files), 3),
    allocation_rate_mb_s: spanS > 0 && allocMb > 0 ? round(allocMb / spanS) : null,
    promotion_rate_mb_s: spanS > 0 && promoMb > 0 ? round(promoMb / spanS) : null,
    full_gcs: fullCount,
    full_gc_causes: fullCauses,
  };
}

// ---------------------------------------------------------------- charts

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
function pausesChart(all: PauseRow[]): VegaLiteSpec {
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

function heapChart(rows: PauseRow[]): VegaLiteSpec {
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
function histogramChart(rows: PauseRow[]): VegaLiteSpec {
  // Aggregated here: at most (bins x types) points reach Vega whatever the number of pauses.
  const counts = new Map<string, number>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of rows) {
    let b = 0;
    while (b < BIN_EDGES.length - 2 && p.pause_ms >= BIN_EDGES[b + 1]) b++;
    const key = `${b}|${p.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
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
    title: `Pause histogram (${rows.length.toLocaleString("en-US")} pauses in log-spaced bins)`,
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
