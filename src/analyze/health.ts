/**
 * health(): the one-page report, like sperf's default summary. It runs every helper the source can
 * answer (and so every rule table), and returns ONE report:
 *
 *  - frame `headline`: nodes, versions, worst GC pause, worst read and write p99, worst tombstones,
 *    largest partition, busiest tables, pending compactions, dropped messages — each row with the
 *    helper that read it and `from`, the file (and line) the value was read from. A value the
 *    source cannot give is null with the reason, never a guess. The one gathering is
 *    ./headline.ts (`cassperf report` and `compare` read the same rows back);
 *  - `findings`: every helper's findings, ranked by severity, each with `helper` naming the helper
 *    that explains it (call that helper for the detail); a rule two helpers share (the heap rule
 *    of gcStats and jvm) gives one finding per node ({@link oncePerRule});
 *  - frame `helpers`: what ran, what failed (its error is also a note) and what the source cannot
 *    answer, with the reason and what to add;
 *  - `reports`: each helper's own report, to drill down without re-running it.
 *
 * Which helpers run, in which order, is the registry's (../helpers.ts: each entry with a
 * `health` runner); whether each can answer is the capability table's (../cluster/capabilities.ts).
 * A helper that throws never sinks health(): its error becomes a note and a "failed" row.
 * The steps: runHelpers -> gatherHeadline (./headline.ts) -> rankedFindings -> healthReport (chart:
 * ../present/charts/health.ts).
 */
import { CassperfError, isCassperfError } from "../errors";
import { LiveSource } from "../cluster/live";
import { capability, capabilityRule } from "../cluster/capabilities";
import { resolveSource, type HelperOptions, type SourceInput } from "../cluster/resolve";
import type { Source } from "../cluster/source";
import { makeReport, rowsToColumns, sortFindings, unansweredReason, type DataFrame, type Finding, type Report } from "../present/report";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES } from "./compaction/compaction-evidence";
import { gatherHeadline, num, type HeadlineFact } from "./headline";
import { findingsChart } from "../present/charts/health";
import { plural } from "../present/plural";

/** Options of {@link health}. */
export interface HealthOptions extends HelperOptions {
  /**
   * Helpers not to run (by name), e.g. the slow ones on a live cluster.
   * @example await health(live, { skip: ["traces", "histograms"] })
   */
  skip?: string[];
}

/** What a step of health() sees: the reports of the helpers that ran before it (by helper name). */
export interface RunContext {
  reports: Map<string, Report>;
}

/**
 * One helper health() runs, and how (the registry, ../helpers.ts, gives health() its steps in
 * order: an entry with a `health` runner is a step). The evidence each needs is its entry's `needs`,
 * which inventory() and the helpers' own errors read too (../cluster/capabilities.ts).
 */
export interface HealthStep {
  helper: string;
  run: (source: Source, ctx: RunContext) => Promise<Report>;
}

/**
 * One finding per rule, node and title across helpers: a rule two helpers share (the heap rule of
 * gcStats and jvm(), ./gc/heap.ts) raises the same finding in both reports; health() lists it once,
 * as the helper that ran LAST raised it (a later helper builds on the earlier ones' reports: jvm()
 * reads gcStats's, and adds the command line). Findings of one report are never folded together,
 * and each helper's own report still has its finding.
 */
export function oncePerRule(reports: Map<string, Finding[]>): Finding[] {
  const key = (f: Finding) => `${f.id}\u0000${f.node ?? ""}\u0000${f.title}`;
  const raisedBy = new Map<string, string>();
  for (const [name, fs] of reports) for (const f of fs) raisedBy.set(key(f), name);
  return [...reports].flatMap(([name, fs]) => fs.filter((f) => raisedBy.get(key(f)) === name));
}

/**
 * The table health()'s partitionScan step scans (recorded only: a live scan reads a whole table): the one
 * with the largest partition the earlier helpers saw, else the largest a system table lists; throws when none.
 */
export async function tableToScan(source: Source, ctx: RunContext): Promise<string> {
  const table = largestPartitionTable(ctx) ?? (await largestSystemTable(source));
  if (!table) throw new CassperfError("partitionScan: no table with a known partition size to scan (no histograms, tablestats or large-partition warnings)");
  return table;
}

/** Why a helper cannot answer from this source, or null when it can (../cluster/capabilities.ts, the table inventory() uses too). */
export async function cannotAnswer(h: HealthStep, source: Source): Promise<string | null> {
  // health() never scans a live table: that reads a whole table (run partitionScan("ks.t") yourself).
  if (h.helper === "partitionScan" && source instanceof LiveSource)
    return 'a live partitionScan reads a whole table; run partitionScan("keyspace.table") on the table you suspect';
  if (!capabilityRule(h.helper)) return null;
  const c = await capability(h.helper, source);
  return c.answerable ? null : c.reason;
}

/** What to add so `h` can answer (the capability table's words). */
function whatToAdd(h: HealthStep): string {
  return capabilityRule(h.helper)?.missing ?? "";
}

