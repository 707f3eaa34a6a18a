/**
 * partitionScan() on a recorded source: what the recording says about a table's partitions,
 * without a scan. Three kinds of evidence, each cited with its file:
 *  - tablehistograms "Partition Size" and "Cell Count" percentiles per node;
 *  - tablestats "Compacted partition maximum/mean bytes" and the partition-count estimate;
 *  - large-partition warnings in system.log/debug.log ("Writing large partition ks/t:key (N bytes)",
 *    "Compacting large partition ...", 4.1+ "Detected partition ... of size ..."), with the key.
 * Row counts per partition need a live scan; the report says so. The rule table is shared with the
 * live scan (./partitions-rules.ts); chart specs are in ../../present/charts/partitions.ts.
 */
import { CassperfError } from "../../errors";
import type { TableName } from "../../cluster/cql";
import { streamedNodetool } from "../../cluster/evidence";
import type { Source } from "../../cluster/source";
import { TablehistogramsLines } from "../../parse/nodetool-tablehistograms";
import { TablestatsLines } from "../../parse/nodetool-tablestats";
import { makeReport } from "../../present/report";
import { recordedPartitionCharts } from "../../present/charts/partitions";
import { logEvents } from "../logs/log-events";
import { partitionFindings, type PartitionStats } from "./partitions-rules";
import type { PartitionScanReport, PartitionScanSummary } from "./partitions-report";

const same = (a: string | null | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

/** One node's tablehistograms percentile of the table: partition size and cell count. */
interface HistRow {
  node: string;
  percentile: string;
  partition_bytes: number | null;
  cells: number | null;
  origin: string;
}

/** One node's tablestats of the table. */
interface StatRow {
  node: string;
  partitions_estimate: number | null;
  partition_max_bytes: number | null;
  partition_mean_bytes: number | null;
  origin: string;
}

/** One large-partition warning naming a key of the table. */
interface Warning {
  node: string;
  key: string;
  bytes: number | null;
  time: string | null;
  origin: string;
}

/** 1. tablehistograms percentiles of the table, per node (every table seen is added to `seenTables`). */
async function histogramRows(source: Source, name: TableName, notes: string[], seenTables: Set<string>): Promise<HistRow[]> {
  const histRows: HistRow[] = [];
  for (const t of await streamedNodetool(source, "tablehistograms", (o) => new TablehistogramsLines(o), notes)) {
    const parsed = t.parsed;
    for (const tb of parsed.tables) if (tb.keyspace) seenTables.add(`${tb.keyspace}.${tb.table}`);
    const mine = parsed.rows.filter((r) => same(r.keyspace, name.keyspace) && same(r.table, name.table));
    for (const p of ["50", "75", "95", "98", "99", "max"]) {
      const size = mine.find((r) => r.metric === "partition_size" && r.percentile === p);
      const cells = mine.find((r) => r.metric === "cell_count" && r.percentile === p);
      if (size || cells) histRows.push({ node: t.node, percentile: p, partition_bytes: size?.value ?? null, cells: cells?.value ?? null, origin: t.origin });
    }
  }
  return histRows;
}

/** 2. tablestats of the table, per node. */
async function tablestatsRows(source: Source, name: TableName, notes: string[], seenTables: Set<string>): Promise<StatRow[]> {
  const statRows: StatRow[] = [];
  for (const t of await streamedNodetool(source, "tablestats", (o) => new TablestatsLines(o), notes)) {
    const parsed = t.parsed;
    for (const tb of parsed.tables) seenTables.add(`${tb.keyspace}.${tb.table}`);
    const s = parsed.tables.find((tb) => same(tb.keyspace, name.keyspace) && same(tb.table, name.table));
    if (s)
      statRows.push({
        node: t.node,
        partitions_estimate: s.partitions_estimate,
        partition_max_bytes: s.partition_max_bytes,
        partition_mean_bytes: s.partition_mean_bytes,
        origin: t.origin,
      });
  }
  return statRows;
}

/** 3. large-partition warnings of the table in system.log/debug.log. */
async function warningRows(source: Source, name: TableName): Promise<Warning[]> {
  const warnings: Warning[] = [];
  if (source.files({ kind: ["system-log", "debug-log"] }).length) {
    const { events } = await logEvents({ source, kinds: "large-partition" });
    for (const e of events) {
      if (!same(e.keyspace, name.keyspace) || !same(e.table, name.table)) continue;
      warnings.push({
        node: e.node,
        key: e.partition_key ?? "?",
        bytes: e.partition_bytes ?? null,
        time: e.ts === null ? null : new Date(e.ts).toISOString(),
        origin: `${e.file}:${e.line}`,
      });
    }
  }
  return warnings;
}

/** Largest known partitions: one row per key (largest size seen), most bytes first. */
function largestWarned(warnings: Warning[]): Warning[] {
  const byKey = new Map<string, Warning>();
  for (const w of warnings) {
    const k = `${w.node}|${w.key}`;
    const prev = byKey.get(k);
    if (!prev || (w.bytes ?? 0) > (prev.bytes ?? 0)) byKey.set(k, w);
  }
  return [...byKey.values()].sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0));
}

