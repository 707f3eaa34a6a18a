/**
 * schema.cql from cassandra-driver metadata: CREATE KEYSPACE and CREATE TABLE statements with the
 * options performance work needs (compaction, default_time_to_live, gc_grace_seconds, clustering
 * order, caching, compression, read repair, speculative retry, bloom filter).
 *
 * Written by record(); read back by compactionAdvice() and people. Works on 2.1 (system.schema_*)
 * and 3.0+ (system_schema.*) because the driver hides the difference.
 */
import type { Client } from "cassandra-driver";

/** Keyspaces every cluster has; not part of a recording's schema. */
export const SYSTEM_KEYSPACES = new Set([
  "system",
  "system_auth",
  "system_traces",
  "system_distributed",
  "system_schema",
  "system_views",
  "system_virtual_schema",
  "dse_system",
  "dse_security",
  "dse_auth",
  "dse_leases",
  "dse_insights",
  "dse_insights_local",
  "dse_perf",
  "dse_system_local",
  "solr_admin",
  "OpsCenter",
]);

const TYPE_NAMES: Record<number, string> = {
  0x01: "ascii",
  0x02: "bigint",
  0x03: "blob",
  0x04: "boolean",
  0x05: "counter",
  0x06: "decimal",
  0x07: "double",
  0x08: "float",
  0x09: "int",
  0x0a: "text",
  0x0b: "timestamp",
  0x0c: "uuid",
  0x0d: "text",
  0x0e: "varint",
  0x0f: "timeuuid",
  0x10: "inet",
  0x11: "date",
  0x12: "time",
  0x13: "smallint",
  0x14: "tinyint",
  0x15: "duration",
};

interface TypeInfo {
  code: number;
  info?: unknown;
  options?: { frozen?: boolean };
  customTypeName?: string;
}

/** A driver type descriptor as CQL (`map<text, frozen<list<int>>>`). */
export function cqlType(t: TypeInfo): string {
  const inner = (x: unknown) => cqlType(x as TypeInfo);
  let s: string;
  switch (t.code) {
    case 0x20:
      s = `list<${inner(t.info)}>`;
      break;
    case 0x22:
      s = `set<${inner(t.info)}>`;
      break;
    case 0x21: {
      const [k, v] = t.info as unknown[];
      s = `map<${inner(k)}, ${inner(v)}>`;
      break;
    }
    case 0x30:
      s = quoteId(typeof t.info === "string" ? t.info : (t.info as { name: string }).name);
      break;
    case 0x31:
      s = `tuple<${(t.info as unknown[]).map((x) => inner((x as { type?: unknown }).type ?? x)).join(", ")}>`;
      break;
    case 0x00:
      s = `'${String(t.info ?? t.customTypeName ?? "custom")}'`;
      break;
    default:
      s = TYPE_NAMES[t.code] ?? `unknown_${t.code}`;
  }
  return t.options?.frozen ? `frozen<${s}>` : s;
}