/** The table holding the largest partition the helpers that ran saw ("ks.table"), for partitionScan. */
function largestPartitionTable(ctx: RunContext): string | undefined {
  let best: { table: string; bytes: number } | undefined;
  const h = ctx.reports.get("histograms");
  if (h)
    for (const r of h.rows("histograms"))
      if (
        r.metric === "partition_size" &&
        r.percentile === "max" &&
        r.keyspace &&
        num(r.value) !== null &&
        !SYSTEM_KEYSPACES.test(String(r.keyspace)) &&
        (!best || (r.value as number) > best.bytes)
      )
        best = { table: `${r.keyspace}.${r.table}`, bytes: r.value as number };
  const l = ctx.reports.get("logs");
  if (l)
    for (const e of l.rows("events"))
      if (e.kind === "large-partition" && e.keyspace && e.table && num(e.partition_bytes) !== null && (!best || (e.partition_bytes as number) > best.bytes))
        best = { table: `${e.keyspace}.${e.table}`, bytes: e.partition_bytes as number };
  // tablestats' "Compacted partition maximum bytes", as compactionAdvice cited it (the capability table counts tablestats too).
  const c = ctx.reports.get("compactionAdvice");
  if (c && (c.frameNames as string[]).includes("evidence"))
    for (const e of c.rows("evidence"))
      if (
        e.item === "partition_max_bytes" &&
        num(e.value) !== null &&
        !SYSTEM_KEYSPACES.test(String(e.table).split(".")[0]) &&
        (!best || (e.value as number) > best.bytes)
      )
        best = { table: String(e.table), bytes: e.value as number };
  // No user table with a known partition size: the largest system table's tablestats/histograms still answer.
  if (!best && h)
    for (const r of h.rows("histograms"))
      if (r.metric === "partition_size" && r.percentile === "max" && r.keyspace && num(r.value) !== null && (!best || (r.value as number) > best.bytes))
        best = { table: `${r.keyspace}.${r.table}`, bytes: r.value as number };
  return best?.table;
}

/** The system table with the largest tablestats partition maximum, when no user table has one. */
async function largestSystemTable(source: Source): Promise<string | undefined> {
  const ev = await gatherCompactionEvidence(source, undefined, ["tablestats"]).catch(() => undefined);
  let best: { table: string; bytes: number } | undefined;
  for (const t of ev?.tables.values() ?? []) {
    const v = num(t.partitionMaxBytes?.value);
    if (v !== null && v > 0 && (!best || v > best.bytes)) best = { table: `${t.keyspace}.${t.table}`, bytes: v };
  }
  return best?.table;
}

/**
 * A live source whose nodetool runs each (node, command) once for this health() call: several
 * helpers read the same outputs (info for caches and jvm; tablestats and tablehistograms for
 * compactionAdvice, caches and the headline), and each nodetool run starts a JVM (~1-2 s).
 */
