/**
 * `nodetool clientstats` (Cassandra 4.0+) and connections() on a recorded source.
 *
 * No real clientstats capture is in test/fixtures/data and the lab runs Cassandra 2.1.0, which has no
 * clientstats command. So the text here is laid out exactly as ClientStats.java prints it through
 * nodetool's TableBuilder (apache/cassandra tools/nodetool/ClientStats.java and
 * formatter/TableBuilder.java: every cell padded to its column's widest cell, cells joined by one
 * space), with the values ConnectedClient.asMap() gives ("/ip:port", "undefined" without TLS,
 * the protocol version as a number). `tableBuilder()` below is that layout and nothing more.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { open, connections } from "../src/index";
import { parseClientstats, clientIp } from "../src/parse/nodetool-clientstats";
import { CONNECTION_THRESHOLDS } from "../src/analyze/monitors/connections";
import { tempDir } from "./support";

/** TableBuilder.printTo: `%-<width>s` per cell, one space between cells. */
function tableBuilder(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => widths.map((w, i) => (r[i] ?? "").padEnd(w)).join(" ")).join("\n") + "\n";
}

const HEADER = ["Address", "SSL", "Cipher", "Protocol", "Version", "User", "Keyspace", "Requests", "Driver-Name", "Driver-Version"];
const JAVA = ["DataStax Java driver for Apache Cassandra(R)", "4.17.0"];
const PYTHON = ["DataStax Python Driver", "3.25.0"];
const NODE = ["DataStax Node.js Driver for Apache Cassandra", "4.8.0"];

/** `clientstats --all` as ClientStats.java prints it: connections table, blank, total, blank, by-user table. */
function clientstatsAll(conns: string[][]): string {
  const users = new Map<string, number>();
  for (const c of conns) users.set(c[5], (users.get(c[5]) ?? 0) + 1);
  const connTable = conns.length ? tableBuilder([HEADER, ...conns]) + "\n" : "";
  return connTable + `Total connected clients: ${conns.length}\n\n` + tableBuilder([["User", "Connections"], ...[...users].map(([u, n]) => [u, String(n)])]);
}

const conn = (ip: string, port: number, driver: string[], version = "5", keyspace = "shop", requests = 100) => [
  `/${ip}:${port}`,
  "false",
  "undefined",
  "undefined",
  version,
  "anonymous",
  keyspace,
  String(requests),
  ...driver,
];

/** Three nodes: 10.0.0.1 takes 12 connections from one app host plus 2 old Python clients. */
function writeBundle(dir: string, node1Extra = 12) {
  const nodes: Record<string, string[][]> = {
    "10.0.0.1": [
      ...Array.from({ length: node1Extra }, (_, i) => conn("10.1.0.7", 50100 + i, JAVA, "5", i % 2 ? "" : "shop", 1000 + i)),
      conn("10.1.0.8", 40001, PYTHON, "3"),
      conn("10.1.0.8", 40002, PYTHON, "3"),
    ],
    "10.0.0.2": [conn("10.1.0.9", 33001, NODE, "4"), conn("10.1.0.10", 33002, NODE, "4"), conn("10.1.0.11", 33003, JAVA)],
    "10.0.0.3": [conn("10.1.0.9", 34001, NODE, "4"), conn("10.1.0.10", 34002, NODE, "4"), conn("10.1.0.11", 34003, JAVA)],
  };
  for (const [node, conns] of Object.entries(nodes)) {
    const d = path.join(dir, "nodes", node, "nodetool");
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, "clientstats"), clientstatsAll(conns));
    fs.writeFileSync(path.join(d, "version"), "ReleaseVersion: 4.0.11\n");
  }
  return nodes;
}

test("parseClientstats: --all table cut at TableBuilder's columns keeps driver names with spaces and empty keyspaces; totals and users", () => {
  const text = clientstatsAll([conn("10.1.0.7", 50100, JAVA, "5", ""), conn("10.1.0.8", 40001, PYTHON, "3", "shop", 7)]);
  const p = parseClientstats(text, { file: "clientstats" });
  assert.equal(p.connections.length, 2);
  const [a, b] = p.connections;
  assert.equal(a.driver_name, "DataStax Java driver for Apache Cassandra(R)");
  assert.equal(a.driver_version, "4.17.0");
  assert.equal(a.keyspace, null, "an empty Keyspace cell is null, not the next column");
  assert.equal(a.requests, 100);
  assert.deepEqual(
    [a.address, a.client, a.ssl, a.cipher, a.tls_protocol, a.protocol_version, a.user],
    ["/10.1.0.7:50100", "10.1.0.7", false, null, null, 5, "anonymous"],
  );
  assert.deepEqual([b.protocol_version, b.keyspace, b.requests, b.driver_name], [3, "shop", 7, "DataStax Python Driver"]);
  const lines = text.split("\n");
  assert.match(lines[a.line - 1], /^\/10\.1\.0\.7:50100 /, "line numbers point at the row");
  assert.equal(p.total_connected, 2);
  assert.match(lines[p.total_line! - 1], /^Total connected clients: 2/);
  assert.deepEqual(
    p.by_user.map((u) => [u.user, u.connections]),
    [["anonymous", 2]],
  );
  assert.deepEqual(p.skipped, []);
});

