/**
 * The one median every "node N× its peers" rule compares with: the median of the OTHER nodes'
 * values (simple-statistics' `median`: the middle value, or the mean of the two middle values).
 *
 * Why the others and not all nodes: a median that includes the node under test is pulled towards
 * it, and with two nodes the upper median IS the larger node, so "max / median ≥ 2" could never
 * fire. Compared with its peers only, a node twice its single peer is flagged on two nodes too.
 * Used by partitionScan's partitions.node-skew, histograms' histograms.node-skew, connections'
 * connections.clients-unbalanced and traces' trace.slow-replica.
 */
import { median } from "./statistics";

/**
 * Median of every value but the one at `index`; undefined when there is no other value.
 * @example peerMedian([100, 300], 1)   // 100: node 1 holds 3× its peer
 */
export function peerMedian(values: readonly number[], index: number): number | undefined {
  if (values.length < 2) return undefined;
  const others = values.filter((_, i) => i !== index);
  return median(others);
}
