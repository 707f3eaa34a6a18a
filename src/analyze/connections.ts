/**
 * connections(): the live source's own driver state — hosts, datacenter, rack, up/down, open
 * connections and in-flight requests per host — plus the load-balancing policy and pooling
 * options, with seed 1's ConnectionOptimizer rules. Recorded sources: `nodetool clientstats`.
 */
import { CassperfError } from "../errors";
import { LiveSource } from "../cluster/live";
import { resolveSource, type SourceInput } from "../cluster/resolve";
import type { Source } from "../cluster/source";
import { makeReport, type Finding, type Threshold } from "../present/report";

/** Options of {@link connections}. */
export interface ConnectionsOptions {
  /**
   * Requests your application keeps in flight at once, to size the pool (seed 1's rule:
   * core connections per host = ceil(concurrency / nodes / requests per connection)).
   * @example connections(live, { expectedConcurrency: 512 })
   */
  expectedConcurrency?: number;
}

export const CONNECTION_THRESHOLDS = {
  IN_FLIGHT_PER_HOST: { name: "IN_FLIGHT_PER_HOST", value: 100, unit: "requests", source: "seed 1 ConnectionOptimizer: over 100 in flight on one host is unhealthy" },
  MAX_REQUESTS_PER_CONNECTION: { name: "MAX_REQUESTS_PER_CONNECTION", value: 2048, unit: "requests", source: "cassandra-driver default for protocol v3+ (client-options.js)" },
} satisfies Record<string, Threshold>;
const T = CONNECTION_THRESHOLDS;

/**
 * connections(): hosts, pools and in-flight requests of a live source's driver.
 * @example await connections()                           // the current (live) source
 * @example await connections(live, { expectedConcurrency: 256 })
 */