function nodetoolOnce(live: LiveSource): LiveSource {
  const memo = new Map<string, ReturnType<LiveSource["nodetool"]>>();
  const nodetool = (node: string, args: string[]) => {
    const key = `${node}\u0000${args.join("\u0000")}`;
    let p = memo.get(key);
    if (!p) {
      p = live.nodetool(node, args);
      memo.set(key, p);
      p.catch(() => memo.delete(key));
    }
    return p;
  };
  return new Proxy(live, {
    get(target, prop) {
      if (prop === "nodetool") return nodetool;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The report health() returns: a Report with each helper's own report in `reports`. */
export type HealthReport = Report<"headline" | "ranked" | "helpers"> & {
  readonly headline: DataFrame;
  readonly ranked: DataFrame;
  readonly helpers: DataFrame;
  /** Each helper's own report, by helper name, for the detail behind a finding. */
  readonly reports: Record<string, Report>;
};

/**
 * health() over the given steps, in order (the registry's, ../helpers.ts: `health()` there is the
 * public function, with its documentation). A step that throws never sinks the report.
 */
export async function runHealth(steps: readonly HealthStep[], input?: SourceInput, options: HealthOptions = {}): Promise<HealthReport> {
  const resolved = await resolveSource(input, "health");
  const source = resolved instanceof LiveSource ? nodetoolOnce(resolved) : resolved;
  const run = await runHelpers(steps, source, new Set(options.skip ?? []));
  const head = await gatherHeadline(source, run.reports, run.unanswerable);
  return healthReport(source, run, head);
}

/** One row of the `helpers` frame: what happened to a helper. */
type HelperRow = { helper: string; status: string; findings: number | null; ms: number | null; reason: string | null };

/** What running the helpers gave: their reports, why some could not answer, the failures' notes, a row per helper. */
interface HelpersRun {
  reports: Map<string, Report>;
  unanswerable: Map<string, string>;
  notes: string[];
  helperRows: HelperRow[];
}

/** Run every step the source can answer, in order; one that throws becomes a note and a row, never the end. */
async function runHelpers(steps: readonly HealthStep[], source: Source, skip: Set<string>): Promise<HelpersRun> {
  const reports = new Map<string, Report>();
  const unanswerable = new Map<string, string>();
  const notes: string[] = [];
  const helperRows: HelperRow[] = [];
  const ctx: RunContext = { reports };
  for (const h of steps) {
    if (skip.has(h.helper)) {
      helperRows.push({ helper: h.helper, status: "skipped", findings: null, ms: null, reason: "skipped by options.skip" });
      continue;
    }
    const cannot = await cannotAnswer(h, source);
    if (cannot) {
      unanswerable.set(h.helper, cannot);
      const add = whatToAdd(h);
      helperRows.push({
        helper: h.helper,
        status: "cannot answer",
        findings: null,
        ms: null,
        reason: `${cannot}${add && add !== cannot ? `; add ${add}` : ""}`,
      });
      continue;
    }
    const t0 = Date.now();
    try {
      const r = await h.run(source, ctx);
      // An empty report that says why (answerOrExplain): the source cannot answer this helper.
      const why = unansweredReason(r);
      if (why !== undefined) {
        unanswerable.set(h.helper, `${h.helper}: ${why}`);
        helperRows.push({ helper: h.helper, status: "cannot answer", findings: null, ms: Date.now() - t0, reason: `${h.helper}: ${why}` });
        continue;
      }
      reports.set(h.helper, r);
      helperRows.push({ helper: h.helper, status: "ran", findings: r.findings.length, ms: Date.now() - t0, reason: null });
    } catch (e) {
      // A CassperfError is the helper saying what the source lacks: the source cannot answer it.
      // Anything else is a failure (a bug, an unreadable file): noted, and the rest of the report stands.
      const msg = (e as Error)?.message ?? String(e);
      if (isCassperfError(e)) {
        unanswerable.set(h.helper, msg);
        helperRows.push({ helper: h.helper, status: "cannot answer", findings: null, ms: Date.now() - t0, reason: msg });
      } else {
        notes.push(`${h.helper}() failed and was left out: ${msg}`);
        helperRows.push({ helper: h.helper, status: "failed", findings: null, ms: Date.now() - t0, reason: msg });
      }
    }
  }
  return { reports, unanswerable, notes, helperRows };
}

/** All findings, each with the helper that explains it, the same problem shown once, most severe first. */
function rankedFindings(reports: Map<string, Report>): Finding[] {
  // inventory's "helper cannot answer" findings are the helpers frame's rows.
  const findings = new Map<string, Finding[]>();
  for (const [name, r] of reports)
    findings.set(
      name,
      r.findings.filter((f) => f.id !== "inventory.helper-unanswerable").map((f) => ({ ...f, helper: f.helper && f.helper !== "" ? f.helper : name })),
    );
  return sortFindings(oncePerRule(findings));
}

/** The one report: title and summary from the counts and the headline, the frames, the findings chart. */
function healthReport(source: Source, run: HelpersRun, head: { rows: HeadlineFact[]; notes: string[] }): HealthReport {
  const { reports, unanswerable, helperRows } = run;
  const notes = [...run.notes, ...head.notes];
  for (const [name, r] of reports) for (const n of r.notes) notes.push(`${name}: ${n}`);
  for (const [h, why] of unanswerable) notes.push(`${h}() cannot answer from this source: ${why}`);
  const ranked = rankedFindings(reports);
  const count = (s: string) => ranked.filter((f) => f.severity === s).length;
  const val = (m: string) => head.rows.find((r) => r.metric === m)?.value ?? null;
  const report = makeReport({
    helper: "health",
    title: `${plural(source.nodes().length, "node")}: ${count("critical")} critical, ${count("warning")} warning, ${count("info")} info from ${reports.size} helpers`,
    source: source.describe(),
    summary: {
      nodes: source.nodes().length,
      versions: val("versions"),
      critical: count("critical"),
      warnings: count("warning"),
      info: count("info"),
      helpers_run: helperRows
        .filter((r) => r.status === "ran")
        .map((r) => r.helper)
        .join(", "),
      helpers_failed:
        helperRows
          .filter((r) => r.status === "failed")
          .map((r) => r.helper)
          .join(", ") || null,
      cannot_answer: [...unanswerable.keys()].join(", ") || null,
      worst_gc_pause: val("worst GC pause (gc log)") ?? val("worst GC pause (GCInspector)"),
      worst_read_p99: val("worst read p99"),
      worst_write_p99: val("worst write p99"),
      largest_partition: val("largest partition"),
    },
    findings: ranked,
    notes,
    frames: {
      headline: rowsToColumns(head.rows, ["metric", "value", "node", "detail", "helper", "from"]),
      ranked: rowsToColumns(ranked, ["severity", "helper", "id", "node", "title", "evidence", "action"]),
      helpers: rowsToColumns(helperRows, ["helper", "status", "findings", "ms", "reason"]),
    },
    charts: { findings: () => findingsChart(ranked) },
    previewFrame: "headline",
  });
  Object.defineProperty(report, "reports", { value: Object.fromEntries(reports), enumerable: false });
  return report as unknown as HealthReport;
}
