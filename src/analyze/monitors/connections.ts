/**
 * connections(): the live source's own driver state — hosts, datacenter, rack, up/down, open
 * connections and in-flight requests per host — plus the load-balancing policy and pooling
 * options, with the rules below. Recorded sources: every node's `nodetool
 * clientstats` (parse/nodetool-clientstats.ts), with the recorded rules' thresholds in
 * {@link CONNECTION_THRESHOLDS} too.
 */
import { peerMedian } from "../peer-median";
import { CassperfError, isCassperfError } from "../../errors";
import { LiveSource } from "../../cluster/live";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import type { Source } from "../../cluster/source";
import { makeReport, rowsToColumns, type Finding, type Threshold, answerOrExplain } from "../../present/report";
import { parseClientstats, type ClientConnection } from "../../parse/nodetool-clientstats";
import { plural } from "../../present/plural";
import { readViews, viewNumber } from "../../cluster/system-views";

/** Options of {@link connections}. */
export interface ConnectionsOptions extends HelperOptions {
  /**
   * Requests your application keeps in flight at once, to size the pool (the rule:
   * core connections per host = ceil(concurrency / nodes / requests per connection)).
   * @example connections(live, { expectedConcurrency: 512 })
   */
  expectedConcurrency?: number;
}

export const CONNECTION_THRESHOLDS = {
  IN_FLIGHT_PER_HOST: {
    name: "IN_FLIGHT_PER_HOST",
    value: 100,
    unit: "requests",
    source: "cassperf's choice (no published threshold found): over 100 in flight on one host is unhealthy",
  },
  MAX_REQUESTS_PER_CONNECTION: {
    name: "MAX_REQUESTS_PER_CONNECTION",
    value: 2048,
    unit: "requests",
    source: "cassandra-driver default for protocol v3+ (client-options.js)",
  },
  CLIENT_IMBALANCE_RATIO: {
    name: "CLIENT_IMBALANCE_RATIO",
    value: 2,
    unit: "× the other nodes' median",
    source:
      "cassperf: every driver session opens the same pool to each local node (cassandra-driver coreConnectionsPerHostV3 local 1; Java driver 4 pool.local.size 1), so totals differ little; twice the others is a pinned node",
  },
  CLIENT_IMBALANCE_MIN: {
    name: "CLIENT_IMBALANCE_MIN",
    value: 10,
    unit: "connections",
    source: "cassperf: below 10 connections a difference of a few clients is noise",
  },
  CONNECTIONS_PER_CLIENT: {
    name: "CONNECTIONS_PER_CLIENT",
    value: 8,
    unit: "connections from one IP to one node",
    source:
      "cassandra-driver (client-options.js coreConnectionsPerHostV3) and Java driver 4 open 1 connection per local node per session; over 8 from one IP means many sessions or processes",
  },
  MIN_PROTOCOL_VERSION: {
    name: "MIN_PROTOCOL_VERSION",
    value: 4,
    unit: "native protocol version",
    source: "Cassandra 2.2 introduced protocol v4 (NEWS.txt); a v3 client is a driver from before 2016",
  },
} satisfies Record<string, Threshold>;
const T = CONNECTION_THRESHOLDS;

/**
 * connections(): hosts, pools and in-flight requests of a live source's driver. On a recorded
 * source, the nodes' `nodetool clientstats` (4.0+; with `--all`, one row per client connection:
 * client IP, driver, protocol version, requests): totals per node, and findings for unbalanced
 * nodes, a client IP holding many connections, and old native protocol versions.
 * @example await connections()                           // the current (live) source
 * @example (await connections(await open("bundle.tar.gz"))).rows("clients")   // recorded clientstats --all
 * @example await connections(live, { expectedConcurrency: 256 })
 */
export async function connections(input?: SourceInput | ConnectionsOptions, opts?: ConnectionsOptions) {
  const { source, options } = helperArgs("connections", input, opts, "source");
  // A source without the evidence gives an empty report that says why (../present/report.ts answerOrExplain).
  return answerOrExplain("connections", ["hosts", "clients", "nodes", "by_user"] as const, () => connectionsOf(source, options));
}

