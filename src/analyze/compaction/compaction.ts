/**
 * compactionAdvice(): the right compaction strategy per table, with the evidence and the statement.
 *
 * Steps: gather (./compaction-evidence.ts, narrowed to the tables asked: gatherTables), facts per
 * table (tableFacts), rules (./compaction-rules.ts: the first matching STRATEGY_RULES rule, then
 * every ANTI_PATTERN_RULES rule, each citing the numbers it fired on; adviseTables), apply on a
 * live source when asked (applyAdvice), the report (adviceReport; its chart spec is in
 * ../../present/charts/compaction.ts). Every threshold is in COMPACTION_THRESHOLDS with the source of its number.
 */
import { CassperfError } from "../../errors";
import { LiveSource } from "../../cluster/live";
import { parseTableName, quoteIdent, type TableName } from "../../cluster/cql";
import { existingPath, helperArgs, isSource, resolveSource, type HelperOptions } from "../../cluster/resolve";
import type { Source } from "../../cluster/source";
import { makeReport, type Finding, type Report, type TypedRows, answerOrExplain } from "../../present/report";
import { compactionEvidenceChart, type CompactionChartRow } from "../../present/charts/compaction";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES, type Cited, type TableEvidence } from "./compaction-evidence";
import { versionsOf } from "../inventory";
import { applyRules } from "../rule";
import {
  ANTI_PATTERN_RULES,
  bytes,
  chooseStrategy,
  COMPACTION_THRESHOLDS,
  n,
  type CompactionWorkload,
  type Strategy,
  type TableFacts,
} from "./compaction-rules";

// The rule tables, their thresholds and the facts they read: ./compaction-rules.ts.
export { ANTI_PATTERN_RULES, COMPACTION_THRESHOLDS, STRATEGY_RULES, type CompactionWorkload, type Strategy, type TableFacts } from "./compaction-rules";
const T = COMPACTION_THRESHOLDS;
const TIME_TYPES = /^(timestamp|timeuuid|date)$/i;
const plural = (k: number, unit: string) => `${k} ${unit.toLowerCase().replace(/s$/, "")}${k === 1 ? "" : "s"}`;

/** Options of {@link compactionAdvice}: the workload facts the evidence cannot tell, the source, and what to do. */
export interface CompactionAdviceOptions extends CompactionWorkload, HelperOptions {
  /**
   * Execute the ALTER TABLE statements on a live source (only when true). The report says what ran.
   * @example compactionAdvice("shop.orders", { apply: true })
   */
  apply?: boolean;
  /** Include system and DSE keyspaces when no table is named. Default false. */
  includeSystem?: boolean;
}

/** Whether a version string is at least major.minor.patch. */
export function versionAtLeast(version: string | undefined, major: number, minor = 0, patch = 0): boolean {
  if (!version) return true; // unknown: assume a current Cassandra
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.replace(/^DSE\s*/, ""));
  if (!m) return true;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (/^DSE/.test(version)) return a >= 6 || major < 4; // DSE 6.x is Cassandra 4.0-based
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

/** TWCS window: about TWCS_TARGET_WINDOWS windows over the TTL, in whole minutes, hours or days. */
export function twcsWindow(ttlSeconds: number | undefined): { unit: "MINUTES" | "HOURS" | "DAYS"; size: number; why: string } {
  if (!ttlSeconds || ttlSeconds <= 0)
    return { unit: "DAYS", size: 1, why: "no TTL known: one-day windows (choose the TTL, then size windows to about 1/30 of it)" };
  const w = ttlSeconds / T.TWCS_TARGET_WINDOWS.value;
  if (w >= 86400)
    return { unit: "DAYS", size: Math.max(1, Math.round(w / 86400)), why: `TTL ${n(ttlSeconds / 86400)} days / ${T.TWCS_TARGET_WINDOWS.value} windows` };
  if (w >= 3600)
    return { unit: "HOURS", size: Math.max(1, Math.round(w / 3600)), why: `TTL ${n(ttlSeconds / 3600)} hours / ${T.TWCS_TARGET_WINDOWS.value} windows` };
  return { unit: "MINUTES", size: Math.max(1, Math.round(w / 60)), why: `TTL ${n(ttlSeconds / 60)} minutes / ${T.TWCS_TARGET_WINDOWS.value} windows` };
}

