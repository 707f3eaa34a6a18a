/**
 * logs() advice: ONE table of named rules (../rule.ts Rule<LogFacts>) with its named thresholds,
 * sperf's recs.py as the anchor. Each rule reads the parsed events (and the clock checks) and
 * says what it saw — the evidence (node, file:line, numbers) and the cassandra.yaml or data-model
 * change to make — and {@link logFindings} turns the table into findings with applyRules.
 * The clock-skew rule is shared with timeline() (./timeline-rules.ts).
 */
import type { Finding, Threshold } from "../../present/report";
import type { LogEvent } from "../../parse/log-rules";
import type { ClockViolation } from "./log-clock";
import { CLOCK_SKEW_TOLERANCE_MS, skewedNodes } from "./log-clock";
import { applyRules, type Rule, type RuleHit } from "../rule";
import { extent } from "../../statistics/extent";
import { inflect, plural, thousands } from "../../present/plural";

/** Every threshold logs() uses, with where its number comes from. */
export const LOG_THRESHOLDS = {
  COMPACTION_PENDING: { name: "COMPACTION_PENDING", value: 100, unit: "tasks", source: "sperf recs.py (_compaction: more than 100 compactions behind)" },
  NTR_PENDING: {
    name: "NTR_PENDING",
    value: 1000,
    unit: "requests",
    source: "cassperf's choice: native transport requests pending over 1,000 (sperf's recs.py flags blocked NTR over 10)",
  },
  NTR_BLOCKED: { name: "NTR_BLOCKED", value: 10, unit: "requests", source: "sperf recs.py (_ntr: blocked NTR over 10)" },
  NTR_ALL_TIME_BLOCKED: { name: "NTR_ALL_TIME_BLOCKED", value: 100, unit: "requests", source: "sperf recs.py (_ntr: more than 100 blocked NTR all time)" },
  FLUSH_WRITER_PENDING: { name: "FLUSH_WRITER_PENDING", value: 5, unit: "tasks", source: "sperf recs.py (_memtable_flush_writer: pending over 5)" },
  FLUSH_WRITER_BLOCKED: { name: "FLUSH_WRITER_BLOCKED", value: 0, unit: "tasks", source: "sperf recs.py (_memtable_flush_writer: blocked greater than zero)" },
  MUTATION_PENDING: {
    name: "MUTATION_PENDING",
    value: 10000,
    unit: "mutations",
    source: "sperf recs.py (_mutation, _write_local, _write_remote: pending over 10000)",
  },
  DROPPED_WRITES: {
    name: "DROPPED_WRITES",
    value: 0,
    unit: "messages",
    source: "sperf droppedmessages (any dropped MUTATION/COUNTER_MUTATION/HINT/BATCH is lost data until repair)",
  },
  DROPPED_READS: { name: "DROPPED_READS", value: 0, unit: "messages", source: "sperf droppedmessages (READ/RANGE_SLICE drops are client-visible timeouts)" },
  GC_PAUSE_MS: {
    name: "GC_PAUSE_MS",
    value: 500,
    unit: "ms",
    source: "cassperf's choice between Cassandra's gc_log_threshold_in_ms (200, INFO) and gc_warn_threshold_in_ms (1000, WARN) defaults",
  },
  TOMBSTONE_WARNINGS: {
    name: "TOMBSTONE_WARNINGS",
    value: 0,
    unit: "warnings per table",
    source: "Cassandra tombstone_warn_threshold (1,000) already passed once per warning",
  },
  TOMBSTONE_FAILURES: {
    name: "TOMBSTONE_FAILURES",
    value: 0,
    unit: "failures per table",
    source: "Cassandra tombstone_failure_threshold (100,000): the query was aborted",
  },
  LARGE_PARTITIONS: {
    name: "LARGE_PARTITIONS",
    value: 0,
    unit: "warnings per table",
    source: "Cassandra compaction_large_partition_warning_threshold_mb (100 MB) already passed once per warning",
  },
  SLOW_QUERIES: { name: "SLOW_QUERIES", value: 0, unit: "queries", source: "Cassandra slow_query_log_timeout_in_ms (500 ms) already passed once per query" },
  TIMED_OUT_QUERIES: { name: "TIMED_OUT_QUERIES", value: 0, unit: "queries", source: "Cassandra read/range request timeouts already passed once per query" },
  CLOCK_SKEW_TOLERANCE_MS: {
    name: "CLOCK_SKEW_TOLERANCE_MS",
    value: CLOCK_SKEW_TOLERANCE_MS,
    unit: "ms",
    source: "cassperf's choice (./log-clock.ts): log lines have 1 s resolution on console layouts and gossip needs a moment",
  },
} satisfies Record<string, Threshold>;