export async function connections(input?: SourceInput, options: ConnectionsOptions = {}) {
  const source = await resolveSource(input, "connections");
  if (!(source instanceof LiveSource)) return recordedConnections(source);
  const client = source.client;
  const state = client.getState();
  const connected = new Set(state.getConnectedHosts().map((h) => h.address));
  const hosts = client.hosts.values().map((h) => ({
    host: h.address.replace(/:\d+$/, ""),
    datacenter: h.datacenter,
    rack: h.rack,
    up: h.isUp(),
    version: h.cassandraVersion,
    open_connections: connected.has(h.address) ? state.getOpenConnections(h) : 0,
    in_flight: connected.has(h.address) ? state.getInFlightQueries(h) : 0,
  }));
  const opts = (client as unknown as { options: unknown }).options as { pooling?: { coreConnectionsPerHost?: Record<number, number>; maxRequestsPerConnection?: number }; policies?: { loadBalancing?: { constructor: { name: string }; localDc?: string } }; localDataCenter?: string };
  const lb = opts.policies?.loadBalancing;
  const lbName = lb?.constructor?.name ?? "unknown";
  const localDc = opts.localDataCenter ?? lb?.localDc ?? null;
  const maxPerConn = opts.pooling?.maxRequestsPerConnection ?? T.MAX_REQUESTS_PER_CONNECTION.value;
  const coreLocal = opts.pooling?.coreConnectionsPerHost?.[0] ?? 1;
  const findings: Finding[] = [];
  for (const h of hosts) {
    if (!h.up) findings.push({ severity: "critical", id: "connections.host-down", helper: "connections", node: h.host, title: `${h.host} is down (driver's view)`, evidence: `datacenter ${h.datacenter}, rack ${h.rack}`, action: "check the node (nodetool status, its system.log); the driver routes around it meanwhile" });
    else if (h.open_connections === 0) findings.push({ severity: "warning", id: "connections.no-connections", helper: "connections", node: h.host, title: `${h.host} is up but the driver has no open connection to it`, evidence: `datacenter ${h.datacenter}; load-balancing ${lbName}`, action: "expected for remote-DC hosts under a DC-aware policy; otherwise check the node's native port (9042) and TLS settings" });
    if (h.in_flight > T.IN_FLIGHT_PER_HOST.value) findings.push({ severity: "warning", id: "connections.in-flight", helper: "connections", node: h.host, title: `${h.host} has ${h.in_flight} requests in flight (over ${T.IN_FLIGHT_PER_HOST.value})`, evidence: `${h.open_connections} connections`, action: "the node is slow or overloaded: look at its thread pools (tpstats) and GC; or add connections if its latency is fine" });
  }
  const dcs = [...new Set(hosts.map((h) => h.datacenter))];
  if (!/DCAware|TokenAware|DefaultLoadBalancing/i.test(lbName) || (dcs.length > 1 && !localDc))
    findings.push({ severity: "warning", id: "connections.lb-policy", helper: "connections", title: `load-balancing policy ${lbName}${localDc ? "" : " without a local datacenter"}`, evidence: `datacenters: ${dcs.join(", ")}`, action: "use a token-aware, DC-aware policy with localDataCenter set (the driver's default policy does both when localDataCenter is given)" });
  if (options.expectedConcurrency) {
    const up = hosts.filter((h) => h.up).length || 1;
    const need = Math.ceil(options.expectedConcurrency / up / maxPerConn);
    if (need > coreLocal) findings.push({ severity: "warning", id: "connections.pool-size", helper: "connections", title: `${options.expectedConcurrency} concurrent requests need ${need} connections per host; the pool keeps ${coreLocal}`, evidence: `${up} hosts up, ${maxPerConn} requests per connection`, action: `pooling: { coreConnectionsPerHost: { [distance.local]: ${need} } }` });
  }
  return makeReport({
    helper: "connections",
    title: `${hosts.length} hosts, ${hosts.filter((h) => h.up).length} up`,
    source: source.describe(),
    summary: { hosts: hosts.length, up: hosts.filter((h) => h.up).length, down: hosts.filter((h) => !h.up).length, open_connections: hosts.reduce((a, h) => a + h.open_connections, 0), in_flight: hosts.reduce((a, h) => a + h.in_flight, 0), load_balancing: lbName, local_datacenter: localDc, core_connections_per_host: coreLocal, max_requests_per_connection: maxPerConn },
    findings,
    frames: { hosts: Object.fromEntries((["host", "datacenter", "rack", "up", "version", "open_connections", "in_flight"] as const).map((k) => [k, hosts.map((h) => h[k])])) },
  });
}

/** Recorded: `nodetool clientstats` output, one row per client connection. */
async function recordedConnections(source: Source) {
  const files = source.files({ kind: "nodetool", command: "clientstats" });
  if (!files.length) throw new CassperfError(`connections: ${source.describe()} is recorded and has no nodetool clientstats output; the driver's own state needs a live source.`, { hint: "connect() to the cluster, or add nodes/<node>/nodetool/clientstats" });
  const rows: Record<string, unknown>[] = [];
  for (const f of files) {
    const lines = (await source.readText(f)).split("\n");
    const header = lines.findIndex((l) => /^Address\s+/.test(l));
    if (header < 0) continue;
    const cols = lines[header].trim().split(/\s{2,}|\s(?=[A-Z][a-z-]+(?:\s|$))/).map((c) => c.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_"));
    for (const l of lines.slice(header + 1)) {
      if (!l.trim() || /^Total connected clients/i.test(l)) continue;
      const vals = l.trim().split(/\s+/);
      rows.push({ node: f.node, ...Object.fromEntries(cols.map((c, i) => [c, vals[i] ?? null])) });
    }
  }
  return makeReport({ helper: "connections", title: `${rows.length} client connections`, source: source.describe(), summary: { connections: rows.length }, findings: [], frames: { clients: Object.fromEntries([...new Set(rows.flatMap((r) => Object.keys(r)))].map((k) => [k, rows.map((r) => r[k] ?? null)])) } });
}