/** The compaction map for a strategy on a version, and the ALTER TABLE statement. */
export function compactionStatement(
  table: TableName,
  strategy: Strategy,
  f: Pick<TableFacts, "ttl" | "version">,
): { statement: string; ucs?: string; note?: string } {
  const alter = (map: string) => `ALTER TABLE ${quoteIdent(table.keyspace)}.${quoteIdent(table.table)} WITH compaction = ${map};`;
  const ucs =
    versionAtLeast(f.version, 5) && f.version
      ? {
          T4: alter("{'class': 'UnifiedCompactionStrategy', 'scaling_parameters': 'T4'}"),
          L10: alter("{'class': 'UnifiedCompactionStrategy', 'scaling_parameters': 'L10'}"),
        }
      : undefined;
  if (strategy === "STCS")
    return { statement: alter("{'class': 'SizeTieredCompactionStrategy', 'min_threshold': '4', 'max_threshold': '32'}"), ...(ucs ? { ucs: ucs.T4 } : {}) };
  if (strategy === "LCS") return { statement: alter("{'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'}"), ...(ucs ? { ucs: ucs.L10 } : {}) };
  const w = twcsWindow(f.ttl?.value);
  const twcs = alter(`{'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': '${w.unit}', 'compaction_window_size': '${w.size}'}`);
  if (!versionAtLeast(f.version, 3, 0, 8)) {
    // TWCS is built in from 3.0.8; before that DTCS is the time-based strategy.
    const days = w.unit === "DAYS" ? w.size : 1;
    return {
      statement: alter(
        `{'class': 'DateTieredCompactionStrategy', 'base_time_seconds': '3600', 'max_sstable_age_days': '${Math.max(1, Math.round((f.ttl?.value ?? 30 * 86400) / 86400))}'}`,
      ),
      note: `TWCS is built into Cassandra from 3.0.8; this cluster runs ${f.version}, so the statement uses DateTieredCompactionStrategy until the upgrade, then: ${twcs} (windows of ${plural(w.size, w.unit)}: ${w.why}; DTCS max_sstable_age_days from the TTL, base ${plural(days, "DAYS")} of data per tier)`,
    };
  }
  return { statement: twcs, note: `windows of ${plural(w.size, w.unit)}: ${w.why}` };
}

const SHORT: Record<string, string> = {
  SizeTieredCompactionStrategy: "STCS",
  LeveledCompactionStrategy: "LCS",
  TimeWindowCompactionStrategy: "TWCS",
  DateTieredCompactionStrategy: "DTCS",
  UnifiedCompactionStrategy: "UCS",
};

