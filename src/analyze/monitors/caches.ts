/**
 * caches(): key, row and counter cache per node — size, capacity, entries, hits, requests, hit
 * rate and recent hit rate — from `nodetool info` (any version's wording), with each table's
 * caching setting from the schema, and the findings of ./caches-rules.ts (chart spec:
 * ../../present/charts/caches.ts). On a live 4.0+ node the
 * numbers come from the `system_views.caches` virtual table over CQL (no nodetool needed; the
 * row's origin says so); nodetool info is the fallback (2.1/3.x nodes, or a failed read).
 */
import { CassperfError } from "../../errors";
import { streamedNodetool, type StreamedNodetool } from "../../cluster/evidence";
import { LiveSource } from "../../cluster/live";
import { readViews, viewNumber } from "../../cluster/system-views";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { InfoLines, type CacheInfo, type InfoParse } from "../../parse/nodetool-info";
import { hitRatesChart } from "../../present/charts/caches";
import { makeReport, rowsToColumns, answerOrExplain, type DataFrame, type Report, type Summary, type TypedRows } from "../../present/report";
import { applyRules } from "../rule";
import { CACHE_RULES, CACHE_TABLE_RULES, type CacheRow, type CacheTableRow } from "./caches-rules";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES } from "../compaction/compaction-evidence";

export { CACHE_RULES, CACHE_TABLE_RULES, CACHE_THRESHOLDS, type CacheRow, type CacheTableRow } from "./caches-rules";

/**
 * Options of {@link caches}: only where to read from (`source`); caches() has no options of its own.
 * @example await caches({ source: "diag/cassandra-2.1.17" })
 */
export type CachesOptions = HelperOptions;

/** caches()' headline numbers (`summary`). */
export type CachesSummary = {
  /** Nodes with cache numbers. */
  nodes: number;
  /** Where the numbers came from: "system_views.caches", "nodetool info" or both; null when no node had any. */
  sources: string | null;
  /** The lowest key cache hit rate of any node (0..1, hits / requests since start); null when no node reported one. */
  worst_key_cache_hit_rate: number | null;
  /** The node with that hit rate. */
  worst_key_cache_node: string | null;
  /** Nodes whose row cache has a capacity above zero, comma-separated; null when none. */
  row_cache_enabled_nodes: string | null;
  /** User tables whose caching setting keeps rows per partition (row cache on). */
  tables_with_row_cache: number;
};

/**
 * What caches() returns: frame `caches` (one row per node and cache: key, row, counter, chunk —
 * entries, size, capacity, hits, requests, hit_rate, recent_hit_rate, origin) and `tables` (each
 * user table's caching setting, reads, writes); chart "hit-rates"; findings from CACHE_RULES.
 * @example (await caches()).rows("caches").filter((c) => c.cache === "key")
 * @example (await caches()).summary.worst_key_cache_hit_rate
 */
export type CachesReport = TypedRows<{ caches: Omit<CacheRow, "heap_total_mb">; tables: CacheTableRow }> &
  Report<"caches" | "tables"> & {
    readonly summary: Summary<CachesSummary>;
    /** One row per node and cache: node, cache, entries, size_bytes, capacity_bytes, hits, requests, hit_rate, recent_hit_rate, origin. */
    readonly caches: DataFrame;
    /** One row per user table: table, caching, row_cache, reads, writes, origin. */
    readonly tables: DataFrame;
  };

/** system_views.caches names -> the cache column's words (CachesTable.java: "chunks", "counters", "keys", "rows"). */
const VIEW_CACHE: Record<string, CacheRow["cache"]> = { keys: "key", rows: "row", counters: "counter", chunks: "chunk" };

/**
 * Cache rows of live 4.0+ nodes from system_views.caches. hit_rate = hit_count / request_count;
 * recent_hit_rate = recent_hit_rate_per_second / recent_request_rate_per_second (the table gives
 * rates per second, nodetool info their ratio), null when no request came in recently.
 * Returns the nodes it answered for; the others go to nodetool.
 */
async function viewCacheRows(source: LiveSource, rows: CacheRow[], notes: string[]): Promise<Set<string>> {
  const { reads, failed } = await readViews(source, "caches");
  for (const f of failed) notes.push(`system_views.caches on ${f.node} could not be read (${f.error}); nodetool info is used for it when available`);
  const done = new Set<string>();
  for (const r of reads) {
    for (const v of r.rows) {
      const cache = VIEW_CACHE[String(v.name)];
      if (!cache) continue;
      const hits = viewNumber(v.hit_count);
      const requests = viewNumber(v.request_count);
      const recentReq = viewNumber(v.recent_request_rate_per_second);
      const recentHit = viewNumber(v.recent_hit_rate_per_second);
      rows.push({
        node: r.node,
        cache,
        entries: viewNumber(v.entry_count),
        size_bytes: viewNumber(v.size_bytes),
        capacity_bytes: viewNumber(v.capacity_bytes),
        hits,
        requests,
        hit_rate: hits !== null && requests ? hits / requests : null,
        recent_hit_rate: recentReq && recentHit !== null ? recentHit / recentReq : null,
        heap_total_mb: null,
        origin: r.origin,
      });
    }
    done.add(r.node);
  }
  return done;
}

/**
 * caches(): cache sizes and hit rates per node, each table's caching setting, and findings.
 * @example await caches()                                  // the current source
 * @example await caches("diag/cassandra-2.1.17")           // a bundle
 */
