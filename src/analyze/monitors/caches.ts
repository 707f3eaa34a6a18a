/**
 * caches(): key, row and counter cache per node — size, capacity, entries, hits, requests, hit
 * rate and recent hit rate — from `nodetool info` (any version's wording), with each table's
 * caching setting from the schema, and the cache rules below. On a live 4.0+ node the
 * numbers come from the `system_views.caches` virtual table over CQL (no nodetool needed; the
 * row's origin says so); nodetool info is the fallback (2.1/3.x nodes, or a failed read).
 */
import { CassperfError } from "../../errors";
import { nodetoolTexts, type NodetoolText } from "../../cluster/evidence";
import { LiveSource } from "../../cluster/live";
import { readViews, viewNumber } from "../../cluster/system-views";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { parseInfo, type CacheInfo } from "../../parse/nodetool-info";
import { makeReport, rowsToColumns, type Finding, type Threshold, answerOrExplain } from "../../present/report";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES } from "../compaction/compaction-evidence";

/** Thresholds of the cache rules, each with the source of its number. */
export const CACHE_THRESHOLDS = {
  KEY_CACHE_HIT_RATE: {
    name: "KEY_CACHE_HIT_RATE",
    value: 0.95,
    unit: "ratio",
    source: "cassperf's choice (no published threshold found): a key cache hit rate under 95%",
  },
  ROW_CACHE_HIT_RATE: {
    name: "ROW_CACHE_HIT_RATE",
    value: 0.1,
    unit: "ratio",
    source: "cassperf's choice (no published threshold found): a row cache hit rate under 10% on random reads -> disable",
  },
  KEY_CACHE_HEAP_SHARE: {
    name: "KEY_CACHE_HEAP_SHARE",
    value: 0.05,
    unit: "of heap",
    source: "Cassandra's key_cache_size_in_mb default (cassandra.yaml: auto = min(5% of heap, 100 MB))",
  },
  KEY_CACHE_MAX_MB: {
    name: "KEY_CACHE_MAX_MB",
    value: 100,
    unit: "MB",
    source: "Cassandra's key_cache_size_in_mb default cap (cassandra.yaml: auto = min(5% of heap, 100 MB))",
  },
  WRITE_HEAVY_RATIO: {
    name: "WRITE_HEAVY_RATIO",
    value: 1,
    unit: "writes per read",
    source: "cassperf's choice: the row cache is invalidated on every write; more writes than reads makes it churn",
  },
  HOT_READS: {
    name: "HOT_READS",
    value: 1_000_000,
    unit: "reads",
    source: "cassperf: a table with a million local reads and reads >= 10x writes is hot and read-heavy",
  },
  HOT_READ_RATIO: { name: "HOT_READ_RATIO", value: 10, unit: "reads per write", source: "cassperf: read-heavy enough that a row cache pays off" },
  MIN_REQUESTS: { name: "MIN_REQUESTS", value: 1_000, unit: "requests", source: "cassperf: fewer requests say nothing about a hit rate" },
} satisfies Record<string, Threshold>;
const T = CACHE_THRESHOLDS;

interface CacheRow {
  node: string;
  cache: "key" | "row" | "counter" | "chunk";
  entries: number | null;
  size_bytes: number | null;
  capacity_bytes: number | null;
  hits: number | null;
  requests: number | null;
  hit_rate: number | null;
  recent_hit_rate: number | null;
  heap_total_mb: number | null;
  origin: string;
}

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

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

/**
 * caches(): cache sizes and hit rates per node, each table's caching setting, and findings.
 * @example await caches()                                  // the current source
 * @example await caches("diag/cassandra-2.1.17")           // a bundle
 */
export async function caches(input?: SourceInput | HelperOptions, options?: HelperOptions) {
  const { source } = helperArgs("caches", input, options, "source");
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("caches", ["caches", "tables"] as const, () => cachesOf(source));
}