/** Derive the facts the rules read, from evidence and the workload (the workload wins). */
export function tableFacts(ev: TableEvidence, workload: CompactionWorkload, version: string | undefined, nodePending: Cited | undefined): TableFacts {
  const schema = ev.schema?.value;
  const current = schema?.compactionClass ? (SHORT[schema.compactionClass] ?? schema.compactionClass) : "unknown";
  const firstClustering = schema?.clustering[0];
  const timeSeries: Cited<boolean> | undefined = workload.lifecycle
    ? { value: workload.lifecycle === "time-series", origin: "workload" }
    : firstClustering
      ? {
          value: TIME_TYPES.test(firstClustering.type),
          origin: `${ev.schema!.origin}: first clustering column ${firstClustering.name} is ${firstClustering.type}`,
        }
      : schema
        ? { value: false, origin: `${ev.schema!.origin}: no clustering column` }
        : undefined;
  let updateHeavy: Cited<boolean> | undefined;
  if (workload.writePattern) updateHeavy = { value: workload.writePattern === "update-heavy", origin: "workload" };
  else if (ev.writes && ev.partitionsEstimate && ev.partitionsEstimate.value > 0 && !timeSeries?.value) {
    const per = ev.writes.value / ev.partitionsEstimate.value;
    updateHeavy = {
      value: per >= T.UPDATE_WRITES_PER_PARTITION.value,
      origin: `${n(ev.writes.value)} writes over ~${n(ev.partitionsEstimate.value)} partitions = ${n(per)} writes per partition, threshold ${T.UPDATE_WRITES_PER_PARTITION.value} (${ev.writes.origin})`,
    };
  }
  let readHeavy: Cited<boolean> | undefined;
  let writeHeavy: Cited<boolean> | undefined;
  if (workload.readPattern) {
    readHeavy = { value: workload.readPattern === "read-heavy", origin: "workload" };
    writeHeavy = { value: workload.readPattern === "write-heavy", origin: "workload" };
  } else if (ev.reads && ev.writes) {
    const r = ev.reads.value;
    const w = ev.writes.value;
    const o = `${n(r)} reads, ${n(w)} writes (${ev.reads.origin})`;
    readHeavy = { value: r >= T.READ_HEAVY_RATIO.value * Math.max(1, w), origin: `${o}; read-heavy at ${T.READ_HEAVY_RATIO.value}x` };
    writeHeavy = { value: w >= T.WRITE_HEAVY_RATIO.value * Math.max(1, r), origin: `${o}; write-heavy at ${T.WRITE_HEAVY_RATIO.value}x` };
  }
  const smallPartitions: Cited<boolean> | undefined = ev.partitionMaxBytes
    ? {
        value: ev.partitionMaxBytes.value <= T.SMALL_PARTITION_MAX_BYTES.value,
        origin: `largest partition ${bytes(ev.partitionMaxBytes.value)}, small up to ${bytes(T.SMALL_PARTITION_MAX_BYTES.value)} (${ev.partitionMaxBytes.origin})`,
      }
    : undefined;
  const ttl: Cited | undefined = workload.ttlSeconds
    ? { value: workload.ttlSeconds, origin: "workload" }
    : schema?.defaultTtl
      ? { value: schema.defaultTtl, origin: `default_time_to_live (${ev.schema!.origin})` }
      : undefined;
  let hasDeletes: Cited<boolean> | undefined;
  if (workload.deletes !== undefined) hasDeletes = { value: workload.deletes, origin: "workload" };
  else if (ev.traceTombstones && ev.traceTombstones.value.tombstones > 0)
    hasDeletes = { value: true, origin: `${n(ev.traceTombstones.value.tombstones)} tombstones in traced reads (${ev.traceTombstones.origin})` };
  else if (ev.logTombstones && ev.logTombstones.value.warnings + ev.logTombstones.value.failures > 0)
    hasDeletes = { value: true, origin: `tombstone warnings in the log (${ev.logTombstones.origin})` };
  else if (ev.tombstonesPerSliceMax && ev.tombstonesPerSliceMax.value > 0 && !ttl)
    hasDeletes = { value: true, origin: `tombstones per slice up to ${n(ev.tombstonesPerSliceMax.value)} (${ev.tombstonesPerSliceMax.origin})` };
  return {
    ev,
    workload,
    current,
    ...(version ? { version } : {}),
    timeSeries,
    updateHeavy,
    readHeavy,
    writeHeavy,
    smallPartitions,
    ttl,
    hasDeletes,
    ...(nodePending ? { nodePending } : {}),
  };
}

/** How much of the evidence was there: high (4-5 kinds), medium (2-3), low (0-1). */
function confidence(f: TableFacts): { level: "high" | "medium" | "low"; missing: string[] } {
  const items: [string, unknown][] = [
    ["schema", f.ev.schema],
    ["read/write counts (tablestats)", f.ev.reads ?? f.workload.readPattern],
    ["SSTables per read (tablehistograms)", f.ev.sstablesPerReadP99],
    ["partition sizes", f.ev.partitionMaxBytes],
    ["tombstones (traces, logs or tablestats)", f.ev.traceTombstones ?? f.ev.logTombstones ?? f.ev.tombstonesPerSliceMax],
  ];
  const have = items.filter(([, v]) => v !== undefined).length;
  return { level: have >= 4 ? "high" : have >= 2 ? "medium" : "low", missing: items.filter(([, v]) => v === undefined).map(([k]) => k) };
}

/** A row of compactionAdvice()'s `advice` frame: one table's current and recommended strategy, and why. */
export interface CompactionAdviceRow {
  keyspace: string;
  table: string;
  current: string;
  recommended: Strategy;
  rule: string;
  confidence: string;
  missing: string;
  reasoning: string;
  statement: string | null;
  ucs_statement: string | null;
  note: string | null;
}

/** A row of compactionAdvice()'s `evidence` frame: one number behind the advice and where it came from. */
export interface CompactionEvidenceRow {
  table: string;
  item: string;
  value: unknown;
  origin: string;
}

