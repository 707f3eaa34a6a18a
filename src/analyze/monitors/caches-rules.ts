/**
 * caches()' finding tables: {@link CACHE_RULES} over each node's cache rows (key cache hit rate
 * and size, row cache use) and {@link CACHE_TABLE_RULES} over each table's caching setting and
 * read/write counts, with {@link CACHE_THRESHOLDS} (each with the source of its number). caches()
 * runs them with applyRules.
 */
import type { Threshold } from "../../present/report";
import type { Rule } from "../rule";

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

/** One cache of one node (a row of the `caches` frame, with the heap size nodetool info gave). */
export interface CacheRow {
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

/** One table's caching setting and local read/write counts (a row of the `tables` frame). */
export interface CacheTableRow {
  table: string;
  caching: string | null;
  row_cache: boolean;
  reads: number | null;
  writes: number | null;
  origin: string | null;
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

/** The rules over one node's cache row, in the order their findings are listed. */
export const CACHE_RULES: Rule<CacheRow>[] = [
  {
    id: "caches.key-cache-hit-rate",
    severity: "warning",
    thresholds: [T.KEY_CACHE_HIT_RATE, T.MIN_REQUESTS],
    check: (r) =>
      r.cache === "key" && r.hit_rate !== null && (r.requests ?? 0) >= T.MIN_REQUESTS.value && r.hit_rate < T.KEY_CACHE_HIT_RATE.value
        ? {
            node: r.node,
            title: `${r.node}: key cache hit rate ${pct(r.hit_rate)} (under ${pct(T.KEY_CACHE_HIT_RATE.value)})`,
            evidence: `${r.hits} hits of ${r.requests} requests, recent ${r.recent_hit_rate ?? "n/a"}, capacity ${r.capacity_bytes !== null ? mb(r.capacity_bytes) : "?"} (${r.origin})`,
            action: "raise key_cache_size_in_mb (cassandra.yaml) while the cache is full; check for a scan-heavy access pattern that no cache can serve",
          }
        : null,
  },
  {
    id: "caches.row-cache-useless",
    severity: "warning",
    thresholds: [T.ROW_CACHE_HIT_RATE, T.MIN_REQUESTS],
    check: (r) =>
      r.cache === "row" &&
      (r.capacity_bytes ?? 0) > 0 &&
      r.hit_rate !== null &&
      (r.requests ?? 0) >= T.MIN_REQUESTS.value &&
      r.hit_rate < T.ROW_CACHE_HIT_RATE.value
        ? {
            node: r.node,
            title: `${r.node}: row cache hit rate ${pct(r.hit_rate)} (under ${pct(T.ROW_CACHE_HIT_RATE.value)})`,
            evidence: `${r.hits} hits of ${r.requests} requests (${r.origin})`,
            action: "reads are random: disable the row cache (row_cache_size_in_mb: 0) and give the memory to the page cache",
          }
        : null,
  },
  {
    id: "caches.key-cache-size",
    severity: "info",
    thresholds: [T.KEY_CACHE_HEAP_SHARE, T.KEY_CACHE_MAX_MB],
    check: (r) => {
      if (r.cache !== "key" || r.capacity_bytes === null || !r.heap_total_mb) return null;
      const suggested = Math.min(T.KEY_CACHE_HEAP_SHARE.value * r.heap_total_mb, T.KEY_CACHE_MAX_MB.value) * 2 ** 20;
      if (r.capacity_bytes >= suggested / 2 && r.capacity_bytes <= suggested * 4) return null;
      return {
        node: r.node,
        title: `${r.node}: key cache capacity ${mb(r.capacity_bytes)} vs ${mb(suggested)} suggested`,
        evidence: `heap ${r.heap_total_mb} MB; min(5% of heap, 100 MB) = ${mb(suggested)} (${r.origin})`,
        action: `set key_cache_size_in_mb: ${Math.round(suggested / 2 ** 20)} unless the hit rate says otherwise`,
      };
    },
  },
];

/** The rules over one table's caching setting and read/write counts. */
export const CACHE_TABLE_RULES: Rule<CacheTableRow>[] = [
  {
    id: "caches.row-cache-write-heavy",
    severity: "warning",
    thresholds: [T.WRITE_HEAVY_RATIO],
    check: (t) =>
      t.row_cache && t.reads !== null && t.writes !== null && t.writes >= T.WRITE_HEAVY_RATIO.value * Math.max(1, t.reads)
        ? {
            title: `${t.table} caches rows but is written ${t.writes} times for ${t.reads} reads`,
            evidence: `caching = ${t.caching} (${t.origin})`,
            action: `every write invalidates the cached partition: ALTER TABLE ${t.table} WITH caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'};`,
          }
        : null,
  },
  {
    id: "caches.row-cache-candidate",
    severity: "info",
    thresholds: [T.HOT_READS, T.HOT_READ_RATIO],
    check: (t) =>
      !t.row_cache && t.reads !== null && t.writes !== null && t.reads >= T.HOT_READS.value && t.reads >= T.HOT_READ_RATIO.value * Math.max(1, t.writes)
        ? {
            title: `${t.table} is hot and read-heavy (${t.reads} reads, ${t.writes} writes) without a row cache`,
            evidence: `caching = ${t.caching ?? "default"} (${t.origin})`,
            action: `if reads hit the head of partitions: ALTER TABLE ${t.table} WITH caching = {'keys': 'ALL', 'rows_per_partition': '100'}; and set row_cache_size_in_mb`,
          }
        : null,
  },
];
