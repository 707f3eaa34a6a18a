/**
 * compactionAdvice(): the right compaction strategy per table, with the evidence and the statement.
 *
 * The evidence is gathered by ./compaction-evidence.ts. The decision is one rule table read top to
 * bottom (the strategy rules first), then anti-pattern rules that each cite the numbers
 * they fired on. Every threshold is in COMPACTION_THRESHOLDS with the source of its number.
 */
import { CassperfError } from "../../errors";
import { LiveSource } from "../../cluster/live";
import { parseTableName, quoteIdent, type TableName } from "../../cluster/cql";
import { existingPath, helperArgs, isSource, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { makeReport, type Finding, type Report, type Threshold, type TypedRows, answerOrExplain } from "../../present/report";
import { distinctLabels } from "../../present/chart";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES, type Cited, type TableEvidence } from "./compaction-evidence";
import { versionsOf } from "../inventory";

/** What the evidence cannot tell; given by the user, it overrides the evidence. */
export interface CompactionWorkload {
  /**
   * How rows are written: new rows only ("append-only") or rows rewritten/updated ("update-heavy").
   * @example compactionAdvice("shop.carts", { writePattern: "update-heavy" })
   */
  writePattern?: "append-only" | "update-heavy";
  /**
   * Data lifecycle: "time-series" (rows keyed by time, read by recent time ranges) or "general".
   * @example compactionAdvice("metrics.readings", { lifecycle: "time-series", ttlSeconds: 30 * 86400 })
   */
  lifecycle?: "time-series" | "general";
  /** How long rows live (seconds) when the table's default_time_to_live is not set but writes use TTL. */
  ttlSeconds?: number;
  /** Read pattern: "read-heavy", "write-heavy" or "balanced" (default: from read/write counts). */
  readPattern?: "read-heavy" | "write-heavy" | "balanced";
  /** Rows deleted explicitly (DELETE), beyond TTL expiry. */
  deletes?: boolean;
  /** Days between full repairs of this table (for the gc_grace_seconds rule). Default 7. */
  repairIntervalDays?: number;
}

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

/** Thresholds, each with the source of its number. */
export const COMPACTION_THRESHOLDS = {
  SSTABLES_PER_READ_P99: {
    name: "SSTABLES_PER_READ_P99",
    value: 4,
    unit: "sstables",
    source: "cassperf's choice (no published threshold found): more than 4 SSTables per read at p99 means STCS is not keeping up",
  },
  PENDING_COMPACTIONS: {
    name: "PENDING_COMPACTIONS",
    value: 10,
    unit: "tasks",
    source: "cassperf's choice: pending compactions over 10 (sperf's recs.py flags over 100)",
  },
  TOMBSTONES_PER_READ_WARN: {
    name: "TOMBSTONES_PER_READ_WARN",
    value: 1000,
    unit: "tombstones",
    source: "Cassandra's tombstone_warn_threshold default (cassandra.yaml)",
  },
  TOMBSTONES_PER_LIVE_ROW: {
    name: "TOMBSTONES_PER_LIVE_ROW",
    value: 1,
    unit: "ratio",
    source: "cassperf's choice: reads scanning more tombstones than live rows",
  },
  READ_HEAVY_RATIO: {
    name: "READ_HEAVY_RATIO",
    value: 2,
    unit: "reads per write",
    source: "DataStax compaction guide: LCS suits read-heavy tables (reads well above writes)",
  },
  WRITE_HEAVY_RATIO: {
    name: "WRITE_HEAVY_RATIO",
    value: 4,
    unit: "writes per read",
    source: "LCS rewrites data ~10x per level: costly when writes dominate (DataStax compaction guide)",
  },
  UPDATE_WRITES_PER_PARTITION: {
    name: "UPDATE_WRITES_PER_PARTITION",
    value: 4,
    unit: "writes per partition",
    source: "cassperf heuristic: many writes per existing partition of a non-time-series table means rows are rewritten",
  },
  SMALL_PARTITION_MAX_BYTES: {
    name: "SMALL_PARTITION_MAX_BYTES",
    value: 16 * 2 ** 20,
    unit: "bytes",
    source: "a partition over ~10% of LCS's 160 MB SSTable breaks levelling (sstable_size_in_mb 160 default)",
  },
  TWCS_TARGET_WINDOWS: { name: "TWCS_TARGET_WINDOWS", value: 30, unit: "windows", source: "TWCS guidance: keep about 20-30 windows over the data's lifetime" },
  GC_GRACE_OVER_REPAIR: {
    name: "GC_GRACE_OVER_REPAIR",
    value: 3,
    unit: "x repair interval",
    source: "gc_grace_seconds only has to exceed the repair interval; far above it keeps tombstones for nothing",
  },
  DEFAULT_REPAIR_INTERVAL_DAYS: {
    name: "DEFAULT_REPAIR_INTERVAL_DAYS",
    value: 7,
    unit: "days",
    source: "weekly repair, the common schedule (gc_grace default 10 days leaves 3 days of margin)",
  },
} satisfies Record<string, Threshold>;
const T = COMPACTION_THRESHOLDS;

