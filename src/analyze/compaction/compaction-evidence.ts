/**
 * Evidence for compaction advice, gathered per table from whatever the source holds, each value
 * with the file (or live call) it came from:
 *  - schema (schema.cql / driver/schema, or the live driver's metadata): compaction class and
 *    options, default_time_to_live, gc_grace_seconds, clustering columns, types and order;
 *  - tablestats: reads, writes, SSTable count, space used, tombstones and live cells per slice,
 *    droppable tombstone ratio, partition estimate and sizes;
 *  - tablehistograms: SSTables per read p99, partition size max;
 *  - traces: tombstones vs live rows read by sessions on the table;
 *  - system.log: tombstone warnings/failures on the table;
 *  - compactionstats: pending tasks (per table when printed, else per node).
 */
import { LiveSource } from "../../cluster/live";
import { streamedNodetool } from "../../cluster/evidence";
import type { Source } from "../../cluster/source";
import { CompactionstatsLines } from "../../parse/nodetool-compactionstats";
import { parseTablehistograms, TablehistogramsLines, type HistogramParse } from "../../parse/nodetool-tablehistograms";
import { TablestatsLines } from "../../parse/nodetool-tablestats";
import { parseSchemaCql, type TableSchema } from "../../parse/schema-cql";
import { logEvents } from "../logs/log-events";
import { tallyKey } from "../logs/logs-rules";
import { traces, TRACE_KINDS } from "../trace/trace";

/** A number and where it came from. */
export interface Cited<T = number> {
  value: T;
  origin: string;
}

/** Everything known about one table. */
export interface TableEvidence {
  keyspace: string;
  table: string;
  schema?: Cited<TableSchema>;
  reads?: Cited;
  writes?: Cited;
  sstables?: Cited;
  spaceUsedBytes?: Cited;
  partitionsEstimate?: Cited;
  partitionMaxBytes?: Cited;
  partitionMeanBytes?: Cited;
  tombstonesPerSliceMean?: Cited;
  tombstonesPerSliceMax?: Cited;
  liveCellsPerSliceMean?: Cited;
  droppableTombstoneRatio?: Cited;
  sstablesPerReadP99?: Cited;
  /** From traces of reads on this table. */
  traceTombstones?: Cited<{ tombstones: number; liveRows: number; sessions: number; worstTombstones: number }>;
  /** Tombstone warnings/failures logged for this table. */
  logTombstones?: Cited<{ warnings: number; failures: number; maxTombstones: number }>;
  pendingCompactions?: Cited;
}

/** Keyspaces that belong to Cassandra or DSE, not to the user. */
export const SYSTEM_KEYSPACES =
  /^(system|system_\w+|dse_\w+|dse|solr_admin|dsefs|HiveMetaStore|cfs|cfs_archive|OpsCenter|"OpsCenter"|spark_system|reaper_db)$/i;

const key = (ks: string, t: string) => `${ks.toLowerCase()}.${t.toLowerCase()}`;

/** Keep the larger cited value (summing when `sum`), noting each origin. */
function merge(prev: Cited | undefined, value: number | null | undefined, origin: string, how: "max" | "sum" = "max"): Cited | undefined {
  if (value === null || value === undefined || !Number.isFinite(value)) return prev;
  if (!prev) return { value, origin };
  if (how === "sum") return { value: prev.value + value, origin: `${prev.origin} + ${origin}` };
  return value > prev.value ? { value, origin } : prev;
}

/** Schema tables from the driver's metadata (live). */
async function liveSchema(source: LiveSource): Promise<Cited<TableSchema>[]> {
  const md = source.client.metadata;
  const types = (require("cassandra-driver") as typeof import("cassandra-driver")).types as unknown as { getDataTypeNameByCode(t: unknown): string };
  const typeName = (t: unknown) => {
    try {
      return types.getDataTypeNameByCode(t);
    } catch {
      return "unknown";
    }
  };
  const out: Cited<TableSchema>[] = [];
  for (const ks of Object.keys(md.keyspaces)) {
    if (SYSTEM_KEYSPACES.test(ks)) continue;
    const tables = await new Promise<string[]>((resolve) => {
      source.client.execute("SELECT columnfamily_name FROM system.schema_columnfamilies WHERE keyspace_name = ?", [ks], { prepare: true }).then(
        (rs) => resolve(rs.rows.map((r) => r.get("columnfamily_name") as string)),
        () =>
          source.client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [ks], { prepare: true }).then(
            (rs) => resolve(rs.rows.map((r) => r.get("table_name") as string)),
            () => resolve([]),
          ),
      );
    });
    for (const t of tables) {
      const m = await md.getTable(ks, t);
      if (!m) continue;
      const compaction = { ...(m.compactionOptions ?? {}) } as Record<string, string>;
      out.push({
        value: {
          keyspace: ks,
          table: t,
          columns: m.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
          partitionKey: m.partitionKeys.map((c) => c.name),
          clustering: m.clusteringKeys.map((c, i) => ({
            name: c.name,
            type: typeName(c.type),
            order: (m.clusteringOrder?.[i] ?? "ASC").toUpperCase() as "ASC" | "DESC",
          })),
          compactionClass: m.compactionClass ? m.compactionClass.split(".").pop()! : null,
          compactionOptions: Object.fromEntries(
            Object.entries(compaction)
              .filter(([k]) => k !== "class")
              .map(([k, v]) => [k, String(v)]),
          ),
          defaultTtl: m.defaultTtl ?? null,
          gcGraceSeconds: m.gcGraceSeconds ?? null,
          options: {},
          line: 0,
        },
        origin: `live schema of ${source.name}`,
      });
    }
  }
  return out;
}

