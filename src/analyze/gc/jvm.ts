/**
 * jvm(): heap size, collector and flags per node, RAM when known, heap after GC over time, and the
 * findings of JVM_RULES (./jvm-rules.ts: the one heap rule shared with gcStats — heap 8-16 GB and at
 * most half of RAM — and GC flags worth changing). JVM arguments are read by ../../parse/jvm-args.ts,
 * the heap chart's spec is ../../present/charts/jvm.ts; this file gathers the facts per node.
 *
 * Where each fact comes from, first found wins per node: the process command line a bundle keeps
 * (java_cmdline, java_command_line.txt), the startup "JVM Arguments: [...]" line of system.log,
 * the GC log's "CommandLine flags" header (via gcStats), `nodetool info` (heap used / total);
 * RAM from os-metrics/meminfo or the GC log header.
 */
import { CassperfError } from "../../errors";
import { streamedNodetool } from "../../cluster/evidence";
import { RecordedSource } from "../../cluster/recorded";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import type { Source, SourceFile } from "../../cluster/source";
import { InfoLines } from "../../parse/nodetool-info";
import { jvmArgSettings } from "../../parse/jvm-args";
import { jvmHeapChart } from "../../present/charts/jvm";
import { makeReport, rowsToColumns, type DataFrame, type Report, type Summary, type TypedRows, answerOrExplain } from "../../present/report";
import { applyRules } from "../rule";
import { gcStats } from "./gc-stats";
import { JVM_RULES, type JvmFacts } from "./jvm-rules";

export { JVM_RULES, JVM_THRESHOLDS, type JvmFacts } from "./jvm-rules";

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
export interface JvmOptions extends HelperOptions {
  /**
   * The gcStats() report of this same source, when it was already computed (health() passes the
   * one it ran): jvm() reads the GC log header and heap after GC from it instead of calling
   * gcStats(source) again. Default: jvm() calls gcStats(source).
   */
  gc?: Report;
}

/** A row of jvm()'s `heap` frame: one GC pause's heap after collection (GC logs only, not GCInspector). */
export interface JvmHeapRow {
  /** The node whose GC log it is. */
  node: string;
  /** ISO time of the pause; null when the GC log has no date stamps. */
  timestamp: string | null;
  /** Heap occupied after the collection, MB. */
  heap_after_mb: number;
}

/** jvm()'s headline numbers (`summary`). */
export type JvmSummary = {
  /** Nodes with any JVM fact. */
  nodes: number;
  /** The collectors seen, comma-separated ("G1", "CMS", ...); null when none was found. */
  collectors: string | null;
  /** The largest -Xmx (or heap total) of any node, MB; null when unknown. */
  heap_max_mb: number | null;
  /** The largest RAM of any node, MB (os-metrics/meminfo or the GC log header); null when unknown. */
  ram_mb: number | null;
  /** The Java versions seen, comma-separated; null when unknown. */
  java_versions: string | null;
};

/**
 * What jvm() returns: frame `nodes` (one row of {@link JvmFacts} per node: heap, collector, flags,
 * RAM, each fact's origin) and `heap` (heap after GC over time, {@link JvmHeapRow}); chart "heap"
 * when the GC logs have dates; findings from JVM_RULES.
 * @example (await jvm()).rows("heap")
 * @example (await jvm()).summary.heap_max_mb
 */
export type JvmReport = TypedRows<{ nodes: JvmFacts; heap: JvmHeapRow }> &
  Report<"nodes" | "heap"> & {
    readonly summary: Summary<JvmSummary>;
    /** One row per node: heap_max_mb, heap_min_mb, young_mb, collector, GC flags, ram_mb, heap_used_mb, java_version, origin. */
    readonly nodes: DataFrame;
    /** Heap after each GC: node, timestamp, heap_after_mb. */
    readonly heap: DataFrame;
  };

/**
 * jvm(): heap, collector and GC flags per node, with the heap rules of JVM_THRESHOLDS.
 * @example await jvm()                        // the current source
 * @example (await jvm("diag/dse68")).summary
 */
export async function jvm(input?: SourceInput | JvmOptions, opts?: JvmOptions): Promise<JvmReport> {
  const { source, options } = helperArgs("jvm", input, opts, "source");
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("jvm", ["nodes", "heap"] as const, () => jvmOf(source, options));
}

/** Adds a part of a node's facts: a fact already known stays (first found wins), and the origin lists every source used. */
type Fill = (node: string, part: Partial<JvmFacts>, origin: string) => void;

