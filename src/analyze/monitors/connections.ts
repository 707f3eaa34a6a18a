/**
 * connections(): the live source's own driver state — hosts, datacenter, rack, up/down, open
 * connections and in-flight requests per host — plus the load-balancing policy and pooling
 * options. Recorded sources: every node's `nodetool clientstats` (parse/nodetool-clientstats.ts).
 * Findings come from the tables of ./connections-rules.ts (hosts, clients, pool) with
 * CONNECTION_THRESHOLDS; this file gathers the driver's state and the clients.
 */
import { CassperfError, isCassperfError } from "../../errors";
import { LiveSource } from "../../cluster/live";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import type { Source } from "../../cluster/source";
import { makeReport, rowsToColumns, answerOrExplain, type DataFrame, type Report, type Summary, type TypedRows } from "../../present/report";
import { ClientstatsLines, type ClientstatsParse } from "../../parse/nodetool-clientstats";
import { parseFileLines } from "../../cluster/evidence";
import { applyRules } from "../rule";
import { CLIENT_RULES, CONNECTION_HOST_RULES, CONNECTION_THRESHOLDS, POOL_RULES, driverOf, type ClientFacts, type ClientRow } from "./connections-rules";
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

export { CLIENT_RULES, CONNECTION_HOST_RULES, CONNECTION_THRESHOLDS, POOL_RULES } from "./connections-rules";

/** A row of connections()' `hosts` frame (live only): one host as the driver sees it. */
export interface ConnectionHostRow {
  /** The host's address, without the port. */
  host: string;
  /** The host's datacenter, as the driver's metadata gives it. */
  datacenter: string;
  /** The host's rack. */
  rack: string;
  /** Whether the driver considers the host up. */
  up: boolean;
  /** The Cassandra version the host announced. */
  version: string;
  /** Connections the driver's pool holds open to it (0 when not connected). */
  open_connections: number;
  /** Requests in flight on those connections right now. */
  in_flight: number;
}

/** A row of connections()' `clients` frame: one client connection seen by a node (system_views.clients live, `nodetool clientstats --all` recorded). */
export type ConnectionClientRow = Pick<
  ClientRow,
  "node" | "client" | "address" | "ssl" | "protocol_version" | "user" | "keyspace" | "requests" | "driver_name" | "driver_version" | "from"
>;

/** A row of connections()' `nodes` frame (recorded only): one node's clientstats totals. */
export interface ConnectionNodeRow {
  /** The node whose clientstats it is. */
  node: string;
  /** "Total connected clients" as clientstats printed it; null when the line is missing. */
  total_connected: number | null;
  /** Connections listed one by one (clientstats --all); 0 without --all. */
  connections_listed: number;
  /** The file (and line) the total came from. */
  from: string;
}

/** A row of connections()' `by_user` frame (recorded only): clientstats' "User Connections" table. */
export interface ConnectionUserRow {
  /** The node whose clientstats it is. */
  node: string;
  /** The user name ("anonymous" without authentication). */
  user: string;
  /** Connections of that user; null when the number could not be read. */
  connections: number | null;
  /** file:line. */
  from: string;
}

/** connections()' headline numbers (`summary`): the live fields come from the driver, the recorded ones from clientstats. */
export type ConnectionsSummary = {
  /** Live: hosts the driver knows. */
  hosts?: number;
  /** Live: hosts up. */
  up?: number;
  /** Live: hosts down. */
  down?: number;
  /** Live: connections open from this driver, all hosts. */
  open_connections?: number;
  /** Live: requests in flight from this driver, all hosts. */
  in_flight?: number;
  /** Live: the driver's load-balancing policy class name. */
  load_balancing?: string;
  /** Live: the driver's local datacenter; null when not set. */
  local_datacenter?: string | null;
  /** Live: the pool's core connections per local host. */
  core_connections_per_host?: number;
  /** Live: the pool's max requests per connection. */
  max_requests_per_connection?: number;
  /** Live: client connections every node reports in system_views.clients (4.0+); null when none could be read. */
  server_connections?: number | null;
  /** Live: where the numbers came from. */
  sources?: string;
  /** Recorded: nodes with clientstats output. */
  nodes?: number;
  /** Recorded: the sum of the nodes' "Total connected clients"; null when no file printed it. */
  connected_clients?: number | null;
  /** Recorded: connections listed one by one (clientstats --all). */
  connections_listed?: number;
  /** Recorded: distinct client IPs. */
  client_ips?: number;
  /** Recorded: the drivers seen, comma-separated; null when none. */
  drivers?: string | null;
  /** Recorded: the native protocol versions seen, comma-separated; null when none. */
  protocol_versions?: string | null;
};

/**
 * What connections() returns. Live: frames `hosts` (the driver's view) and `clients` (the servers'
 * view, 4.0+). Recorded: frames `nodes`, `clients` and `by_user` from `nodetool clientstats`.
 * A frame the source does not give is not in `frameNames`. Findings from the host, client and pool rules.
 * @example (await connections()).rows("clients").filter((c) => c.protocol_version === 3)
 * @example (await connections(live)).summary.open_connections
 */
