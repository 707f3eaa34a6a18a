/**
 * gcStats(): GC pauses of every node, from every kind of evidence the source has — GC logs
 * (unified JDK 9+ and JDK 8, rotated, compressed), Cassandra's GCInspector lines in system.log,
 * and `nodetool gcstats` — as one `pauses` frame (pause, real and stopped time kept apart), a
 * `cycles` frame of concurrent work, a summary of KPIs, findings from ONE rule table
 * (./gc-rules.ts: GC_THRESHOLDS + GC_RULES, with the heap rule of ./heap.ts shared with jvm()) and
 * three charts (specs in ../../present/charts/gc.ts).
 *
 * Parsing lives in src/parse/gc-*.ts (pure, reusable by logs()/timeline()/health()); this file
 * reads files through the Source and joins rows, in steps gcStatsOf() calls in order: gather
 * (readGcLogs, readInspectorLines, readNodetoolGcstats), place GCInspector pauses against the GC
 * logs, per-node facts -> applyRules(GC_RULES), report (gcReport).
 */
import { CassperfError } from "../../errors";
import { filesInTimeOrder, missing, streamedNodetool } from "../../cluster/evidence";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import type { SourceFile } from "../../cluster/source";
import { heapChart, histogramChart, pausesChart } from "../../present/charts/gc";
import { makeReport, rowsToColumns, type Columns, type Finding, type Report, type TypedRows, answerOrExplain } from "../../present/report";
import { gcInspectorParser } from "../../parse/gc-inspector";
import { gcLogParser } from "../../parse/gc-log";
import type { GcBlockParser, GcParseColumns, PauseTable } from "../../parse/gc-pauses";
import { PauseTimes } from "../../parse/gc-fold";
import { isCancel } from "../parse-cancellable";
import { gcstatsSnapshotNote, gcWindow, narrowGcParse, narrowInspectorParse, windowFilter, type GcWindow, type WindowFilter } from "./gc-window";
import { runOptions } from "../../run-context";
import type { GcParse, ParseOptions } from "../../parse/gc-types";
import { GCSTATS_FIELDS, NodetoolGcstatsLines, type NodetoolGcStats } from "../../parse/nodetool-gcstats";
import { plural } from "../../present/plural";
import { applyRules } from "../rule";
import { fmt, GC_RULES, GC_THRESHOLDS as T, type NodeFacts } from "./gc-rules";
import { counted, type CycleRow, type PauseRow, type StallRow } from "./gc-rows";
import { PauseTally, type TalliedPause } from "./gc-tally";

export type { CycleRow, PauseOrigin, PauseRow, StallRow } from "./gc-rows";
export { GC_RULES, GC_THRESHOLDS } from "./gc-rules";

/** Options of {@link gcStats}. */
export interface GcStatsOptions extends HelperOptions {
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
  /**
   * Rows a GC log's pauses (and, separately, its concurrent cycles) keep for the frames and charts.
   * A log with more keeps a fixed-seed sample of about this many, plus the longest 1,000, the first,
   * the last and every pause a finding names; counts, percentiles, totals and findings are over every
   * pause whatever this is, and the notes say when a frame is a sample. Default {@link GC_MAX_ROWS}.
   * @example await gcStats("gc.log", { maxRows: 10_000 })
   */
  maxRows?: number;
}

/** Rows kept per GC log for the pauses and cycles frames before a sample is kept (about 5 MB of columns each). */
export const GC_MAX_ROWS = 50_000;
/** The longest pauses (and cycles) of a GC log kept as rows whatever the sample (a tenth of maxRows when that is fewer). */
export const GC_TOP_ROWS = 1_000;
const topRows = (maxRows: number) => Math.min(GC_TOP_ROWS, Math.ceil(maxRows / 10));

/** The report gcStats() returns: frames `pauses`, `cycles`, `stalls`, `gcstats`; charts `pauses`, `heap`, `histogram`. */
export type GcReport = TypedRows<{ pauses: PauseRow; cycles: CycleRow; stalls: StallRow; gcstats: NodetoolGcStats & { node: string; file: string } }> &
  Report<"pauses" | "cycles" | "stalls" | "gcstats"> & {
    readonly pauses: import("danfojs-node").DataFrame;
    readonly cycles: import("danfojs-node").DataFrame;
    readonly stalls: import("danfojs-node").DataFrame;
    readonly gcstats: import("danfojs-node").DataFrame;
  };

