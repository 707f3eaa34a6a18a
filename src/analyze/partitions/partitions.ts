/**
 * partitionScan(): find large and hot partitions, and say how to bucket them.
 *
 * Live: a parallel token-range scan counting rows per partition (../cluster/token-scan.ts).
 * Recorded: what the recording says about partitions (partition-size percentiles, large-partition
 * warnings in system.log, tablestats' compacted partition maximum), see ./partitions-recorded.ts.
 * Both end in the same frames, summary and rule table.
 */
import { peerMedian } from "../peer-median";
import { CassperfError, shownValue } from "../../errors";
import { LiveSource } from "../../cluster/live";
import { parseTableName, type TableName } from "../../cluster/cql";
import { consistencyCode, consistencyLevel, type ConsistencyLevel } from "../../cluster/consistency";
import { existingPath, resolveSource, isSource, type SourceInput } from "../../cluster/resolve";
import { scanTokenRanges, type PartitionCount, type ScanProgress, type TokenScanResult } from "../../cluster/token-scan";
import { answerOrExplain, makeReport, type Finding, type Threshold } from "../../present/report";
import { COUNT_AXIS, distinctLabels } from "../../present/chart";
import { suggestBucketing, type BucketingAdvice } from "./bucketing";
import { recordedPartitions } from "./partitions-recorded";
import { runOptions } from "../../run-context";
import { plural } from "../../present/plural";

/** Options of {@link partitionScan}. */
export interface PartitionScanOptions {
  /**
   * The source to scan (default: the current source). A path opens a recording.
   * @example partitionScan("shop.orders", { source: live })
   */
  source?: SourceInput;
  /**
   * Token ranges scanned at once. Default 8 (2 per core of a small node; raise for big clusters).
   * @example partitionScan("shop.orders", { concurrency: 32 })
   */
  concurrency?: number;
  /** Rows per page. Default 5,000. */
  fetchSize?: number;
  /** Consistency level name. Default "ONE" (a scan reads every replica's data once; ONE is enough). */
  consistency?: "ONE" | "TWO" | "THREE" | "QUORUM" | "ALL" | "LOCAL_ONE" | "LOCAL_QUORUM";
  /**
   * Fraction of token ranges to scan, 0 < sample <= 1. Counts of partitions then cover that
   * fraction only (the report says so). Default 1.
   * @example partitionScan("shop.orders", { sample: 0.1 })
   */
  sample?: number;
  /** Stop after this many rows (the report is marked partial). */
  maxRows?: number;
  /** Stop after this many seconds (the report is marked partial). */
  maxSeconds?: number;
  /** Largest partitions kept in the `partitions` frame. Default 100. */
  top?: number;
  /** Per-request timeout in ms before the range moves to another replica. Default 5,000. */
  timeoutMs?: number;
  /**
   * Extra rounds for ranges that failed on every replica, each after a pause (retryDelayMs x round):
   * coordinators keep choosing a frozen node until gossip marks it down. Default 2 rounds, 5,000 ms.
   * @example partitionScan("shop.orders", { retryRounds: 0 })   // fail fast, list the ranges
   */
  retryRounds?: number;
  retryDelayMs?: number;
  /** Also estimate bytes per partition (selects every column: slower). Default false. */
  estimateBytes?: boolean;
  /**
   * Stream every partition's count to this CSV file: RFC 4180 (fields with a comma, quote, CR or LF
   * quoted, quotes doubled, CRLF line ends), one column per partition-key column named after it,
   * then `token` and `rows`. Refuses an existing file.
   * @example partitionScan("shop.orders", { outFile: "orders-partitions.csv" })
   */
  outFile?: string;
  /** Cancel the scan: the partial result is returned, marked partial. */
  signal?: AbortSignal;
  /**
   * Progress after each range: ranges done of total, rows, rows/s, ETA.
   * @example partitionScan("shop.orders", { onProgress: (p) => console.log(`${p.done}/${p.total}`) })
   */
  onProgress?: (p: ScanProgress) => void;
}