export type ConnectionsReport = TypedRows<{
  hosts: ConnectionHostRow;
  clients: ConnectionClientRow;
  nodes: ConnectionNodeRow;
  by_user: ConnectionUserRow;
}> &
  Report<"hosts" | "clients" | "nodes" | "by_user"> & {
    readonly summary: Summary<ConnectionsSummary>;
    /** Live: one row per host: host, datacenter, rack, up, version, open_connections, in_flight. */
    readonly hosts: DataFrame;
    /** One row per client connection: node, client, address, ssl, protocol_version, user, keyspace, requests, driver_name, driver_version, from. */
    readonly clients: DataFrame;
    /** Recorded: one row per node: node, total_connected, connections_listed, from. */
    readonly nodes: DataFrame;
    /** Recorded: connections per user and node. */
    readonly by_user: DataFrame;
  };
const T = CONNECTION_THRESHOLDS;

/** Columns of the `clients` frame, live (system_views.clients) and recorded (clientstats --all) alike. */
const CLIENT_COLUMNS = ["node", "client", "address", "ssl", "protocol_version", "user", "keyspace", "requests", "driver_name", "driver_version", "from"];

/**
 * connections(): hosts, pools and in-flight requests of a live source's driver. On a recorded
 * source, the nodes' `nodetool clientstats` (4.0+; with `--all`, one row per client connection:
 * client IP, driver, protocol version, requests): totals per node, and findings for unbalanced
 * nodes, a client IP holding many connections, and old native protocol versions.
 * @example await connections()                           // the current (live) source
 * @example (await connections(await open("bundle.tar.gz"))).rows("clients")   // recorded clientstats --all
 * @example await connections(live, { expectedConcurrency: 256 })
 */
export async function connections(input?: SourceInput | ConnectionsOptions, opts?: ConnectionsOptions): Promise<ConnectionsReport> {
  const { source, options } = helperArgs("connections", input, opts, "source");
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("connections", ["hosts", "clients", "nodes", "by_user"] as const, () => connectionsOf(source, options));
}

/** connections() itself; connections() turns "the source has no ..." into an empty report. */
async function connectionsOf(input?: SourceInput, options: ConnectionsOptions = {}): Promise<ConnectionsReport> {
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
  const findings = hosts.flatMap((h) => applyRules(CONNECTION_HOST_RULES, { ...h, lbName }, "connections"));
  // The server's side (4.0+): every node's native connections from system_views.clients, no nodetool needed.
  const notes: string[] = [];
  const views = await readViews(source, "clients");
  for (const f of views.failed) notes.push(`system_views.clients on ${f.node} could not be read: ${f.error}`);
  if (views.older.length)
    notes.push(
      `${views.older.join(", ")}: Cassandra before 4.0 has no system_views.clients; record \`nodetool clientstats --all\` (4.0+) for the server's view`,
    );
  const clients: ClientRow[] = [];
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
  findings.push(...applyRules(CLIENT_RULES, { totals, clients }, "connections"));
  findings.push(...applyRules(POOL_RULES, { hosts, lbName, localDc, expectedConcurrency: options.expectedConcurrency, maxPerConn, coreLocal }, "connections"));
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
    } satisfies ConnectionsSummary,
    findings,
    notes,
    frames: {
      hosts: Object.fromEntries(
        (["host", "datacenter", "rack", "up", "version", "open_connections", "in_flight"] as const).map((k) => [k, hosts.map((h) => h[k])]),
      ),
      clients: rowsToColumns(clients, CLIENT_COLUMNS),
    },
  }) as ConnectionsReport;
}

/**
 * Recorded: every node's `nodetool clientstats` (4.0+; `--all` adds one row per connection).
 * Frames `nodes` (node, total_connected, connections_listed, from), `clients` (one row per
 * connection, `from` = file:line) and `by_user`; findings from {@link CONNECTION_THRESHOLDS}'
 * recorded rules: connection totals unbalanced across nodes, one client IP holding many
 * connections to a node, clients on an old native protocol.
 */
async function recordedConnections(source: Source): Promise<ConnectionsReport> {
  const files = source.files({ kind: "nodetool", command: "clientstats" });
  if (!files.length)
    throw new CassperfError(
      `connections: the source (${source.describe()}) is recorded and has no nodetool clientstats output; the driver's own state needs a live source.`,
      { noEvidence: true, hint: "connect() to the cluster, or add nodes/<node>/nodetool/clientstats (nodetool clientstats --all, Cassandra 4.0+)" },
    );
  const notes: string[] = [];
  const nodes: { node: string; total_connected: number | null; connections_listed: number; from: string }[] = [];
  const clients: ClientRow[] = [];
  const byUser: { node: string; user: string; connections: number | null; from: string }[] = [];
  for (const f of files) {
    let parsed: ClientstatsParse;
    try {
      // Parsed as it is read, block by block (no whole-file string, whatever its size).
      parsed = await parseFileLines(source, f, new ClientstatsLines({ file: f.rel }));
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

  const totals = nodes.filter((n) => n.total_connected !== null) as ClientFacts["totals"];
  const findings = applyRules(CLIENT_RULES, { totals, clients }, "connections");

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
    } satisfies ConnectionsSummary,
    findings,
    notes,
    frames: {
      nodes: rowsToColumns(nodes, ["node", "total_connected", "connections_listed", "from"]),
      clients: rowsToColumns(clients, CLIENT_COLUMNS),
      by_user: rowsToColumns(byUser, ["node", "user", "connections", "from"]),
    },
  }) as ConnectionsReport;
}
