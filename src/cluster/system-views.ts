/**
 * Cassandra 4.0+ virtual tables (`system_views`) over CQL: what a plain connect() can read about
 * each node without nodetool — caches, clients, thread pools, settings, sstable tasks, and the
 * table-metric latency tables histograms() reads.
 *
 * Virtual tables are node-local: a query answers for the node that coordinates it, so every read
 * here is pinned to one host (the driver's `host` execution option) and each row carries where it
 * came from ("live system_views.caches on 127.0.7.2"). Nodes older than 4.0 have no system_views;
 * they are listed in `skipped` so callers fall back to nodetool for them and say so.
 * Column names are those of Cassandra 5.0's db/virtual/*Table.java (checked on a real 5.0.9 lab).
 */
import type { Client } from "cassandra-driver";
import type { LiveSource } from "./live";

/** The virtual tables read by the monitors, with the Cassandra class that defines each. */
export const VIRTUAL_TABLES = {
  caches: "CachesTable.java (key, row, counter and chunk cache: capacity_bytes, entry_count, hit_count, request_count, size_bytes, recent_*_per_second)",
  clients:
    "ClientsTable.java (one row per native connection: address, port, driver_name, driver_version, protocol_version, request_count, username, keyspace_name)",
  thread_pools: "ThreadPoolsTable.java (name, active_tasks, active_tasks_limit, pending_tasks, blocked_tasks, blocked_tasks_all_time, completed_tasks)",
  settings: "SettingsTable.java (name, value: the node's cassandra.yaml as running)",
  sstable_tasks: "SSTableTasksTable.java (running compactions and other sstable operations: kind, progress, total, unit)",
} as const;

/** One node's answer from one virtual table. */
export interface ViewRead {
  node: string;
  rows: Record<string, unknown>[];
  /** "live system_views.<table> on <node>". */
  origin: string;
}

/** The nodes of a live source that run Cassandra 4.0+ (have system_views), and the others. */
export function viewNodes(source: LiveSource): { nodes: string[]; older: string[] } {
  const versions = source.versions();
  const nodes: string[] = [];
  const older: string[] = [];
  for (const [node, v] of Object.entries(versions)) (Number(/^(\d+)/.exec(v ?? "")?.[1] ?? 0) >= 4 ? nodes : older).push(node);
  return { nodes: nodes.sort(), older: older.sort() };
}

/**
 * Read `system_views.<table>` on every 4.0+ node of a live source, each query pinned to its node.
 * A node whose read fails is named in `failed` with the driver's message (the caller falls back).
 * @example const { reads } = await readViews(live, "thread_pools"); reads[0].rows[0].pending_tasks
 */
export async function readViews(
  source: LiveSource,
  table: keyof typeof VIRTUAL_TABLES | string,
  where = "",
  params: unknown[] = [],
): Promise<{ reads: ViewRead[]; older: string[]; failed: { node: string; error: string }[] }> {
  const { nodes, older } = viewNodes(source);
  const client: Client = source.client;
  const hosts = new Map(client.hosts.values().map((h) => [h.address.replace(/:\d+$/, ""), h]));
  const reads: ViewRead[] = [];
  const failed: { node: string; error: string }[] = [];
  for (const node of nodes) {
    const host = hosts.get(node);
    if (!host || !host.isUp()) {
      failed.push({ node, error: "the driver sees the node down" });
      continue;
    }
    try {
      const rs = await client.execute(`SELECT * FROM system_views.${table}${where ? ` ${where}` : ""}`, params, {
        host,
        prepare: false,
        isIdempotent: true,
      } as never);
      reads.push({ node, rows: rs.rows as unknown as Record<string, unknown>[], origin: `live system_views.${table} on ${node}` });
    } catch (e) {
      failed.push({ node, error: (e as Error).message.slice(0, 160) });
    }
  }
  return { reads, older, failed };
}

/** A driver value (Long, BigDecimal, number, string) as a number; null when missing or not numeric. */
export function viewNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === "number" ? v : Number(String(v));
  return Number.isFinite(n) ? n : null;
}