/** The thresholds, in one place, each with the source of its number. */
export const PARTITION_THRESHOLDS = {
  ROWS_CRITICAL: {
    name: "ROWS_CRITICAL",
    value: 10_000,
    unit: "rows",
    source: "cassperf's choice (no published threshold found): a partition over 10,000 rows is critical",
  },
  BYTES_CRITICAL: {
    name: "BYTES_CRITICAL",
    value: 100 * 2 ** 20,
    unit: "bytes",
    source: "Cassandra's compaction_large_partition_warning_threshold_mb (cassandra.yaml default 100: compaction warns about larger partitions)",
  },
  MEAN_ROWS_WARN: { name: "MEAN_ROWS_WARN", value: 1_000, unit: "rows", source: "cassperf's choice: mean partition over 1,000 rows" },
  LARGE_ROWS: { name: "LARGE_ROWS", value: 1_000, unit: "rows", source: "cassperf's choice: what counts as a large partition for the share rule" },
  LARGE_SHARE_WARN: { name: "LARGE_SHARE_WARN", value: 0.1, unit: "fraction", source: "cassperf's choice: over 10% of partitions above 1,000 rows" },
  NODE_SKEW_RATIO: {
    name: "NODE_SKEW_RATIO",
    value: 2,
    unit: "x",
    source: "a node holding twice the median of the other nodes' rows is a hotspot (same ratio and median as histograms())",
  },
} satisfies Record<string, Threshold>;

/** What the rules see: one table's partition statistics, live or recorded. */
export interface PartitionStats {
  table: string;
  partitions: number;
  meanRows?: number;
  maxRows?: number;
  shareOverLarge?: number;
  maxBytes?: number;
  /** Largest partitions with their counts (live) or sizes (recorded). */
  top: { key: string; rows?: number; bytes?: number; origin: string }[];
  rowsPerNode: Record<string, number>;
  bucketing?: BucketingAdvice;
  origin: string;
}

interface Rule {
  id: string;
  severity: Finding["severity"];
  threshold: Threshold;
  check: (s: PartitionStats) => Omit<Finding, "severity" | "id"> | undefined;
}

const T = PARTITION_THRESHOLDS;
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });
const mb = (b: number) => `${(b / 2 ** 20).toLocaleString("en-US", { maximumFractionDigits: 1 })} MB`;
const bucketAction = (s: PartitionStats, fallback: string) => (s.bucketing ? `${s.bucketing.explanation}\n${s.bucketing.statement}` : fallback);

