/**
 * THE findings rule table of trace()/traces(): named rules (../rule.ts Rule, run with applyRules),
 * each with its named thresholds and where each number comes from. Rules read the per-session
 * summaries of ./trace-model.ts; over many sessions a rule reports how many sessions it fired on
 * and the worst one.
 */
import { peerMedian } from "../../statistics/peer-median";
import { applyRules, type Rule } from "../rule";
import type { Finding, Threshold } from "../../present/report";
import type { SessionSummary } from "./trace-model";
import type { Stage } from "../../parse/trace-stages";
import { plural } from "../../present/plural";

/** Every threshold of the trace rules, in one place. */
export const TRACE_THRESHOLDS = {
  STAGE_SLOW_MS: {
    name: "STAGE_SLOW_MS",
    value: 5,
    unit: "ms",
    source: "cassperf's choice (no published threshold found): a trace stage over 5 ms is worth a look",
  },
  TOMBSTONE_RATIO: {
    name: "TOMBSTONE_RATIO",
    value: 10,
    unit: "tombstones per live row",
    source: "cassperf's choice: tombstones >> live rows; 10x is where reads mostly scan garbage",
  },
  TOMBSTONES_MIN: {
    name: "TOMBSTONES_MIN",
    value: 100,
    unit: "tombstone cells in one read",
    source: "cassperf: below 100 the cost is noise next to a network round trip",
  },
  TOMBSTONE_WARN: {
    name: "TOMBSTONE_WARN",
    value: 1000,
    unit: "tombstone cells in one read",
    source: "cassandra.yaml tombstone_warn_threshold default (1000)",
  },
  SSTABLES_PER_READ: {
    name: "SSTABLES_PER_READ",
    value: 4,
    unit: "sstables merged by one read",
    source: "STCS min_threshold default (4): more sstables per read than one compaction bucket means compaction is behind",
  },
  SLOW_REPLICA_MS: { name: "SLOW_REPLICA_MS", value: 5, unit: "ms slower than the fastest replica", source: "STAGE_SLOW_MS's 5 ms applied to replica spans" },
  SLOW_REPLICA_RATIO: {
    name: "SLOW_REPLICA_RATIO",
    value: 2,
    unit: "x the median of the other replicas",
    source:
      "cassperf: a replica twice as slow as its peers is an outlier, not noise (the median of the other replicas, ../../statistics/peer-median.ts, as every skew rule)",
  },
} satisfies Record<string, Threshold>;

