/**
 * The shape of partitionScan()'s report — frames, row types, summary — in one module that the live
 * scan (./partitions.ts) and the recorded evidence (./partitions-recorded.ts) both import, so
 * neither imports the other for a type.
 */
import type { DataFrame, Report, Summary, TypedRows } from "../../present/report";

/**
 * A row of partitionScan()'s `partitions` frame: one of the largest partitions. Live: the scan's
 * counts (key, token, rows, bytes, nodes). Recorded: the large-partition warnings of system.log
 * (key, bytes, node, time, origin).
 */
export interface PartitionRow {
  /** The partition key, its parts joined with ":". */
  key: string;
  /** Live: the partition's token. */
  token?: string;
  /** Live: rows counted in it. */
  rows?: number;
  /** Live with `estimateBytes`: estimated bytes; recorded: the size the warning printed; else null. */
  bytes: number | null;
  /** Live: the replicas of its range, comma-separated. */
  nodes?: string;
  /** Recorded: the node that logged the warning. */
  node?: string;
  /** Recorded: when it was logged (ISO); null when the line has no time. */
  time?: string | null;
  /** Recorded: file:line of the warning. */
  origin?: string;
}

/**
 * A row of partitionScan()'s `distribution` frame. Live: partitions per log2 bucket of rows
 * (min_rows, max_rows, partitions). Recorded: each node's tablehistograms percentile of the table
 * (node, percentile, partition_bytes, cells, origin).
 */
export interface PartitionDistributionRow {
  /** Live: the bucket's lower bound, rows. */
  min_rows?: number;
  /** Live: the bucket's upper bound, rows. */
  max_rows?: number;
  /** Live: partitions in the bucket. */
  partitions?: number;
  /** Recorded: the node whose tablehistograms it is. */
  node?: string;
  /** Recorded: "50", "75", "95", "98", "99", "min", "max". */
  percentile?: string;
  /** Recorded: partition size at that percentile, bytes. */
  partition_bytes?: number | null;
  /** Recorded: cell count at that percentile. */
  cells?: number | null;
  /** Recorded: file:line. */
  origin?: string;
}

/** A row of partitionScan()'s `nodes` frame. Live: rows counted per primary replica. Recorded: each node's tablestats of the table. */
export interface PartitionNodeRow {
  /** The node. */
  node: string;
  /** Live: rows whose partition's primary replica is this node. */
  rows?: number;
  /** Recorded: tablestats' "Number of partitions (estimate)". */
  partitions_estimate?: number | null;
  /** Recorded: tablestats' "Compacted partition maximum bytes". */
  partition_max_bytes?: number | null;
  /** Recorded: tablestats' "Compacted partition mean bytes". */
  partition_mean_bytes?: number | null;
  /** Recorded: file:line. */
  origin?: string;
}

/** A row of partitionScan()'s `failedRanges` frame (live only): a token range no replica could scan. */
export interface FailedRangeRow {
  /** The range's start token (exclusive). */
  start: string;
  /** The range's end token (inclusive). */
  end: string;
  /** Replicas tried, comma-separated. */
  replicas: string;
  /** Their errors, " | "-separated. */
  errors: string;
}

/** partitionScan()'s headline numbers (`summary`): live fields from the scan, recorded fields from the recording's evidence. */
export type PartitionScanSummary = {
  /** keyspace.table. */
  table: string;
  /** Live: partitions counted. */
  partitions?: number;
  /** Live: rows counted. */
  rows?: number;
  /** Live: mean rows per partition; null with no partition. */
  mean_rows?: number | null;
  /** Live: median rows per partition, a log2 bucket's lower bound (exact within a factor of two). */
  median_rows?: number | null;
  /** Live: 99th percentile rows per partition, a log2 bucket's lower bound. */
  p99_rows?: number | null;
  /** Live: rows of the largest partition. */
  max_rows?: number | null;
  /** Live: share of partitions over 1,000 rows (PARTITION_THRESHOLDS.LARGE_ROWS). */
  share_over_1000_rows?: number | null;
  /** Live: token ranges scanned. */
  ranges_scanned?: number;
  /** Live: token ranges in the ring (or the sample). */
  ranges_total?: number;
  /** Live: ranges that failed on every replica. */
  ranges_failed?: number;
  /** Live: true when the scan stopped early or ranges failed. */
  partial?: boolean;
  /** Live: scan time, s. */
  seconds?: number;
  /** Live: rows read per second. */
  rows_per_second?: number | null;
  /** Live, for a table with partitions over LARGE_ROWS: the bucketed CREATE TABLE statement (never executed). */
  bucketing?: string;
  /** Recorded: nodes with any evidence for the table. */
  nodes_with_evidence?: number;
  /** Recorded: the sum of the nodes' partition estimates; null when none. */
  partitions_estimate?: number | null;
  /** Recorded: the largest partition size, bytes; null when unknown. */
  max_partition_bytes?: number | null;
  /** Recorded: where that size was read. */
  max_partition_from?: string | null;
  /** Recorded: the largest p99 partition size of any node, bytes; null when unknown. */
  p99_partition_bytes?: number | null;
  /** Recorded: large-partition warnings naming a key of the table. */
  large_partition_warnings?: number;
  /** Recorded: the key of the largest warned partition. */
  largest_warned_key?: string | null;
};

/**
 * What partitionScan() returns: frames `partitions` (the largest), `distribution`, `nodes` and,
 * live, `failedRanges`; charts of the size distribution and top partitions when there is something
 * to draw; findings from PARTITION_RULES (and SCAN_RULES live). Live and recorded reports fill
 * different columns: each row type says which.
 * @example (await partitionScan("shop.orders")).rows("partitions")[0].key
 * @example (await partitionScan("shop.orders")).summary.max_rows
 */
export type PartitionScanReport = TypedRows<{
  partitions: PartitionRow;
  distribution: PartitionDistributionRow;
  nodes: PartitionNodeRow;
  failedRanges: FailedRangeRow;
}> &
  Report<"partitions" | "distribution" | "nodes" | "failedRanges"> & {
    readonly summary: Summary<PartitionScanSummary>;
    /** The largest partitions (see {@link PartitionRow}). */
    readonly partitions: DataFrame;
    /** The size distribution (see {@link PartitionDistributionRow}). */
    readonly distribution: DataFrame;
    /** Per node (see {@link PartitionNodeRow}). */
    readonly nodes: DataFrame;
    /** Live: token ranges no replica could scan (start, end, replicas, errors). */
    readonly failedRanges: DataFrame;
  };