const T = LOG_THRESHOLDS;

/** What every rule gets: the parsed events and the clock checks (./log-clock.ts). */
export interface LogFacts {
  events: LogEvent[];
  clock: ClockViolation[];
  clockSteps: { node: string; file: string; line: number; back_ms: number; count: number }[];
  /** The events of each kind, in order (logFindings() groups them once, so each rule reads only its kind). */
  byKind?: Map<string, LogEvent[]>;
  /**
   * Exact figures per group over every event ({@link tallyKey}; ./log-evidence.ts), when `events` may be a sample: the rules
   * count with them, and the events they cite (first, largest) are kept whatever the sample. Absent: counted from `events`.
   */
  tallies?: Map<string, { count: number; sum: number; distinct: number }>;
}

/** The table a tombstone or large-partition event is about, as the findings name it. */
export function tableOf(e: LogEvent): string {
  return e.keyspace ? `${e.keyspace}.${e.table ?? "?"}` : (e.table ?? "(unknown table)");
}

/**
 * The group a rule counts an event in (node and pool, table or kind), or undefined: ./log-evidence.ts tallies every event
 * by it while the events are parsed, so a rule's counts stay exact when only a sample of the events is kept.
 */
export function tallyKey(e: LogEvent): string | undefined {
  switch (e.kind) {
    case "dropped-messages":
      return e.pool ? `dropped\u0001${e.node}\u0001${e.pool}` : undefined;
    case "gc-pause":
      return (e.pause_ms ?? 0) > T.GC_PAUSE_MS.value ? `gc\u0001${e.node}` : undefined;
    case "tombstone-failure":
    case "tombstone-warning":
    case "large-partition":
      return `${e.kind}\u0001${e.node}\u0001${tableOf(e)}`;
    case "slow-query":
    case "timed-out-query":
      return `${e.kind}\u0001${e.node}`;
    default:
      return undefined;
  }
}

/** A group's exact figures from the tallies, else counted from its kept events. */
function tallyOf(facts: LogFacts, list: LogEvent[]): { count: number; sum: number; distinct: number } {
  const t = list.length ? facts.tallies?.get(tallyKey(list[0]!) ?? "") : undefined;
  if (t) return t;
  return { count: list.length, sum: list.reduce((s, e) => s + (e.dropped ?? 0), 0), distinct: new Set(list.map((e) => e.partition_key)).size };
}

/** The events of one kind, in order: from facts.byKind when logFindings() grouped them, else filtered here. */
function ofKind(facts: LogFacts, kind: LogEvent["kind"]): LogEvent[] {
  return facts.byKind ? (facts.byKind.get(kind) ?? []) : facts.events.filter((e) => e.kind === kind);
}

const fmtN = thousands;
const at = (e: LogEvent) => `${e.file}:${e.line}${e.ts !== null ? ` (${new Date(e.ts).toISOString().replace("T", " ").slice(0, 19)})` : ""}`;

/** The largest value of `field` per node among pool rows whose pool matches. */
function poolPeaks(facts: LogFacts, pools: RegExp, field: "pending" | "blocked" | "all_time_blocked"): { node: string; e: LogEvent; value: number }[] {
  const best = new Map<string, { node: string; e: LogEvent; value: number }>();
  for (const e of ofKind(facts, "statuslogger-pool")) {
    if (e.kind !== "statuslogger-pool" || !e.pool || !pools.test(e.pool)) continue;
    const v = e[field];
    if (typeof v !== "number") continue;
    const b = best.get(e.node);
    if (!b || v > b.value) best.set(e.node, { node: e.node, e, value: v });
  }
  return [...best.values()];
}