test("parseClientstats: default output, --client-options, --by-protocol, host names and IPv6 in addresses", () => {
  const plain = parseClientstats("Total connected clients: 0\n\nUser Connections\n", { file: "x" });
  assert.deepEqual([plain.total_connected, plain.connections.length, plain.by_user.length], [0, 0, 0]);
  const withOptions = tableBuilder([
    [...HEADER, "Client-Options"],
    [...conn("10.1.0.7", 1, NODE), "CQL_VERSION=3.0.0, DRIVER_NAME=DataStax Node.js Driver for Apache Cassandra, DRIVER_VERSION=4.8.0"],
  ]);
  const o = parseClientstats(withOptions + "\nTotal connected clients: 1\n", { file: "x" });
  assert.equal(o.connections[0].driver_name, NODE[0]);
  assert.match(o.connections[0].client_options!, /^CQL_VERSION=3\.0\.0, DRIVER_NAME=DataStax Node\.js Driver/);
  const byProto =
    "Clients by protocol version\n\n" +
    tableBuilder([
      ["Protocol-Version", "IP-Address", "Last-Seen"],
      ["5", "/10.1.0.7", "Nov 24, 2026 10:15:02"],
      ["3", "/10.1.0.8", "Nov 24, 2026 09:01:44"],
    ]) +
    "\n";
  const bp = parseClientstats(byProto, { file: "x" });
  assert.deepEqual(
    bp.by_protocol.map((r) => [r.protocol_version, r.address, r.last_seen]),
    [
      [5, "/10.1.0.7", "Nov 24, 2026 10:15:02"],
      [3, "/10.1.0.8", "Nov 24, 2026 09:01:44"],
    ],
  );
  assert.equal(bp.total_connected, null);
  assert.deepEqual(["app1/10.1.0.7:50100", "/10.1.0.7:50100", "/[0:0:0:0:0:0:0:1]:50100", "10.1.0.7"].map(clientIp), [
    "10.1.0.7",
    "10.1.0.7",
    "0:0:0:0:0:0:0:1",
    "10.1.0.7",
  ]);
});