/**
 * {@link GcReport} under the name every helper's report follows (`<helper>Report`).
 * @example (await gcStats()).rows("pauses")
 */
export type GcStatsReport = GcReport;

const round = (n: number | null, d = 3) => (n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** d) / 10 ** d);

/** Per-file facts kept for the summary. */
interface FileResult {
  node: string;
  file: SourceFile;
  parse: GcParseColumns;
  /** What the pause rules read of the file's pauses (./gc-tally.ts), summed as they were read. */
  tally: PauseTally;
}

/** A GCInspector parse of one system.log. */
interface InspectorResult {
  node: string;
  file: SourceFile;
  parse: GcParse;
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

/** Every GC-log pause kept as a row (all of them, or a file's sample) of these files, made one at a time (for frames and charts, on demand). */
function* logRowsOf(results: FileResult[]): Generator<PauseRow> {
  for (const r of results) for (let i = 0; i < r.parse.pauses.length; i++) yield logRow(r, i);
}

/**
 * A GC log read block by block (never as one string: no size ceiling, memory flat), its dialect
 * detected from the first block. A read error is thrown as it is; a parser failure is marked.
 */
async function parseGcFile(
  source: Awaited<ReturnType<typeof resolveSource>>,
  file: SourceFile,
  signal: AbortSignal,
  opts: ParseOptions,
): Promise<GcParseColumns> {
  let parser: GcBlockParser | undefined;
  for await (const block of source.readLineBlocks(file, { signal })) {
    try {
      (parser ??= gcLogParser(block, opts)).push(block);
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { gcParserFailed: true });
    }
  }
  try {
    const parse = (parser ?? gcLogParser("", opts)).end();
    parse.pauses.finish();
    parse.cycles.finish();
    return parse;
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { gcParserFailed: true });
  }
}

/**
 * How a GC log's tables keep rows (../../parse/gc-pauses.ts RowBudget): at most `maxRows` each, the
 * pauses a rule reads ({@link notable}, the first to-space exhausted, the first humongous) always
 * kept, and rows outside the window (if any) left out as they are counted.
 */
function rowBudgets(maxRows: number, win: WindowFilter | undefined, file: SourceFile): { opts: ParseOptions; tally: PauseTally } {
  const tally = new PauseTally();
  const view: TalliedPause = {
    origin: "gc-log",
    beyond_gc_log: false,
    type: "",
    cause: null,
    pause_ms: 0,
    real_ms: null,
    stopped_ms: null,
    within_line: null,
    to_space_exhausted: false,
    humongous: false,
    concurrent_mode_failure: false,
  };
  // Called once per counted pause, in order: tally it, and keep whole the rows a finding names.
  const mustKeep = (t: PauseTable, i: number) => {
    view.type = t.typeOf(i);
    view.cause = t.causeOf(i);
    view.pause_ms = t.pauseMs(i);
    view.real_ms = t.num(i, "real_ms");
    view.stopped_ms = t.num(i, "stopped_ms");
    view.within_line = t.num(i, "within_line");
    view.to_space_exhausted = t.toSpaceExhausted(i);
    view.humongous = t.humongous(i);
    view.concurrent_mode_failure = t.concurrentModeFailure(i);
    return tally.add(view, () => logRow({ node: file.node, file, parse: { pauses: t } } as FileResult, i));
  };
  return {
    tally,
    opts: {
      pauseRows: { maxRows, topN: topRows(maxRows), mustKeep, ...(win ? { drop: win.dropPause } : {}) },
      cycleRows: { maxRows, topN: topRows(maxRows), ...(win ? { drop: win.dropCycle } : {}) },
    },
  };
}