/** What compactionAdvice() returns: frames `advice` and `evidence`, typed rows. */
export type CompactionReport = TypedRows<{ advice: CompactionAdviceRow; evidence: CompactionEvidenceRow }> &
  Report<"advice" | "evidence"> & {
    readonly advice: import("danfojs-node").DataFrame;
    readonly evidence: import("danfojs-node").DataFrame;
  };

/**
 * {@link CompactionReport} under the name every helper's report follows (`<helper>Report`).
 * @example (await compactionAdvice()).rows("advice")
 */
export type CompactionAdviceReport = CompactionReport;

/**
 * compactionAdvice(): per table, the current strategy, the recommended one, the reasoning tied to
 * each piece of evidence (number and file), the confidence, and the ALTER TABLE statement.
 * @example await compactionAdvice()                                    // every user table of the current source
 * @example await compactionAdvice("metrics.readings", { lifecycle: "time-series", ttlSeconds: 30 * 86400 })
 * @example await compactionAdvice("shop.carts", { apply: true })   // live: executes the ALTER
 */
export async function compactionAdvice(table?: string | TableName | CompactionAdviceOptions, opts?: CompactionAdviceOptions): Promise<CompactionReport> {
  // The calling rule (../../cluster/resolve.ts helperArgs): a path is read as the source; workload facts and options in one object.
  const a = helperArgs<CompactionAdviceOptions>("compactionAdvice", table, opts, "table");
  const { source: _source, apply, includeSystem, ...workload } = a.options;
  const options: CompactionAdviceOptions = {
    source: a.source,
    ...(apply !== undefined ? { apply } : {}),
    ...(includeSystem !== undefined ? { includeSystem } : {}),
  };
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("compactionAdvice", ["advice", "evidence"] as const, () => compactionAdviceOf(a.subject, workload, options));
}

/** compactionAdvice() itself, step by step: the tables and their evidence, advice per table, apply, the report. */
async function compactionAdviceOf(
  table?: string | TableName,
  workload: CompactionWorkload = {},
  options: CompactionAdviceOptions = {},
): Promise<CompactionReport> {
  if (isSource(table))
    throw new CassperfError(
      "compactionAdvice: the first argument is a table name (or omitted for every table); pass a source as the third argument's { source }.",
    );
  // compactionAdvice("path/to/bundle"): a path is read as a source (as gcStats(path) is), every table.
  const asPath = existingPath(table);
  if (asPath !== undefined) {
    options = { ...options, source: asPath };
    table = undefined;
  }
  if (workload !== undefined && (typeof workload !== "object" || workload === null || Array.isArray(workload)))
    throw new CassperfError(`compactionAdvice: the second argument is the workload, e.g. { writePattern: "append-only" }; got ${JSON.stringify(workload)}.`);
  const name = table === undefined ? undefined : parseTableName(table, "compactionAdvice");
  const source = await resolveSource(options.source, "compactionAdvice");
  const gathered = await gatherTables(source, name, options);
  const advised = adviseTables(gathered, workload);
  const applied = options.apply ? await applyAdvice(source, advised.advice) : [];
  return adviceReport(source, name, gathered, advised, applied, options);
}

/** The tables to advise on (the named one, or every user table) with their evidence, the nodes' pending compactions and the version. */
interface GatheredTables {
  list: TableEvidence[];
  nodePending: Cited | undefined;
  notes: string[];
  /** The lowest Cassandra version seen, when known. */
  version: string | undefined;
}

/** Gather: the evidence per table (./compaction-evidence.ts), narrowed to the named table or the user tables. */
async function gatherTables(source: Source, name: TableName | undefined, options: CompactionAdviceOptions): Promise<GatheredTables> {
  const { tables, nodePending, notes } = await gatherCompactionEvidence(source, name);
  const versions = Object.values(await versionsOf(source));
  const version = versions.sort((a, b) => (versionAtLeast(a, ...(parseV(b) as [number, number, number])) ? 1 : -1))[0];
  let list = [...tables.values()];
  if (name) {
    list = list.filter((e) => e.keyspace.toLowerCase() === name.keyspace.toLowerCase() && e.table.toLowerCase() === name.table.toLowerCase());
    if (!list.length)
      throw new CassperfError(
        `compactionAdvice: the source (${source.describe()}) has no schema, tablestats or histograms for ${name.keyspace}.${name.table}.`,
        { noEvidence: true, hint: "check the name, or add schema.cql and nodetool tablestats output" },
      );
  } else {
    list = list.filter((e) => options.includeSystem || !SYSTEM_KEYSPACES.test(e.keyspace));
    if (!list.length)
      throw new CassperfError(`compactionAdvice: the source (${source.describe()}) has no user tables with evidence (schema, tablestats or tablehistograms).`, {
        noEvidence: true,
        hint: "pass { includeSystem: true } as the third argument for system tables",
      });
  }
  list.sort((a, b) => `${a.keyspace}.${a.table}`.localeCompare(`${b.keyspace}.${b.table}`));
  return { list, nodePending, notes, version };
}

