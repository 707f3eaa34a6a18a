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
 *    that explains it (call that helper for the detail); a problem two helpers both raise on one
 *    node ({@link SAME_PROBLEM}, e.g. a small heap from gcStats and jvm) is shown once;
 *  - frame `helpers`: what ran, what failed (its error is also a note) and what the source cannot
 *    answer, with the reason and what to add;
 *  - `reports`: each helper's own report, to drill down without re-running it.
 *
 * Which helper runs is decided by one table, {@link HEALTH_HELPERS}: the evidence each needs.
 * A helper that throws never sinks health(): its error becomes a note and a "failed" row.
 * The steps: runHelpers -> gatherHeadline (./headline.ts) -> rankedFindings -> healthReport (chart:
 * ../present/charts/health.ts).
 */
import { CassperfError, isCassperfError } from "../errors";
import { LiveSource } from "../cluster/live";
import { capability, capabilityRule } from "./capabilities";
import { resolveSource, type SourceInput } from "../cluster/resolve";
import type { FileKind, Source } from "../cluster/source";
import { makeReport, rowsToColumns, sortFindings, unansweredReason, type DataFrame, type Finding, type Report } from "../present/report";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES } from "./compaction/compaction-evidence";
import { gatherHeadline, num, type HeadlineFact } from "./headline";
import { findingsChart } from "../present/charts/health";
import { plural } from "../present/plural";

/** Options of {@link health}. */
export interface HealthOptions {
  /**
   * Helpers not to run (by name, as in {@link HEALTH_HELPERS}), e.g. the slow ones on a live cluster.
   * @example await health(live, { skip: ["traces", "histograms"] })
   */
  skip?: string[];
}

/** What health() hands each helper runner: the reports of the helpers that ran before it. */
interface RunContext {
  reports: Map<string, Report>;
}

/**
 * One helper health() can run and how to call it. The evidence it needs is in ONE table shared with
 * inventory() and the helpers' own errors (./capabilities.ts HELPER_CAPABILITIES); `recorded`/`live`
 * /`missing` here serve only a helper that table does not list.
 */
export interface HealthHelper {
  helper: string;
  recorded?: { kinds?: FileKind[]; commands?: string[]; names?: RegExp } | null;
  live?: (s: LiveSource) => string | null;
  missing?: string;
  run: (source: Source, ctx: RunContext) => Promise<Report>;
}

/**
 * Findings two helpers both raise about one thing on one node. health() shows the `keep` finding
 * once, at the worse of the two severities, and says in its evidence that the other helper agrees;
 * each helper's own report still has its finding.
 */
export const SAME_PROBLEM: { keep: string[]; drop: string; why: string }[] = [
  {
    keep: ["jvm.heap-small", "jvm.heap-large", "jvm.heap-over-half-ram"],
    drop: "gc.heap-size",
    why: "gcStats reads -Xmx and RAM from the GC log header; jvm() reads the same heap (command line, log or GC header) and names the one limit it breaks",
  },
];

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** Fold the {@link SAME_PROBLEM} pairs: per node, a `drop` finding goes when a `keep` finding is there. */
export function mergeSameProblem(findings: Finding[]): Finding[] {
  const out = findings.map((f) => ({ ...f }));
  const gone = new Set<number>();
  for (const rule of SAME_PROBLEM) {
    out.forEach((dropped, i) => {
      if (dropped.id !== rule.drop || dropped.node === undefined) return;
      const kept = out.filter((k) => rule.keep.includes(k.id) && k.node === dropped.node);
      if (!kept.length) return;
      gone.add(i);
      for (const k of kept) {
        if (SEVERITY_RANK[dropped.severity] < SEVERITY_RANK[k.severity]) k.severity = dropped.severity;
        k.evidence = `${k.evidence}; ${dropped.helper ?? "another helper"} agrees (${dropped.id}: ${dropped.title})`;
      }
    });
  }
  return out.filter((_, i) => !gone.has(i));
}

/**
 * The helpers health() runs, in order, with the evidence each needs. `inventory` runs first (nodes,
 * versions, unreadable files); `partitionScan` runs last on the table with the largest partition
 * the earlier helpers saw (recorded only: a live scan reads a whole table).
 */