function poolRule(
  id: string,
  what: string,
  pools: RegExp,
  field: "pending" | "blocked" | "all_time_blocked",
  th: Threshold,
  severity: Finding["severity"],
  title: string,
  action: string,
): Rule<LogFacts> {
  return {
    id,
    severity,
    thresholds: [th],
    what,
    check: (facts) =>
      poolPeaks(facts, pools, field)
        .filter((p) => p.value > th.value)
        .map((p) => ({
          severity,
          id,
          node: p.node,
          helper: "logs",
          title: `${p.node}: ${title} (${p.e.pool} ${field.replace(/_/g, " ")} ${fmtN(p.value)} > ${fmtN(th.value)})`,
          evidence: `StatusLogger ${at(p.e)}: ${p.e.pool} active ${p.e.active ?? "n/a"}, pending ${p.e.pending ?? "n/a"}, blocked ${p.e.blocked ?? "n/a"}, all time blocked ${p.e.all_time_blocked ?? "n/a"}. Threshold ${th.name} = ${fmtN(th.value)} (${th.source}).`,
          action,
        })),
  };
}

/** Group events of some kinds by node and table. */
function perTable(facts: LogFacts, kind: LogEvent["kind"]): { node: string; table: string; list: LogEvent[] }[] {
  const m = new Map<string, { node: string; table: string; list: LogEvent[] }>();
  for (const e of ofKind(facts, kind)) {
    if (e.kind !== kind) continue;
    const table = tableOf(e);
    const k = `${e.node}\u0001${table}`;
    let g = m.get(k);
    if (!g) m.set(k, (g = { node: e.node, table, list: [] }));
    g.list.push(e);
  }
  // Most events first, counted exactly (the tallies) when the kept events are a sample.
  return [...m.values()].sort((a, b) => tallyOf(facts, b.list).count - tallyOf(facts, a.list).count);
}

const WRITE_DROPS = /^(MUTATION|COUNTER_MUTATION|HINT|BATCH_STORE|BATCH_REMOVE|LWT|PAXOS_\w+|READ_REPAIR)$/;
const READ_DROPS = /^(READ|RANGE_SLICE|PAGED_RANGE|_TRACE|REQUEST_RESPONSE)$/;

function dropRule(id: string, types: RegExp, th: Threshold, severity: Finding["severity"], what: string, action: string): Rule<LogFacts> {
  return {
    id,
    severity,
    thresholds: [th],
    what,
    check: (facts) => {
      const m = new Map<string, { node: string; type: string; total: number; n: number; first: LogEvent }>();
      for (const e of ofKind(facts, "dropped-messages")) {
        if (e.kind !== "dropped-messages" || !e.pool || !types.test(e.pool)) continue;
        const k = `${e.node}\u0001${e.pool}`;
        const g = m.get(k);
        if (g) {
          g.total += e.dropped ?? 0;
          g.n++;
        } else m.set(k, { node: e.node, type: e.pool, total: e.dropped ?? 0, n: 1, first: e });
      }
      // Exact over every event when the kept events are a sample (the first line is kept whatever the sample).
      for (const g of m.values()) {
        const t = facts.tallies?.get(tallyKey(g.first)!);
        if (t) [g.total, g.n] = [t.sum, t.count];
      }
      return [...m.values()]
        .filter((g) => g.total > th.value)
        .map((g) => ({
          severity,
          id,
          node: g.node,
          helper: "logs",
          title: `${g.node}: ${fmtN(g.total)} ${g.type} ${inflect(g.total, "message")} dropped`,
          evidence: `${g.n} DroppedMessages ${inflect(g.n, "line")}, first at ${at(g.first)}: "${g.first.message.slice(0, 160)}". Threshold ${th.name} = ${th.value} (${th.source}).`,
          action,
        }));
    },
  };
}

