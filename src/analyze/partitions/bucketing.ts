/**
 * Bucketing advice: how to split an oversized partition, as a CREATE TABLE statement for a new
 * table. Never executed: the user migrates data on their own terms.
 *
 * - When a clustering column is a time (timestamp, timeuuid, date), add a time bucket to the
 *   partition key, sized so a bucket holds about TARGET_ROWS_PER_PARTITION rows at the observed
 *   rate (day, hour or month).
 * - Otherwise add a hash bucket (`bucket int`, 0..N-1) with N = ceil(largest / TARGET_ROWS_PER_PARTITION).
 */
import { quoteIdent } from "../../cluster/cql";

/** Rows per partition a bucketed design aims for (well under the 10,000-row critical threshold). */
export const TARGET_ROWS_PER_PARTITION = 1_000;

const TIME_TYPES = new Set(["timestamp", "timeuuid", "date"]);

export interface BucketingInput {
  keyspace: string;
  table: string;
  partitionKey: { name: string; type: string }[];
  clustering: { name: string; type: string; order?: "ASC" | "DESC" }[];
  /** Other columns (name, type), when known. */
  columns?: { name: string; type: string }[];
  /** The largest partition's row count. */
  maxRows: number;
}

export interface BucketingAdvice {
  kind: "time" | "hash";
  /** For time buckets: "day", "hour" or "month". */
  granularity?: string;
  /** For hash buckets: how many. */
  buckets?: number;
  statement: string;
  explanation: string;
}

/** Suggest a bucketed table for a table with oversized partitions. */
export function suggestBucketing(input: BucketingInput): BucketingAdvice {
  const timeCol = input.clustering.find((c) => TIME_TYPES.has(c.type));
  const newTable = `${input.table}_bucketed`;
  const cols = [
    ...input.partitionKey,
    ...input.clustering,
    ...(input.columns ?? []).filter((c) => !input.partitionKey.some((p) => p.name === c.name) && !input.clustering.some((k) => k.name === c.name)),
  ];
  const clusteringOrder = input.clustering.length
    ? ` WITH CLUSTERING ORDER BY (${input.clustering.map((c) => `${quoteIdent(c.name)} ${c.order ?? "ASC"}`).join(", ")})`
    : "";
  const pkNames = input.partitionKey.map((c) => quoteIdent(c.name));
  const ckNames = input.clustering.map((c) => quoteIdent(c.name));
  const create = (bucketCol: string, bucketType: string) =>
    `CREATE TABLE ${quoteIdent(input.keyspace)}.${quoteIdent(newTable)} (\n` +
    cols.map((c) => `  ${quoteIdent(c.name)} ${c.type},\n`).join("") +
    `  ${quoteIdent(bucketCol)} ${bucketType},\n` +
    `  PRIMARY KEY ((${[...pkNames, quoteIdent(bucketCol)].join(", ")})${ckNames.length ? ", " + ckNames.join(", ") : ""})\n)${clusteringOrder};`;
  if (timeCol) {
    // Without a write rate we size by the skew: the more rows, the finer the bucket.
    const granularity = input.maxRows > 100_000 ? "hour" : input.maxRows > 10_000 ? "day" : "month";
    return {
      kind: "time",
      granularity,
      statement: create(`${granularity}_bucket`, granularity === "hour" ? "timestamp" : "date"),
      explanation: `${quoteIdent(timeCol.name)} is a ${timeCol.type}: add a ${granularity} bucket to the partition key (truncate ${timeCol.name} to the ${granularity} when writing) so each partition holds one ${granularity}; reads of a time range query the buckets it spans.`,
    };
  }
  const buckets = Math.max(2, Math.ceil(input.maxRows / TARGET_ROWS_PER_PARTITION));
  return {
    kind: "hash",
    buckets,
    statement: create("bucket", "int"),
    explanation: `no clustering column is a time: add bucket int (0..${buckets - 1}, e.g. hash of the clustering key mod ${buckets}) to the partition key so the largest partition (${input.maxRows.toLocaleString("en-US")} rows) splits into ~${TARGET_ROWS_PER_PARTITION.toLocaleString("en-US")}-row partitions; reads of a whole logical partition query all ${buckets} buckets in parallel.`,
  };
}