/** The rule table. Each rule names its threshold; the action carries the bucketing statement. */
export const PARTITION_RULES: Rule[] = [
  {
    id: "partitions.rows-over-critical",
    severity: "critical",
    threshold: T.ROWS_CRITICAL,
    check: (s) => {
      const big = s.top.filter((p) => (p.rows ?? 0) > T.ROWS_CRITICAL.value);
      if (!big.length) return undefined;
      return {
        title: `${big.length} partition${big.length === 1 ? "" : "s"} of ${s.table} over ${fmt(T.ROWS_CRITICAL.value)} rows (largest ${fmt(big[0].rows!)})`,
        evidence:
          big
            .slice(0, 5)
            .map((p) => `${p.key}: ${fmt(p.rows!)} rows`)
            .join("; ") + ` (${s.origin})`,
        action: bucketAction(s, "bucket the partition key (time or hash buckets)"),
      };
    },
  },
  {
    id: "partitions.bytes-over-critical",
    severity: "critical",
    threshold: T.BYTES_CRITICAL,
    check: (s) => {
      const big = s.top.filter((p) => (p.bytes ?? 0) > T.BYTES_CRITICAL.value);
      const maxBytes = s.maxBytes ?? 0;
      if (!big.length && maxBytes <= T.BYTES_CRITICAL.value) return undefined;
      const evidence = big.length
        ? big
            .slice(0, 5)
            .map((p) => `${p.key}: ${mb(p.bytes!)} (${p.origin})`)
            .join("; ")
        : `largest partition ${mb(maxBytes)} (${s.origin})`;
      return {
        title: `partitions of ${s.table} over ${mb(T.BYTES_CRITICAL.value)}`,
        evidence,
        action: bucketAction(s, "bucket the partition key so no partition passes 100 MB"),
      };
    },
  },
  {
    id: "partitions.mean-rows-high",
    severity: "warning",
    threshold: T.MEAN_ROWS_WARN,
    check: (s) =>
      s.meanRows !== undefined && s.meanRows > T.MEAN_ROWS_WARN.value
        ? {
            title: `mean partition of ${s.table} holds ${fmt(s.meanRows)} rows (over ${fmt(T.MEAN_ROWS_WARN.value)})`,
            evidence: `${fmt(s.partitions)} partitions scanned (${s.origin})`,
            action: bucketAction(s, "bucket the partition key"),
          }
        : undefined,
  },
  {
    id: "partitions.many-large",
    severity: "warning",
    threshold: T.LARGE_SHARE_WARN,
    check: (s) =>
      s.shareOverLarge !== undefined && s.shareOverLarge > T.LARGE_SHARE_WARN.value
        ? {
            title: `${(s.shareOverLarge * 100).toFixed(1)}% of ${s.table}'s partitions hold over ${fmt(T.LARGE_ROWS.value)} rows`,
            evidence: `threshold ${T.LARGE_SHARE_WARN.value * 100}% (${s.origin})`,
            action: bucketAction(s, "bucket the partition key"),
          }
        : undefined,
  },
  {
    id: "partitions.node-skew",
    severity: "warning",
    threshold: T.NODE_SKEW_RATIO,
    /** Each node's rows against the median of the OTHER nodes' rows (./peer-median.ts), so two nodes can be compared. */
    check: (s) => {
      const entries = Object.entries(s.rowsPerNode);
      if (entries.length < 2) return undefined;
      const values = entries.map(([, v]) => v);
      let worst: { node: string; rows: number; median: number } | undefined;
      entries.forEach(([node, rows], i) => {
        const median = peerMedian(values, i);
        if (median === undefined || median <= 0) return;
        if (!worst || rows / median > worst.rows / worst.median) worst = { node, rows, median };
      });
      if (!worst || worst.rows / worst.median < T.NODE_SKEW_RATIO.value) return undefined;
      const { node, rows, median } = worst;
      return {
        title: `${node} owns ${(rows / median).toFixed(1)}x the rows of ${s.table} its peers hold (median of the other ${entries.length - 1} node(s): ${fmt(median)})`,
        evidence: entries.map(([n, v]) => `${n}: ${fmt(v)} rows`).join("; "),
        action: "a few hot partitions concentrate on one replica set: bucket them; check token balance with nodetool status",
        node,
      };
    },
  },
];

/** Run the rule table. */
export function partitionFindings(s: PartitionStats): Finding[] {
  const out: Finding[] = [];
  for (const r of PARTITION_RULES) {
    const f = r.check(s);
    if (f) out.push({ severity: r.severity, id: r.id, helper: "partitionScan", ...f });
  }
  return out;
}

/** The levels a scan may read at (src/cluster/consistency.ts is the one normaliser). */
const SCAN_CONSISTENCY: ConsistencyLevel[] = ["ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "LOCAL_ONE"];

function validate(opts: PartitionScanOptions): void {
  const positiveInt = (name: keyof PartitionScanOptions) => {
    const v = opts[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v <= 0))
      throw new CassperfError(`partitionScan: option ${name} must be a positive whole number; got ${shownValue(v)}.`);
  };
  for (const k of ["concurrency", "fetchSize", "maxRows", "top", "timeoutMs", "retryDelayMs"] as const) positiveInt(k);
  if (opts.retryRounds !== undefined && !(Number.isInteger(opts.retryRounds) && opts.retryRounds >= 0))
    throw new CassperfError(`partitionScan: option retryRounds must be a whole number >= 0; got ${shownValue(opts.retryRounds)}.`);
  if (opts.sample !== undefined && !(typeof opts.sample === "number" && opts.sample > 0 && opts.sample <= 1))
    throw new CassperfError(`partitionScan: option sample must be a fraction in (0, 1]; got ${shownValue(opts.sample)}.`);
  if (opts.maxSeconds !== undefined && !(typeof opts.maxSeconds === "number" && opts.maxSeconds > 0))
    throw new CassperfError(`partitionScan: option maxSeconds must be a positive number; got ${shownValue(opts.maxSeconds)}.`);
  if (opts.consistency !== undefined) consistencyLevel(opts.consistency, "partitionScan", SCAN_CONSISTENCY);
}