/** logs.clock-skew: a node's clock is off (gossip causality, or a file stepping back); timeline() applies it too. */
export const CLOCK_SKEW_RULE: Rule<Pick<LogFacts, "clock" | "clockSteps">> = {
  id: "logs.clock-skew",
  severity: "warning",
  thresholds: [T.CLOCK_SKEW_TOLERANCE_MS],
  what: "a node's clock is off: gossip causality broken by more than CLOCK_SKEW_TOLERANCE_MS, or timestamps stepping back inside a file",
  check: ({ clock, clockSteps }) => {
    const out: RuleHit[] = skewedNodes(clock).map((s) => ({
      severity: "warning",
      id: "logs.clock-skew",
      node: s.node,
      helper: "logs",
      title: `${s.node}: clock appears ${s.direction} of the other nodes by at least ${(s.skew_ms / 1000).toFixed(0)} s`,
      evidence: s.evidence.slice(0, 3).join("; ") + (s.evidence.length > 3 ? `; and ${s.evidence.length - 3} more` : ""),
      action:
        "Run NTP/chrony on every node and check `timedatectl`/`chronyc tracking`; timestamps (writes use the coordinator's clock), TTLs, and this timeline's alignment all depend on it.",
    }));
    for (const s of clockSteps)
      out.push({
        severity: "warning",
        id: "logs.clock-skew",
        node: s.node,
        helper: "logs",
        title: `${s.node}: log timestamps step back by up to ${(s.back_ms / 1000).toFixed(0)} s (${plural(s.count, "line")})`,
        evidence: `${s.file}:${s.line} is earlier than a line before it by ${(s.back_ms / 1000).toFixed(1)} s: the clock was stepped back (or the file mixes two nodes' logs).`,
        action:
          "Run NTP/chrony with slewing rather than stepping on every node; a clock stepping back reorders writes that use client or coordinator timestamps.",
      });
    return out;
  },
};

/**
 * THE rule table. Order is the order findings are produced (the report then sorts by severity).
 */