/** One empty row of facts per node, filled by the gather steps. */
function factsTable(): { fill: Fill; rows: () => JvmFacts[] } {
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
  const fill: Fill = (node, part, origin) => {
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
  return { fill, rows: () => [...facts.values()].filter((f) => f.origin) };
}

/** Heap after GC of the GC-log pauses (the `heap` frame and chart). */
type HeapAfter = { node: string; timestamp: string | null; heap_after_mb: number | null };

/**
 * jvm() itself, step by step: gather each node's facts (first found wins: command line, startup
 * log lines, GC log header via gcStats, nodetool info), judge them (JVM_RULES), report. jvm()
 * turns "the source has no ..." into an empty report.
 */
async function jvmOf(input?: SourceInput, options: JvmOptions = {}): Promise<JvmReport> {
  const source = await resolveSource(input, "jvm");
  const { fill, rows: factRows } = factsTable();
  await fromBundles(source, fill);
  await fromStartupLines(source, fill);
  const gcHeapAfter = await fromGcLogs(source, options.gc, fill);
  await fromNodetoolInfo(source, fill);
  const rows = factRows();
  if (!rows.length)
    throw new CassperfError(
      `jvm: the source (${source.describe()}) has no JVM facts (no command line, JVM Arguments log line, GC log header or nodetool info).`,
      { noEvidence: true, hint: "add logs/cassandra/system.log (its startup lines) or gc.log*, or nodetool info" },
    );
  return jvmReport(source, rows, gcHeapAfter);
}

/** 1. The command-line files and meminfo a bundle keeps per node. */
async function fromBundles(source: Source, fill: Fill): Promise<void> {
  for (const node of source.nodes()) {
    const b = await bundleFacts(source, node);
    if (b.args) fill(node, jvmArgSettings(b.args), b.origin!);
    if (b.ramMb) fill(node, { ram_mb: b.ramMb }, `nodes/${node}/os-metrics/meminfo`);
  }
}

/** 2. The "JVM Arguments: [...]" and "JVM vendor/version" startup lines of system.log. */
async function fromStartupLines(source: Source, fill: Fill): Promise<void> {
  // Read block by block and stop at the first of each (a whole system.log as one string grew the report's memory with the logs).
  for (const f of source.files({ kind: "system-log" })) {
    let m: RegExpExecArray | null = null;
    let v: RegExpExecArray | null = null;
    for await (const block of source.readLineBlocks(f)) {
      m ??= /JVM Arguments: \[(.*)\]\s*$/m.exec(block);
      v ??= /JVM vendor\/version: (.*)$/m.exec(block);
      if (m && v) break;
    }
    if (m) fill(f.node, jvmArgSettings(m[1].split(/,\s*/)), `${f.rel} (JVM Arguments)`);
    if (v) fill(f.node, { java_version: v[1].trim() }, `${f.rel} (JVM vendor/version)`);
  }
}

/** 3. GC logs, through gcStats (its summary carries the header's flags, heap max, RAM, collector); returns heap after GC. */
async function fromGcLogs(source: Source, given: Report | undefined, fill: Fill): Promise<HeapAfter[]> {
  if (!source.files({ kind: "gc-log" }).length) return [];
  const g = given ?? (await gcStats(source));
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
        ...jvmArgSettings(flags.split(/\s+/)),
        collector: (g.summary.collector as string) ?? null,
        ram_mb: (g.summary.ram_mb as number) ?? null,
        java_version: (g.summary.jvm_version as string) ?? null,
      },
      `${gcFiles} (header, via gcStats)`,
    );
    if (g.summary.heap_max_mb) fill(node, { heap_max_mb: g.summary.heap_max_mb as number }, `${gcFiles} (via gcStats)`);
  }
  return g
    .rows("pauses")
    .filter((p) => p.heap_after_mb !== null && p.origin !== "gcinspector")
    .map((p) => ({ node: String(p.node), timestamp: (p.timestamp as string) ?? null, heap_after_mb: p.heap_after_mb as number }));
}

/** 4. `nodetool info`: heap used and total. */
async function fromNodetoolInfo(source: Source, fill: Fill): Promise<void> {
  // Each output parsed as it is read (no whole-file string). As before: an output that cannot be read is passed over (its
  // note dropped: jvm() has no notes), one that is not nodetool info fails jvm() with the parser's error naming file and line.
  const unread: string[] = [];
  let notInfo: unknown;
  const parser = (o: { file: string }) => {
    const p = new InfoLines(o);
    return { feed: (line: string, n: number) => p.feed(line, n), end: () => endOr(p, (e) => (notInfo ??= e)) };
  };
  for (const t of await streamedNodetool(source, "info", parser, unread)) {
    const info = t.parsed;
    fill(t.node, { heap_used_mb: info.heap_used_mb, heap_max_mb: info.heap_total_mb }, t.origin);
  }
  if (notInfo) throw notInfo;
}

/** `p.end()`, its error handed to `failed` too before it is thrown. */
function endOr<T>(p: { end(): T }, failed: (e: unknown) => void): T {
  try {
    return p.end();
  } catch (e) {
    failed(e);
    throw e;
  }
}

/** The report: JVM_RULES' findings per node, the `nodes` and `heap` frames, the heap chart (../../present/charts/jvm.ts). */
function jvmReport(source: Source, rows: JvmFacts[], gcHeapAfter: HeapAfter[]): JvmReport {
  const findings = rows.flatMap((f) => applyRules(JVM_RULES, f, "jvm"));
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
    } satisfies JvmSummary,
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
          heap: () => jvmHeapChart(gcHeapAfter),
        },
    previewFrame: "nodes",
  }) as JvmReport;
}