/** Bucket label for a log2 bucket index: [2^i, 2^(i+1)). */
function bucketBounds(i: number): [number, number] {
  return [2 ** i, 2 ** (i + 1) - 1];
}

/**
 * partitionScan(): the largest partitions of a table, the size distribution, skew per node, and
 * bucketing advice as a CREATE TABLE statement (never executed).
 * @example await partitionScan("shop.orders")                                  // live: scans every token range
 * @example await partitionScan("shop.orders", { sample: 0.1, concurrency: 16 })
 * @example await partitionScan("keyspace1.standard1", { source: await open("bundle.tar.gz") })  // recorded evidence
 * @example await partitionScan("bundle.tar.gz", "keyspace1.standard1")   // a path is read as the source
 */
export async function partitionScan(table: string | TableName, opts?: PartitionScanOptions): Promise<Awaited<ReturnType<typeof scan>>>;
export async function partitionScan(path: string, table: string | TableName, opts?: PartitionScanOptions): Promise<Awaited<ReturnType<typeof scan>>>;
export async function partitionScan(first: string | TableName, second?: PartitionScanOptions | string | TableName, third: PartitionScanOptions = {}) {
  if (isSource(first)) throw new CassperfError('partitionScan: the first argument is the table ("keyspace.table"); pass a source as { source }.');
  // partitionScan("path/to/bundle", "ks.t"): a path is read as a source (as gcStats(path) is); the table comes next.
  const asPath = existingPath(first);
  if (asPath !== undefined) {
    if (typeof second !== "string" && !(second && typeof (second as TableName).keyspace === "string")) {
      throw new CassperfError(
        `partitionScan: ${JSON.stringify(asPath)} is a path, read as the source; name the table too: partitionScan(${JSON.stringify(asPath)}, "keyspace.table").`,
        { hint: `or partitionScan("keyspace.table", { source: ${JSON.stringify(asPath)} })` },
      );
    }
    return scan(second as string | TableName, { ...third, source: asPath });
  }
  return scan(first, (second as PartitionScanOptions | undefined) ?? {});
}

async function scan(table: string | TableName, opts: PartitionScanOptions) {
  validate(opts ?? {});
  const name = parseTableName(table, "partitionScan");
  const source = await resolveSource(opts.source, "partitionScan");
  // A recording without evidence for the table gives an empty report that says why (answerOrExplain).
  if (!(source instanceof LiveSource))
    return answerOrExplain("partitionScan", ["partitions", "distribution", "nodes", "sizes"] as const, () => recordedPartitions(source, name));
  // The caller's signal/progress, else the REPL line's or notebook cell's (Ctrl-C cancels, the bar advances).
  const run = runOptions({
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: (p) => opts.onProgress!(p as ScanProgress) } : {}),
  });

  const result = await scanTokenRanges(source.client, name, {
    concurrency: opts.concurrency ?? 8,
    fetchSize: opts.fetchSize ?? 5000,
    consistency: consistencyCode(consistencyLevel(opts.consistency ?? "ONE", "partitionScan", SCAN_CONSISTENCY)),
    topN: opts.top ?? 100,
    sample: opts.sample ?? 1,
    timeoutMs: opts.timeoutMs ?? 5000,
    retryRounds: opts.retryRounds ?? 2,
    retryDelayMs: opts.retryDelayMs ?? 5000,
    estimateBytes: opts.estimateBytes ?? false,
    countOver: T.LARGE_ROWS.value,
    ...(opts.maxRows ? { maxRows: opts.maxRows } : {}),
    ...(opts.maxSeconds ? { maxSeconds: opts.maxSeconds } : {}),
    ...(opts.outFile ? { outFile: opts.outFile } : {}),
    signal: run.signal,
    onProgress: (p: ScanProgress) => run.onProgress(p),
  });
  return liveReport(source, name, result, opts);
}