/** Quote an identifier when CQL needs it (upper case, odd characters). */
export function quoteId(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function cqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A JS map of options as a CQL map literal. */
function cqlMap(obj: Record<string, unknown>): string {
  return `{${Object.entries(obj)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${cqlString(k)}: ${cqlString(typeof v === "object" ? JSON.stringify(v) : shortClass(String(v)))}`)
    .join(", ")}}`;
}

/** org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy -> SizeTieredCompactionStrategy (Cassandra resolves both). */
function shortClass(c: string): string {
  return /^org\.apache\.cassandra\.[\w.]+$/.test(c) ? c.split(".").pop()! : c;
}

/** CREATE KEYSPACE for one keyspace's metadata. */
export function createKeyspace(ks: { name: string; strategy: string; strategyOptions: Record<string, unknown>; durableWrites: boolean }): string {
  return `CREATE KEYSPACE ${quoteId(ks.name)} WITH replication = ${cqlMap({ class: shortClass(ks.strategy), ...ks.strategyOptions })} AND durable_writes = ${ks.durableWrites};`;
}

/** CREATE TABLE for one table's metadata (driver TableMetadata). */
export function createTable(keyspace: string, t: any): string {
  const cols = (t.columns as any[]).map((c) => `    ${quoteId(c.name)} ${cqlType(c.type)}${c.isStatic ? " static" : ""},`);
  const pk = (t.partitionKeys as any[]).map((c) => quoteId(c.name));
  const ck = (t.clusteringKeys as any[]).map((c) => quoteId(c.name));
  const key = pk.length > 1 ? `(${pk.join(", ")})` : pk[0];
  const primary = `    PRIMARY KEY (${[key, ...ck].join(", ")})`;
  const opts: string[] = [];
  if (t.isCompact) opts.push("COMPACT STORAGE");
  if (ck.length) opts.push(`CLUSTERING ORDER BY (${ck.map((c, i) => `${c} ${String(t.clusteringOrder[i] ?? "ASC").toUpperCase()}`).join(", ")})`);
  if (t.compactionClass) opts.push(`compaction = ${cqlMap({ class: shortClass(t.compactionClass), ...(t.compactionOptions ?? {}) })}`);
  opts.push(`default_time_to_live = ${t.defaultTtl ?? 0}`);
  opts.push(`gc_grace_seconds = ${t.gcGraceSeconds}`);
  if (t.compression && typeof t.compression === "object") opts.push(`compression = ${cqlMap(t.compression)}`);
  if (t.caching)
    opts.push(
      `caching = ${typeof t.caching === "string" && t.caching.startsWith("{") ? cqlMap(JSON.parse(t.caching)) : typeof t.caching === "object" ? cqlMap(t.caching) : cqlString(String(t.caching))}`,
    );
  opts.push(`bloom_filter_fp_chance = ${t.bloomFilterFalsePositiveChance}`);
  opts.push(`read_repair_chance = ${t.readRepairChance}`);
  opts.push(`dclocal_read_repair_chance = ${t.localReadRepairChance}`);
  if (t.speculativeRetry) opts.push(`speculative_retry = ${cqlString(String(t.speculativeRetry))}`);
  if (t.comment) opts.push(`comment = ${cqlString(String(t.comment))}`);
  return `CREATE TABLE ${quoteId(keyspace)}.${quoteId(t.name)} (\n${cols.join("\n")}\n${primary}\n) WITH ${opts.join("\n    AND ")};`;
}

/**
 * Table names of a keyspace, sorted, from whichever schema tables this Cassandra has
 * (3.0+: system_schema.tables; 2.1: system.schema_columnfamilies); [] when neither answers.
 * @example await tableNames(live.client, "ks")   // ["events", "users"]
 */
export async function tableNames(client: Client, keyspace: string): Promise<string[]> {
  for (const q of [
    "SELECT table_name AS name FROM system_schema.tables WHERE keyspace_name = ?",
    "SELECT columnfamily_name AS name FROM system.schema_columnfamilies WHERE keyspace_name = ?",
  ]) {
    try {
      const r = await client.execute(q, [keyspace], { prepare: true });
      return r.rows.map((row) => String(row.name)).sort();
    } catch {
      /* not this version's schema table */
    }
  }
  return [];
}

/**
 * schema.cql text for the user keyspaces (or the ones named).
 * @example fs.writeFileSync("schema.cql", await schemaCql(live.client))
 */
export async function schemaCql(client: Client, keyspaces?: string[]): Promise<{ text: string; tables: { keyspace: string; table: string }[] }> {
  await client.metadata.refreshKeyspaces();
  const all = client.metadata.keyspaces as Record<string, any>;
  const names = (keyspaces ?? Object.keys(all).filter((k) => !SYSTEM_KEYSPACES.has(k))).filter((k) => all[k]).sort();
  const parts: string[] = [`-- schema captured by cassperf record() from cassandra-driver metadata, ${new Date().toISOString()}`];
  const tables: { keyspace: string; table: string }[] = [];
  for (const ks of names) {
    parts.push("", createKeyspace(all[ks]));
    for (const tn of await tableNames(client, ks)) {
      const t = await client.metadata.getTable(ks, tn);
      if (!t) continue;
      parts.push("", createTable(ks, t));
      tables.push({ keyspace: ks, table: tn });
    }
  }
  return { text: parts.join("\n") + "\n", tables };
}