const TIME_TYPES = /^(timestamp|timeuuid|date)$/i;

/** What the rules see for one table. */
export interface TableFacts {
  ev: TableEvidence;
  workload: CompactionWorkload;
  current: string;
  /** Cassandra version of the cluster (lowest seen), when known. */
  version?: string;
  timeSeries: Cited<boolean> | undefined;
  updateHeavy: Cited<boolean> | undefined;
  readHeavy: Cited<boolean> | undefined;
  writeHeavy: Cited<boolean> | undefined;
  smallPartitions: Cited<boolean> | undefined;
  ttl: Cited | undefined;
  hasDeletes: Cited<boolean> | undefined;
  nodePending?: Cited;
}

export type Strategy = "TWCS" | "LCS" | "STCS";

interface StrategyRule {
  id: string;
  strategy: Strategy;
  /** Why, in plain words with the numbers, or undefined when the rule does not apply. */
  when: (f: TableFacts) => string[] | undefined;
}

const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 2 });
const bytes = (b: number) => (b >= 2 ** 20 ? `${n(b / 2 ** 20)} MiB` : b >= 1024 ? `${n(b / 1024)} KiB` : `${n(b)} bytes`);
const plural = (k: number, unit: string) => `${k} ${unit.toLowerCase().replace(/s$/, "")}${k === 1 ? "" : "s"}`;
const cite = (c: Cited<unknown>, text: string) => `${text} (${c.origin})`;

/** The strategy rules, first match wins. */
export const STRATEGY_RULES: StrategyRule[] = [
  {
    id: "time-series-append-only",
    strategy: "TWCS",
    when: (f) =>
      f.timeSeries?.value && !f.updateHeavy?.value
        ? [
            cite(f.timeSeries, "rows are keyed by time"),
            f.updateHeavy ? cite(f.updateHeavy, "writes are append-only") : "no sign of updates: treated as append-only",
            ...(f.ttl ? [cite(f.ttl, `rows expire after ${n(f.ttl.value)} s`)] : []),
          ]
        : undefined,
  },
  {
    id: "update-heavy-small-read-heavy",
    strategy: "LCS",
    when: (f) =>
      f.updateHeavy?.value && f.smallPartitions?.value && f.readHeavy?.value
        ? [cite(f.updateHeavy, "rows are updated"), cite(f.smallPartitions, "partitions are small"), cite(f.readHeavy, "reads dominate")]
        : undefined,
  },
  { id: "otherwise", strategy: "STCS", when: () => ["no time-series or update-heavy read-heavy pattern: size-tiered is the general default"] },
];

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

interface AntiPatternRule {
  id: string;
  severity: Finding["severity"];
  threshold?: Threshold;
  check: (f: TableFacts, recommended: Strategy) => { title: string; evidence: string; action: string } | undefined;
}