/** What the rules said about every table: the advice rows, the findings and the evidence behind them. */
interface Advised {
  advice: CompactionAdviceRow[];
  findings: Finding[];
  evidenceRows: CompactionEvidenceRow[];
}

/** Facts -> rules, per table: the first matching strategy rule, the statement, the anti-pattern rules. */
function adviseTables({ list, nodePending, version }: GatheredTables, workload: CompactionWorkload): Advised {
  const findings: Finding[] = [];
  const advice: CompactionAdviceRow[] = [];
  const evidenceRows: CompactionEvidenceRow[] = [];
  for (const ev of list) {
    const f = tableFacts(ev, workload, version, nodePending);
    const { rule, hit } = chooseStrategy(f);
    const conf = confidence(f);
    const tname = { keyspace: ev.keyspace, table: ev.table };
    const st = compactionStatement(tname, rule.strategy, f);
    const changes = f.current !== rule.strategy && !(f.current === "DTCS" && rule.strategy === "TWCS" && !versionAtLeast(version, 3, 0, 8));
    advice.push({
      keyspace: ev.keyspace,
      table: ev.table,
      current: f.current,
      recommended: rule.strategy,
      rule: rule.id,
      confidence: conf.level,
      missing: conf.missing.join(", "),
      reasoning: hit.evidence,
      statement: changes ? st.statement : null,
      ucs_statement: st.ucs ?? null,
      note: st.note ?? null,
    });
    if (changes) {
      findings.push({
        severity: conf.level === "low" ? "info" : "warning",
        id: "compaction.strategy-change",
        helper: "compactionAdvice",
        title: `${ev.keyspace}.${ev.table}: ${f.current} -> ${rule.strategy} (${conf.level} confidence)`,
        evidence: hit.evidence,
        action: `${st.statement}${st.note ? ` — ${st.note}` : ""}${st.ucs ? ` — on 5.0, or UCS: ${st.ucs}` : ""}`,
      });
    }
    findings.push(...applyRules(ANTI_PATTERN_RULES, { ...f, recommended: rule.strategy }, "compactionAdvice"));
    evidenceRows.push(...evidenceOf(ev, nodePending));
  }
  return { advice, findings, evidenceRows };
}

/** The `evidence` frame's rows of one table: each number behind the advice, with where it came from. */
function evidenceOf(ev: TableEvidence, nodePending: Cited | undefined): CompactionEvidenceRow[] {
  const rows: CompactionEvidenceRow[] = [];
  const push = (item: string, c: Cited<unknown> | undefined, show?: (v: any) => unknown) =>
    c && rows.push({ table: `${ev.keyspace}.${ev.table}`, item, value: show ? show(c.value) : c.value, origin: c.origin });
  push("compaction", ev.schema, (s) => `${s.compactionClass} ${JSON.stringify(s.compactionOptions)}`);
  push("default_time_to_live", ev.schema, (s) => s.defaultTtl);
  push("gc_grace_seconds", ev.schema, (s) => s.gcGraceSeconds);
  push("clustering", ev.schema, (s) => s.clustering.map((c: any) => `${c.name} ${c.type} ${c.order}`).join(", ") || "(none)");
  push("reads", ev.reads);
  push("writes", ev.writes);
  push("sstables", ev.sstables);
  push("sstables_per_read_p99", ev.sstablesPerReadP99);
  push("partition_max_bytes", ev.partitionMaxBytes);
  push("partitions_estimate", ev.partitionsEstimate);
  push("tombstones_per_slice_max", ev.tombstonesPerSliceMax);
  push("droppable_tombstone_ratio", ev.droppableTombstoneRatio);
  push("trace_tombstones_vs_live_rows", ev.traceTombstones, (v) => `${v.tombstones} tombstones / ${v.liveRows} live rows in ${v.sessions} sessions`);
  push("log_tombstone_warnings", ev.logTombstones, (v) => `${v.warnings} warnings, ${v.failures} failures`);
  push("pending_compactions", ev.pendingCompactions ?? nodePending);
  return rows;
}

