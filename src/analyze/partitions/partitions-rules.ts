/**
 * partitionScan's rule table, shared by the live scan (./partitions.ts) and the recorded evidence
 * (./partitions-recorded.ts): PARTITION_THRESHOLDS (each with the source of its number), the facts
 * the rules read (PartitionStats) and PARTITION_RULES, one Rule<PartitionStats> per finding
 * (../rule.ts); SCAN_RULES, what the live scan itself reports (failed ranges). Its own file so
 * neither reader imports the other.
 */
import { peerMedian } from "../../statistics/peer-median";
import type { Finding, Threshold } from "../../present/report";
import { applyRules, type Rule } from "../rule";
import type { TokenScanResult } from "../../cluster/token-scan";
import type { BucketingAdvice } from "./bucketing";

/** The thresholds, in one place, each with the source of its number. */
export const PARTITION_THRESHOLDS = {
  ROWS_CRITICAL: {
    name: "ROWS_CRITICAL",
    value: 10_000,
    unit: "rows",
    source: "cassperf's choice (no published threshold found): a partition over 10,000 rows is critical",
  },
  BYTES_CRITICAL: {
    name: "BYTES_CRITICAL",
    value: 100 * 2 ** 20,
    unit: "bytes",
    source: "Cassandra's compaction_large_partition_warning_threshold_mb (cassandra.yaml default 100: compaction warns about larger partitions)",
  },
  MEAN_ROWS_WARN: { name: "MEAN_ROWS_WARN", value: 1_000, unit: "rows", source: "cassperf's choice: mean partition over 1,000 rows" },
  LARGE_ROWS: { name: "LARGE_ROWS", value: 1_000, unit: "rows", source: "cassperf's choice: what counts as a large partition for the share rule" },
  LARGE_SHARE_WARN: { name: "LARGE_SHARE_WARN", value: 0.1, unit: "fraction", source: "cassperf's choice: over 10% of partitions above 1,000 rows" },
  NODE_SKEW_RATIO: {
    name: "NODE_SKEW_RATIO",
    value: 2,
    unit: "x",
    source: "a node holding twice the median of the other nodes' rows is a hotspot (same ratio and median as histograms())",
  },
} satisfies Record<string, Threshold>;

/** What the rules see: one table's partition statistics, live or recorded. */
export interface PartitionStats {
  table: string;
  partitions: number;
  meanRows?: number;
  maxRows?: number;
  shareOverLarge?: number;
  maxBytes?: number;
  /** Largest partitions with their counts (live) or sizes (recorded). */
  top: { key: string; rows?: number; bytes?: number; origin: string }[];
  rowsPerNode: Record<string, number>;
  bucketing?: BucketingAdvice;
  origin: string;
}

const T = PARTITION_THRESHOLDS;
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });
const mb = (b: number) => `${(b / 2 ** 20).toLocaleString("en-US", { maximumFractionDigits: 1 })} MB`;
const bucketAction = (s: PartitionStats, fallback: string) => (s.bucketing ? `${s.bucketing.explanation}\n${s.bucketing.statement}` : fallback);

