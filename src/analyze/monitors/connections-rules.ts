/**
 * connections()' finding tables, with {@link CONNECTION_THRESHOLDS} (each with the source of its
 * number): {@link CONNECTION_HOST_RULES} over each host of a live driver, {@link CLIENT_RULES} over
 * the server's client connections (recorded `nodetool clientstats --all` or a live 4.0+ node's
 * system_views.clients, the same rules), {@link POOL_RULES} over the live driver's policy and pool.
 * connections() runs them with applyRules.
 */
import type { ClientConnection } from "../../parse/nodetool-clientstats";
import { plural } from "../../present/plural";
import type { Threshold } from "../../present/report";
import { peerMedian } from "../../statistics/peer-median";
import type { Rule, RuleHit } from "../rule";
import type { ConnectionHostRow } from "./connections";

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

/** One host as the live driver sees it (a row of the `hosts` frame) and the load-balancing policy's name. */
export interface HostFacts extends ConnectionHostRow {
  lbName: string;
}

/** One client connection with its node and where it was read (file:line or system_views.clients). */
export type ClientRow = ClientConnection & { node: string; from: string };

/** What the client rules read: connection totals per node and the connections one by one. */
export interface ClientFacts {
  totals: { node: string; total_connected: number; from: string }[];
  clients: ClientRow[];
}

/** What the pool rules read of a live driver: its hosts, load-balancing policy and pooling options. */
export interface PoolFacts {
  hosts: { datacenter: string; up: boolean }[];
  lbName: string;
  localDc: string | null;
  expectedConcurrency?: number;
  maxPerConn: number;
  coreLocal: number;
}

/** The rules over one host of a live driver. */
export const CONNECTION_HOST_RULES: Rule<HostFacts>[] = [
  {
    id: "connections.host-down",
    severity: "critical",
    thresholds: [],
    check: (h) =>
      h.up
        ? null
        : {
            node: h.host,
            title: `${h.host} is down (driver's view)`,
            evidence: `datacenter ${h.datacenter}, rack ${h.rack}`,
            action: "check the node (nodetool status, its system.log); the driver routes around it meanwhile",
          },
  },
  {
    id: "connections.no-connections",
    severity: "warning",
    thresholds: [],
    check: (h) =>
      h.up && h.open_connections === 0
        ? {
            node: h.host,
            title: `${h.host} is up but the driver has no open connection to it`,
            evidence: `datacenter ${h.datacenter}; load-balancing ${h.lbName}`,
            action: "expected for remote-DC hosts under a DC-aware policy; otherwise check the node's native port (9042) and TLS settings",
          }
        : null,
  },
  {
    id: "connections.in-flight",
    severity: "warning",
    thresholds: [T.IN_FLIGHT_PER_HOST],
    check: (h) =>
      h.in_flight > T.IN_FLIGHT_PER_HOST.value
        ? {
            node: h.host,
            title: `${h.host} has ${h.in_flight} requests in flight (over ${T.IN_FLIGHT_PER_HOST.value})`,
            evidence: `${h.open_connections} connections`,
            action: "the node is slow or overloaded: look at its thread pools (tpstats) and GC; or add connections if its latency is fine",
          }
        : null,
  },
];