/** The tally of a file's rows as they are now (after duplicates were dropped from a file that keeps every row). */
function tallyOfRows(r: FileResult): PauseTally {
  const tally = new PauseTally();
  for (let i = 0; i < r.parse.pauses.length; i++) tally.addRow(logRow(r, i));
  return tally;
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
export async function gcStats(input?: SourceInput | GcStatsOptions, options?: GcStatsOptions): Promise<GcReport> {
  const { source, options: opts } = helperArgs("gcStats", input, options, "source");
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("gcStats", ["pauses", "cycles", "stalls", "gcstats"] as const, () => gcStatsOf(source, opts));
}

/** The source a helper reads, as resolveSource gives it. */
type GcSource = Awaited<ReturnType<typeof resolveSource>>;
/** A `nodetool gcstats` row with its node and file. */
type GcstatsRow = NodetoolGcStats & { node: string; file: string };
/** Time covered by each kind of evidence, per node (the summary's `coverage`). */
type Coverage = Record<string, Record<string, { from: string | null; to: string | null; pauses: number }>>;

/**
 * gcStats() itself, step by step: gather (GC logs, GCInspector lines, nodetool gcstats), place the
 * GCInspector pauses against the GC logs, judge each node (facts -> GC_RULES), report. gcStats()
 * turns "the source has no ..." into an empty report.
 */
async function gcStatsOf(input?: SourceInput, opts: GcStatsOptions = {}): Promise<GcReport> {
  const source = await resolveSource(input, "gcStats");
  const wanted = opts.node === undefined ? undefined : new Set(Array.isArray(opts.node) ? opts.node : [opts.node]);
  const keep = (f: SourceFile) => !wanted || wanted.has(f.node);
  const notes: string[] = [];
  // Ctrl-C in the REPL (or a notebook cell's signal) stops the read between blocks; the files already read are kept.
  const signal = runOptions().signal;

  // The time window (from/to): pauses, cycles and stalls outside it are dropped as each file is read (./gc-window.ts).
  const win = gcWindow(opts) ?? undefined;
  const maxRows = opts.maxRows ?? GC_MAX_ROWS;
  if (!(maxRows >= 1)) throw new CassperfError(`gcStats: maxRows ${String(opts.maxRows)} is not a number of rows of at least 1.`);
  const { results, cancelled } = await readGcLogs(source, keep, signal, notes, win, maxRows);
  const inspector = opts.gcinspector !== false && !cancelled ? await readInspectorLines(source, keep, signal, notes, win) : [];
  const gcstats = opts.nodetool !== false && !cancelled ? await readNodetoolGcstats(source, wanted, notes) : [];
  if (win && gcstats.length)
    notes.push(
      gcstatsSnapshotNote(
        gcstats.map((g) => g.file),
        win,
      ),
    );
  if (!results.length && !inspector.length && !gcstats.length) refuseWithoutEvidence(source, notes);

  const stalls = fileNotesAndStalls(results, notes);
  const { insRows, coverage } = placeInspectorPauses(results, inspector, notes);
  const nodes = [...new Set([...results.map((r) => r.node), ...inspector.map((r) => r.node), ...gcstats.map((g) => g.node)])].sort();
  const findings: Finding[] = [];
  const perNode: Record<string, Record<string, unknown>> = {};
  for (const node of nodes) {
    const files = results.filter((r) => r.node === node);
    const nodeIns = insRows.filter((p) => p.node === node);
    const facts = nodeFactsOf(node, files, nodeIns, stalls, inspector);
    findings.push(...applyRules(GC_RULES, facts, "gcStats"));
    perNode[node] = kpis(files, nodeIns.filter(counted));
  }
  return gcReport({ source, results, insRows, stalls, gcstats, coverage, nodes, findings, perNode, notes, maxRows });
}

/**
 * Step 1: the GC logs, oldest rotation first per node. A GC log of another JVM in the bundle
 * (OpsCenter, the DataStax agent, Spark, Solr) or of no node is left out of the nodes' figures, with
 * a note. A cancel (Ctrl-C, a cell's interrupt) keeps what was read and says so (`cancelled`).
 */
async function readGcLogs(
  source: GcSource,
  keep: (f: SourceFile) => boolean,
  signal: AbortSignal,
  notes: string[],
  win: GcWindow | undefined,
  maxRows: number,
): Promise<{ results: FileResult[]; cancelled: boolean }> {
  const results: FileResult[] = [];
  const gcFiles = filesInTimeOrder(source, ["gc-log"]).filter(keep);
  for (const file of gcFiles) {
    let parse: GcParseColumns | null;
    const filter = win ? windowFilter(win) : undefined;
    const budget = rowBudgets(maxRows, filter, file);
    try {
      parse = await parseGcFile(source, file, signal, budget.opts);
    } catch (e) {
      if (isCancel(e) || signal.aborted) {
        if (!results.length) throw e;
        notes.push(
          `Cancelled: partial, ${results.length} of ${gcFiles.length} GC log files read (stopped in ${file.rel}); GCInspector lines and nodetool gcstats not read.`,
        );
        orderAndDedupe(results, notes);
        return { results, cancelled: true };
      }
      if ((e as { gcParserFailed?: boolean })?.gcParserFailed) parse = parserFailure(e, file, notes);
      else {
        notes.push(`${file.rel}: could not be read (${(e as Error).message}); skipped.`);
        continue;
      }
    }
    if (parse && isNodeGcLog(file, parse, notes)) {
      if (win && filter) narrowGcParse(parse, win, filter, file.rel, notes);
      results.push({ node: file.node, file, parse, tally: budget.tally });
    }
  }
  orderAndDedupe(results, notes);
  return { results, cancelled: false };
}

/**
 * Rotation numbers cycle (JDK 8 gc.log.0..N + .current, unified gc.log.0..N), so the names do
 * not give time order: order each node's files by the first time stamp (or uptime) inside them,
 * then drop pauses two files both state.
 */
function orderAndDedupe(results: FileResult[], notes: string[]): void {
  reorderByContent(results, notes);
  dedupe(results, notes);
}

/** Is this parse a Cassandra node's GC log? Not when it is no GC log at all, or another JVM's (a note says which). */
function isNodeGcLog(file: SourceFile, parse: GcParseColumns, notes: string[]): boolean {
  if (
    parse.format === "unknown" ||
    (parse.pauses.count === 0 && parse.cycles.count === 0 && parse.skipped.count > 0 && parse.skipped.count >= parse.lines / 2)
  ) {
    notes.push(
      `${file.rel} is not a GC log: expected unified logging lines ([uptime][level][tags] ...) or JDK 8 PrintGCDetails lines (uptime: [GC ...)${parse.skipped.first ? `; line ${parse.skipped.first.line} reads "${parse.skipped.first.text}"` : ""}.`,
    );
    return false;
  }
  const side = sideJvm(file);
  if (!side) return true;
  const worstMs = Math.max(0, parse.pauses.summary.max);
  notes.push(
    `${file.rel} is the GC log of ${side}, not of a Cassandra node: left out of the nodes' figures and findings (it holds ${parse.pauses.count.toLocaleString("en-US")} pause(s)${parse.pauses.count ? `, worst ${fmt(worstMs)} ms` : ""}).`,
  );
  return false;
}

/** Step 2: the GCInspector lines of each node's system.log (another JVM's log is left out, with a note). */
async function readInspectorLines(
  source: GcSource,
  keep: (f: SourceFile) => boolean,
  signal: AbortSignal,
  notes: string[],
  win?: GcWindow,
): Promise<InspectorResult[]> {
  const inspector: InspectorResult[] = [];
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
  return inspector;
}

/** Step 3: `nodetool gcstats` of each node (recorded files, or run on a live cluster); a failure is a note. */
async function readNodetoolGcstats(source: GcSource, wanted: Set<string> | undefined, notes: string[]): Promise<GcstatsRow[]> {
  const gcstats: GcstatsRow[] = [];
  // Each output parsed as it is read (no whole-file string); one that cannot be read is a note.
  const unread: string[] = [];
  for (const t of await streamedNodetool(source, "gcstats", () => new NodetoolGcstatsLines(), unread)) {
    if (wanted && !wanted.has(t.node)) continue;
    const row = t.parsed;
    if (row) gcstats.push({ node: t.node, file: t.origin, ...row });
    else notes.push(`${t.origin}: no gcstats table found (expected the "Interval (ms) Max GC Elapsed (ms) ..." header).`);
  }
  for (const n of unread) notes.push(`nodetool gcstats could not be read: ${n.replace(/^gcstats: /, "")}`);
  return gcstats;
}

/** No GC evidence at all: say why (the notes), which files are not GC logs, or what to add. */
function refuseWithoutEvidence(source: GcSource, notes: string[]): never {
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
  return missing(
    "gcStats",
    source,
    "GC logs, GCInspector lines in system.log, or nodetool gcstats output",
    'Open a folder or bundle with nodes/<node>/logs/cassandra/gc.log*, or pass a GC log path: gcStats("/var/log/cassandra/gc.log").',
  );
}

/** Each GC log's skipped lines and JVM restarts as notes; its allocation stalls as rows. */
function fileNotesAndStalls(results: FileResult[], notes: string[]): StallRow[] {
  const stalls: StallRow[] = [];
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
  return stalls;
}

/**
 * Coverage in time: a GCInspector pause outside every GC-log window of its node is evidence no
 * GC log states (e.g. logged after the GC log's last line), so it counts (`beyond_gc_log`); inside
 * a window it is the same pause the GC log already has. Returns the GCInspector rows and the time
 * each kind of evidence covers per node; notes say what was counted and what could not be placed.
 */
function placeInspectorPauses(results: FileResult[], inspector: InspectorResult[], notes: string[]): { insRows: PauseRow[]; coverage: Coverage } {
  const insRows: PauseRow[] = [];
  const coverage: Coverage = {};
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
    c.pauses += r.parse.pauses.count;
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
  return { insRows, coverage };
}

/** What the rules see for one node: its {@link notable} GC-log pauses as rows, its GCInspector rows, stalls, JVM info and throughput. */
function nodeFactsOf(node: string, files: FileResult[], nodeIns: PauseRow[], stalls: StallRow[], inspector: InspectorResult[]): NodeFacts {
  const info = Object.assign({}, ...files.map((r) => r.parse.info)) as GcParse["info"];
  // Each file's tally (summed as its pauses were read, whether its rows are all kept or a sample), in file order, then GCInspector's rows.
  const tally = new PauseTally();
  for (const r of files) tally.merge(r.tally);
  for (const p of nodeIns) tally.addRow(p);
  return {
    node,
    tally,
    stalls: stalls.filter((s) => s.node === node),
    info,
    throughputPct: throughput(files),
    files: [...files, ...inspector.filter((r) => r.node === node)].map((r) => r.file.rel),
    gcLogs: files.map((r) => r.file.rel),
  };
}

/** Everything the report is made of, gathered and judged. */
interface GcGathered {
  source: GcSource;
  results: FileResult[];
  insRows: PauseRow[];
  stalls: StallRow[];
  gcstats: GcstatsRow[];
  coverage: Coverage;
  nodes: string[];
  findings: Finding[];
  perNode: Record<string, Record<string, unknown>>;
  notes: string[];
  maxRows: number;
}

/** The last step: summary, frames built on demand from the columns, and the charts of ../../present/charts/gc.ts. */
function gcReport(g: GcGathered): GcReport {
  const { results, insRows, stalls, gcstats } = g;
  const logCount = results.reduce((a, r) => a + r.parse.pauses.count, 0);
  const insCounted = insRows.filter(counted);
  const basisCount = logCount + insCounted.length;
  /** Every pause row (GC log, then GCInspector), made on demand for frames and charts. */
  const allRows = () => [...logRowsOf(results), ...insRows];
  const infos = results.map((r) => r.parse.info);
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const k = kpis(results, insCounted);
  const summary: Record<string, unknown> = {
    nodes: g.nodes.length,
    gc_log_files: results.length,
    collector: uniq(infos.map((i) => i.collector)).join(", ") || null,
    jvm_version: uniq(infos.map((i) => i.jvmVersion)).join(", ") || null,
    heap_max_mb: infos.find((i) => i.heapMaxMb !== undefined)?.heapMaxMb ?? null,
    ram_mb: infos.find((i) => i.ramMb !== undefined)?.ramMb ?? null,
    ...k,
    gcinspector_pauses: insRows.length,
    gcinspector_pauses_beyond_gc_log: insRows.filter((p) => p.beyond_gc_log).length,
    coverage: g.coverage,
    cycles: results.reduce((a, r) => a + r.parse.cycles.count, 0),
    allocation_stalls: stalls.length,
    skipped_lines: results.reduce((a, r) => a + r.parse.skipped.count, 0),
    flags: infos.find((i) => i.flags)?.flags ?? null,
    per_node: g.perNode,
    nodetool_gcstats: gcstats.length ? Object.fromEntries(gcstats.map((s) => [s.node, s])) : null,
  };
  return makeReport({
    helper: "gcStats",
    title: `GC pauses of ${plural(g.nodes.length, "node")}: ${basisCount.toLocaleString("en-US")} pauses${k.pause_max_ms !== null ? `, max ${fmt(k.pause_max_ms as number)} ms` : ""}`,
    source: g.source.describe(),
    summary,
    findings: g.findings,
    frames: {
      pauses: () => pauseColumns(results, insRows),
      cycles: () => rowsToColumns(cycleRows(results), CYCLE_COLUMNS),
      stalls: () => rowsToColumns(stalls, ["node", "timestamp", "uptime_s", "thread", "stall_ms", "file", "line"]),
      gcstats: () => rowsToColumns(gcstats, GCSTATS_COLUMNS),
    },
    charts: {
      pauses: () => pausesChart(allRows(), T),
      heap: () => heapChart([...logRowsOf(results)]),
      histogram: () => histogramChart(results.some((r) => r.parse.pauses.sampled) ? histogramOf(results, insCounted) : allRows().filter(counted)),
    },
    notes: [...g.notes, ...sampleNotes(results, g.maxRows)],
    previewFrame: "pauses",
  }) as GcReport;
}

/** The histogram's input when a file's rows are a sample: every counted pause's duration and type, from the files' exact durations. */
function histogramOf(results: FileResult[], more: PauseRow[]): { type: string; pause_ms: number; count: number }[] {
  const out: { type: string; pause_ms: number; count: number }[] = [];
  for (const r of results)
    for (const [type, times] of r.parse.pauses.summary.times) for (const [ms, count] of times.entries()) out.push({ type, pause_ms: ms, count });
  for (const p of more) out.push({ type: p.type, pause_ms: p.pause_ms, count: 1 });
  return out;
}

/** A note for each GC log whose frames hold a sample of its rows (what was kept, and that every figure is over all rows). */
function sampleNotes(results: FileResult[], maxRows: number): string[] {
  const out: string[] = [];
  for (const r of results) {
    const n = (x: number) => x.toLocaleString("en-US");
    const { pauses, cycles } = r.parse;
    const what = [
      pauses.sampled ? `pauses frame and charts: a sample of ${n(pauses.length)} of ${n(pauses.count)} pauses` : "",
      cycles.sampled ? `cycles frame: a sample of ${n(cycles.length)} of ${n(cycles.count)} concurrent cycles` : "",
    ].filter(Boolean);
    if (what.length)
      out.push(
        `${r.file.rel}: ${what.join("; ")} (a fixed-seed random sample plus the ${n(topRows(maxRows))} longest, the first, the last ` +
          "and every pause a finding names; the maxRows option sets its size). Counts, percentiles, totals, the histogram and findings are over all of them.",
      );
  }
  return out;
}

/** The `pauses` frame from the columns (GC-log pauses, then GCInspector rows), one row object at a time. */
function pauseColumns(results: FileResult[], insRows: PauseRow[]): Columns {
  const n = results.reduce((a, r) => a + r.parse.pauses.length, 0) + insRows.length;
  const cols: Columns = {};
  for (const c of PAUSE_COLUMNS) cols[c] = new Array(n);
  let k = 0;
  const add = (p: PauseRow) => {
    for (const c of PAUSE_COLUMNS) cols[c]![k] = (p as unknown as Record<string, unknown>)[c] ?? null;
    k++;
  };
  for (const p of logRowsOf(results)) add(p);
  for (const p of insRows) add(p);
  return cols;
}

/** The `cycles` frame's rows: cycles stay in their columns until the frame is asked for. */
function cycleRows(results: FileResult[]): CycleRow[] {
  const out: CycleRow[] = [];
  for (const r of results) for (let i = 0; i < r.parse.cycles.length; i++) out.push({ ...r.parse.cycles.get(i), node: r.node, file: r.file.rel });
  return out;
}

/** Column order of the `gcstats` frame: the node, nodetool's own columns, the file. */
const GCSTATS_COLUMNS = ["node", ...GCSTATS_FIELDS, "file"];

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
    if (rs.some((r) => r.parse.pauses.sampled || r.parse.cycles.sampled)) {
      // A sampled file no longer holds every pause to compare; files whose time ranges do not meet cannot share one.
      if (rangesMeet(rs))
        notes.push(
          `${node}: ${rs.map((r) => r.file.rel).join(", ")} overlap in time (or have no date stamps to tell) and hold more pauses than ` +
            "are kept as rows (maxRows), so pauses both state could not be looked for; each file's pauses are all counted.",
        );
      continue;
    }
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
      if (t.length !== t.count) {
        t.refold();
        r.tally = tallyOfRows(r);
      }
      if (cs.length !== cs.count) cs.refold();
    }
    for (const [file, d] of dropped)
      notes.push(
        `${node}: ${d.n.toLocaleString("en-US")} duplicate pause(s) dropped from ${file}: the same time stamp, type and duration are already in ${[...d.from].join(", ")} (two copies or overlapping ranges of one log); each pause is counted once.`,
      );
  }
}