const label = (f: TableFacts) => `${f.ev.keyspace}.${f.ev.table}`;

/** Anti-pattern rules: each cites the numbers it fired on. */
export const ANTI_PATTERN_RULES: AntiPatternRule[] = [
  {
    id: "compaction.time-series-without-ttl",
    severity: "warning",
    check: (f, rec) =>
      (f.current === "TWCS" || rec === "TWCS") && !f.ttl
        ? {
            title: `${label(f)} is time-series data without a TTL${f.current === "TWCS" ? " on TWCS" : ""}`,
            evidence: `default_time_to_live = ${f.ev.schema?.value.defaultTtl ?? "unknown"} (${f.ev.schema?.origin ?? "no schema"}); no TTL given in the workload`,
            action: `set a TTL so old windows expire whole: ALTER TABLE ${quoteIdent(f.ev.keyspace)}.${quoteIdent(f.ev.table)} WITH default_time_to_live = <seconds>; (then size TWCS windows to about 1/${T.TWCS_TARGET_WINDOWS.value} of it)`,
          }
        : undefined,
  },
  {
    id: "compaction.deletes-on-twcs",
    severity: "warning",
    check: (f) =>
      f.current === "TWCS" && f.hasDeletes?.value
        ? {
            title: `${label(f)} deletes rows on TWCS`,
            evidence: cite(f.hasDeletes, "tombstones are read"),
            action: "on TWCS, let TTL expire data instead of DELETE: tombstones in old windows are only purged when the whole window expires",
          }
        : undefined,
  },
  {
    id: "compaction.lcs-write-heavy",
    severity: "warning",
    threshold: T.WRITE_HEAVY_RATIO,
    check: (f) =>
      f.current === "LCS" && f.writeHeavy?.value
        ? {
            title: `${label(f)} runs LCS under a write-heavy load`,
            evidence: cite(f.writeHeavy, "writes dominate"),
            action: "LCS rewrites each row about 10 times across levels: use STCS (or UCS T4 on 5.0) for write-heavy tables",
          }
        : undefined,
  },
  {
    id: "compaction.stcs-sstables-per-read",
    severity: "warning",
    threshold: T.SSTABLES_PER_READ_P99,
    check: (f) =>
      f.current === "STCS" && f.ev.sstablesPerReadP99 && f.ev.sstablesPerReadP99.value > T.SSTABLES_PER_READ_P99.value
        ? {
            title: `${label(f)} reads ${n(f.ev.sstablesPerReadP99.value)} SSTables per read at p99 on STCS (over ${T.SSTABLES_PER_READ_P99.value})`,
            evidence: cite(f.ev.sstablesPerReadP99, `SSTables per read p99 ${n(f.ev.sstablesPerReadP99.value)}`),
            action: "rows are spread over many SSTables: LCS (update-heavy, read-heavy) or TWCS (time series) keep a row in few SSTables",
          }
        : undefined,
  },
  {
    id: "compaction.tombstones-per-read",
    severity: "warning",
    threshold: T.TOMBSTONES_PER_READ_WARN,
    check: (f) => {
      const e = f.ev;
      const parts: string[] = [];
      if (e.tombstonesPerSliceMax && e.tombstonesPerSliceMax.value > T.TOMBSTONES_PER_READ_WARN.value)
        parts.push(cite(e.tombstonesPerSliceMax, `max tombstones per slice ${n(e.tombstonesPerSliceMax.value)}`));
      if (e.logTombstones && e.logTombstones.value.warnings + e.logTombstones.value.failures > 0)
        parts.push(
          cite(
            e.logTombstones,
            `${e.logTombstones.value.warnings} tombstone warnings and ${e.logTombstones.value.failures} failures logged, up to ${n(e.logTombstones.value.maxTombstones)} tombstones in one query`,
          ),
        );
      if (e.traceTombstones && e.traceTombstones.value.worstTombstones > T.TOMBSTONES_PER_READ_WARN.value)
        parts.push(cite(e.traceTombstones, `a traced read scanned ${n(e.traceTombstones.value.worstTombstones)} tombstones`));
      if (!parts.length) return undefined;
      return {
        title: `${label(f)} reads over ${n(T.TOMBSTONES_PER_READ_WARN.value)} tombstones per read`,
        evidence: parts.join("; "),
        action:
          "stop deleting inside hot partitions: expire with TTL (and TWCS for time series), bucket partitions so deletes fall in old buckets, lower gc_grace_seconds to just above the repair interval",
      };
    },
  },
  {
    id: "compaction.tombstones-over-live-rows",
    severity: "warning",
    threshold: T.TOMBSTONES_PER_LIVE_ROW,
    check: (f) => {
      const t = f.ev.traceTombstones;
      if (!t || t.value.tombstones <= Math.max(1, t.value.liveRows) * T.TOMBSTONES_PER_LIVE_ROW.value) return undefined;
      return {
        title: `reads of ${label(f)} scan more tombstones than live rows (${n(t.value.tombstones)} vs ${n(t.value.liveRows)} in ${t.value.sessions} traced session${t.value.sessions === 1 ? "" : "s"})`,
        evidence: cite(t, `${n(t.value.tombstones)} tombstones, ${n(t.value.liveRows)} live rows`),
        action: "model deletes away: TTL instead of DELETE, time buckets so reads skip deleted ranges, or TWCS for time series",
      };
    },
  },
  {
    id: "compaction.gc-grace-vs-repair",
    severity: "info",
    threshold: T.GC_GRACE_OVER_REPAIR,
    check: (f) => {
      const g = f.ev.schema?.value.gcGraceSeconds;
      if (g === null || g === undefined) return undefined;
      const repair = (f.workload.repairIntervalDays ?? T.DEFAULT_REPAIR_INTERVAL_DAYS.value) * 86400;
      const hasTombstones = f.hasDeletes?.value || (f.ev.tombstonesPerSliceMean?.value ?? 0) > 0;
      if (g > T.GC_GRACE_OVER_REPAIR.value * repair && hasTombstones)
        return {
          title: `${label(f)} keeps tombstones ${n(g / 86400)} days (gc_grace_seconds ${g}), over ${T.GC_GRACE_OVER_REPAIR.value}x the ${n(repair / 86400)}-day repair interval`,
          evidence: `gc_grace_seconds = ${g} (${f.ev.schema!.origin})`,
          action: `lower gc_grace_seconds to just above the repair interval, e.g. ALTER TABLE ${quoteIdent(f.ev.keyspace)}.${quoteIdent(f.ev.table)} WITH gc_grace_seconds = ${Math.round(repair * 1.3)};`,
        };
      if (g > 0 && g < repair)
        return {
          title: `${label(f)}: gc_grace_seconds (${n(g / 86400)} days) is shorter than the ${n(repair / 86400)}-day repair interval`,
          evidence: `gc_grace_seconds = ${g} (${f.ev.schema!.origin})`,
          action: "repair more often than gc_grace_seconds or raise it: deleted data can come back (zombies) when a replica misses a tombstone",
        };
      return undefined;
    },
  },
  {
    id: "compaction.pending-compactions",
    severity: "warning",
    threshold: T.PENDING_COMPACTIONS,
    check: (f) => {
      const p = f.ev.pendingCompactions ?? f.nodePending;
      return p && p.value > T.PENDING_COMPACTIONS.value
        ? {
            title: `${p.value} pending compactions${f.ev.pendingCompactions ? ` on ${label(f)}` : " on a node"} (over ${T.PENDING_COMPACTIONS.value})`,
            evidence: cite(p, `pending tasks ${p.value}`),
            action: "compaction is behind: raise compaction_throughput_mb_per_sec / concurrent_compactors, check disk I/O, and reconsider the strategy",
          }
        : undefined;
    },
  },
];

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
  const options: CompactionAdviceOptions = { source: a.source, ...(apply !== undefined ? { apply } : {}), ...(includeSystem !== undefined ? { includeSystem } : {}) };
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("compactionAdvice", ["advice", "evidence"] as const, () => compactionAdviceOf(a.subject, workload, options));
}

