/**
 * jvm(): heap size, collector and flags per node, RAM when known, heap after GC over time, and the
 * heap rules of JVM_THRESHOLDS (heap 8-16 GB and at most half of RAM; GC flags worth changing).
 *
 * Where each fact comes from, first found wins per node: the process command line a bundle keeps
 * (java_cmdline, java_command_line.txt), the startup "JVM Arguments: [...]" line of system.log,
 * the GC log's "CommandLine flags" header (via gcStats), `nodetool info` (heap used / total);
 * RAM from os-metrics/meminfo or the GC log header.
 */
import { CassperfError } from "../errors";
import { nodetoolTexts } from "../cluster/evidence";
import { RecordedSource } from "../cluster/recorded";
import { resolveSource, type SourceInput } from "../cluster/resolve";
import type { Source, SourceFile } from "../cluster/source";
import { parseInfo } from "../parse/nodetool-info";
import { makeReport, rowsToColumns, type Finding, type Report, type Threshold, answerOrExplain } from "../present/report";

/** Thresholds of the JVM rules. */
export const JVM_THRESHOLDS = {
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

/** Size flag value (1995M, 8G, 512m, 2147483648) -> MB. */
export function sizeMb(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  return unit === "g" ? n * 1024 : unit === "m" ? n : unit === "k" ? n / 1024 : unit === "t" ? n * 1024 * 1024 : n / 2 ** 20;
}

/** Facts from a list of JVM arguments (command line or "JVM Arguments: [...]"). */
export function factsFromArgs(args: string[]): Partial<JvmFacts> {
  const out: Partial<JvmFacts> = {};
  const flags: string[] = [];
  for (const a of args) {
    let m: RegExpExecArray | null;
    if ((m = /^-Xmx(\S+)$/.exec(a)) || (m = /^-XX:MaxHeapSize=(\S+)$/.exec(a))) out.heap_max_mb = sizeMb(m[1]);
    else if ((m = /^-Xms(\S+)$/.exec(a)) || (m = /^-XX:InitialHeapSize=(\S+)$/.exec(a))) out.heap_min_mb = sizeMb(m[1]);
    else if ((m = /^-Xmn(\S+)$/.exec(a)) || (m = /^-XX:(?:Max)?NewSize=(\S+)$/.exec(a))) out.young_mb = sizeMb(m[1]);
    else if ((m = /^-XX:MaxGCPauseMillis=(\d+)$/.exec(a))) out.max_gc_pause_ms = Number(m[1]);
    else if ((m = /^-XX:InitiatingHeapOccupancyPercent=(\d+)$/.exec(a))) out.ihop_percent = Number(m[1]);
    else if ((m = /^-XX:G1HeapRegionSize=(\S+)$/.exec(a))) out.region_size_mb = sizeMb(m[1]);
    if (/^-XX:\+Use(G1|ConcMarkSweep|Parallel|ParallelOld|Serial|Z|Shenandoah)GC$/.test(a)) {
      const c = /^-XX:\+Use(\w+)GC$/.exec(a)![1];
      out.collector =
        { G1: "G1", ConcMarkSweep: "CMS", Parallel: "Parallel", ParallelOld: "Parallel", Serial: "Serial", Z: "ZGC", Shenandoah: "Shenandoah" }[c] ?? c;
    }
    if (/^-X(mx|ms|mn|ss)|^-XX:/.test(a)) flags.push(a);
  }
  out.flags = flags.join(" ");
  return out;
}

/** A node's file named `name` (its path ends with it), as text; undefined when it is not there or unreadable. */
async function nodeText(source: Source, files: SourceFile[], name: string): Promise<string | undefined> {
  const f = files.find((x) => x.rel === name || x.rel.endsWith(`/${name}`));
  if (!f) return undefined;
  try {
    return await source.readText(f);
  } catch {
    return undefined;
  }
}

/** Per node: command-line files and meminfo a bundle keeps in nodes/<node>/. */
async function bundleFacts(source: Source, node: string): Promise<{ args?: string[]; origin?: string; ramMb?: number }> {
  if (!(source instanceof RecordedSource)) return {};
  const files = source.files({ node });
  const out: { args?: string[]; origin?: string; ramMb?: number } = {};
  for (const name of ["java_cmdline", "java_command_line.txt"]) {
    const text = await nodeText(source, files, name);
    if (text && /\bjava\b/.test(text)) {
      out.args = text.split(/\s+/).filter((a) => a.startsWith("-"));
      out.origin = `nodes/${node}/${name}`;
      break;
    }
  }
  const mem = await nodeText(source, files, "os-metrics/meminfo");
  const m = mem && /^MemTotal:\s+(\d+) kB/m.exec(mem);
  if (m) out.ramMb = Number(m[1]) / 1024;
  return out;
}

/** Options of {@link jvm}. */
export interface JvmOptions {
  /**
   * The gcStats() report of this same source, when it was already computed (health() passes the
   * one it ran): jvm() reads the GC log header and heap after GC from it instead of calling
   * gcStats(source) again. Default: jvm() calls gcStats(source).
   */
  gc?: Report;
}

/**
 * jvm(): heap, collector and GC flags per node, with the heap rules of JVM_THRESHOLDS.
 * @example await jvm()                        // the current source
 * @example (await jvm("diag/dse68")).summary
 */
export async function jvm(input?: SourceInput, options: JvmOptions = {}) {
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("jvm", ["nodes", "heap"] as const, () => jvmOf(input, options));
}

/** jvm() itself; jvm() turns "the source has no ..." into an empty report. */
async function jvmOf(input?: SourceInput, options: JvmOptions = {}) {
  const source = await resolveSource(input, "jvm");
  const facts = new Map<string, JvmFacts>();
  const get = (node: string): JvmFacts => {
    let f = facts.get(node);
    if (!f) {
      f = {
        node,
        heap_max_mb: null,
        heap_min_mb: null,
        young_mb: null,
        collector: null,
        max_gc_pause_ms: null,
        ihop_percent: null,
        region_size_mb: null,
        ram_mb: null,
        heap_used_mb: null,
        java_version: null,
        flags: "",
        origin: "",
      };
      facts.set(node, f);
    }
    return f;
  };
  const fill = (node: string, part: Partial<JvmFacts>, origin: string) => {
    const f = get(node);
    let used = false;
    for (const [k, v] of Object.entries(part) as [keyof JvmFacts, unknown][]) {
      if (v === null || v === undefined || v === "") continue;
      if (f[k] === null || f[k] === "") {
        (f as unknown as Record<string, unknown>)[k] = v;
        used = true;
      }
    }
    if (used) f.origin = f.origin ? `${f.origin}; ${origin}` : origin;
  };
  // 1. Bundle command lines and meminfo.
  for (const node of source.nodes()) {
    const b = await bundleFacts(source, node);
    if (b.args) fill(node, factsFromArgs(b.args), b.origin!);
    if (b.ramMb) fill(node, { ram_mb: b.ramMb }, `nodes/${node}/os-metrics/meminfo`);
  }
  // 2. "JVM Arguments: [...]" startup lines.
  // Read block by block and stop at the first of each (a whole system.log as one string grew the report's memory with the logs).
  for (const f of source.files({ kind: "system-log" })) {
    let m: RegExpExecArray | null = null;
    let v: RegExpExecArray | null = null;
    for await (const block of source.readLineBlocks(f)) {
      m ??= /JVM Arguments: \[(.*)\]\s*$/m.exec(block);
      v ??= /JVM vendor\/version: (.*)$/m.exec(block);
      if (m && v) break;
    }
    if (m) fill(f.node, factsFromArgs(m[1].split(/,\s*/)), `${f.rel} (JVM Arguments)`);
    if (v) fill(f.node, { java_version: v[1].trim() }, `${f.rel} (JVM vendor/version)`);
  }
  // 3. GC logs, through gcStats (its summary carries the header's flags, heap max, RAM, collector).
  let gcHeapAfter: { node: string; timestamp: string | null; heap_after_mb: number | null }[] = [];
  if (source.files({ kind: "gc-log" }).length) {
    const g = options.gc ?? (await (require("./gc") as typeof import("./gc")).gcStats(source));
    const per = (g.summary.per_node ?? {}) as Record<string, Record<string, unknown>>;
    for (const node of Object.keys(per).length ? Object.keys(per) : source.nodes()) {
      const flags = String(g.summary.flags ?? "");
      const gcFiles =
        source
          .files({ kind: "gc-log", node })
          .map((f) => f.rel)
          .join(", ") || "gc log";
      fill(
        node,
        {
          ...factsFromArgs(flags.split(/\s+/)),
          collector: (g.summary.collector as string) ?? null,
          ram_mb: (g.summary.ram_mb as number) ?? null,
          java_version: (g.summary.jvm_version as string) ?? null,
        },
        `${gcFiles} (header, via gcStats)`,
      );
      if (g.summary.heap_max_mb) fill(node, { heap_max_mb: g.summary.heap_max_mb as number }, `${gcFiles} (via gcStats)`);
    }
    gcHeapAfter = g
      .rows("pauses")
      .filter((p) => p.heap_after_mb !== null && p.origin !== "gcinspector")
      .map((p) => ({ node: String(p.node), timestamp: (p.timestamp as string) ?? null, heap_after_mb: p.heap_after_mb as number }));
  }
  // 4. nodetool info.
  for (const t of await nodetoolTexts(source, "info").catch(() => [])) {
    const info = parseInfo(t.text, { file: t.origin });
    fill(t.node, { heap_used_mb: info.heap_used_mb, heap_max_mb: info.heap_total_mb }, t.origin);
  }
  const rows = [...facts.values()].filter((f) => f.origin);
  if (!rows.length)
    throw new CassperfError(
      `jvm: the source (${source.describe()}) has no JVM facts (no command line, JVM Arguments log line, GC log header or nodetool info).`,
      { noEvidence: true, hint: "add logs/cassandra/system.log (its startup lines) or gc.log*, or nodetool info" },
    );

  const findings: Finding[] = [];
  for (const f of rows) {
    const heapGb = f.heap_max_mb !== null ? f.heap_max_mb / 1024 : null;
    const ramGb = f.ram_mb !== null ? f.ram_mb / 1024 : null;
    if (heapGb !== null && heapGb < T.HEAP_MIN_GB.value && (ramGb === null || ramGb >= 2 * T.HEAP_MIN_GB.value))
      findings.push({
        severity: "info",
        id: "jvm.heap-small",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: heap ${heapGb.toFixed(1)} GB, under the ${T.HEAP_MIN_GB.value}-${T.HEAP_MAX_GB.value} GB production range`,
        evidence: `-Xmx ${f.heap_max_mb} MB${ramGb !== null ? `, RAM ${ramGb.toFixed(1)} GB` : ""} (${f.origin})`,
        action: `raise MAX_HEAP_SIZE toward ${T.HEAP_MIN_GB.value} GB (at most half of RAM); small heaps collect often and struggle with large partitions`,
      });
    if (heapGb !== null && heapGb > T.HEAP_MAX_GB.value)
      findings.push({
        severity: "warning",
        id: "jvm.heap-large",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: heap ${heapGb.toFixed(1)} GB, over ${T.HEAP_MAX_GB.value} GB`,
        evidence: `-Xmx ${f.heap_max_mb} MB (${f.origin})`,
        action:
          "read-heavy clusters do better with a smaller heap and more page cache; keep over 16 GB only for write-heavy nodes with over 1 TB of data, with G1 and a larger region size",
      });
    if (heapGb !== null && ramGb !== null && heapGb > T.HEAP_RAM_SHARE.value * ramGb)
      findings.push({
        severity: "warning",
        id: "jvm.heap-over-half-ram",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: heap ${heapGb.toFixed(1)} GB is over half of RAM (${ramGb.toFixed(1)} GB)`,
        evidence: `heap ${f.heap_max_mb} MB, RAM ${f.ram_mb?.toFixed(0)} MB (${f.origin})`,
        action: `lower the heap to at most ${(T.HEAP_RAM_SHARE.value * ramGb).toFixed(1)} GB: Cassandra reads SSTables through the page cache`,
      });
    if (f.heap_min_mb !== null && f.heap_max_mb !== null && f.heap_min_mb !== f.heap_max_mb)
      findings.push({
        severity: "info",
        id: "jvm.heap-not-fixed",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: -Xms (${f.heap_min_mb} MB) differs from -Xmx (${f.heap_max_mb} MB)`,
        evidence: f.origin,
        action: "set -Xms equal to -Xmx so the heap never resizes under load",
      });
    if (f.collector === "G1" && f.max_gc_pause_ms !== null && f.max_gc_pause_ms > T.G1_MAX_PAUSE_MS.value)
      findings.push({
        severity: "info",
        id: "jvm.g1-pause-target",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: G1 MaxGCPauseMillis=${f.max_gc_pause_ms}`,
        evidence: f.origin,
        action: "set -XX:MaxGCPauseMillis=300 (Cassandra 4.x default) or lower for latency-sensitive reads",
      });
    if (f.collector === "G1" && f.young_mb !== null)
      findings.push({
        severity: "warning",
        id: "jvm.g1-fixed-young",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: G1 with a fixed young generation (-Xmn ${f.young_mb} MB)`,
        evidence: f.origin,
        action: "remove -Xmn: a fixed young size stops G1 from meeting its pause target",
      });
    if (f.collector === "G1" && heapGb !== null && heapGb > T.HEAP_MAX_GB.value && (f.region_size_mb ?? 0) < T.LARGE_HEAP_REGION_MB.value)
      findings.push({
        severity: "info",
        id: "jvm.g1-region-size",
        helper: "jvm",
        node: f.node,
        title: `${f.node}: ${heapGb.toFixed(0)} GB G1 heap with ${f.region_size_mb ?? "default"} MB regions`,
        evidence: f.origin,
        action: `-XX:G1HeapRegionSize=${T.LARGE_HEAP_REGION_MB.value}m so large buffers are not humongous allocations`,
      });
    if (f.collector === "CMS")
      findings.push({
        severity: "info",
        id: "jvm.cms",
        helper: "jvm",
        node: f.node,
        title: `${f.node} runs CMS`,
        evidence: f.origin,
        action: "CMS is removed in JDK 14: plan G1 (Cassandra 4.x default) with an 8-16 GB heap",
      });
  }
  return makeReport({
    helper: "jvm",
    title: `${rows.length} node${rows.length === 1 ? "" : "s"}: ${[...new Set(rows.map((r) => r.collector).filter(Boolean))].join(", ") || "collector unknown"}`,
    source: source.describe(),
    summary: {
      nodes: rows.length,
      collectors: [...new Set(rows.map((r) => r.collector).filter(Boolean))].join(", ") || null,
      heap_max_mb: Math.max(...rows.map((r) => r.heap_max_mb ?? 0)) || null,
      ram_mb: Math.max(...rows.map((r) => r.ram_mb ?? 0)) || null,
      java_versions: [...new Set(rows.map((r) => r.java_version).filter(Boolean))].join(", ") || null,
    },
    findings,
    frames: {
      nodes: rowsToColumns(rows, [
        "node",
        "heap_max_mb",
        "heap_min_mb",
        "young_mb",
        "collector",
        "max_gc_pause_ms",
        "ihop_percent",
        "region_size_mb",
        "ram_mb",
        "heap_used_mb",
        "java_version",
        "flags",
        "origin",
      ]),
      heap: { node: gcHeapAfter.map((h) => h.node), timestamp: gcHeapAfter.map((h) => h.timestamp), heap_after_mb: gcHeapAfter.map((h) => h.heap_after_mb) },
    },
    charts: !gcHeapAfter.some((h) => h.timestamp)
      ? {}
      : {
          heap: () => {
            const { sampleForChart, utcTimeAxis } = require("../present/charts") as typeof import("../present/charts");
            const s = sampleForChart(gcHeapAfter.filter((h) => h.timestamp));
            return {
              title: `Heap after GC over time${s.sampled ? ` (${s.note} pauses)` : ""}`,
              width: 560,
              height: 240,
              data: { values: s.rows },
              mark: { type: "line", point: false },
              // UTC ticks that carry the date when the GC logs span days.
              encoding: {
                x: { field: "timestamp", type: "temporal", ...utcTimeAxis(s.rows.map((h) => h.timestamp)) },
                y: { field: "heap_after_mb", type: "quantitative", title: "heap after GC (MB)" },
                color: { field: "node", type: "nominal" },
              },
            };
          },
        },
    previewFrame: "nodes",
  });
}