const T = TRACE_THRESHOLDS;
const ms = (us: number) => `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;

/** What rules see: the facts of one trace report. */
export interface RuleContext {
  sessions: SessionSummary[];
  /** Node -> datacenter, when known (live: from the driver; recorded: opts.datacenters). */
  datacenters: Record<string, string>;
  /** Cross-DC messages found: [node, peer] pairs with counts. */
  crossDc: Map<string, number>;
  unknownActivities: Map<string, number>;
}

/** The worst session by a score, with how many sessions scored > 0. */
function worst(sessions: SessionSummary[], score: (s: SessionSummary) => number): { s?: SessionSummary; hits: number; value: number } {
  let best: SessionSummary | undefined;
  let value = 0;
  let hits = 0;
  for (const s of sessions) {
    const v = score(s);
    if (v > 0) hits++;
    if (v > value) {
      value = v;
      best = s;
    }
  }
  return { s: best, hits, value };
}
const which = (hits: number, total: number) => (total > 1 ? ` in ${hits} of ${total} sessions` : "");
const sid = (s: SessionSummary) => `session ${s.session_id}`;

/** THE rule table. */
export const TRACE_RULES: Rule<RuleContext>[] = [
  {
    id: "trace.tombstones",
    severity: "warning",
    thresholds: [T.TOMBSTONE_RATIO, T.TOMBSTONES_MIN, T.TOMBSTONE_WARN],
    check({ sessions }) {
      const score = (s: SessionSummary) =>
        s.max_tombstones_one_read >= T.TOMBSTONES_MIN.value && s.max_tombstones_one_read >= T.TOMBSTONE_RATIO.value * Math.max(1, s.live_rows_that_read)
          ? s.max_tombstones_one_read
          : 0;
      const w = worst(sessions, score);
      if (!w.s) return undefined;
      return {
        severity: w.value >= T.TOMBSTONE_WARN.value ? "critical" : "warning",
        title: `Reads scan tombstones: ${w.s.max_tombstones_one_read} tombstone cells for ${w.s.live_rows_that_read} live rows in one read${which(w.hits, sessions.length)}`,
        evidence: `${sid(w.s)}: a replica stated "${w.s.max_tombstones_one_read} tombstone cells" and ${w.s.live_rows_that_read} live; the session read ${w.s.tombstones} tombstones and ${w.s.live_rows} live rows in all; tombstone stage ${ms(w.s.stage_us.tombstones ?? 0)} (threshold: ${T.TOMBSTONE_RATIO.value}x live rows and ≥ ${T.TOMBSTONES_MIN.value}; ${T.TOMBSTONE_WARN.value} = tombstone_warn_threshold)`,
        action:
          "Stop reading deleted data: expire it with a TTL and TimeWindowCompactionStrategy for time series, bucket partitions by time so old buckets are never read, avoid deletes of individual rows in wide partitions; lower gc_grace_seconds only with repairs running more often than it.",
        helper: "compactionAdvice",
      };
    },
  },
  {
    id: "trace.sstables-per-read",
    severity: "warning",
    thresholds: [T.SSTABLES_PER_READ],
    check({ sessions }) {
      const w = worst(sessions, (s) => (s.sstables_per_read > T.SSTABLES_PER_READ.value ? s.sstables_per_read : 0));
      if (!w.s) return undefined;
      return {
        title: `A read merged data from ${w.value} sstables${which(w.hits, sessions.length)}`,
        evidence: `${sid(w.s)}: "merged data from memtables and ${w.value} sstables" (threshold ${T.SSTABLES_PER_READ.value}); merge stage ${ms(w.s.stage_us.merge ?? 0)}, sstable stages ${ms((w.s.stage_us["sstable-read"] ?? 0) + (w.s.stage_us["sstable-index"] ?? 0))}`,
        action:
          "Compaction is behind or the strategy does not fit: check nodetool compactionstats (pending tasks) and tablehistograms (SSTables per read); consider LeveledCompactionStrategy for read-heavy tables, or TWCS for time series.",
        helper: "compactionAdvice",
      };
    },
  },
  {
    id: "trace.slow-stage",
    severity: "warning",
    thresholds: [T.STAGE_SLOW_MS],
    check({ sessions }) {
      // The coordinator waiting for replicas (message-receive/response on the coordinator) is a
      // symptom: rank a node's own work first, the waiting only when nothing else is slow.
      type Hit = { s: SessionSummary; node: string; stage: Stage; us: number; waiting: boolean };
      const all: Hit[] = [];
      let hits = 0;
      for (const s of sessions) {
        let hit = false;
        for (const [node, stages] of Object.entries(s.node_stage_us)) {
          for (const [stage, us] of Object.entries(stages) as [Stage, number][]) {
            if (us > T.STAGE_SLOW_MS.value * 1000) {
              hit = true;
              all.push({ s, node, stage, us, waiting: node === s.coordinator && (stage === "message-receive" || stage === "response") });
            }
          }
        }
        if (hit) hits++;
      }
      if (!all.length) return undefined;
      all.sort((a, b) => Number(a.waiting) - Number(b.waiting) || b.us - a.us);
      const best = all[0];
      const role = (h: Hit) => (h.node === h.s.coordinator ? "coordinator" : "replica");
      return {
        title: `Stage ${best.stage} took ${ms(best.us)} on ${best.node} (${role(best)})${which(hits, sessions.length)}`,
        evidence: `${sid(best.s)} (${ms(best.s.duration_us)} in all); stages over ${T.STAGE_SLOW_MS.value} ms: ${all
          .slice(0, 4)
          .map((h) => `${h.stage} on ${h.node} (${role(h)}${h.waiting ? ", waiting for replicas" : ""}) ${ms(h.us)}`)
          .join("; ")}${all.length > 4 ? `; ${all.length - 4} more` : ""}`,
        action: STAGE_ACTION[best.stage] ?? 'Look at this stage\'s events in the waterfall (report.chart("waterfall")).',
        node: best.node,
      };
    },
  },
  {
    id: "trace.slow-replica",
    severity: "warning",
    thresholds: [T.SLOW_REPLICA_MS, T.SLOW_REPLICA_RATIO],
    /** The slowest replica of a session against the median of the OTHER replicas' spans (../../statistics/peer-median.ts). */
    check({ sessions }) {
      let best: { s: SessionSummary; node: string; us: number; peers: number } | undefined;
      let hits = 0;
      for (const s of sessions) {
        const spans = Object.entries(s.replica_us);
        if (spans.length < 2) continue;
        const values = spans.map(([, us]) => us);
        let slowest = 0;
        for (let i = 1; i < values.length; i++) if (values[i] > values[slowest]) slowest = i;
        const [slowNode, slow] = spans[slowest];
        const peers = peerMedian(values, slowest)!;
        if (slow - peers > T.SLOW_REPLICA_MS.value * 1000 && slow >= T.SLOW_REPLICA_RATIO.value * Math.max(peers, 1)) {
          hits++;
          if (!best || slow - peers > best.us - best.peers) best = { s, node: slowNode, us: slow, peers };
        }
      }
      if (!best) return undefined;
      return {
        title: `Replica ${best.node} is slow: ${ms(best.us)} against ${ms(best.peers)} for the other replicas (median)${which(hits, sessions.length)}`,
        evidence: `${sid(best.s)}${best.s.consistency ? ` at ${best.s.consistency}` : ""}: replica spans ${Object.entries(best.s.replica_us)
          .map(([n, us]) => `${n} ${ms(us)}`)
          .join(", ")}; a QUORUM/ALL read waits for the slowest replica it needs`,
        action: `Check ${best.node}: GC pauses (gcStats), pending/blocked thread pools (nodetool tpstats), disk latency, and its sstables per read; speculative_retry on the table hides one slow replica.`,
        node: best.node,
      };
    },
  },
  {
    id: "trace.read-repair",
    severity: "warning",
    thresholds: [],
    check({ sessions }) {
      const w = worst(sessions, (s) => (s.read_repair ? s.duration_us || 1 : 0));
      if (!w.s) return undefined;
      return {
        title: `Read repair happened${w.s.digest_mismatch ? " after a digest mismatch" : ""}${which(w.hits, sessions.length)}`,
        evidence: `${sid(w.s)}: read-repair stage ${ms(w.s.stage_us["read-repair"] ?? 0)}; replicas disagreed, so the coordinator read full data and wrote the difference back before answering`,
        action:
          "Replicas are out of sync: run repair (nodetool repair -pr on each node, or incremental repair), check for dropped mutations (nodetool tpstats) and hints; frequent digest mismatches on QUORUM reads double their latency.",
      };
    },
  },
  {
    id: "trace.speculative-retry",
    severity: "info",
    thresholds: [],
    check({ sessions }) {
      const w = worst(sessions, (s) => (s.speculative_retry ? s.duration_us || 1 : 0));
      if (!w.s) return undefined;
      return {
        title: `Speculative retry sent an extra read${which(w.hits, sessions.length)}`,
        evidence: `${sid(w.s)}: the coordinator gave up waiting on a replica and asked another`,
        action: "A replica answered slower than the table's speculative_retry percentile: look for the slow replica (GC, disk) in the waterfall.",
      };
    },
  },
  {
    id: "trace.extra-replica-reads",
    severity: "info",
    thresholds: [],
    check({ sessions }) {
      // Replicas a consistency level needs, where it does not depend on the replication factor.
      const NEED: Record<string, number> = { ONE: 1, LOCAL_ONE: 1, TWO: 2, THREE: 3 };
      const w = worst(sessions, (s) => {
        const need = NEED[s.consistency.toUpperCase()];
        return need !== undefined && s.request !== "" && !s.read_repair && !s.speculative_retry && s.reading_nodes.length > need ? s.reading_nodes.length : 0;
      });
      if (!w.s) return undefined;
      return {
        title: `${w.value} replicas read for a ${w.s.consistency} read${which(w.hits, sessions.length)}`,
        evidence: `${sid(w.s)}: ${w.s.reading_nodes.join(", ")} executed the read, ${w.s.consistency} needs ${NEED[w.s.consistency.toUpperCase()]}; no read-repair or speculation event explains it (Cassandra 2.1 does not trace either)`,
        action:
          "Extra replica reads come from speculative_retry (a replica answered slower than the table's percentile) or read_repair_chance / dclocal_read_repair_chance: check the table's options and the slow replica.",
      };
    },
  },
  {
    id: "trace.cross-dc",
    severity: "warning",
    thresholds: [],
    check({ crossDc, datacenters, sessions }) {
      if (crossDc.size === 0) return undefined;
      const pairs = [...crossDc.entries()].sort((a, b) => b[1] - a[1]);
      return {
        title: `Requests crossed datacenters: ${plural(pairs.length, "node pair")}`,
        evidence:
          pairs
            .slice(0, 5)
            .map(
              ([k, c]) =>
                `${k.replace("\u0000", " -> ")} (${datacenters[k.split("\u0000")[0]]} -> ${datacenters[k.split("\u0000")[1]]}) ${plural(c, "message")}`,
            )
            .join("; ") + (sessions.length > 1 ? ` over ${sessions.length} sessions` : ""),
        action: "Use LOCAL_ONE / LOCAL_QUORUM and a DC-aware load balancing policy with the right localDataCenter, so reads stay in the client's datacenter.",
      };
    },
  },
  {
    id: "trace.unknown-activities",
    severity: "info",
    thresholds: [],
    check({ unknownActivities }) {
      if (unknownActivities.size === 0) return undefined;
      const total = [...unknownActivities.values()].reduce((a, b) => a + b, 0);
      const top = [...unknownActivities.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      return {
        title: `${plural(total, "event")} with wording no stage rule knows (stage "other")`,
        evidence: top.map(([a, c]) => `"${a}" x${c}`).join("; "),
        action: 'They are kept in the events frame with stage "other"; if they matter, add a rule to STAGE_RULES in src/parse/trace-stages.ts.',
      };
    },
  },
];

/** Advice per stage for the slow-stage rule. */
const STAGE_ACTION: Partial<Record<Stage, string>> = {
  "parse/prepare": "Prepare statements once and execute them (the driver's { prepare: true }) instead of sending CQL text each time.",
  coordinator:
    "The coordinator is busy before it can send: check its thread pools (nodetool tpstats) and GC; use a token-aware load balancing policy so the coordinator is a replica.",
  "replica-read": "Replica read work is slow: check sstables per read, partition size (partitionScan) and disk latency on that node.",
  memtable: "Large memtables with many overwrites/deletes are slow to read: check memtable flush settings and tombstones.",
  "sstable-bloom": "Bloom filter checks are slow when many sstables exist: compaction is behind.",
  "sstable-index": "Partition index lookups are slow: large partitions (partitionScan) or a cold key cache.",
  "key-cache": "Key cache lookups are slow: check key_cache_size_in_mb and its hit rate (nodetool info).",
  "sstable-read": "Reading from sstables is slow: disk latency, sstables per read (compactionAdvice), read-ahead settings.",
  merge: "Merging many sstables is slow: compaction is behind (compactionAdvice).",
  tombstones: "The read scanned many tombstones: see the tombstones finding (TTL, TWCS, bucketing).",
  "read-repair": "Read repair adds a full-data round trip: run repairs so replicas agree.",
  "speculative-retry": "A replica was slow enough to trigger a retry: find it in the waterfall.",
  commitlog: "Commitlog appends are slow: commitlog on its own disk, commitlog_sync settings.",
  "memtable-write": "Memtable writes are slow: check memtable_allocation_type, heap pressure and GC.",
  hint: "Hints are being written: a replica is down or dropping mutations.",
  "message-send": "Sending to replicas is slow: network, or the coordinator's outbound queues (nodetool tpstats / netstats).",
  "message-receive": "Messages wait before a node picks them up: network latency or a saturated node.",
  response: "Waiting for replicas' responses: the slowest replica needed by the consistency level sets the pace.",
};

/** Run every rule (findings name helper "trace" unless a rule names another, e.g. compactionAdvice). */
export function runTraceRules(ctx: RuleContext): Finding[] {
  return applyRules(TRACE_RULES, ctx, "trace");
}
