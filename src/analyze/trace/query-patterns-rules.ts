/**
 * THE findings rule table of queryPatterns(): named rules (../rule.ts Rule, run with applyRules
 * once per pattern, so findings keep the patterns' order) with their named thresholds and where
 * each number comes from. The facts are one row of the `patterns` frame (./query-patterns.ts).
 */
import { applyRules, type Rule } from "../rule";
import type { Finding, Threshold } from "../../present/report";

/** Thresholds of the pattern rules. */
export const PATTERN_THRESHOLDS = {
  SLOW_MEAN_MS: {
    name: "SLOW_MEAN_MS",
    value: 20,
    unit: "ms",
    source: "cassperf's choice (no published threshold found): mean over 20 ms -> check partition size",
  },
  TOMBSTONES_PER_QUERY: { name: "TOMBSTONES_PER_QUERY", value: 1000, unit: "tombstones", source: "Cassandra's tombstone_warn_threshold default" },
} satisfies Record<string, Threshold>;
const T = PATTERN_THRESHOLDS;

/** What a pattern rule sees: the pattern's row of the `patterns` frame. */
export interface PatternFacts {
  pattern: string;
  count: number;
  mean_ms: number | null;
  max_ms: number | null;
  max_ms_at: string | null;
  tombstones_mean: number | null;
  tombstones_max: number | null;
  tombstones_max_at: string | null;
  live_rows_mean: number | null;
  first_seen: string;
}

/** THE rule table of queryPatterns. */
export const PATTERN_RULES: Rule<PatternFacts>[] = [
  {
    id: "patterns.allow-filtering",
    severity: "warning",
    thresholds: [],
    check: (r) =>
      /\bALLOW\s+FILTERING\b/i.test(r.pattern)
        ? {
            title: `ALLOW FILTERING in a pattern seen ${r.count} times`,
            evidence: `${r.pattern} (${r.first_seen})`,
            action:
              "filtering scans partitions it then drops: add a table keyed by the filtered column (or a secondary index for low-cardinality lookups inside a partition)",
          }
        : undefined,
  },
  {
    id: "patterns.slow-mean",
    severity: "warning",
    thresholds: [T.SLOW_MEAN_MS],
    check: (r) =>
      r.mean_ms !== null && r.mean_ms > T.SLOW_MEAN_MS.value
        ? {
            title: `pattern averages ${r.mean_ms.toFixed(1)} ms over ${r.count} executions (over ${T.SLOW_MEAN_MS.value} ms)`,
            evidence: `${r.pattern}; max ${r.max_ms} ms (${r.max_ms_at}); first seen ${r.first_seen}`,
            action: "check the partition sizes this pattern reads (partitionScan) and the SSTables per read (histograms)",
          }
        : undefined,
  },
  {
    id: "patterns.tombstones",
    severity: "warning",
    thresholds: [T.TOMBSTONES_PER_QUERY],
    check: (r) =>
      r.tombstones_max !== null && r.tombstones_max >= T.TOMBSTONES_PER_QUERY.value
        ? {
            title: `pattern reads up to ${r.tombstones_max.toLocaleString("en-US")} tombstones (${r.count} times)`,
            evidence: `${r.pattern}; max ${r.tombstones_max.toLocaleString("en-US")} tombstones (${r.tombstones_max_at}); mean ${Math.round(r.tombstones_mean ?? 0).toLocaleString("en-US")} tombstones vs ${Math.round(r.live_rows_mean ?? 0).toLocaleString("en-US")} live rows; first seen ${r.first_seen}`,
            action: "the query reads through deleted data: expire with TTL instead of DELETE, bucket by time, or narrow the slice to live ranges",
          }
        : undefined,
  },
  {
    id: "patterns.full-scan",
    severity: "info",
    thresholds: [],
    check: (r) =>
      /\bLIMIT\s+\?/i.test(r.pattern) === false && /^SELECT\b/i.test(r.pattern) && !/\bWHERE\b/i.test(r.pattern)
        ? {
            title: `a SELECT without WHERE seen ${r.count} times`,
            evidence: `${r.pattern} (${r.first_seen})`,
            action: "a full-table read touches every node: page it with token ranges (partitionScan does) or model a table for the question",
          }
        : undefined,
  },
];

/** Every pattern's findings, pattern by pattern (helper "queryPatterns"). */
export function patternFindings(rows: readonly PatternFacts[]): Finding[] {
  return rows.flatMap((r) => applyRules(PATTERN_RULES, r, "queryPatterns"));
}