export const LOG_RULES: Rule<LogFacts>[] = [
  poolRule(
    "logs.compaction-pending",
    "pending compactions (CompactionExecutor / CompactionManager) over COMPACTION_PENDING",
    /^(CompactionExecutor|CompactionManager)$/,
    "pending",
    T.COMPACTION_PENDING,
    "warning",
    "compactions are falling behind",
    "Raise compaction_throughput_mb_per_sec (compaction_throughput_in_mb on 2.x/3.x; 0 = unthrottled) and concurrent_compactors in cassandra.yaml if disks and CPU have headroom; otherwise the write rate exceeds what this node can compact (add nodes or revisit the compaction strategy).",
  ),
  poolRule(
    "logs.ntr-pending",
    "native transport requests pending over NTR_PENDING",
    /^Native-Transport-Requests$/,
    "pending",
    T.NTR_PENDING,
    "warning",
    "client requests are queueing",
    "Raise native_transport_max_threads in cassandra.yaml (default 128) if CPU is underused, and -Dcassandra.max_queued_native_transport_requests (1024–8192); if CPU is busy, the cluster needs capacity or clients must throttle.",
  ),
  poolRule(
    "logs.ntr-blocked",
    "native transport requests blocked over NTR_BLOCKED",
    /^Native-Transport-Requests$/,
    "blocked",
    T.NTR_BLOCKED,
    "critical",
    "client requests are being blocked",
    "Raise or set -Dcassandra.max_queued_native_transport_requests= (valid range 1024–8192) in jvm.options (sperf recs.py), and native_transport_max_threads in cassandra.yaml.",
  ),
  poolRule(
    "logs.ntr-all-time-blocked",
    "native transport requests blocked all time over NTR_ALL_TIME_BLOCKED",
    /^Native-Transport-Requests$/,
    "all_time_blocked",
    T.NTR_ALL_TIME_BLOCKED,
    "warning",
    "client requests were blocked since start",
    "Raise or set -Dcassandra.max_queued_native_transport_requests= (valid range 1024–8192) in jvm.options (sperf recs.py).",
  ),
  poolRule(
    "logs.flush-writer-pending",
    "MemtableFlushWriter pending over FLUSH_WRITER_PENDING",
    /^(MemtableFlushWriter|PerDiskMemtableFlushWriter_\d+)$/,
    "pending",
    T.FLUSH_WRITER_PENDING,
    "warning",
    "memtable flushes are queueing",
    "Raise memtable_flush_writers in cassandra.yaml (one per data disk, more on SSDs) (sperf recs.py); check that the commitlog and data disks keep up.",
  ),
  poolRule(
    "logs.flush-writer-blocked",
    "MemtableFlushWriter blocked over FLUSH_WRITER_BLOCKED",
    /^(MemtableFlushWriter|PerDiskMemtableFlushWriter_\d+)$/,
    "blocked",
    T.FLUSH_WRITER_BLOCKED,
    "critical",
    "memtable flushes were blocked (writes stall)",
    "Lower memtable_cleanup_threshold in cassandra.yaml so flushes start earlier, and raise memtable_flush_writers (sperf recs.py).",
  ),
  poolRule(
    "logs.mutation-pending",
    "MutationStage (DSE: TPC/all/WRITE_LOCAL, WRITE_REMOTE) pending over MUTATION_PENDING",
    /^(MutationStage|TPC\/all\/WRITE_(LOCAL|REMOTE))$/,
    "pending",
    T.MUTATION_PENDING,
    "critical",
    "writes are queueing",
    "Lower memtable_cleanup_threshold in cassandra.yaml (sperf recs.py); check for GC pauses and slow disks at the same time (timeline()), and for hot partitions (partitionScan()).",
  ),
  dropRule(
    "logs.dropped-writes",
    WRITE_DROPS,
    T.DROPPED_WRITES,
    "critical",
    "dropped mutations/hints/batches over DROPPED_WRITES",
    "Dropped writes leave replicas inconsistent: run repair on the affected tables. Then remove the cause: GC pauses or saturated disks around the drop (timeline()); lower memtable_cleanup_threshold; raise write_request_timeout_in_ms only once the cause is fixed.",
  ),
  dropRule(
    "logs.dropped-reads",
    READ_DROPS,
    T.DROPPED_READS,
    "warning",
    "dropped reads/range slices over DROPPED_READS",
    "Reads timed out on the replica before being served: look for GC pauses, tombstone-heavy or large partitions around the drop (timeline()); range scans (RANGE_SLICE) should page with a smaller fetch size or be replaced by queries on the partition key.",
  ),
  {
    id: "logs.gc-pause",
    severity: "warning",
    thresholds: [T.GC_PAUSE_MS],
    what: "GCInspector pauses over GC_PAUSE_MS",
    check: (facts) => {
      const m = new Map<string, { node: string; n: number; max: LogEvent }>();
      for (const e of ofKind(facts, "gc-pause")) {
        if (e.kind !== "gc-pause" || (e.pause_ms ?? 0) <= T.GC_PAUSE_MS.value) continue;
        const g = m.get(e.node);
        if (!g) m.set(e.node, { node: e.node, n: 1, max: e });
        else {
          g.n++;
          if ((e.pause_ms ?? 0) > (g.max.pause_ms ?? 0)) g.max = e;
        }
      }
      for (const g of m.values()) g.n = facts.tallies?.get(tallyKey(g.max)!)?.count ?? g.n;
      return [...m.values()].map(
        (g): RuleHit => ({
          severity: (g.max.pause_ms ?? 0) >= 1000 ? "critical" : "warning",
          id: "logs.gc-pause",
          node: g.node,
          helper: "gcStats",
          title: `${g.node}: ${g.n} GC ${inflect(g.n, "pause")} over ${T.GC_PAUSE_MS.value} ms (longest ${fmtN(g.max.pause_ms ?? 0)} ms, ${g.max.gc ?? "GC"})`,
          evidence: `GCInspector ${at(g.max)}: "${g.max.message.slice(0, 120)}". Threshold ${T.GC_PAUSE_MS.name} = ${T.GC_PAUSE_MS.value} ms (${T.GC_PAUSE_MS.source}).`,
          action:
            "Tune the heap in jvm.options (jvm-server.options on 4.x): G1 with -XX:MaxGCPauseMillis=300–500 and a heap of 16–31 GB (not above 31 GB, compressed oops); with CMS, size the young generation (-Xmn) to 100 MB per core. Check gcStats() for the pause breakdown, and large partitions / tombstone warnings that inflate allocation.",
        }),
      );
    },
  },
  {
    id: "logs.tombstone-failures",
    severity: "critical",
    thresholds: [T.TOMBSTONE_FAILURES],
    what: "tombstone failures (query aborted) per table over TOMBSTONE_FAILURES",
    check: (facts) =>
      perTable(facts, "tombstone-failure")
        .map((g) => ({ ...g, n: tallyOf(facts, g.list).count }))
        .filter((g) => g.n > T.TOMBSTONE_FAILURES.value)
        .map(
          (g): RuleHit => ({
            severity: "critical",
            id: "logs.tombstone-failures",
            node: g.node,
            helper: "compactionAdvice",
            title: `${g.node}: ${fmtN(g.n)} quer${g.n === 1 ? "y" : "ies"} on ${g.table} aborted after scanning over ${fmtN(extent(g.list.map((e) => e.tombstones ?? 0))!.max)} tombstones`,
            evidence: `first at ${at(g.list[0])}: "${g.list[0].message.slice(0, 160)}". Threshold ${T.TOMBSTONE_FAILURES.name} (${T.TOMBSTONE_FAILURES.source}).`,
            action: `Data model: stop reading across deleted data in ${g.table} — avoid deletes/null writes in wide partitions, use TTLs with TimeWindowCompactionStrategy for time series, query narrower slices. Lower gc_grace_seconds on ${g.table} only if repairs run more often than it. Raising tombstone_failure_threshold only hides it.`,
          }),
        ),
  },
  {
    id: "logs.tombstone-warnings",
    severity: "warning",
    thresholds: [T.TOMBSTONE_WARNINGS],
    what: "tombstone warnings per table over TOMBSTONE_WARNINGS",
    check: (facts) =>
      perTable(facts, "tombstone-warning")
        .map((g) => ({ ...g, n: tallyOf(facts, g.list).count }))
        .filter((g) => g.n > T.TOMBSTONE_WARNINGS.value)
        .map((g): RuleHit => {
          const worst = g.list.reduce((a, b) => ((b.tombstones ?? 0) > (a.tombstones ?? 0) ? b : a));
          return {
            severity: "warning",
            id: "logs.tombstone-warnings",
            node: g.node,
            helper: "compactionAdvice",
            title: `${g.node}: ${fmtN(g.n)} tombstone ${inflect(g.n, "warning")} on ${g.table} (up to ${fmtN(worst.tombstones ?? 0)} tombstones for ${fmtN(worst.live_rows ?? 0)} live rows)`,
            evidence: `worst at ${at(worst)}: "${worst.message.slice(0, 160)}". Threshold ${T.TOMBSTONE_WARNINGS.name} (${T.TOMBSTONE_WARNINGS.source}).`,
            action: `Data model: the reads on ${g.table} scan deleted cells — avoid deletes and null writes in the partitions read, use TTL + TimeWindowCompactionStrategy for time-ordered data, or split the partition key (add a bucket) so reads skip old data; consider unchecked_tombstone_compaction / a lower gc_grace_seconds when repairs allow (see compactionAdvice()).`,
          };
        }),
  },
  {
    id: "logs.large-partitions",
    severity: "warning",
    thresholds: [T.LARGE_PARTITIONS],
    what: "large-partition warnings per table over LARGE_PARTITIONS",
    check: (facts) =>
      perTable(facts, "large-partition")
        .map((g) => ({ ...g, tally: tallyOf(facts, g.list) }))
        .filter((g) => g.tally.count > T.LARGE_PARTITIONS.value)
        .map((g): RuleHit => {
          const worst = g.list.reduce((a, b) => ((b.partition_bytes ?? 0) > (a.partition_bytes ?? 0) ? b : a));
          const n = g.tally.count;
          return {
            severity: (worst.partition_bytes ?? 0) >= 1024 ** 3 ? "critical" : "warning",
            id: "logs.large-partitions",
            node: g.node,
            helper: "partitionScan",
            title: `${g.node}: ${fmtN(n)} large-partition ${inflect(n, "warning")} on ${g.table} (${plural(g.tally.distinct, "key")}, largest ${((worst.partition_bytes ?? 0) / 1024 ** 2).toFixed(0)} MiB)`,
            evidence: `largest at ${at(worst)}: key ${worst.partition_key}. Threshold ${T.LARGE_PARTITIONS.name} (${T.LARGE_PARTITIONS.source}).`,
            action: `Data model: bound the partitions of ${g.table} — add a bucket (time window or hash) to the partition key so each partition stays well under 100 MB; check the partition key ${worst.partition_key} for a hot/unbounded entity (partitionScan()).`,
          };
        }),
  },
  {
    id: "logs.timed-out-queries",
    severity: "warning",
    thresholds: [T.TIMED_OUT_QUERIES],
    what: "timed-out queries (debug.log MonitoringTask) over TIMED_OUT_QUERIES",
    check: (facts) => {
      const m = new Map<string, LogEvent[]>();
      for (const e of ofKind(facts, "timed-out-query")) (m.get(e.node) ?? m.set(e.node, []).get(e.node)!).push(e);
      return [...m]
        .map(([node, l]) => [node, l, tallyOf(facts, l).count] as const)
        .filter(([, , n]) => n > T.TIMED_OUT_QUERIES.value)
        .map(([node, l, n]): RuleHit => {
          const worst = l.reduce((a, b) => ((b.duration_ms ?? 0) > (a.duration_ms ?? 0) ? b : a));
          return {
            severity: "warning",
            id: "logs.timed-out-queries",
            node,
            helper: "trace",
            title: `${node}: ${fmtN(n)} quer${n === 1 ? "y" : "ies"} timed out (longest ${fmtN(worst.duration_ms ?? 0)} ms)`,
            evidence: `${at(worst)}: ${worst.query?.slice(0, 160)}. Threshold ${T.TIMED_OUT_QUERIES.name} (${T.TIMED_OUT_QUERIES.source}).`,
            action:
              "Trace the query (trace()) to see where the time goes; queries without the partition key (range scans, ALLOW FILTERING) need a table keyed for them; look at GC pauses and pending work at the same time (timeline()).",
          };
        });
    },
  },
  {
    id: "logs.slow-queries",
    severity: "info",
    thresholds: [T.SLOW_QUERIES],
    what: "slow queries (debug.log MonitoringTask) over SLOW_QUERIES",
    check: (facts) => {
      const m = new Map<string, LogEvent[]>();
      for (const e of ofKind(facts, "slow-query")) (m.get(e.node) ?? m.set(e.node, []).get(e.node)!).push(e);
      return [...m]
        .map(([node, l]) => [node, l, tallyOf(facts, l).count] as const)
        .filter(([, , n]) => n > T.SLOW_QUERIES.value)
        .map(([node, l, n]): RuleHit => {
          const worst = l.reduce((a, b) => ((b.duration_ms ?? 0) > (a.duration_ms ?? 0) ? b : a));
          return {
            severity: "info",
            id: "logs.slow-queries",
            node,
            helper: "trace",
            title: `${node}: ${fmtN(n)} slow quer${n === 1 ? "y" : "ies"} (slowest ${fmtN(worst.duration_ms ?? 0)} ms)`,
            evidence: `${at(worst)}: ${worst.query?.slice(0, 160)}. Threshold ${T.SLOW_QUERIES.name} (${T.SLOW_QUERIES.source}).`,
            action: "Trace the slowest query (trace()) and check the table's SSTables per read and partition sizes (histograms(), partitionScan()).",
          };
        });
    },
  },
  CLOCK_SKEW_RULE,
];

/** Run the whole table. */
export function logFindings(facts: LogFacts): Finding[] {
  // One pass groups the events by kind; each rule then reads only its own kind (the rules' loops ran once each, cold,
  // over every event: ~15 passes).
  const byKind = new Map<string, LogEvent[]>();
  for (const e of facts.events) {
    const list = byKind.get(e.kind);
    if (list) list.push(e);
    else byKind.set(e.kind, [e]);
  }
  return applyRules(LOG_RULES, { ...facts, byKind });
}
