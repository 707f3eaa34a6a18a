/**
 * THE findings rule table of histograms(): named rules (../rule.ts Rule, run with applyRules over
 * the latest snapshot's rows) with the named thresholds beside them, each with where its number
 * comes from. A threshold rule gives one finding per node (its worst table as evidence, the count of
 * the rest); node-skew compares a node with the median of the OTHER nodes (../../statistics/peer-median.ts).
 */
import { peerMedian } from "../../statistics/peer-median";
import { applyRules, type Rule, type RuleHit } from "../rule";
import type { Finding, Threshold } from "../../present/report";
import { fmtBytes, fmtMs, LATENCY_METRICS, type HistogramFrameRow } from "../../parse/histogram-rows";

/** The named thresholds of this helper, each with where its number comes from. */
export const THRESHOLDS = {
  READ_P99_MS: { name: "READ_P99_MS", value: 10, unit: "ms", source: "cassperf's choice (no published threshold found): read p99 over 10 ms is worth a look" },
  WRITE_P99_MS: {
    name: "WRITE_P99_MS",
    value: 10,
    unit: "ms",
    source: "cassperf's choice (no published threshold found): write p99 over 10 ms (writes are normally sub-millisecond)",
  },
  SSTABLES_PER_READ_P99: {
    name: "SSTABLES_PER_READ_P99",
    value: 4,
    unit: "sstables",
    source: "cassperf's choice (no published threshold found): more than 4 SSTables touched per read means compaction is behind or the strategy does not fit",
  },
  PARTITION_MAX_BYTES: {
    name: "PARTITION_MAX_BYTES",
    value: 100 * 1024 * 1024,
    unit: "bytes",
    source: "Cassandra's compaction_large_partition_warning_threshold_mb default (100 MB)",
  },
  NODE_SKEW_RATIO: {
    name: "NODE_SKEW_RATIO",
    value: 2,
    unit: "x",
    source: "cassperf: a node more than 2x the median of the other nodes (peer-median.ts) is hot or sick",
  },
  SKEW_MIN_P99_MS: {
    name: "SKEW_MIN_P99_MS",
    value: 1,
    unit: "ms",
    source: "cassperf choice: a p99 under 1 ms is healthy whatever its ratio to the peers (ratios of tiny numbers are noise)",
  },
} satisfies Record<string, Threshold>;

const where = (r: HistogramFrameRow) =>
  r.table === "proxy" ? `coordinator (proxyhistograms) on ${r.node}` : `${r.keyspace === null ? r.table : `${r.keyspace}.${r.table}`} on ${r.node}`;

/** One finding per node for a threshold rule: the worst table as evidence, the count of the rest. */
function overThreshold(
  rule: { title: (r: HistogramFrameRow) => string; action: string },
  rows: HistogramFrameRow[],
  pick: (r: HistogramFrameRow) => boolean,
  limit: number,
  fmt: (v: number) => string,
): RuleHit[] {
  const over = rows.filter((r) => pick(r) && r.value !== null && r.value > limit);
  const byNode = new Map<string, HistogramFrameRow[]>();
  for (const r of over) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r]);
  const out: RuleHit[] = [];
  for (const [node, rs] of byNode) {
    rs.sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    const w = rs[0];
    const more =
      rs.length > 1
        ? `; ${rs.length - 1} more over the limit (${rs
            .slice(1, 4)
            .map((r) => `${r.table === "proxy" ? "proxy" : `${r.keyspace}.${r.table}`} ${fmt(r.value!)}`)
            .join(", ")}${rs.length > 4 ? ", ..." : ""})`
        : "";
    out.push({
      title: rule.title(w),
      evidence: `${where(w)}: ${w.metric} p${w.percentile} = ${fmt(w.value!)} (limit ${fmt(limit)}), from ${w.origin}${more}`,
      action: rule.action,
      helper: "histograms",
      node,
    });
  }
  return out;
}