/** compactionAdvice() itself; compactionAdvice() turns "the source has no ..." into an empty report. */
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

  const findings: Finding[] = [];
  const advice: CompactionAdviceRow[] = [];
  const evidenceRows: { table: string; item: string; value: unknown; origin: string }[] = [];
  for (const ev of list) {
    const f = tableFacts(ev, workload, version, nodePending);
    const rule = STRATEGY_RULES.find((r) => r.when(f))!;
    const reasons = rule.when(f)!;
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
      reasoning: reasons.join("; "),
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
        evidence: reasons.join("; "),
        action: `${st.statement}${st.note ? ` — ${st.note}` : ""}${st.ucs ? ` — on 5.0, or UCS: ${st.ucs}` : ""}`,
      });
    }
    for (const r of ANTI_PATTERN_RULES) {
      const hit = r.check(f, rule.strategy);
      if (hit) findings.push({ severity: r.severity, id: r.id, helper: "compactionAdvice", ...hit });
    }
    const push = (item: string, c: Cited<unknown> | undefined, show?: (v: any) => unknown) =>
      c && evidenceRows.push({ table: `${ev.keyspace}.${ev.table}`, item, value: show ? show(c.value) : c.value, origin: c.origin });
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
  }

  // apply: only on a live source, only when asked.
  const applied: { table: string; statement: string; result: string }[] = [];
  if (options.apply) {
    if (!(source instanceof LiveSource)) throw new CassperfError("compactionAdvice: { apply: true } needs a live source (connect()); this source is recorded.");
    for (const a of advice.filter((x) => x.statement)) {
      try {
        await source.client.execute(a.statement!);
        applied.push({ table: `${a.keyspace}.${a.table}`, statement: a.statement!, result: "applied" });
      } catch (e) {
        applied.push({ table: `${a.keyspace}.${a.table}`, statement: a.statement!, result: `failed: ${(e as Error).message}` });
      }
    }
  }
  const chartRows = list.flatMap((ev) => {
    const t = `${ev.keyspace}.${ev.table}`;
    const rows: { table: string; metric: string; value: number }[] = [];
    if (ev.sstablesPerReadP99) rows.push({ table: t, metric: "SSTables per read (p99)", value: ev.sstablesPerReadP99.value });
    const tomb = ev.traceTombstones ? ev.traceTombstones.value.tombstones / Math.max(1, ev.traceTombstones.value.sessions) : ev.tombstonesPerSliceMean?.value;
    if (tomb !== undefined) rows.push({ table: t, metric: "tombstones per read", value: tomb });
    if (ev.reads && ev.writes && ev.reads.value + ev.writes.value > 0)
      rows.push({ table: t, metric: "write share (%)", value: (100 * ev.writes.value) / (ev.reads.value + ev.writes.value) });
    return rows;
  });
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
    charts: !chartRows.length
      ? {}
      : {
          evidence: () => {
            // Tables cut in the middle ("cassperf_demo.user_events" and "cassperf_demo.user_profiles" stay apart).
            const names = distinctLabels(
              chartRows.map((r) => r.table),
              28,
            );
            return {
              title: "Compaction evidence per table",
              data: { values: chartRows.map((r) => ({ ...r, table: names.get(r.table) })) },
              facet: { column: { field: "metric", type: "nominal", title: null } },
              spec: {
                width: 200,
                height: Math.max(60, 16 * list.length),
                mark: { type: "bar", tooltip: true },
                encoding: {
                  y: { field: "table", type: "nominal", title: null, axis: { labelLimit: 300 } },
                  x: { field: "value", type: "quantitative", title: null },
                },
              },
              resolve: { scale: { x: "independent" } },
            };
          },
        },
    previewFrame: "advice",
  }) as CompactionReport;
}

function parseV(v: string): number[] {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? [];
  return [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}