/** The client-side rules — the same for recorded `nodetool clientstats --all` and a live 4.0+ node's system_views.clients. */
export const CLIENT_RULES: Rule<ClientFacts>[] = [
  {
    id: "connections.clients-unbalanced",
    severity: "warning",
    thresholds: [T.CLIENT_IMBALANCE_RATIO, T.CLIENT_IMBALANCE_MIN],
    what: "totals across nodes: each driver session opens the same pool to every local node",
    check: ({ totals }) => {
      if (totals.length < 2) return null;
      // Each node against the median of the OTHER nodes (../../statistics/peer-median.ts, the one median of every skew rule).
      const values = totals.map((o) => o.total_connected);
      const hits: RuleHit[] = [];
      for (const [i, n] of totals.entries()) {
        const median = peerMedian(values, i)!;
        if (n.total_connected >= T.CLIENT_IMBALANCE_MIN.value && n.total_connected > T.CLIENT_IMBALANCE_RATIO.value * median)
          hits.push({
            node: n.node,
            title: `${n.node} has ${n.total_connected} client connections, over ${T.CLIENT_IMBALANCE_RATIO.value}× the other nodes' median (${median.toFixed(1)})`,
            evidence: totals.map((o) => `${o.node} ${o.total_connected} (${o.from})`).join("; "),
            action:
              "clients pin this node: check their contact points and load-balancing policy (token-aware, DC-aware, with the right localDataCenter), and whether some clients connect to this node only (whitelist policies, a proxy)",
          });
      }
      return hits;
    },
  },
  {
    id: "connections.many-per-client",
    severity: "info",
    thresholds: [T.CONNECTIONS_PER_CLIENT],
    what: "one client IP with many connections to one node",
    check: ({ clients }) =>
      [...groupBy(clients, (c) => `${c.node}\u0000${c.client}`).values()]
        .filter((conns) => conns.length > T.CONNECTIONS_PER_CLIENT.value)
        .map((conns) => ({
          node: conns[0].node,
          title: `${conns[0].client} holds ${conns.length} connections to ${conns[0].node}`,
          evidence: `${[...new Set(conns.map((c) => driverOf(c) || "driver not named"))].join(", ")}; first at ${conns[0].from}`,
          action:
            "drivers open 1 connection per local node per session: this many means many sessions (a session per request, or many processes on that host). Share one session per process; raise the pool only when requests queue",
        })),
  },
  {
    id: "connections.old-protocol",
    severity: "info",
    thresholds: [T.MIN_PROTOCOL_VERSION],
    check: ({ clients }) => {
      const old = clients.filter((c) => c.protocol_version !== null && c.protocol_version < T.MIN_PROTOCOL_VERSION.value);
      return [...groupBy(old, (c) => `${c.client} (${driverOf(c) || "driver not named"})`)].map(([client, conns]) => ({
        title: `${client} speaks native protocol v${conns[0].protocol_version}`,
        evidence: `${plural(conns.length, "connection")} on ${[...new Set(conns.map((c) => c.node))].join(", ")}; first at ${conns[0].from}`,
        action: "upgrade the driver: protocol v4 (Cassandra 2.2+) adds unset values and server warnings in responses, v5 (4.0+) checksummed frames",
      }));
    },
  },
];

/** The rules over a live driver's load-balancing policy and pool size. */
export const POOL_RULES: Rule<PoolFacts>[] = [
  {
    id: "connections.lb-policy",
    severity: "warning",
    thresholds: [],
    check: (p) => {
      const dcs = [...new Set(p.hosts.map((h) => h.datacenter))];
      if (/DCAware|TokenAware|DefaultLoadBalancing/i.test(p.lbName) && !(dcs.length > 1 && !p.localDc)) return null;
      return {
        title: `load-balancing policy ${p.lbName}${p.localDc ? "" : " without a local datacenter"}`,
        evidence: `datacenters: ${dcs.join(", ")}`,
        action: "use a token-aware, DC-aware policy with localDataCenter set (the driver's default policy does both when localDataCenter is given)",
      };
    },
  },
  {
    id: "connections.pool-size",
    severity: "warning",
    thresholds: [T.MAX_REQUESTS_PER_CONNECTION],
    check: (p) => {
      if (!p.expectedConcurrency) return null;
      const up = p.hosts.filter((h) => h.up).length || 1;
      const need = Math.ceil(p.expectedConcurrency / up / p.maxPerConn);
      if (need <= p.coreLocal) return null;
      return {
        title: `${p.expectedConcurrency} concurrent requests need ${need} connections per host; the pool keeps ${p.coreLocal}`,
        evidence: `${up} hosts up, ${p.maxPerConn} requests per connection`,
        action: `pooling: { coreConnectionsPerHost: { [distance.local]: ${need} } }`,
      };
    },
  },
];

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
export function driverOf(c: ClientConnection): string {
  return [c.driver_name, c.driver_version].filter(Boolean).join(" ");
}