/** What { apply: true } ran: one row per ALTER TABLE statement. */
interface Applied {
  table: string;
  statement: string;
  result: string;
}

/** apply: only on a live source, only when asked; every statement's outcome is kept. */
async function applyAdvice(source: Source, advice: CompactionAdviceRow[]): Promise<Applied[]> {
  if (!(source instanceof LiveSource)) throw new CassperfError("compactionAdvice: { apply: true } needs a live source (connect()); this source is recorded.");
  const applied: Applied[] = [];
  for (const a of advice.filter((x) => x.statement)) {
    try {
      await source.client.execute(a.statement!);
      applied.push({ table: `${a.keyspace}.${a.table}`, statement: a.statement!, result: "applied" });
    } catch (e) {
      applied.push({ table: `${a.keyspace}.${a.table}`, statement: a.statement!, result: `failed: ${(e as Error).message}` });
    }
  }
  return applied;
}

/** The numbers the evidence chart draws per table: SSTables per read, tombstones per read, write share. */
function evidenceChartRows(list: TableEvidence[]): CompactionChartRow[] {
  return list.flatMap((ev) => {
    const t = `${ev.keyspace}.${ev.table}`;
    const rows: CompactionChartRow[] = [];
    if (ev.sstablesPerReadP99) rows.push({ table: t, metric: "SSTables per read (p99)", value: ev.sstablesPerReadP99.value });
    const tomb = ev.traceTombstones ? ev.traceTombstones.value.tombstones / Math.max(1, ev.traceTombstones.value.sessions) : ev.tombstonesPerSliceMean?.value;
    if (tomb !== undefined) rows.push({ table: t, metric: "tombstones per read", value: tomb });
    if (ev.reads && ev.writes && ev.reads.value + ev.writes.value > 0)
      rows.push({ table: t, metric: "write share (%)", value: (100 * ev.writes.value) / (ev.reads.value + ev.writes.value) });
    return rows;
  });
}

/** The report: summary, findings, the advice and evidence frames, the evidence chart. */
function adviceReport(
  source: Source,
  name: TableName | undefined,
  { list, nodePending, notes, version }: GatheredTables,
  { advice, findings, evidenceRows }: Advised,
  applied: Applied[],
  options: CompactionAdviceOptions,
): CompactionReport {
  const chartRows = evidenceChartRows(list);
  return makeReport({
    helper: "compactionAdvice",
    title: name ? `${name.keyspace}.${name.table}` : `${advice.length} table${advice.length === 1 ? "" : "s"}`,
    source: source.describe(),
    summary: {
      tables: advice.length,
      changes_recommended: advice.filter((a) => a.statement).length,
      version: version ?? null,
      pending_compactions: nodePending?.value ?? null,
      ...(advice.length === 1
        ? { current: advice[0].current, recommended: advice[0].recommended, confidence: advice[0].confidence, statement: advice[0].statement }
        : {}),
      ...(options.apply
        ? { applied: applied.filter((a) => a.result === "applied").length, apply_failed: applied.filter((a) => a.result !== "applied").length }
        : {}),
    },
    findings,
    notes: [...notes, ...applied.map((a) => `${a.table}: ${a.result}: ${a.statement}`)],
    frames: {
      advice: Object.fromEntries(Object.keys(advice[0] ?? { keyspace: 0 }).map((k) => [k, advice.map((a) => a[k as keyof CompactionAdviceRow])])),
      evidence: {
        table: evidenceRows.map((r) => r.table),
        item: evidenceRows.map((r) => r.item),
        value: evidenceRows.map((r) => (typeof r.value === "object" && r.value !== null ? JSON.stringify(r.value) : r.value)),
        origin: evidenceRows.map((r) => r.origin),
      },
    },
    // No chart without a number to draw (an empty facet grid explains nothing).
    charts: !chartRows.length ? {} : { evidence: () => compactionEvidenceChart(chartRows, list.length) },
    previewFrame: "advice",
  }) as CompactionReport;
}

function parseV(v: string): number[] {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? [];
  return [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}