/** The largest partition size any evidence states, and the first evidence that states it. */
function largestPartition(statRows: StatRow[], histRows: HistRow[], top: Warning[]): { maxBytes?: number; maxOrigin?: string } {
  const maxes = [
    ...statRows.map((s) => s.partition_max_bytes),
    ...histRows.filter((h) => h.percentile === "max").map((h) => h.partition_bytes),
    ...top.map((t) => t.bytes),
  ].filter((v): v is number => v !== null);
  const maxBytes = maxes.length ? Math.max(...maxes) : undefined;
  const maxOrigin = [
    ...statRows.filter((s) => s.partition_max_bytes === maxBytes).map((s) => `${s.origin} (Compacted partition maximum bytes)`),
    ...histRows.filter((h) => h.percentile === "max" && h.partition_bytes === maxBytes).map((h) => `${h.origin} (Partition Size max)`),
    ...top.filter((t) => t.bytes === maxBytes).map((t) => t.origin),
  ][0];
  return { maxBytes, maxOrigin };
}

/** partitionScan() on a recording: gather the three kinds of evidence, the largest partitions, the rules, the report. */
export async function recordedPartitions(source: Source, name: TableName): Promise<PartitionScanReport> {
  const label = `${name.keyspace}.${name.table}`;
  const notes: string[] = [];
  const seenTables = new Set<string>();
  const histRows = await histogramRows(source, name, notes, seenTables);
  const statRows = await tablestatsRows(source, name, notes, seenTables);
  const warnings = await warningRows(source, name);
  if (!histRows.length && !statRows.length && !warnings.length) {
    const known = [...seenTables].filter((t) => !t.startsWith("system")).sort();
    throw new CassperfError(
      `partitionScan: the source (${source.describe()}) has no partition evidence for ${label} (no tablehistograms, tablestats or large-partition warnings for it)${known.length ? `; tables with evidence: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", ..." : ""}` : ""}.`,
      { noEvidence: true, hint: "connect() to the cluster to scan it, or add nodetool tablehistograms/tablestats output for this table" },
    );
  }
  const top = largestWarned(warnings);
  const { maxBytes, maxOrigin } = largestPartition(statRows, histRows, top);
  const stats: PartitionStats = {
    table: label,
    partitions: statRows.reduce((a, s) => a + (s.partitions_estimate ?? 0), 0),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    top: top.map((t) => ({ key: t.key, ...(t.bytes !== null ? { bytes: t.bytes } : {}), origin: t.origin })),
    rowsPerNode: {},
    origin: maxOrigin ?? "recorded evidence",
  };
  if (!top.length) notes.push(`No "top" chart: the recording has no large-partition warning naming a key of ${label}.`);
  notes.push(
    "recorded evidence gives partition sizes in bytes and cell counts, not rows per partition: connect() to the cluster and run partitionScan for exact row counts and a bucketing statement.",
  );
  const dist = histRows.filter((h) => h.partition_bytes !== null);
  if (!dist.some((h) => (h.partition_bytes ?? 0) > 0)) notes.push(`No "sizes" chart: the recording has no partition size histogram of ${label}.`);
  return makeReport({
    helper: "partitionScan",
    title: `${label}: partition evidence from ${source.kind === "recorded" ? "the recording" : "the source"}`,
    source: source.describe(),
    summary: {
      table: label,
      nodes_with_evidence: new Set([...histRows, ...statRows, ...warnings].map((r) => r.node)).size,
      partitions_estimate: stats.partitions || null,
      max_partition_bytes: maxBytes ?? null,
      max_partition_from: maxOrigin ?? null,
      p99_partition_bytes: Math.max(0, ...histRows.filter((h) => h.percentile === "99" && h.partition_bytes !== null).map((h) => h.partition_bytes!)) || null,
      large_partition_warnings: warnings.length,
      largest_warned_key: top[0]?.key ?? null,
    } satisfies PartitionScanSummary,
    findings: partitionFindings(stats),
    notes,
    frames: {
      partitions: {
        key: top.map((t) => t.key),
        bytes: top.map((t) => t.bytes),
        node: top.map((t) => t.node),
        time: top.map((t) => t.time),
        origin: top.map((t) => t.origin),
      },
      distribution: {
        node: histRows.map((h) => h.node),
        percentile: histRows.map((h) => h.percentile),
        partition_bytes: histRows.map((h) => h.partition_bytes),
        cells: histRows.map((h) => h.cells),
        origin: histRows.map((h) => h.origin),
      },
      nodes: {
        node: statRows.map((s) => s.node),
        partitions_estimate: statRows.map((s) => s.partitions_estimate),
        partition_max_bytes: statRows.map((s) => s.partition_max_bytes),
        partition_mean_bytes: statRows.map((s) => s.partition_mean_bytes),
        origin: statRows.map((s) => s.origin),
      },
    },
    // Only charts with something to draw: a recording without histograms or large-partition warnings gets no empty plot.
    charts: recordedPartitionCharts(label, dist, top),
  }) as PartitionScanReport;
}