async function liveReport(source: LiveSource, name: TableName, r: TokenScanResult, opts: PartitionScanOptions) {
  const tableLabel = `${name.keyspace}.${name.table}`;
  const meta = await source.client.metadata.getTable(name.keyspace, name.table);
  const driverTypes = (require("cassandra-driver") as typeof import("cassandra-driver")).types;
  const typeOf = (t: unknown) => {
    try {
      return String((driverTypes as any).getDataTypeNameByCode(t));
    } catch {
      return "blob";
    }
  };
  const largeCount = r.partitionsOver;
  // The median and p99 come from the log2 histogram: exact to within a factor of two.
  const quantile = (q: number) => {
    let seen = 0;
    const want = q * r.partitions;
    for (let i = 0; i < r.histogram.length; i++) {
      seen += r.histogram[i];
      if (seen >= want) return bucketBounds(i)[0];
    }
    return undefined;
  };
  const maxRows = r.top[0]?.rows;
  const bucketing =
    meta && maxRows !== undefined && maxRows > T.LARGE_ROWS.value
      ? suggestBucketing({
          keyspace: name.keyspace,
          table: name.table,
          partitionKey: meta.partitionKeys.map((c) => ({ name: c.name, type: typeOf(c.type) })),
          clustering: meta.clusteringKeys.map((c, i) => ({
            name: c.name,
            type: typeOf(c.type),
            order: (meta.clusteringOrder?.[i] as "ASC" | "DESC") ?? "ASC",
          })),
          columns: meta.columns.map((c) => ({ name: c.name, type: typeOf(c.type) })),
          maxRows,
        })
      : undefined;
  const stats: PartitionStats = {
    table: tableLabel,
    partitions: r.partitions,
    ...(r.partitions ? { meanRows: r.rows / r.partitions, shareOverLarge: largeCount / r.partitions } : {}),
    ...(maxRows !== undefined ? { maxRows } : {}),
    ...(opts.estimateBytes && r.top.length ? { maxBytes: Math.max(...r.top.map((p) => p.bytes ?? 0)) } : {}),
    top: r.top.map((p) => ({ key: p.key, rows: p.rows, ...(p.bytes !== undefined ? { bytes: p.bytes } : {}), origin: "live scan" })),
    rowsPerNode: r.rowsPerNode,
    ...(bucketing ? { bucketing } : {}),
    origin: `live scan of ${r.rangesScanned} token ranges`,
  };
  const findings = partitionFindings(stats);
  if (r.failed.length) {
    findings.push({
      severity: "warning",
      id: "partitions.ranges-failed",
      helper: "partitionScan",
      title: `${r.failed.length} token range${r.failed.length === 1 ? "" : "s"} could not be scanned on any replica: the scan is partial`,
      evidence: r.failed
        .slice(0, 3)
        .map((f) => `(${f.start}, ${f.end}] on ${f.replicas.join(", ")}: ${f.errors.join(" | ")}`)
        .join("; "),
      action: "check the replicas' health (nodetool status) and scan again; the failed ranges are in the failedRanges frame",
    });
  }
  const notes: string[] = [];
  if (r.stoppedBecause) notes.push(`the scan stopped early (${r.stoppedBecause}): counts cover ${r.rangesScanned} of ${r.rangesTotal} token ranges.`);
  if ((opts.sample ?? 1) < 1)
    notes.push(`sampled ${Math.round((opts.sample ?? 1) * 100)}% of the token ranges: partition counts cover that share of the table.`);
  const moved = r.retried.filter((x) => !x.startsWith("round "));
  if (moved.length) notes.push(`${plural(moved.length, "range")} moved to another replica after a failure: ${moved.slice(0, 3).join("; ")}`);
  for (const x of r.retried.filter((y) => y.startsWith("round "))) notes.push(`retry ${x}`);
  if (r.failed.length) notes.push(`partial: ${plural(r.failed.length, "range")} failed on every replica (listed in the failedRanges frame).`);

  const dist = r.histogram.map((n, i) => ({ min_rows: bucketBounds(i)[0], max_rows: bucketBounds(i)[1], partitions: n })).filter((d) => d.partitions > 0);
  const top = r.top;
  return makeReport({
    helper: "partitionScan",
    title: `${tableLabel}: ${r.partitions.toLocaleString("en-US")} partitions, ${r.rows.toLocaleString("en-US")} rows${r.partial ? " (partial)" : ""}`,
    source: source.describe(),
    summary: {
      table: tableLabel,
      partitions: r.partitions,
      rows: r.rows,
      mean_rows: r.partitions ? Math.round((r.rows / r.partitions) * 10) / 10 : null,
      median_rows: quantile(0.5) ?? null,
      p99_rows: quantile(0.99) ?? null,
      max_rows: maxRows ?? null,
      share_over_1000_rows: r.partitions ? largeCount / r.partitions : null,
      ranges_scanned: r.rangesScanned,
      ranges_total: r.rangesTotal,
      ranges_failed: r.failed.length,
      partial: r.partial,
      seconds: Math.round(r.elapsedMs / 100) / 10,
      rows_per_second: r.elapsedMs ? Math.round((r.rows * 1000) / r.elapsedMs) : null,
      ...(bucketing ? { bucketing: bucketing.statement } : {}),
    },
    findings,
    notes,
    frames: {
      partitions: {
        key: top.map((p) => p.key),
        token: top.map((p) => p.token),
        rows: top.map((p) => p.rows),
        bytes: top.map((p) => p.bytes ?? null),
        nodes: top.map((p) => p.nodes.join(",")),
      },
      distribution: { min_rows: dist.map((d) => d.min_rows), max_rows: dist.map((d) => d.max_rows), partitions: dist.map((d) => d.partitions) },
      nodes: { node: Object.keys(r.rowsPerNode), rows: Object.values(r.rowsPerNode) },
      failedRanges: {
        start: r.failed.map((f) => f.start),
        end: r.failed.map((f) => f.end),
        replicas: r.failed.map((f) => f.replicas.join(",")),
        errors: r.failed.map((f) => f.errors.join(" | ")),
      },
    },
    charts: partitionCharts(tableLabel, dist, top, r.rowsPerNode),
  });
}