/** Gather evidence for every table the source knows (or the one asked for). */
/** The kinds of evidence {@link gatherCompactionEvidence} can gather; callers that need less ask for less (live, each costs nodetool runs). */
export type EvidencePart = "schema" | "tablestats" | "tablehistograms" | "compactionstats" | "logs" | "traces";
const ALL_PARTS: EvidencePart[] = ["schema", "tablestats", "tablehistograms", "compactionstats", "logs", "traces"];

export async function gatherCompactionEvidence(
  source: Source,
  only?: { keyspace: string; table: string },
  parts: EvidencePart[] = ALL_PARTS,
): Promise<{ tables: Map<string, TableEvidence>; nodePending: Cited | undefined; notes: string[] }> {
  const want = new Set(parts);
  const tables = new Map<string, TableEvidence>();
  const notes: string[] = [];
  const get = (ks: string, t: string) => {
    const k = key(ks, t);
    let e = tables.get(k);
    if (!e) {
      e = { keyspace: ks, table: t };
      tables.set(k, e);
    }
    return e;
  };
  const wanted = (ks: string | null, t: string) => !only || key(ks ?? "", t) === key(only.keyspace, only.table);

  // Schema.
  if (!want.has("schema")) {
    /* not asked for */
  } else if (source instanceof LiveSource) {
    for (const s of await liveSchema(source)) if (wanted(s.value.keyspace, s.value.table)) get(s.value.keyspace, s.value.table).schema = s;
  } else {
    const files = source.files({ kind: "schema" }).sort((a, b) => (a.node === "" ? -1 : 0) - (b.node === "" ? -1 : 0));
    for (const f of files) {
      const parsed = parseSchemaCql(await source.readText(f));
      for (const t of parsed.tables) {
        if (!wanted(t.keyspace, t.table)) continue;
        const e = get(t.keyspace, t.table);
        e.schema ??= { value: t, origin: `${f.rel}:${t.line}` };
      }
      for (const s of parsed.skipped) notes.push(`${f.rel}:${s.line}: skipped (${s.reason})`);
    }
  }

  // tablestats: counts summed over nodes (each node serves its own reads/writes), sizes as the max.
  for (const t of want.has("tablestats") ? await streamedNodetool(source, "tablestats", (o) => new TablestatsLines(o), notes) : []) {
    const parsed = t.parsed;
    for (const s of parsed.tables) {
      if (s.is_index || !wanted(s.keyspace, s.table)) continue;
      const e = get(s.keyspace, s.table);
      // Each value is cited at the line that holds it (the field's line), else the table's line.
      const o = `${t.origin}${s.line ? `:${s.line}` : ""} (${t.node})`;
      const at = (k: string) => (s.field_lines?.[k] ? `${t.origin}:${s.field_lines[k]} (${t.node})` : o);
      e.reads = merge(e.reads, s.read_count, at("read_count"), "sum");
      e.writes = merge(e.writes, s.write_count, at("write_count"), "sum");
      e.sstables = merge(e.sstables, s.sstable_count, at("sstable_count"));
      e.spaceUsedBytes = merge(e.spaceUsedBytes, s.space_used_live_bytes, at("space_used_live_bytes"));
      e.partitionsEstimate = merge(
        e.partitionsEstimate,
        s.partitions_estimate ?? keysFromBloomFilter(s.fields),
        s.partitions_estimate !== null ? at("partitions_estimate") : `${o}, estimated from the bloom filter size`,
      );
      e.partitionMaxBytes = merge(e.partitionMaxBytes, s.partition_max_bytes, at("partition_max_bytes"));
      e.partitionMeanBytes = merge(e.partitionMeanBytes, s.partition_mean_bytes, at("partition_mean_bytes"));
      e.tombstonesPerSliceMean = merge(e.tombstonesPerSliceMean, s.tombstones_per_slice_mean, at("tombstones_per_slice_mean"));
      e.tombstonesPerSliceMax = merge(e.tombstonesPerSliceMax, s.tombstones_per_slice_max, at("tombstones_per_slice_max"));
      e.liveCellsPerSliceMean = merge(e.liveCellsPerSliceMean, s.live_cells_per_slice_mean, at("live_cells_per_slice_mean"));
      e.droppableTombstoneRatio = merge(e.droppableTombstoneRatio, s.droppable_tombstone_ratio, at("droppable_tombstone_ratio"));
    }
  }

  // tablehistograms: SSTables per read p99 and partition size max.
  // Recorded outputs are parsed as they are read, block by block (#24); a parser's error is a note.
  const histParsed: { node: string; origin: string; parsed: HistogramParse }[] = [];
  if (!want.has("tablehistograms")) {
    /* not asked for */
  } else if (source instanceof LiveSource) {
    for (const t of await liveHistograms(source, [...tables.values()])) {
      try {
        histParsed.push({ ...t, parsed: parseTablehistograms(t.text, { file: t.origin }) });
      } catch (e) {
        notes.push((e as Error).message);
      }
    }
  } else histParsed.push(...(await streamedNodetool(source, "tablehistograms", (o) => new TablehistogramsLines(o), notes)));
  for (const t of histParsed) {
    const parsed = t.parsed;
    for (const r of parsed.rows) {
      if (!r.keyspace || !wanted(r.keyspace, r.table)) continue;
      const o = `${t.origin}:${r.line} (${t.node})`;
      if (r.metric === "sstables_per_read" && r.percentile === "99")
        get(r.keyspace, r.table).sstablesPerReadP99 = merge(get(r.keyspace, r.table).sstablesPerReadP99, r.value, o);
      if (r.metric === "partition_size" && r.percentile === "max")
        get(r.keyspace, r.table).partitionMaxBytes = merge(get(r.keyspace, r.table).partitionMaxBytes, r.value, o);
    }
  }

  // compactionstats.
  let nodePending: Cited | undefined;
  for (const t of want.has("compactionstats") ? await streamedNodetool(source, "compactionstats", (o) => new CompactionstatsLines(o), notes) : []) {
    const parsed = t.parsed;
    nodePending = merge(nodePending, parsed.pending_tasks, `${t.origin} (${t.node})`);
    for (const p of parsed.pending_by_table)
      if (wanted(p.keyspace, p.table))
        get(p.keyspace, p.table).pendingCompactions = merge(get(p.keyspace, p.table).pendingCompactions, p.pending, `${t.origin}:${p.line} (${t.node})`);
  }

  // Tombstone warnings in the logs.
  if (want.has("logs") && source.files({ kind: ["system-log"] }).length) {
    try {
      const { events, tallies } = await logEvents({ source, kinds: ["tombstone-warning", "tombstone-failure"], logs: "system" });
      // Counted over every line: once per node and table from logs()' exact tallies (the events may be a sample of a very large
      // bundle; the largest and the first line of each node and table are kept whatever the sample).
      const counted = new Set<string>();
      for (const ev of events) {
        if (!ev.keyspace || !ev.table || !wanted(ev.keyspace, ev.table)) continue;
        if (!tables.has(key(ev.keyspace, ev.table)) && !only) continue; // only tables we know from schema/stats
        const e = get(ev.keyspace, ev.table);
        const prev = e.logTombstones?.value ?? { warnings: 0, failures: 0, maxTombstones: 0 };
        const group = tallyKey(ev)!;
        const n = tallies.has(group) ? (counted.has(group) ? 0 : (counted.add(group), tallies.get(group)!.count)) : 1;
        const next = {
          warnings: prev.warnings + (ev.kind === "tombstone-warning" ? n : 0),
          failures: prev.failures + (ev.kind === "tombstone-failure" ? n : 0),
          maxTombstones: Math.max(prev.maxTombstones, ev.tombstones ?? 0),
        };
        e.logTombstones = { value: next, origin: e.logTombstones?.origin ?? `${ev.file}:${ev.line}` };
      }
    } catch (e) {
      notes.push(`logs: ${(e as Error).message}`);
    }
  }

  // Traces: tombstones vs live rows of sessions reading each table.
  try {
    const hasTraces = want.has("traces") && (source instanceof LiveSource || source.files({ kind: [...TRACE_KINDS] }).length > 0);
    if (hasTraces) {
      const rep = await traces({ source, ...(source instanceof LiveSource ? { limit: 200 } : {}) });
      // 2.1 logs prepared statements as "Execute CQL3 prepared query" without the text: take the
      // table from the replica's "Executing single-partition query on <table>" event instead.
      const tableOfSession = new Map<string, string>();
      const { session_id: sessionIds, activity } = rep.columns("events");
      for (let i = 0; i < sessionIds.length; i++) {
        const sid = String(sessionIds[i]);
        if (tableOfSession.has(sid)) continue;
        const mm = /query on ("?[\w]+"?)(?:\.| |$)/.exec(String(activity[i] ?? ""));
        if (mm) tableOfSession.set(sid, mm[1].replace(/"/g, ""));
      }
      for (const s of rep.rows("sessions")) {
        const m = /\bFROM\s+("?[\w]+"?)\.("?[\w]+"?)/i.exec(String(s.query ?? ""));
        let ks: string;
        let t: string;
        if (m) {
          ks = m[1].replace(/"/g, "");
          t = m[2].replace(/"/g, "");
        } else {
          const name = tableOfSession.get(String(s.session_id));
          const candidates = name ? [...tables.values()].filter((e) => e.table.toLowerCase() === name.toLowerCase()) : [];
          if (candidates.length !== 1) continue; // unknown or ambiguous across keyspaces
          ks = candidates[0].keyspace;
          t = candidates[0].table;
        }
        if (!wanted(ks, t) || (!tables.has(key(ks, t)) && !only)) continue;
        const e = get(ks, t);
        const prev = e.traceTombstones?.value ?? { tombstones: 0, liveRows: 0, sessions: 0, worstTombstones: 0 };
        const tomb = Number(s.tombstones ?? 0);
        e.traceTombstones = {
          value: {
            tombstones: prev.tombstones + tomb,
            liveRows: prev.liveRows + Number(s.live_rows ?? 0),
            sessions: prev.sessions + 1,
            worstTombstones: Math.max(prev.worstTombstones, tomb),
          },
          // Cite the session that scanned the most tombstones.
          origin: !e.traceTombstones || tomb > prev.worstTombstones ? `trace session ${s.session_id}` : e.traceTombstones.origin,
        };
      }
    }
  } catch (e) {
    notes.push(`traces: ${(e as Error).message}`);
  }
  return { tables, nodePending, notes };
}

/**
 * Partition count from the bloom filter's size, for versions whose tablestats print no
 * "Number of keys (estimate)" (2.1.0): a bloom filter at false-positive chance p holds
 * -ln(p)/ln(2)^2 bits per key (9.6 bits at the default 0.01). An upper bound when a key sits in several SSTables.
 */
export function keysFromBloomFilter(fields: Record<string, string>, fpChance = 0.01): number | null {
  const entry = Object.entries(fields).find(([k]) => /^bloom filter space used/i.test(k));
  if (!entry) return null;
  const bytes = Number(entry[1].replace(/[^\d.]/g, ""));
  if (!Number.isFinite(bytes) || bytes <= 0) return null;
  const bitsPerKey = -Math.log(fpChance) / Math.LN2 ** 2;
  return Math.round((bytes * 8) / bitsPerKey);
}

/** Live tablehistograms: `nodetool cfhistograms ks t` for each table on each node, when nodetool is available. */
async function liveHistograms(source: LiveSource, tables: TableEvidence[]) {
  if (!source.hasNodetool()) return [];
  const out: { node: string; text: string; origin: string }[] = [];
  const versions = source.versions();
  for (const node of source.nodes()) {
    // 4.0+: one `nodetool tablehistograms` prints every table with its header (and cfhistograms is gone).
    if (Number(/^(\d+)/.exec(versions[node] ?? "")?.[1] ?? 0) >= 4) {
      try {
        out.push({ node, text: (await source.nodetool(node, ["tablehistograms"])).text, origin: `live nodetool tablehistograms on ${node}` });
      } catch {
        /* a node down: no histogram evidence from it */
      }
      continue;
    }
    for (const t of tables) {
      try {
        const r = await source.nodetool(node, ["cfhistograms", t.keyspace, t.table]);
        // 2.1 prints no table header for a single table: add one so the parser names the rows.
        const text = /histograms\s*$/m.test(r.text) ? r.text : `${t.keyspace}/${t.table} histograms\n${r.text}`;
        out.push({ node, text, origin: `live nodetool cfhistograms ${t.keyspace} ${t.table} on ${node}` });
      } catch {
        /* a table without SSTables or a node down: no histogram evidence from it */
      }
    }
  }
  return out;
}