test("parseClientstats: re-spaced rows fall back to words when they fit, else are skipped with line and reason; garbage names the file", () => {
  // Pasted into a ticket: runs of spaces collapsed to one, so TableBuilder's offsets are lost.
  const respaced = clientstatsAll([conn("10.1.0.7", 50100, ["undefined", "undefined"]), conn("10.1.0.8", 40001, PYTHON)])
    .split("\n")
    .map((l) => l.replace(/ +/g, " "))
    .join("\n");
  const p = parseClientstats(respaced, { file: "ticket.txt" });
  assert.equal(p.connections.length, 1, "the row without spaces inside cells still parses");
  assert.equal(p.connections[0].client, "10.1.0.7");
  assert.equal(p.connections[0].driver_name, null, '"undefined" is no driver name');
  assert.equal(p.skipped.length, 1);
  assert.equal(p.skipped[0].line, 3);
  assert.match(p.skipped[0].reason, /expected 10 columns/);
  assert.equal(p.total_connected, 2);

  assert.throws(
    () => parseClientstats("Pool Name Active Pending\nReadStage 0 0\n", { file: "nodes/n1/nodetool/clientstats" }),
    (e: Error) => /nodes\/n1\/nodetool\/clientstats: no line of it is nodetool clientstats output \(line 1: "Pool Name/.test(e.message),
  );
  assert.equal(
    parseClientstats("nodetool: Failed to connect to '127.0.0.1:7199'\n", { file: "x" }).nodetoolError,
    "nodetool: Failed to connect to '127.0.0.1:7199'",
  );
});

test("connections() on a recorded bundle: per-node totals, one row per connection citing its line, and the three recorded rules", async () => {
  const dir = tempDir("cassperf-clientstats-");
  const nodes = writeBundle(dir);
  const source = await open(dir);
  const r = await connections(source);
  assert.equal(r.summary.nodes, 3);
  assert.equal(r.summary.connected_clients, 20);
  assert.equal(r.summary.connections_listed, 20);
  assert.equal(r.summary.client_ips, 5);
  assert.equal(r.summary.protocol_versions, "3, 4, 5");
  const totals = Object.fromEntries(r.rows("nodes").map((n) => [n.node, n.total_connected]));
  assert.deepEqual(totals, Object.fromEntries(Object.entries(nodes).map(([n, c]) => [n, c.length])));
  // Every connection row cites the file line that holds its address.
  const rows = r.rows("clients");
  assert.equal(rows.length, 20);
  for (const row of rows) {
    const [rel, line] = String(row.from).split(/:(?=\d+$)/);
    assert.ok(fs.readFileSync(path.join(dir, rel), "utf8").split("\n")[Number(line) - 1].startsWith(String(row.address)), `${row.from} holds ${row.address}`);
  }
  const ids = (id: string) => r.findings.filter((f) => f.id === id);
  const unbalanced = ids("connections.clients-unbalanced");
  assert.deepEqual(
    unbalanced.map((f) => f.node),
    ["10.0.0.1"],
    "14 connections against a median of 3 on the others (3 and 3)",
  );
  assert.match(unbalanced[0].title, /14 client connections, over 2× the other nodes' median \(3\.0\)/);
  const many = ids("connections.many-per-client");
  assert.equal(many.length, 1);
  assert.match(many[0].title, /^10\.1\.0\.7 holds 12 connections to 10\.0\.0\.1$/);
  assert.match(many[0].evidence, /DataStax Java driver for Apache Cassandra\(R\) 4\.17\.0/);
  const old = ids("connections.old-protocol");
  assert.equal(old.length, 1);
  assert.match(old[0].title, /^10\.1\.0\.8 \(DataStax Python Driver 3\.25\.0\) speaks native protocol v3$/);
  assert.match(old[0].evidence, /^2 connections on 10\.0\.0\.1/);
  assert.ok(r.findings.every((f) => f.helper === "connections"));

  // The same cluster balanced (4 connections from the app host): no imbalance, no many-per-client.
  const balancedDir = tempDir("cassperf-clientstats-balanced-");
  writeBundle(balancedDir, CONNECTION_THRESHOLDS.CONNECTIONS_PER_CLIENT.value - 7);
  const b = await connections(await open(balancedDir));
  assert.deepEqual(
    b.findings.map((f) => f.id),
    ["connections.old-protocol"],
  );
});

test("connections() on recorded clientstats without --all, on a bad file, and on a single pasted file", async () => {
  const dir = tempDir("cassperf-clientstats-plain-");
  for (const [node, text] of [
    ["10.0.0.1", "Total connected clients: 4\n\nUser      Connections\nanonymous 4\n"],
    ["10.0.0.2", "this is not nodetool output\n"],
  ]) {
    fs.mkdirSync(path.join(dir, "nodes", node, "nodetool"), { recursive: true });
    fs.writeFileSync(path.join(dir, "nodes", node, "nodetool", "clientstats"), text);
  }
  const r = await connections(await open(dir));
  assert.deepEqual(
    r.rows("nodes").map((n) => [n.node, n.total_connected, n.from]),
    [["10.0.0.1", 4, "nodes/10.0.0.1/nodetool/clientstats:1"]],
  );
  assert.deepEqual(
    r.rows("by_user").map((u) => [u.user, u.connections]),
    [["anonymous", 4]],
  );
  assert.ok(
    r.notes.some((n) => /^skipped nodes\/10\.0\.0\.2\/nodetool\/clientstats: .*no line of it is nodetool clientstats output/.test(n)),
    r.notes.join("\n"),
  );
  assert.ok(r.notes.some((n) => /recorded without --all/.test(n)));

  const single = path.join(tempDir("cassperf-clientstats-file-"), "clients.txt");
  fs.writeFileSync(single, clientstatsAll([conn("10.1.0.7", 50100, JAVA)]));
  const s = await open(single);
  assert.equal(s.files({ kind: "nodetool", command: "clientstats" }).length, 1, "a pasted clientstats file is recognised by its content");
  assert.equal((await connections(s)).summary.connections_listed, 1);
});