/** The rule table. Each rule names its threshold; the action carries the bucketing statement. */
export const PARTITION_RULES: Rule<PartitionStats>[] = [
  {
    id: "partitions.rows-over-critical",
    severity: "critical",
    thresholds: [T.ROWS_CRITICAL],
    check: (s) => {
      const big = s.top.filter((p) => (p.rows ?? 0) > T.ROWS_CRITICAL.value);
      if (!big.length) return undefined;
      return {
        title: `${big.length} partition${big.length === 1 ? "" : "s"} of ${s.table} over ${fmt(T.ROWS_CRITICAL.value)} rows (largest ${fmt(big[0].rows!)})`,
        evidence:
          big
            .slice(0, 5)
            .map((p) => `${p.key}: ${fmt(p.rows!)} rows`)
            .join("; ") + ` (${s.origin})`,
        action: bucketAction(s, "bucket the partition key (time or hash buckets)"),
      };
    },
  },
  {
    id: "partitions.bytes-over-critical",
    severity: "critical",
    thresholds: [T.BYTES_CRITICAL],
    check: (s) => {
      const big = s.top.filter((p) => (p.bytes ?? 0) > T.BYTES_CRITICAL.value);
      const maxBytes = s.maxBytes ?? 0;
      if (!big.length && maxBytes <= T.BYTES_CRITICAL.value) return undefined;
      const evidence = big.length
        ? big
            .slice(0, 5)
            .map((p) => `${p.key}: ${mb(p.bytes!)} (${p.origin})`)
            .join("; ")
        : `largest partition ${mb(maxBytes)} (${s.origin})`;
      return {
        title: `partitions of ${s.table} over ${mb(T.BYTES_CRITICAL.value)}`,
        evidence,
        action: bucketAction(s, "bucket the partition key so no partition passes 100 MB"),
      };
    },
  },
  {
    id: "partitions.mean-rows-high",
    severity: "warning",
    thresholds: [T.MEAN_ROWS_WARN],
    check: (s) =>
      s.meanRows !== undefined && s.meanRows > T.MEAN_ROWS_WARN.value
        ? {
            title: `mean partition of ${s.table} holds ${fmt(s.meanRows)} rows (over ${fmt(T.MEAN_ROWS_WARN.value)})`,
            evidence: `${fmt(s.partitions)} partitions scanned (${s.origin})`,
            action: bucketAction(s, "bucket the partition key"),
          }
        : undefined,
  },
  {
    id: "partitions.many-large",
    severity: "warning",
    thresholds: [T.LARGE_SHARE_WARN],
    check: (s) =>
      s.shareOverLarge !== undefined && s.shareOverLarge > T.LARGE_SHARE_WARN.value
        ? {
            title: `${(s.shareOverLarge * 100).toFixed(1)}% of ${s.table}'s partitions hold over ${fmt(T.LARGE_ROWS.value)} rows`,
            evidence: `threshold ${T.LARGE_SHARE_WARN.value * 100}% (${s.origin})`,
            action: bucketAction(s, "bucket the partition key"),
          }
        : undefined,
  },
  {
    id: "partitions.node-skew",
    severity: "warning",
    thresholds: [T.NODE_SKEW_RATIO],
    /** Each node's rows against the median of the OTHER nodes' rows (../../statistics/peer-median.ts), so two nodes can be compared. */
    check: (s) => {
      const entries = Object.entries(s.rowsPerNode);
      if (entries.length < 2) return undefined;
      const values = entries.map(([, v]) => v);
      let worst: { node: string; rows: number; median: number } | undefined;
      entries.forEach(([node, rows], i) => {
        const median = peerMedian(values, i);
        if (median === undefined || median <= 0) return;
        if (!worst || rows / median > worst.rows / worst.median) worst = { node, rows, median };
      });
      if (!worst || worst.rows / worst.median < T.NODE_SKEW_RATIO.value) return undefined;
      const { node, rows, median } = worst;
      return {
        title: `${node} owns ${(rows / median).toFixed(1)}x the rows of ${s.table} its peers hold (median of the other ${entries.length - 1} node(s): ${fmt(median)})`,
        evidence: entries.map(([n, v]) => `${n}: ${fmt(v)} rows`).join("; "),
        action: "a few hot partitions concentrate on one replica set: bucket them; check token balance with nodetool status",
        node,
      };
    },
  },
];

/** Run the rule table: one finding per rule that fires, in table order. */
export function partitionFindings(s: PartitionStats): Finding[] {
  return applyRules(PARTITION_RULES, s, "partitionScan");
}

/** The live scan's own rule table: what the token-range scan itself reports (../../cluster/token-scan.ts). */
export const SCAN_RULES: Rule<Pick<TokenScanResult, "failed">>[] = [
  {
    id: "partitions.ranges-failed",
    severity: "warning",
    thresholds: [],
    check: (r) =>
      r.failed.length
        ? {
            title: `${r.failed.length} token range${r.failed.length === 1 ? "" : "s"} could not be scanned on any replica: the scan is partial`,
            evidence: r.failed
              .slice(0, 3)
              .map((f) => `(${f.start}, ${f.end}] on ${f.replicas.join(", ")}: ${f.errors.join(" | ")}`)
              .join("; "),
            action: "check the replicas' health (nodetool status) and scan again; the failed ranges are in the failedRanges frame",
          }
        : undefined,
  },
];
