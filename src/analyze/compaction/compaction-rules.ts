/**
 * compactionAdvice's rule tables (../rule.ts Rule), with COMPACTION_THRESHOLDS beside them (each
 * with the source of its number) and the facts they read (TableFacts, derived by ./compaction.ts
 * tableFacts from ./compaction-evidence.ts and the user's CompactionWorkload):
 *  - STRATEGY_RULES: the recommended strategy, first matching rule wins (chooseStrategy);
 *  - ANTI_PATTERN_RULES: each fires on its own and cites the numbers it fired on.
 */
import { quoteIdent } from "../../cluster/cql";
import type { Threshold } from "../../present/report";
import type { Rule, RuleHit } from "../rule";
import type { Cited, TableEvidence } from "./compaction-evidence";

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

/** Number and size wording, shared with ./compaction.ts. */
export const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 2 });
export const bytes = (b: number) => (b >= 2 ** 20 ? `${n(b / 2 ** 20)} MiB` : b >= 1024 ? `${n(b / 1024)} KiB` : `${n(b)} bytes`);
const cite = (c: Cited<unknown>, text: string) => `${text} (${c.origin})`;

/**
 * A strategy rule: a Rule whose hit gives the reasons (evidence, each with its origin) under a finer
 * id naming the strategy ("compaction.strategy.twcs"). compactionAdvice takes the FIRST matching
 * rule of STRATEGY_RULES (chooseStrategy), not every hit: one strategy per table. The hit becomes
 * the advice row's reasoning, and the "compaction.strategy-change" finding when it differs from the current strategy.
 */
export type StrategyRule = Rule<TableFacts> & { strategy: Strategy };

const recommend = (strategy: Strategy, reasons: string[]): RuleHit => ({
  id: `compaction.strategy.${strategy.toLowerCase()}`,
  title: `${strategy} recommended`,
  evidence: reasons.join("; "),
  action: `the advice frame's statement moves the table to ${strategy} when it runs another strategy`,
});

/** The strategy rules, first match wins (the last always matches). */
export const STRATEGY_RULES: StrategyRule[] = [
  {
    id: "time-series-append-only",
    strategy: "TWCS",
    severity: "warning",
    thresholds: [T.UPDATE_WRITES_PER_PARTITION, T.TWCS_TARGET_WINDOWS],
    check: (f) =>
      f.timeSeries?.value && !f.updateHeavy?.value
        ? recommend("TWCS", [
            cite(f.timeSeries, "rows are keyed by time"),
            f.updateHeavy ? cite(f.updateHeavy, "writes are append-only") : "no sign of updates: treated as append-only",
            ...(f.ttl ? [cite(f.ttl, `rows expire after ${n(f.ttl.value)} s`)] : []),
          ])
        : undefined,
  },
  {
    id: "update-heavy-small-read-heavy",
    strategy: "LCS",
    severity: "warning",
    thresholds: [T.UPDATE_WRITES_PER_PARTITION, T.SMALL_PARTITION_MAX_BYTES, T.READ_HEAVY_RATIO],
    check: (f) =>
      f.updateHeavy?.value && f.smallPartitions?.value && f.readHeavy?.value
        ? recommend("LCS", [cite(f.updateHeavy, "rows are updated"), cite(f.smallPartitions, "partitions are small"), cite(f.readHeavy, "reads dominate")])
        : undefined,
  },
  {
    id: "otherwise",
    strategy: "STCS",
    severity: "warning",
    thresholds: [],
    check: () => recommend("STCS", ["no time-series or update-heavy read-heavy pattern: size-tiered is the general default"]),
  },
];

/** The first strategy rule that matches the facts, with what it saw. */
export function chooseStrategy(f: TableFacts): { rule: StrategyRule; hit: RuleHit } {
  for (const rule of STRATEGY_RULES) {
    const hit = rule.check(f);
    if (hit) return { rule, hit: (Array.isArray(hit) ? hit[0] : hit) as RuleHit };
  }
  throw new Error("compactionAdvice: STRATEGY_RULES ends with a rule that always matches"); // unreachable
}

/** What the anti-pattern rules see: a table's facts and the strategy chosen for it. */
export type AntiPatternFacts = TableFacts & { recommended: Strategy };

/** "keyspace.table" of the facts. */
export const label = (f: TableFacts) => `${f.ev.keyspace}.${f.ev.table}`;

/** Anti-pattern rules: each cites the numbers it fired on. */
export const ANTI_PATTERN_RULES: Rule<AntiPatternFacts>[] = [
  {
    id: "compaction.time-series-without-ttl",
    severity: "warning",
    thresholds: [],
    check: (f) =>
      (f.current === "TWCS" || f.recommended === "TWCS") && !f.ttl
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
    thresholds: [],
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
    thresholds: [T.WRITE_HEAVY_RATIO],
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
    thresholds: [T.SSTABLES_PER_READ_P99],
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
    thresholds: [T.TOMBSTONES_PER_READ_WARN],
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
    thresholds: [T.TOMBSTONES_PER_LIVE_ROW],
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
    thresholds: [T.GC_GRACE_OVER_REPAIR],
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
    thresholds: [T.PENDING_COMPACTIONS],
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
