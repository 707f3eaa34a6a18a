/**
 * jvm()'s finding table: the one heap rule (./heap.ts, shared with gcStats) and the GC settings
 * worth changing (fixed heap, G1 pause target, fixed young generation, region size on a large
 * heap, CMS), with {@link JVM_THRESHOLDS} (each with the source of its number), over one node's
 * {@link JvmFacts}. jvm() runs it with applyRules.
 */
import type { Threshold } from "../../present/report";
import type { Rule } from "../rule";
import { HEAP_RULES, HEAP_THRESHOLDS } from "./heap";

/** Thresholds of the JVM rules. */
export const JVM_THRESHOLDS = {
  // HEAP_MIN_GB, HEAP_MAX_GB, HEAP_RAM_SHARE: the one heap rule's, shared with gcStats (./heap.ts).
  ...HEAP_THRESHOLDS,
  G1_MAX_PAUSE_MS: {
    name: "G1_MAX_PAUSE_MS",
    value: 500,
    unit: "ms",
    source: "Cassandra 4.x jvm11-server.options ships MaxGCPauseMillis=300; over 500 ms G1 trades latency away",
  },
  LARGE_HEAP_REGION_MB: {
    name: "LARGE_HEAP_REGION_MB",
    value: 16,
    unit: "MB",
    source: "G1: heaps over 16 GB want 16-32 MB regions so large partitions' buffers are not humongous",
  },
} satisfies Record<string, Threshold>;
const T = JVM_THRESHOLDS;

/** One node's JVM facts. */
export interface JvmFacts {
  node: string;
  heap_max_mb: number | null;
  heap_min_mb: number | null;
  young_mb: number | null;
  collector: string | null;
  max_gc_pause_ms: number | null;
  ihop_percent: number | null;
  region_size_mb: number | null;
  ram_mb: number | null;
  heap_used_mb: number | null;
  java_version: string | null;
  flags: string;
  origin: string;
}

const heapGbOf = (f: JvmFacts) => (f.heap_max_mb !== null ? f.heap_max_mb / 1024 : null);

/** THE rule table of jvm(), in the order its findings are listed per node. */
export const JVM_RULES: Rule<JvmFacts>[] = [
  ...HEAP_RULES,
  {
    id: "jvm.heap-not-fixed",
    severity: "info",
    thresholds: [],
    check: (f) =>
      f.heap_min_mb !== null && f.heap_max_mb !== null && f.heap_min_mb !== f.heap_max_mb
        ? {
            node: f.node,
            title: `${f.node}: -Xms (${f.heap_min_mb} MB) differs from -Xmx (${f.heap_max_mb} MB)`,
            evidence: f.origin,
            action: "set -Xms equal to -Xmx so the heap never resizes under load",
          }
        : null,
  },
  {
    id: "jvm.g1-pause-target",
    severity: "info",
    thresholds: [T.G1_MAX_PAUSE_MS],
    check: (f) =>
      f.collector === "G1" && f.max_gc_pause_ms !== null && f.max_gc_pause_ms > T.G1_MAX_PAUSE_MS.value
        ? {
            node: f.node,
            title: `${f.node}: G1 MaxGCPauseMillis=${f.max_gc_pause_ms}`,
            evidence: f.origin,
            action: "set -XX:MaxGCPauseMillis=300 (Cassandra 4.x default) or lower for latency-sensitive reads",
          }
        : null,
  },
  {
    id: "jvm.g1-fixed-young",
    severity: "warning",
    thresholds: [],
    check: (f) =>
      f.collector === "G1" && f.young_mb !== null
        ? {
            node: f.node,
            title: `${f.node}: G1 with a fixed young generation (-Xmn ${f.young_mb} MB)`,
            evidence: f.origin,
            action: "remove -Xmn: a fixed young size stops G1 from meeting its pause target",
          }
        : null,
  },
  {
    id: "jvm.g1-region-size",
    severity: "info",
    thresholds: [T.HEAP_MAX_GB, T.LARGE_HEAP_REGION_MB],
    check: (f) => {
      const heapGb = heapGbOf(f);
      if (f.collector !== "G1" || heapGb === null || heapGb <= T.HEAP_MAX_GB.value || (f.region_size_mb ?? 0) >= T.LARGE_HEAP_REGION_MB.value) return null;
      return {
        node: f.node,
        title: `${f.node}: ${heapGb.toFixed(0)} GB G1 heap with ${f.region_size_mb ?? "default"} MB regions`,
        evidence: f.origin,
        action: `-XX:G1HeapRegionSize=${T.LARGE_HEAP_REGION_MB.value}m so large buffers are not humongous allocations`,
      };
    },
  },
  {
    id: "jvm.cms",
    severity: "info",
    thresholds: [],
    check: (f) =>
      f.collector === "CMS"
        ? {
            node: f.node,
            title: `${f.node} runs CMS`,
            evidence: f.origin,
            action: "CMS is removed in JDK 14: plan G1 (Cassandra 4.x default) with an 8-16 GB heap",
          }
        : null,
  },
];