export const HEALTH_HELPERS: HealthHelper[] = [
  { helper: "inventory", run: async (s) => (require("./inventory") as typeof import("./inventory")).inventory(s) },
  { helper: "gcStats", run: async (s) => (require("./gc/gc-stats") as typeof import("./gc/gc-stats")).gcStats(s) },
  { helper: "jvm", run: async (s, ctx) => (require("./gc/jvm") as typeof import("./gc/jvm")).jvm(s, { gc: ctx.reports.get("gcStats") }) },
  { helper: "logs", run: async (s) => (require("./logs/logs") as typeof import("./logs/logs")).logs({ source: s }) },
  { helper: "histograms", run: async (s) => (require("./histograms/histograms") as typeof import("./histograms/histograms")).histograms({ source: s }) },
  {
    helper: "traces",
    run: async (s) => (require("./trace/trace") as typeof import("./trace/trace")).traces({ source: s, ...(s instanceof LiveSource ? { limit: 1000 } : {}) }),
  },
  {
    helper: "queryPatterns",
    run: async (s, ctx) => (require("./trace/query-patterns") as typeof import("./trace/query-patterns")).queryPatterns(s, { traces: ctx.reports.get("traces") }),
  },
  { helper: "compactionAdvice", run: async (s) => (require("./compaction/compaction") as typeof import("./compaction/compaction")).compactionAdvice(undefined, {}, { source: s }) },
  { helper: "caches", run: async (s) => (require("./monitors/caches") as typeof import("./monitors/caches")).caches(s) },
  { helper: "connections", run: async (s) => (require("./monitors/connections") as typeof import("./monitors/connections")).connections(s) },
  { helper: "bench", run: async (s) => (require("./bench/bench") as typeof import("./bench/bench")).bench(s) },
  {
    helper: "partitionScan",
    run: async (s, ctx) => {
      const table = largestPartitionTable(ctx) ?? (await largestSystemTable(s));
      if (!table)
        throw new CassperfError("partitionScan: no table with a known partition size to scan (no histograms, tablestats or large-partition warnings)");
      return (require("./partitions/partitions") as typeof import("./partitions/partitions")).partitionScan(table, { source: s });
    },
  },
];

/** Why a helper cannot answer from this source, or null when it can (./capabilities.ts, the table inventory() uses too). */
export async function cannotAnswer(h: HealthHelper, source: Source): Promise<string | null> {
  if (capabilityRule(h.helper)) {
    // health() never scans a live table: that reads a whole table (run partitionScan("ks.t") yourself).
    if (h.helper === "partitionScan" && source instanceof LiveSource)
      return 'a live partitionScan reads a whole table; run partitionScan("keyspace.table") on the table you suspect';
    const c = await capability(h.helper, source);
    return c.answerable ? null : c.reason;
  }
  if (source instanceof LiveSource) return h.live?.(source) ?? null;
  if (!h.recorded) return null;
  const { kinds = [], commands = [], names } = h.recorded;
  const have = source
    .files()
    .some(
      (f) =>
        kinds.includes(f.kind) ||
        (f.kind === "nodetool" && f.command !== undefined && commands.includes(f.command)) ||
        (names !== undefined && names.test(f.rel)),
    );
  return have ? null : `none of the files it reads are in ${source.name}`;
}

/** What to add so `h` can answer (the capability table's words). */
function whatToAdd(h: HealthHelper): string {
  return capabilityRule(h.helper)?.missing ?? h.missing ?? "";
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
export async function health(input?: SourceInput, options: HealthOptions = {}): Promise<HealthReport> {
  const resolved = await resolveSource(input, "health");
  const source = resolved instanceof LiveSource ? nodetoolOnce(resolved) : resolved;
  const run = await runHelpers(source, new Set(options.skip ?? []));
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

/** Run every helper of {@link HEALTH_HELPERS} the source can answer, in order; one that throws becomes a note and a row, never the end. */
async function runHelpers(source: Source, skip: Set<string>): Promise<HelpersRun> {
  const reports = new Map<string, Report>();
  const unanswerable = new Map<string, string>();
  const notes: string[] = [];
  const helperRows: HelperRow[] = [];
  const ctx: RunContext = { reports };
  for (const h of HEALTH_HELPERS) {
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
  const findings: Finding[] = [];
  for (const [name, r] of reports)
    for (const f of r.findings) {
      if (f.id === "inventory.helper-unanswerable") continue;
      findings.push({ ...f, helper: f.helper && f.helper !== "" ? f.helper : name });
    }
  return sortFindings(mergeSameProblem(findings));
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