/** connections() itself; connections() turns "the source has no ..." into an empty report. */
async function connectionsOf(input?: SourceInput, options: ConnectionsOptions = {}) {
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
  const opts = (client as unknown as { options: unknown }).options as {
    pooling?: { coreConnectionsPerHost?: Record<number, number>; maxRequestsPerConnection?: number };
    policies?: { loadBalancing?: { constructor: { name: string }; localDc?: string } };
    localDataCenter?: string;
  };
  const lb = opts.policies?.loadBalancing;
  const lbName = lb?.constructor?.name ?? "unknown";
  const localDc = opts.localDataCenter ?? lb?.localDc ?? null;
  const maxPerConn = opts.pooling?.maxRequestsPerConnection ?? T.MAX_REQUESTS_PER_CONNECTION.value;
  const coreLocal = opts.pooling?.coreConnectionsPerHost?.[0] ?? 1;
  const findings: Finding[] = [];
  for (const h of hosts) {
    if (!h.up)
      findings.push({
        severity: "critical",
        id: "connections.host-down",
        helper: "connections",
        node: h.host,
        title: `${h.host} is down (driver's view)`,
        evidence: `datacenter ${h.datacenter}, rack ${h.rack}`,
        action: "check the node (nodetool status, its system.log); the driver routes around it meanwhile",
      });
    else if (h.open_connections === 0)
      findings.push({
        severity: "warning",
        id: "connections.no-connections",
        helper: "connections",
        node: h.host,
        title: `${h.host} is up but the driver has no open connection to it`,
        evidence: `datacenter ${h.datacenter}; load-balancing ${lbName}`,
        action: "expected for remote-DC hosts under a DC-aware policy; otherwise check the node's native port (9042) and TLS settings",
      });
    if (h.in_flight > T.IN_FLIGHT_PER_HOST.value)
      findings.push({
        severity: "warning",
        id: "connections.in-flight",
        helper: "connections",
        node: h.host,
        title: `${h.host} has ${h.in_flight} requests in flight (over ${T.IN_FLIGHT_PER_HOST.value})`,
        evidence: `${h.open_connections} connections`,
        action: "the node is slow or overloaded: look at its thread pools (tpstats) and GC; or add connections if its latency is fine",
      });
  }
  // The server's side (4.0+): every node's native connections from system_views.clients, no nodetool needed.
  const notes: string[] = [];
  const views = await readViews(source, "clients");
  for (const f of views.failed) notes.push(`system_views.clients on ${f.node} could not be read: ${f.error}`);
  if (views.older.length)
    notes.push(
      `${views.older.join(", ")}: Cassandra before 4.0 has no system_views.clients; record \`nodetool clientstats --all\` (4.0+) for the server's view`,
    );
  const clients: (ClientConnection & { node: string; from: string })[] = [];
  const totals: { node: string; total_connected: number; from: string }[] = [];
  for (const r of views.reads) {
    totals.push({ node: r.node, total_connected: r.rows.length, from: r.origin });
    r.rows.forEach((v, i) => {
      const ip = String(v.address ?? "").replace(/^\//, "");
      clients.push({
        node: r.node,
        address: `${ip}:${v.port ?? "?"}`,
        client: ip,
        ssl: typeof v.ssl_enabled === "boolean" ? v.ssl_enabled : null,
        cipher: (v.ssl_cipher_suite as string) ?? null,
        tls_protocol: (v.ssl_protocol as string) ?? null,
        protocol_version: viewNumber(v.protocol_version),
        user: (v.username as string) ?? null,
        keyspace: (v.keyspace_name as string) ?? null,
        requests: viewNumber(v.request_count),
        driver_name: (v.driver_name as string) ?? null,
        driver_version: (v.driver_version as string) ?? null,
        client_options: null,
        line: i + 1,
        from: r.origin,
      });
    });
  }
  findings.push(...clientFindings(totals, clients));
  const dcs = [...new Set(hosts.map((h) => h.datacenter))];
  if (!/DCAware|TokenAware|DefaultLoadBalancing/i.test(lbName) || (dcs.length > 1 && !localDc))
    findings.push({
      severity: "warning",
      id: "connections.lb-policy",
      helper: "connections",
      title: `load-balancing policy ${lbName}${localDc ? "" : " without a local datacenter"}`,
      evidence: `datacenters: ${dcs.join(", ")}`,
      action: "use a token-aware, DC-aware policy with localDataCenter set (the driver's default policy does both when localDataCenter is given)",
    });
  if (options.expectedConcurrency) {
    const up = hosts.filter((h) => h.up).length || 1;
    const need = Math.ceil(options.expectedConcurrency / up / maxPerConn);
    if (need > coreLocal)
      findings.push({
        severity: "warning",
        id: "connections.pool-size",
        helper: "connections",
        title: `${options.expectedConcurrency} concurrent requests need ${need} connections per host; the pool keeps ${coreLocal}`,
        evidence: `${up} hosts up, ${maxPerConn} requests per connection`,
        action: `pooling: { coreConnectionsPerHost: { [distance.local]: ${need} } }`,
      });
  }
  return makeReport({
    helper: "connections",
    title: `${hosts.length} hosts, ${hosts.filter((h) => h.up).length} up`,
    source: source.describe(),
    summary: {
      hosts: hosts.length,
      up: hosts.filter((h) => h.up).length,
      down: hosts.filter((h) => !h.up).length,
      open_connections: hosts.reduce((a, h) => a + h.open_connections, 0),
      in_flight: hosts.reduce((a, h) => a + h.in_flight, 0),
      load_balancing: lbName,
      local_datacenter: localDc,
      core_connections_per_host: coreLocal,
      max_requests_per_connection: maxPerConn,
      server_connections: views.reads.length ? clients.length : null,
      sources: ["driver state (hosts)", ...(views.reads.length ? ["system_views.clients (clients)"] : [])].join(", "),
    },
    findings,
    notes,
    frames: {
      hosts: Object.fromEntries(
        (["host", "datacenter", "rack", "up", "version", "open_connections", "in_flight"] as const).map((k) => [k, hosts.map((h) => h[k])]),
      ),
      clients: rowsToColumns(clients, [
        "node",
        "client",
        "address",
        "ssl",
        "protocol_version",
        "user",
        "keyspace",
        "requests",
        "driver_name",
        "driver_version",
        "from",
      ]),
    },
  });
}

/**
 * Recorded: every node's `nodetool clientstats` (4.0+; `--all` adds one row per connection).
 * Frames `nodes` (node, total_connected, connections_listed, from), `clients` (one row per
 * connection, `from` = file:line) and `by_user`; findings from {@link CONNECTION_THRESHOLDS}'
 * recorded rules: connection totals unbalanced across nodes, one client IP holding many
 * connections to a node, clients on an old native protocol.
 */
async function recordedConnections(source: Source) {
  const files = source.files({ kind: "nodetool", command: "clientstats" });
  if (!files.length)
    throw new CassperfError(
      `connections: the source (${source.describe()}) is recorded and has no nodetool clientstats output; the driver's own state needs a live source.`,
      { noEvidence: true, hint: "connect() to the cluster, or add nodes/<node>/nodetool/clientstats (nodetool clientstats --all, Cassandra 4.0+)" },
    );
  const notes: string[] = [];
  const nodes: { node: string; total_connected: number | null; connections_listed: number; from: string }[] = [];
  const clients: (ClientConnection & { node: string; from: string })[] = [];
  const byUser: { node: string; user: string; connections: number | null; from: string }[] = [];
  for (const f of files) {
    let parsed: ReturnType<typeof parseClientstats>;
    try {
      parsed = parseClientstats(await source.readText(f), { file: f.rel });
    } catch (e) {
      if (!isCassperfError(e)) throw e;
      notes.push(`skipped ${f.rel}: ${(e as Error).message}`);
      continue;
    }
    if (parsed.nodetoolError) {
      notes.push(`${f.rel} holds a nodetool error, not clientstats: ${parsed.nodetoolError}`);
      continue;
    }
    for (const sk of parsed.skipped.slice(0, 5)) notes.push(`${f.rel}:${sk.line}: skipped (${sk.reason}): ${sk.text.slice(0, 80)}`);
    if (parsed.skipped.length > 5) notes.push(`${f.rel}: ${parsed.skipped.length - 5} more lines skipped`);
    nodes.push({
      node: f.node,
      total_connected: parsed.total_connected,
      connections_listed: parsed.connections.length,
      from: parsed.total_line ? `${f.rel}:${parsed.total_line}` : f.rel,
    });
    for (const c of parsed.connections) clients.push({ ...c, node: f.node, from: `${f.rel}:${c.line}` });
    for (const u of parsed.by_user) byUser.push({ node: f.node, user: u.user, connections: u.connections, from: `${f.rel}:${u.line}` });
  }
  if (nodes.length && !clients.length)
    notes.push("clientstats was recorded without --all: no per-connection rows (client IP, driver, protocol); record `nodetool clientstats --all` for them");

  const totals = nodes.filter((n) => n.total_connected !== null) as { node: string; total_connected: number; from: string }[];
  const findings = clientFindings(totals, clients);

  const totalConnected = totals.reduce((a, n) => a + n.total_connected, 0);
  return makeReport({
    helper: "connections",
    title: `${totalConnected} client connections on ${nodes.length} node${nodes.length === 1 ? "" : "s"}`,
    source: source.describe(),
    summary: {
      nodes: nodes.length,
      connected_clients: totals.length ? totalConnected : null,
      connections_listed: clients.length,
      client_ips: new Set(clients.map((c) => c.client)).size,
      drivers: [...new Set(clients.map(driverOf).filter(Boolean))].join(", ") || null,
      protocol_versions: [...new Set(clients.map((c) => c.protocol_version).filter((v) => v !== null))].sort().join(", ") || null,
    },
    findings,
    notes,
    frames: {
      nodes: rowsToColumns(nodes, ["node", "total_connected", "connections_listed", "from"]),
      clients: rowsToColumns(clients, [
        "node",
        "client",
        "address",
        "ssl",
        "protocol_version",
        "user",
        "keyspace",
        "requests",
        "driver_name",
        "driver_version",
        "from",
      ]),
      by_user: rowsToColumns(byUser, ["node", "user", "connections", "from"]),
    },
  });
}

/**
 * The client-side rules over per-node totals and per-connection rows — the same for recorded
 * `nodetool clientstats --all` and a live 4.0+ node's system_views.clients.
 */
function clientFindings(
  totals: { node: string; total_connected: number; from: string }[],
  clients: (ClientConnection & { node: string; from: string })[],
): Finding[] {
  const findings: Finding[] = [];
  // Totals across nodes: each driver session opens the same pool to every local node.
  if (totals.length >= 2) {
    // Each node against the median of the OTHER nodes (./peer-median.ts, the one median of every skew rule).
    const values = totals.map((o) => o.total_connected);
    for (const [i, n] of totals.entries()) {
      const median = peerMedian(values, i)!;
      if (n.total_connected >= T.CLIENT_IMBALANCE_MIN.value && n.total_connected > T.CLIENT_IMBALANCE_RATIO.value * median)
        findings.push({
          severity: "warning",
          id: "connections.clients-unbalanced",
          helper: "connections",
          node: n.node,
          title: `${n.node} has ${n.total_connected} client connections, over ${T.CLIENT_IMBALANCE_RATIO.value}× the other nodes' median (${median.toFixed(1)})`,
          evidence: totals.map((o) => `${o.node} ${o.total_connected} (${o.from})`).join("; "),
          action:
            "clients pin this node: check their contact points and load-balancing policy (token-aware, DC-aware, with the right localDataCenter), and whether some clients connect to this node only (whitelist policies, a proxy)",
        });
    }
  }
  // One client IP with many connections to one node.
  for (const conns of groupBy(clients, (c) => `${c.node}\u0000${c.client}`).values()) {
    if (conns.length <= T.CONNECTIONS_PER_CLIENT.value) continue;
    const drivers = [...new Set(conns.map((c) => driverOf(c) || "driver not named"))];
    findings.push({
      severity: "info",
      id: "connections.many-per-client",
      helper: "connections",
      node: conns[0].node,
      title: `${conns[0].client} holds ${conns.length} connections to ${conns[0].node}`,
      evidence: `${drivers.join(", ")}; first at ${conns[0].from}`,
      action:
        "drivers open 1 connection per local node per session: this many means many sessions (a session per request, or many processes on that host). Share one session per process; raise the pool only when requests queue",
    });
  }
  // Old native protocol versions.
  const old = clients.filter((c) => c.protocol_version !== null && c.protocol_version < T.MIN_PROTOCOL_VERSION.value);
  for (const [client, conns] of groupBy(old, (c) => `${c.client} (${driverOf(c) || "driver not named"})`))
    findings.push({
      severity: "info",
      id: "connections.old-protocol",
      helper: "connections",
      title: `${client} speaks native protocol v${conns[0].protocol_version}`,
      evidence: `${plural(conns.length, "connection")} on ${[...new Set(conns.map((c) => c.node))].join(", ")}; first at ${conns[0].from}`,
      action: "upgrade the driver: protocol v4 (Cassandra 2.2+) adds unset values and server warnings in responses, v5 (4.0+) checksummed frames",
    });

  return findings;
}

/** Items by key, in first-seen order of the keys and of the items within each. */
function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** A connection's driver as "name version" (either may be missing); "" when neither is known. */
function driverOf(c: ClientConnection): string {
  return [c.driver_name, c.driver_version].filter(Boolean).join(" ");
}
