/**
 * gcStats()' finding table: every threshold it judges by ({@link GC_THRESHOLDS}, each with the
 * source of its number) and every rule ({@link GC_RULES}, ../rule.ts Rule over one node's
 * {@link NodeFacts}). gcStats() runs the table with applyRules; the pauses chart draws the
 * PAUSE_WARN_MS / PAUSE_CRITICAL_MS lines from the same thresholds.
 */
import type { Threshold } from "../../present/report";
import { inflect, plural } from "../../present/plural";
import type { GcParse } from "../../parse/gc-types";
import type { Rule } from "../rule";
import type { PauseRow, StallRow } from "./gc-rows";
import type { PauseTally } from "./gc-tally";
import { HEAP_THRESHOLDS, heapRulesOver } from "./heap";

/**
 * Every threshold gcStats() judges by, with the source of its number. A newcomer finds them all here.
 */
export const GC_THRESHOLDS = {
  PAUSE_WARN_MS: {
    name: "PAUSE_WARN_MS",
    value: 200,
    unit: "ms",
    source: "Cassandra's gc_log_threshold_in_ms (cassandra.yaml default 200: GC pauses over 200 ms are logged at INFO)",
  },
  PAUSE_CRITICAL_MS: {
    name: "PAUSE_CRITICAL_MS",
    value: 500,
    unit: "ms",
    source: "Cassandra's jvm options: -XX:MaxGCPauseMillis=500 for G1; longer pauses miss every read/write timeout budget",
  },
  STOPPED_EXTRA_MS: {
    name: "STOPPED_EXTRA_MS",
    value: 100,
    unit: "ms",
    source: "cassperf: real/stopped this much above the logged pause is time the GC did not report (DSE 6.8 node: 44.7 ms pause, 1066 ms stopped)",
  },
  STOPPED_RATIO: { name: "STOPPED_RATIO", value: 2, unit: "x", source: "cassperf: real/stopped at least twice the logged pause" },
  FULL_GC_COUNT: {
    name: "FULL_GC_COUNT",
    value: 1,
    unit: "full GCs",
    source: "cassperf's choice: a full GC stops every application thread while the whole heap is collected (HotSpot), so one is worth a finding",
  },
  TO_SPACE_EXHAUSTED_COUNT: {
    name: "TO_SPACE_EXHAUSTED_COUNT",
    value: 1,
    unit: "pauses",
    source: "G1 tuning guide: evacuation failure means the heap or reserve is too small",
  },
  HUMONGOUS_COUNT: {
    name: "HUMONGOUS_COUNT",
    value: 1,
    unit: "pauses",
    source: "G1 tuning guide: humongous allocations (objects >= half a region) bypass young gen",
  },
  CMF_COUNT: { name: "CMF_COUNT", value: 1, unit: "events", source: "CMS: a concurrent mode failure / promotion failure falls back to a serial full GC" },
  ALLOCATION_STALL_COUNT: { name: "ALLOCATION_STALL_COUNT", value: 1, unit: "stalls", source: "ZGC: any allocation stall blocks an application thread" },
  // HEAP_MIN_GB, HEAP_MAX_GB, HEAP_RAM_SHARE: the one heap rule's, shared with jvm() (./heap.ts).
  ...HEAP_THRESHOLDS,
  THROUGHPUT_MIN_PCT: {
    name: "THROUGHPUT_MIN_PCT",
    value: 95,
    unit: "%",
    source: "cassperf: below 95% of time outside GC pauses the JVM spends a noticeable share of time stopped",
  },
} satisfies Record<string, Threshold>;

const T = GC_THRESHOLDS;

/** What the rules see for one node. */
export interface NodeFacts {
  node: string;
  /**
   * Per pause rule, how many of the node's pauses (GC log and GCInspector) meet it and the one its
   * evidence names (./gc-tally.ts): a handful of rows whatever the number of pauses.
   */
  tally: PauseTally;
  stalls: StallRow[];
  info: GcParse["info"];
  throughputPct: number | null;
  files: string[];
  /** The node's GC log files (where the heap and RAM of `info` were read). */
  gcLogs: string[];
}