/** caches() itself; caches() turns "the source has no ..." into an empty report. */
async function cachesOf(input?: SourceInput) {
  const source = await resolveSource(input, "caches");
  const rows: CacheRow[] = [];
  const notes: string[] = [];
  const fromViews = source instanceof LiveSource ? await viewCacheRows(source, rows, notes) : new Set<string>();
  let infos: NodetoolText[] = [];
  if (!(source instanceof LiveSource) || source.nodes().some((n) => !fromViews.has(n)))
    infos = (await nodetoolTexts(source, "info")).filter((t) => !fromViews.has(t.node));
  if (source instanceof LiveSource && !source.hasNodetool()) {
    const missingNodes = source.nodes().filter((n) => !fromViews.has(n));
    if (missingNodes.length) notes.push(`${missingNodes.join(", ")}: no system_views (Cassandra before 4.0) and no nodetool runner: no cache numbers`);
  }
  for (const t of infos) {
    const info = parseInfo(t.text, { file: t.origin });
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
  const tableRows = [...tables.values()]
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

  const findings: Finding[] = [];
  for (const r of rows) {
    if (r.cache === "key" && r.hit_rate !== null && (r.requests ?? 0) >= T.MIN_REQUESTS.value && r.hit_rate < T.KEY_CACHE_HIT_RATE.value)
      findings.push({
        severity: "warning",
        id: "caches.key-cache-hit-rate",
        helper: "caches",
        node: r.node,
        title: `${r.node}: key cache hit rate ${pct(r.hit_rate)} (under ${pct(T.KEY_CACHE_HIT_RATE.value)})`,
        evidence: `${r.hits} hits of ${r.requests} requests, recent ${r.recent_hit_rate ?? "n/a"}, capacity ${r.capacity_bytes !== null ? mb(r.capacity_bytes) : "?"} (${r.origin})`,
        action: "raise key_cache_size_in_mb (cassandra.yaml) while the cache is full; check for a scan-heavy access pattern that no cache can serve",
      });
    if (
      r.cache === "row" &&
      (r.capacity_bytes ?? 0) > 0 &&
      r.hit_rate !== null &&
      (r.requests ?? 0) >= T.MIN_REQUESTS.value &&
      r.hit_rate < T.ROW_CACHE_HIT_RATE.value
    )
      findings.push({
        severity: "warning",
        id: "caches.row-cache-useless",
        helper: "caches",
        node: r.node,
        title: `${r.node}: row cache hit rate ${pct(r.hit_rate)} (under ${pct(T.ROW_CACHE_HIT_RATE.value)})`,
        evidence: `${r.hits} hits of ${r.requests} requests (${r.origin})`,
        action: "reads are random: disable the row cache (row_cache_size_in_mb: 0) and give the memory to the page cache",
      });
    if (r.cache === "key" && r.capacity_bytes !== null && r.heap_total_mb) {
      const suggested = Math.min(T.KEY_CACHE_HEAP_SHARE.value * r.heap_total_mb, T.KEY_CACHE_MAX_MB.value) * 2 ** 20;
      if (r.capacity_bytes < suggested / 2 || r.capacity_bytes > suggested * 4)
        findings.push({
          severity: "info",
          id: "caches.key-cache-size",
          helper: "caches",
          node: r.node,
          title: `${r.node}: key cache capacity ${mb(r.capacity_bytes)} vs ${mb(suggested)} suggested`,
          evidence: `heap ${r.heap_total_mb} MB; min(5% of heap, 100 MB) = ${mb(suggested)} (${r.origin})`,
          action: `set key_cache_size_in_mb: ${Math.round(suggested / 2 ** 20)} unless the hit rate says otherwise`,
        });
    }
  }
  for (const t of tableRows) {
    if (t.row_cache && t.reads !== null && t.writes !== null && t.writes >= T.WRITE_HEAVY_RATIO.value * Math.max(1, t.reads))
      findings.push({
        severity: "warning",
        id: "caches.row-cache-write-heavy",
        helper: "caches",
        title: `${t.table} caches rows but is written ${t.writes} times for ${t.reads} reads`,
        evidence: `caching = ${t.caching} (${t.origin})`,
        action: `every write invalidates the cached partition: ALTER TABLE ${t.table} WITH caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'};`,
      });
    if (!t.row_cache && t.reads !== null && t.writes !== null && t.reads >= T.HOT_READS.value && t.reads >= T.HOT_READ_RATIO.value * Math.max(1, t.writes))
      findings.push({
        severity: "info",
        id: "caches.row-cache-candidate",
        helper: "caches",
        title: `${t.table} is hot and read-heavy (${t.reads} reads, ${t.writes} writes) without a row cache`,
        evidence: `caching = ${t.caching ?? "default"} (${t.origin})`,
        action: `if reads hit the head of partitions: ALTER TABLE ${t.table} WITH caching = {'keys': 'ALL', 'rows_per_partition': '100'}; and set row_cache_size_in_mb`,
      });
  }
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
    },
    findings,
    notes,
    frames: {
      caches: rowsToColumns(rows, ["node", "cache", "entries", "size_bytes", "capacity_bytes", "hits", "requests", "hit_rate", "recent_hit_rate", "origin"]),
      tables: rowsToColumns(tableRows, ["table", "caching", "row_cache", "reads", "writes", "origin"]),
    },
    charts: {
      "hit-rates": () => ({
        title: "Cache hit rate per node",
        width: 480,
        height: Math.max(60, 20 * rows.length),
        data: { values: rows.filter((r) => r.hit_rate !== null).map((r) => ({ node: r.node, cache: r.cache, hit_rate: r.hit_rate })) },
        mark: { type: "bar", tooltip: true },
        encoding: {
          y: { field: "node", type: "nominal", title: null },
          yOffset: { field: "cache" },
          x: { field: "hit_rate", type: "quantitative", axis: { format: "%" }, scale: { domain: [0, 1] }, title: "hit rate" },
          color: { field: "cache", type: "nominal" },
        },
      }),
    },
  });
}