/** Do any two of these files' time spans (first to last date stamp) meet? True when a file has no date stamps to tell. */
function rangesMeet(rs: FileResult[]): boolean {
  const spans = rs.map((r) => [Date.parse(r.parse.firstTimestamp ?? ""), Date.parse(r.parse.lastTimestamp ?? "")]);
  if (spans.some(([a, b]) => !Number.isFinite(a) || !Number.isFinite(b))) return true;
  spans.sort((x, y) => x[0]! - y[0]!);
  for (let i = 1; i < spans.length; i++) if (spans[i]![0]! <= spans[i - 1]![1]!) return true;
  return false;
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
    const f = r.parse.pauses.summary;
    const end = Math.max(r.parse.lastUptime, f.outerEnd);
    const s = end - r.parse.firstUptime;
    if (s <= 0 || f.outer === 0) continue;
    span += s * 1000;
    paused += f.total;
    count += f.outer;
  }
  return span > 0 && count >= 2 ? Math.max(0, 100 * (1 - paused / span)) : null;
}

/**
 * The headline numbers over the pauses of `files` (their columns, in order) and then `more`
 * (GCInspector rows that count): one pass, no row objects.
 */
function kpis(files: FileResult[], more: PauseRow[]): Record<string, unknown> {
  // Every file's exact figures (../../parse/gc-fold.ts: summed over every pause, also when the rows are a sample), then `more`.
  const times = new PauseTimes();
  let total = 0;
  let fullCount = 0;
  const counts: Record<string, number> = {};
  const fullCauses: Record<string, number> = {};
  let allocMb = 0;
  let promoMb = 0;
  let spanS = 0;
  for (const r of files) {
    const f = r.parse.pauses.summary;
    for (const [type, t] of f.times) {
      counts[type] = (counts[type] ?? 0) + t.n;
      times.merge(t);
    }
    total += f.total;
    fullCount += f.fullCount;
    for (const [c, n] of Object.entries(f.fullCauses)) fullCauses[c] = (fullCauses[c] ?? 0) + n;
    allocMb += f.allocMb;
    promoMb += f.promoMb;
    if (r.parse.firstUptime !== null && r.parse.lastUptime !== null && !r.parse.jvmRestarts) spanS += Math.max(0, r.parse.lastUptime - r.parse.firstUptime);
  }
  for (const p of more) {
    times.add(p.pause_ms);
    total += p.within_line === null ? p.pause_ms : 0;
    counts[p.type] = (counts[p.type] ?? 0) + 1;
    if (p.type === "full") {
      fullCount++;
      const c = p.cause ?? "unknown";
      fullCauses[c] = (fullCauses[c] ?? 0) + 1;
    }
  }
  const n = times.n;
  const entries = times.entries();
  const stoppedFiles = files.filter((r) => r.parse.safepointStoppedMs !== null);
  return {
    pauses: n,
    counts_by_type: counts,
    pause_p50_ms: times.percentile(0.5, entries),
    pause_p90_ms: times.percentile(0.9, entries),
    pause_p99_ms: times.percentile(0.99, entries),
    pause_p99_9_ms: times.percentile(0.999, entries),
    pause_max_ms: n ? times.max : null,
    total_pause_ms: round(total),
    total_stopped_ms: stoppedFiles.length ? round(stoppedFiles.reduce((a, r) => a + (r.parse.safepointStoppedMs ?? 0), 0)) : null,
    throughput_pct: round(throughput(files), 3),
    allocation_rate_mb_s: spanS > 0 && allocMb > 0 ? round(allocMb / spanS) : null,
    promotion_rate_mb_s: spanS > 0 && promoMb > 0 ? round(promoMb / spanS) : null,
    full_gcs: fullCount,
    full_gc_causes: fullCauses,
  };
}
