/**
 * partitionScan() on a recorded source: what the recording says about partitions, without a scan.
 * Evidence (filled in as the parsers land): tablehistograms partition-size percentiles,
 * large-partition warnings in system.log, tablestats "Compacted partition maximum bytes".
 */
import { CassperfError } from "../errors";
import type { TableName } from "../cluster/cql";
import type { Source } from "../cluster/source";

export async function recordedPartitions(source: Source, table: TableName): Promise<never> {
  throw new CassperfError(`partitionScan: ${source.describe()} is recorded; the recorded path for ${table.keyspace}.${table.table} is not built yet.`);
}
