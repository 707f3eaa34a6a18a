/**
 * partitionScan(): find large and hot partitions, and say how to bucket them.
 *
 * Live: a parallel token-range scan counting rows per partition (../../cluster/token-scan.ts).
 * Recorded: what the recording says about partitions (partition-size percentiles, large-partition
 * warnings in system.log, tablestats' compacted partition maximum), see ./partitions-recorded.ts.
 * Both end in the same frames, summary and rule table (./partitions-rules.ts); chart specs are in
 * ../../present/charts/partitions.ts.
 */
import { CassperfError, shownValue } from "../../errors";
import { LiveSource } from "../../cluster/live";
import { parseTableName, type TableName } from "../../cluster/cql";
import { consistencyCode, consistencyLevel, type ConsistencyLevel } from "../../cluster/consistency";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { scanTokenRanges, type ScanProgress, type TokenScanResult } from "../../cluster/token-scan";
import { answerOrExplain, makeReport } from "../../present/report";
import type { PartitionScanReport, PartitionScanSummary } from "./partitions-report";
import { partitionCharts } from "../../present/charts/partitions";
import { suggestBucketing, type BucketingAdvice } from "./bucketing";
import { PARTITION_THRESHOLDS, SCAN_RULES, partitionFindings, type PartitionStats } from "./partitions-rules";
import { applyRules } from "../rule";
import { recordedPartitions } from "./partitions-recorded";
import { runOptions } from "../../run-context";
import { plural } from "../../present/plural";

// The rule table, its thresholds and the facts it reads: ./partitions-rules.ts (shared with ./partitions-recorded.ts).
export { PARTITION_RULES, PARTITION_THRESHOLDS, SCAN_RULES, partitionFindings, type PartitionStats } from "./partitions-rules";
export type {
  FailedRangeRow,
  PartitionDistributionRow,
  PartitionNodeRow,
  PartitionRow,
  PartitionScanReport,
  PartitionScanSummary,
} from "./partitions-report";
const T = PARTITION_THRESHOLDS;

/** Options of {@link partitionScan}. */
export interface PartitionScanOptions extends HelperOptions {
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
 */
export async function partitionScan(table: string | TableName, opts?: PartitionScanOptions): Promise<PartitionScanReport> {
  // The calling rule (../../cluster/resolve.ts helperArgs): a path is read as the source; the table is then still needed.
  const a = helperArgs<PartitionScanOptions>("partitionScan", table, opts, "table");
  if (a.subject === undefined) {
    const named = typeof a.source === "string" ? JSON.stringify(a.source) : "source";
    throw new CassperfError('partitionScan: name the table to scan ("keyspace.table") first.', {
      hint: `partitionScan("keyspace.table", { source: ${named} })`,
    });
  }
  return scan(a.subject, { ...a.options, source: a.source });
}

async function scan(table: string | TableName, opts: PartitionScanOptions): Promise<PartitionScanReport> {
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

/** Bucketing advice for a table whose largest partition is over LARGE_ROWS rows (its key, clustering and columns from the driver's metadata). */
async function bucketingOf(source: LiveSource, name: TableName, maxRows: number | undefined): Promise<BucketingAdvice | undefined> {
  const meta = await source.client.metadata.getTable(name.keyspace, name.table);
  const driverTypes = (require("cassandra-driver") as typeof import("cassandra-driver")).types;
  const typeOf = (t: unknown) => {
    try {
      return String((driverTypes as any).getDataTypeNameByCode(t));
    } catch {
      return "blob";
    }
  };
  return meta && maxRows !== undefined && maxRows > T.LARGE_ROWS.value
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
}

/** What the scan says, in the words of the notes: early stop, sampling, ranges moved or retried, failed ranges. */
function scanNotes(r: TokenScanResult, opts: PartitionScanOptions): string[] {
  const notes: string[] = [];
  if (r.stoppedBecause) notes.push(`the scan stopped early (${r.stoppedBecause}): counts cover ${r.rangesScanned} of ${r.rangesTotal} token ranges.`);
  if ((opts.sample ?? 1) < 1)
    notes.push(`sampled ${Math.round((opts.sample ?? 1) * 100)}% of the token ranges: partition counts cover that share of the table.`);
  const moved = r.retried.filter((x) => !x.startsWith("round "));
  if (moved.length) notes.push(`${plural(moved.length, "range")} moved to another replica after a failure: ${moved.slice(0, 3).join("; ")}`);
  for (const x of r.retried.filter((y) => y.startsWith("round "))) notes.push(`retry ${x}`);
  if (r.failed.length) notes.push(`partial: ${plural(r.failed.length, "range")} failed on every replica (listed in the failedRanges frame).`);
  return notes;
}

/** The live scan's report: facts for the rules (PartitionStats), the rules, notes, frames and charts. */
async function liveReport(source: LiveSource, name: TableName, r: TokenScanResult, opts: PartitionScanOptions): Promise<PartitionScanReport> {
  const tableLabel = `${name.keyspace}.${name.table}`;
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
  const bucketing = await bucketingOf(source, name, maxRows);
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
  findings.push(...applyRules(SCAN_RULES, r, "partitionScan"));
  const notes = scanNotes(r, opts);

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
    } satisfies PartitionScanSummary,
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
  }) as PartitionScanReport;
}