/** THE rule table: every finding histograms() can give, with its thresholds (the latest snapshot's rows are the facts). */
export const RULES: Rule<HistogramFrameRow[]>[] = [
  {
    id: "histograms.read-p99",
    severity: "warning",
    thresholds: [THRESHOLDS.READ_P99_MS],
    what: "read_latency p99 (table and coordinator)",
    check: (rows) =>
      overThreshold(
        {
          title: (r) => `Read p99 ${fmtMs(r.value!)} on ${r.node} (${r.table === "proxy" ? "coordinator" : `${r.keyspace}.${r.table}`})`,
          action: "trace a slow read (trace()) to see which stage takes the time; check SSTables per read, tombstones and GC pauses on that node",
        },
        rows,
        (r) => (r.metric === "read_latency" || r.metric === "coordinator_read_latency") && r.percentile === "99",
        THRESHOLDS.READ_P99_MS.value * 1000,
        fmtMs,
      ),
  },
  {
    id: "histograms.write-p99",
    severity: "warning",
    thresholds: [THRESHOLDS.WRITE_P99_MS],
    what: "write_latency p99 (table and coordinator)",
    check: (rows) =>
      overThreshold(
        {
          title: (r) => `Write p99 ${fmtMs(r.value!)} on ${r.node} (${r.table === "proxy" ? "coordinator" : `${r.keyspace}.${r.table}`})`,
          action: "check commitlog disk latency, GC pauses (gcStats()), blocked MemtableFlushWriter in tpstats and hints/dropped mutations",
        },
        rows,
        (r) => (r.metric === "write_latency" || r.metric === "coordinator_write_latency") && r.percentile === "99",
        THRESHOLDS.WRITE_P99_MS.value * 1000,
        fmtMs,
      ),
  },
  {
    id: "histograms.sstables-per-read",
    severity: "warning",
    thresholds: [THRESHOLDS.SSTABLES_PER_READ_P99],
    what: "sstables_per_read p99",
    check: (rows) =>
      overThreshold(
        {
          title: (r) => `Reads touch ${r.value} SSTables (p99) on ${r.node} for ${r.keyspace}.${r.table}`,
          action:
            "see compactionAdvice(table): pending compactions, a strategy that fits the workload (LCS/TWCS), or data written across many SSTables per partition",
        },
        rows,
        (r) => r.metric === "sstables_per_read" && r.percentile === "99",
        THRESHOLDS.SSTABLES_PER_READ_P99.value,
        (v) => `${v}`,
      ),
  },
  {
    id: "histograms.large-partition",
    severity: "warning",
    thresholds: [THRESHOLDS.PARTITION_MAX_BYTES],
    what: "partition_size max",
    check: (rows) =>
      overThreshold(
        {
          title: (r) => `Partition of ${fmtBytes(r.value!)} in ${r.keyspace}.${r.table} on ${r.node}`,
          action:
            "find the partition with partitionScan(table) and split it (add a bucket to the partition key); large partitions cost heap on reads, compaction and repair",
        },
        rows,
        (r) => r.metric === "partition_size" && r.percentile === "max",
        THRESHOLDS.PARTITION_MAX_BYTES.value,
        fmtBytes,
      ),
  },
  {
    id: "histograms.node-skew",
    severity: "warning",
    thresholds: [THRESHOLDS.NODE_SKEW_RATIO, THRESHOLDS.SKEW_MIN_P99_MS],
    what: "a node's latency p99 vs the median of the other nodes, same table and metric",
    check: (rows) => {
      const groups = new Map<string, HistogramFrameRow[]>();
      for (const r of rows) {
        if (!LATENCY_METRICS.includes(r.metric) || r.percentile !== "99" || r.value === null) continue;
        const k = `${r.keyspace}\u0000${r.table}\u0000${r.metric}`;
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      const out: RuleHit[] = [];
      for (const rs of groups.values()) {
        if (rs.length < 2) continue;
        const values = rs.map((x) => x.value!);
        for (const [i, r] of rs.entries()) {
          const median = peerMedian(values, i)!;
          if (median <= 0 || r.value! < THRESHOLDS.SKEW_MIN_P99_MS.value * 1000 || r.value! <= THRESHOLDS.NODE_SKEW_RATIO.value * median) continue;
          out.push({
            title: `${r.node} is ${(r.value! / median).toFixed(1)}x its peers on ${r.metric} p99 (${r.table === "proxy" ? "coordinator" : `${r.keyspace}.${r.table}`})`,
            evidence: `${where(r)}: ${fmtMs(r.value!)} vs peers' median ${fmtMs(median)} (${rs.length - 1} peers; limit ${THRESHOLDS.NODE_SKEW_RATIO.value}x), from ${r.origin}`,
            action:
              "compare that node's GC (gcStats()), tpstats pending/blocked, disk and compaction backlog with its peers; check whether its token ranges hold hot partitions",
            helper: "histograms",
            node: r.node,
          });
        }
      }
      return out;
    },
  },
];

/** Every finding of the table over the rows (helper "histograms"). */
export function histogramFindings(rows: HistogramFrameRow[]): Finding[] {
  return applyRules(RULES, rows, "histograms");
}
