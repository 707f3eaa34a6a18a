/**
 * THE heap rule: one table ({@link HEAP_RULES}, thresholds {@link HEAP_THRESHOLDS}) judges a node's
 * heap size against its RAM, whoever read the heap — jvm() from the command line, the startup log
 * or nodetool info, gcStats() from the GC log's header. Both run these same rules, so a small heap
 * is one finding (same id, node and title) from either helper, and health() shows it once
 * (../health.ts oncePerRule) without a table of "same problem" pairs.
 */
import type { Threshold } from "../../present/report";
import type { Rule } from "../rule";

/** The heap's thresholds, each with the source of its number. */
export const HEAP_THRESHOLDS = {
  HEAP_MIN_GB: {
    name: "HEAP_MIN_GB",
    value: 8,
    unit: "GB",
    source: "cassandra-env.sh's own heap size on a machine with 32 GB of RAM or more: max(min(1/2 RAM, 1 GB), min(1/4 RAM, 8 GB))",
  },
  HEAP_MAX_GB: {
    name: "HEAP_MAX_GB",
    value: 16,
    unit: "GB",
    source: "Cassandra's jvm.options calls heaps of 16 GB and more large (its G1 settings); DataStax's ceiling is 32 GB (Changing heap size parameters)",
  },
  HEAP_RAM_SHARE: {
    name: "HEAP_RAM_SHARE",
    value: 0.5,
    unit: "of RAM",
    source: "DataStax, Changing heap size parameters (DSE 6.8 docs): heap between 1/4 and 1/2 of system memory; the OS page cache needs the rest",
  },
} satisfies Record<string, Threshold>;
const T = HEAP_THRESHOLDS;

/** What the heap rules read of one node: its max heap and RAM (null when unknown) and where they were read. */
export interface HeapFacts {
  node: string;
  heap_max_mb: number | null;
  ram_mb: number | null;
  /** The files (or commands) the heap and RAM were read from, for the evidence. */
  origin: string;
}

/** The heap rules, in the order their findings are listed. */
export const HEAP_RULES: Rule<HeapFacts>[] = [
  {
    id: "jvm.heap-small",
    // warning, as gcStats judged it (jvm() said info): a heap under 8 GB on a machine that has the RAM is worth changing.
    severity: "warning",
    thresholds: [T.HEAP_MIN_GB, T.HEAP_MAX_GB],
    what: "a heap under HEAP_MIN_GB on a machine with RAM for one (or RAM unknown)",
    check: (f) => {
      const heapGb = f.heap_max_mb !== null ? f.heap_max_mb / 1024 : null;
      const ramGb = f.ram_mb !== null ? f.ram_mb / 1024 : null;
      if (heapGb === null || heapGb >= T.HEAP_MIN_GB.value || (ramGb !== null && ramGb < 2 * T.HEAP_MIN_GB.value)) return null;
      return {
        node: f.node,
        title: `${f.node}: heap ${heapGb.toFixed(1)} GB, under the ${T.HEAP_MIN_GB.value}-${T.HEAP_MAX_GB.value} GB production range`,
        evidence: `-Xmx ${f.heap_max_mb} MB${ramGb !== null ? `, RAM ${ramGb.toFixed(1)} GB` : ""} (${f.origin})`,
        action: `raise MAX_HEAP_SIZE toward ${T.HEAP_MIN_GB.value} GB (at most half of RAM); small heaps collect often and struggle with large partitions`,
      };
    },
  },
  {
    id: "jvm.heap-large",
    severity: "warning",
    thresholds: [T.HEAP_MAX_GB],
    check: (f) => {
      const heapGb = f.heap_max_mb !== null ? f.heap_max_mb / 1024 : null;
      if (heapGb === null || heapGb <= T.HEAP_MAX_GB.value) return null;
      return {
        node: f.node,
        title: `${f.node}: heap ${heapGb.toFixed(1)} GB, over ${T.HEAP_MAX_GB.value} GB`,
        evidence: `-Xmx ${f.heap_max_mb} MB (${f.origin})`,
        action:
          "read-heavy clusters do better with a smaller heap and more page cache; keep over 16 GB only for write-heavy nodes with over 1 TB of data, with G1 and a larger region size",
      };
    },
  },
  {
    id: "jvm.heap-over-half-ram",
    severity: "warning",
    thresholds: [T.HEAP_RAM_SHARE],
    check: (f) => {
      if (f.heap_max_mb === null || f.ram_mb === null) return null;
      const heapGb = f.heap_max_mb / 1024;
      const ramGb = f.ram_mb / 1024;
      if (heapGb <= T.HEAP_RAM_SHARE.value * ramGb) return null;
      return {
        node: f.node,
        title: `${f.node}: heap ${heapGb.toFixed(1)} GB is over half of RAM (${ramGb.toFixed(1)} GB)`,
        evidence: `heap ${f.heap_max_mb} MB, RAM ${f.ram_mb?.toFixed(0)} MB (${f.origin})`,
        action: `lower the heap to at most ${(T.HEAP_RAM_SHARE.value * ramGb).toFixed(1)} GB: Cassandra reads SSTables through the page cache`,
      };
    },
  },
];

/**
 * The heap rules over another helper's facts: `heapOf` picks the heap facts out of them.
 * @example const rules = heapRulesOver((f: NodeFacts) => ({ node: f.node, heap_max_mb: f.info.heapMaxMb ?? null, ram_mb: null, origin: "gc.log" }))
 */
export function heapRulesOver<Facts>(heapOf: (facts: Facts) => HeapFacts): Rule<Facts>[] {
  return HEAP_RULES.map((r) => ({ ...r, check: (facts: Facts) => r.check(heapOf(facts)) }));
}