/** A number as gcStats writes it: rounded to `d` decimals, with thousands separators. */
export const fmt = (n: number, d = 1) => (Math.round(n * 10 ** d) / 10 ** d).toLocaleString("en-US");
const where = (p: PauseRow) => `${p.file}:${p.line}${p.timestamp ? ` (${p.timestamp})` : p.uptime_s !== null ? ` (uptime ${p.uptime_s}s)` : ""}`;
/** The named pause of a tally (there is one whenever its count is above 0). */
const named = (k: { row: PauseRow | null }) => k.row as PauseRow;

/** THE rule table: every finding gcStats() can raise. */
export const GC_RULES: Rule<NodeFacts>[] = [
  {
    id: "gc.pause-critical",
    severity: "critical",
    thresholds: [T.PAUSE_CRITICAL_MS],
    check: (f) => {
      const over = f.tally.critical;
      if (!over.n) return null;
      const w = named(over);
      return {
        node: f.node,
        title: `${over.n} GC ${inflect(over.n, "pause")} over ${T.PAUSE_CRITICAL_MS.value} ms on ${f.node}`,
        evidence: `worst ${fmt(Math.max(w.pause_ms, w.stopped_ms ?? 0))} ms (${w.type}${w.cause ? `, ${w.cause}` : ""}) at ${where(w)}`,
        action:
          "Find the cause in the pause's type: full GCs -> heap too small or humongous/promotion failures; young pauses -> young gen too large or too much survivor copying. Compare pause_ms with stopped_ms: a gap is time-to-safepoint, not GC.",
      };
    },
  },
  {
    id: "gc.pause-warning",
    severity: "warning",
    thresholds: [T.PAUSE_WARN_MS, T.PAUSE_CRITICAL_MS],
    check: (f) => {
      const over = f.tally.warning;
      if (!over.n) return null;
      const w = named(over);
      return {
        node: f.node,
        title: `${over.n} GC ${inflect(over.n, "pause")} between ${T.PAUSE_WARN_MS.value} and ${T.PAUSE_CRITICAL_MS.value} ms on ${f.node}`,
        evidence: `worst ${fmt(Math.max(w.pause_ms, w.stopped_ms ?? 0))} ms (${w.type}${w.stopped_ms !== null ? `; pause ${fmt(w.pause_ms)} ms, stopped ${fmt(w.stopped_ms)} ms` : ""}) at ${where(w)}`,
        action: "Pauses over 200 ms show up in p99 read/write latency; check heap size, young-gen size and allocation rate.",
      };
    },
  },
  {
    id: "gc.stopped-beyond-pause",
    severity: "warning",
    thresholds: [T.STOPPED_EXTRA_MS, T.STOPPED_RATIO],
    check: (f) => {
      const bad = f.tally.stopped;
      if (!bad.n) return null;
      const w = named(bad);
      return {
        node: f.node,
        title: `${plural(bad.n, "pause")} where the JVM stopped far longer than the GC logged on ${f.node}`,
        evidence: `${where(w)}: pause ${fmt(w.pause_ms)} ms, real ${w.real_ms === null ? "—" : fmt(w.real_ms)} ms, stopped ${w.stopped_ms === null ? "—" : fmt(w.stopped_ms)} ms`,
        action:
          "The extra time is outside the collector: time-to-safepoint (long counted loops), swapping, CPU starvation, or transparent huge page compaction. Check swap (should be off), THP (set to madvise/never), CPU steal, and -XX:+SafepointTimeout logs.",
      };
    },
  },
  {
    id: "gc.full-gc",
    severity: "critical",
    thresholds: [T.FULL_GC_COUNT],
    check: (f) => {
      const full = f.tally.full;
      if (full.n < T.FULL_GC_COUNT.value) return null;
      const causes = f.tally.fullCauses;
      return {
        node: f.node,
        title: `${full.n} full ${inflect(full.n, "GC", "GCs")} on ${f.node}`,
        evidence: `causes: ${Object.entries(causes)
          .map(([c, n]) => `${c} ×${n}`)
          .join(", ")}; longest ${fmt(named(full).pause_ms)} ms at ${where(named(full))}`,
        action:
          "Full GCs stop the node for the whole-heap collection: raise the heap (within 8-16 GB), lower the G1 InitiatingHeapOccupancyPercent, or find what fills the old generation (large partitions, big batches, caches). System.gc() causes: add -XX:+DisableExplicitGC or ExplicitGCInvokesConcurrent.",
      };
    },
  },
  {
    id: "gc.to-space-exhausted",
    severity: "critical",
    thresholds: [T.TO_SPACE_EXHAUSTED_COUNT],
    check: (f) => {
      const ts = f.tally.toSpace;
      if (ts.n < T.TO_SPACE_EXHAUSTED_COUNT.value || !ts.row) return null;
      return {
        node: f.node,
        title: `G1 ran out of to-space ${plural(ts.n, "time")} on ${f.node}`,
        evidence: `first at ${where(ts.row)}, pause ${fmt(ts.row.pause_ms)} ms`,
        action:
          "Evacuation failure: the heap is too full to copy survivors. Give the heap more room (larger heap, -XX:G1ReservePercent higher, lower InitiatingHeapOccupancyPercent) or reduce the live set.",
      };
    },
  },
  {
    id: "gc.humongous",
    severity: "warning",
    thresholds: [T.HUMONGOUS_COUNT],
    check: (f) => {
      const hu = f.tally.humongous;
      if (hu.n < T.HUMONGOUS_COUNT.value || !hu.row) return null;
      return {
        node: f.node,
        title: `${plural(hu.n, "pause")} with humongous allocations on ${f.node}`,
        evidence: `first at ${where(hu.row)}${hu.row.cause ? ` (${hu.row.cause})` : ""}`,
        action:
          "Objects of at least half a G1 region go straight to the old generation: raise -XX:G1HeapRegionSize (e.g. 16m or 32m) or find the large allocations (large partitions/cells, big batches, compaction buffers).",
      };
    },
  },
  {
    id: "gc.concurrent-mode-failure",
    severity: "critical",
    thresholds: [T.CMF_COUNT],
    check: (f) => {
      const cmf = f.tally.cmf;
      if (cmf.n < T.CMF_COUNT.value) return null;
      const w = named(cmf);
      return {
        node: f.node,
        title: `CMS concurrent mode / promotion failure ${plural(cmf.n, "time")} on ${f.node}`,
        evidence: `longest ${fmt(w.pause_ms)} ms at ${where(w)}`,
        action: "The old generation filled before CMS finished: lower CMSInitiatingOccupancyFraction, enlarge the heap, or move to G1.",
      };
    },
  },
  {
    id: "gc.allocation-stall",
    severity: "critical",
    thresholds: [T.ALLOCATION_STALL_COUNT],
    check: (f) => {
      if (f.stalls.length < T.ALLOCATION_STALL_COUNT.value) return null;
      const total = f.stalls.reduce((a, s) => a + s.stall_ms, 0);
      const w = f.stalls.reduce((a, b) => (b.stall_ms > a.stall_ms ? b : a));
      return {
        node: f.node,
        title: `${plural(f.stalls.length, "allocation stall")} on ${f.node}`,
        evidence: `total ${fmt(total)} ms stalled; worst ${fmt(w.stall_ms)} ms (thread ${w.thread}) at ${w.file}:${w.line}`,
        action: "ZGC could not free memory as fast as it was allocated: give the heap more headroom (-Xmx, SoftMaxHeapSize) or more concurrent GC threads.",
      };
    },
  },
  // The heap against RAM: the one heap rule jvm() runs too (./heap.ts), over the GC log header's -Xmx and RAM.
  ...heapRulesOver((f: NodeFacts) => ({ node: f.node, heap_max_mb: f.info.heapMaxMb ?? null, ram_mb: f.info.ramMb ?? null, origin: f.gcLogs.join(", ") })),
  {
    id: "gc.throughput",
    severity: "info",
    thresholds: [T.THROUGHPUT_MIN_PCT],
    check: (f) => {
      if (f.throughputPct === null || f.throughputPct >= T.THROUGHPUT_MIN_PCT.value) return null;
      return {
        node: f.node,
        title: `Only ${fmt(f.throughputPct)}% of time outside GC pauses on ${f.node}`,
        evidence: `sum of pauses over the logged time span of ${f.files.join(", ")} (pauses run inside another, like a CMSScavengeBeforeRemark scavenge, counted once)`,
        action: "The JVM spends too much time collecting: look at the allocation rate and heap occupancy after GC.",
      };
    },
  },
];