/**
 * The charts with something to draw: size histogram (log), top partitions, rows per node. An
 * empty scan (no rows) gives none: an axis without marks explains nothing.
 */
export function partitionCharts(
  tableLabel: string,
  dist: { min_rows: number; max_rows: number; partitions: number }[],
  top: Pick<PartitionCount, "key" | "rows">[],
  rowsPerNode: Record<string, number>,
) {
  const keys = distinctLabels(
    top.slice(0, 20).map((p) => p.key),
    40,
  );
  const charts: Record<string, () => Record<string, unknown>> = {};
  if (dist.some((d) => d.partitions > 0))
    charts.histogram = () => ({
      title: `${tableLabel}: partitions by rows (log2 buckets, log scale)`,
      width: 520,
      height: 260,
      data: {
        values: dist.map((d) => ({
          bucket: d.min_rows === d.max_rows ? `${d.min_rows}` : `${d.min_rows}–${d.max_rows}`,
          min: d.min_rows,
          partitions: d.partitions,
        })),
      },
      mark: { type: "bar", tooltip: true },
      encoding: {
        x: { field: "bucket", type: "ordinal", sort: { field: "min" }, title: "rows per partition" },
        y: { field: "partitions", type: "quantitative", scale: { type: "log" }, stack: null, title: "partitions (log)", axis: COUNT_AXIS },
      },
    });
  if (top.length)
    charts.top = () => ({
      title: `${tableLabel}: largest partitions (top ${Math.min(20, top.length)})`,
      width: 520,
      height: Math.max(80, 18 * Math.min(20, top.length)),
      data: { values: top.slice(0, 20).map((p) => ({ key: keys.get(p.key), rows: p.rows })) },
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "key", type: "nominal", sort: "-x", title: null, axis: { labelLimit: 400 } },
        x: { field: "rows", type: "quantitative", title: "rows", axis: COUNT_AXIS },
      },
    });
  if (Object.values(rowsPerNode).some((n) => n > 0))
    charts.nodes = () => ({
      title: `${tableLabel}: rows per node (primary replica)`,
      width: 520,
      height: Math.max(60, 24 * Object.keys(rowsPerNode).length),
      data: { values: Object.entries(rowsPerNode).map(([node, rows]) => ({ node, rows })) },
      mark: { type: "bar", tooltip: true },
      encoding: { y: { field: "node", type: "nominal", title: null }, x: { field: "rows", type: "quantitative", title: "rows", axis: COUNT_AXIS } },
    });
  return charts;
}