export async function caches(input?: SourceInput | CachesOptions, options?: CachesOptions): Promise<CachesReport> {
  const { source } = helperArgs("caches", input, options, "source");
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("caches", ["caches", "tables"] as const, () => cachesOf(source));
}

/** caches() itself; caches() turns "the source has no ..." into an empty report. */
async function cachesOf(input?: SourceInput): Promise<CachesReport> {
  const source = await resolveSource(input, "caches");
  const rows: CacheRow[] = [];
  const notes: string[] = [];
  const fromViews = source instanceof LiveSource ? await viewCacheRows(source, rows, notes) : new Set<string>();
  // Each output parsed as it is read (no whole-file string); one that cannot be read or is not nodetool info is a note naming it.
  let infos: StreamedNodetool<InfoParse>[] = [];
  if (!(source instanceof LiveSource) || source.nodes().some((n) => !fromViews.has(n)))
    infos = (await streamedNodetool(source, "info", (o) => new InfoLines(o), notes)).filter((t) => !fromViews.has(t.node));
  if (source instanceof LiveSource && !source.hasNodetool()) {
    const missingNodes = source.nodes().filter((n) => !fromViews.has(n));
    if (missingNodes.length) notes.push(`${missingNodes.join(", ")}: no system_views (Cassandra before 4.0) and no nodetool runner: no cache numbers`);
  }
  for (const t of infos) {
    const info = t.parsed;
    if (info.nodetoolError) {
      notes.push(`${t.origin}: nodetool printed an error instead of info: ${info.nodetoolError}`);
      continue;
    }
    const add = (cache: CacheRow["cache"], c: CacheInfo | null) => {
      if (!c) return;
      const hitRate = c.hits !== null && c.requests ? c.hits / c.requests : c.misses !== null && c.requests ? 1 - c.misses / c.requests : null;
      rows.push({
        node: t.node,
        cache,
        entries: c.entries,
        size_bytes: c.size_bytes,
        capacity_bytes: c.capacity_bytes,
        hits: c.hits,
        requests: c.requests,
        hit_rate: hitRate,
        recent_hit_rate: c.recent_hit_rate,
        heap_total_mb: info.heap_total_mb,
        origin: t.origin,
      });
    };
    add("key", info.key_cache);
    add("row", info.row_cache);
    add("counter", info.counter_cache);
    add("chunk", info.chunk_cache);
  }
  // Per-table caching settings and read/write counts.
  const { tables } = await gatherCompactionEvidence(source, undefined, ["schema", "tablestats"]).catch(() => ({
    tables: new Map() as Awaited<ReturnType<typeof gatherCompactionEvidence>>["tables"],
  }));
  const tableRows: CacheTableRow[] = [...tables.values()]
    .filter((e) => !SYSTEM_KEYSPACES.test(e.keyspace))
    .map((e) => {
      const caching = e.schema?.value.options.caching ?? "";
      const rowsPerPartition = /rows_per_partition['"]?\s*:\s*['"]?([\w]+)/i.exec(caching)?.[1] ?? /"rows"\s*:\s*"(\w+)"/.exec(caching)?.[1] ?? null;
      return {
        table: `${e.keyspace}.${e.table}`,
        caching: caching.replace(/^'|'$/g, "") || null,
        row_cache: rowsPerPartition !== null && !/^none$/i.test(rowsPerPartition),
        reads: e.reads?.value ?? null,
        writes: e.writes?.value ?? null,
        origin: e.schema?.origin ?? e.reads?.origin ?? null,
      };
    });
  if (!rows.length && !tableRows.length) {
    throw new CassperfError(`caches: the source (${source.describe()}) has no nodetool info output and no schema.`, {
      noEvidence: true,
      hint: "add nodes/<node>/nodetool/info (or connect with a nodetool runner)",
    });
  }

  const findings = [...rows.flatMap((r) => applyRules(CACHE_RULES, r, "caches")), ...tableRows.flatMap((t) => applyRules(CACHE_TABLE_RULES, t, "caches"))];
  const key = rows.filter((r) => r.cache === "key" && r.hit_rate !== null);
  const worst = key.sort((a, b) => (a.hit_rate ?? 1) - (b.hit_rate ?? 1))[0];
  return makeReport({
    helper: "caches",
    title: `${new Set(rows.map((r) => r.node)).size} nodes, ${tableRows.length} tables`,
    source: source.describe(),
    summary: {
      nodes: new Set(rows.map((r) => r.node)).size,
      sources: [...new Set(rows.map((r) => (/system_views/.test(r.origin) ? "system_views.caches" : "nodetool info")))].join(", ") || null,
      worst_key_cache_hit_rate: worst?.hit_rate ?? null,
      worst_key_cache_node: worst?.node ?? null,
      row_cache_enabled_nodes:
        rows
          .filter((r) => r.cache === "row" && (r.capacity_bytes ?? 0) > 0)
          .map((r) => r.node)
          .join(", ") || null,
      tables_with_row_cache: tableRows.filter((t) => t.row_cache).length,
    } satisfies CachesSummary,
    findings,
    notes,
    frames: {
      caches: rowsToColumns(rows, ["node", "cache", "entries", "size_bytes", "capacity_bytes", "hits", "requests", "hit_rate", "recent_hit_rate", "origin"]),
      tables: rowsToColumns(tableRows, ["table", "caching", "row_cache", "reads", "writes", "origin"]),
    },
    charts: {
      "hit-rates": () => hitRatesChart(rows),
    },
  }) as CachesReport;
}
