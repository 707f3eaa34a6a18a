// partitionScan() against the real lab: 20,000 one-row partitions plus 3 deliberately large ones;
// the scan must find exactly those 3 as the largest with counts equal to SELECT COUNT(*), and must
// complete from other replicas while a node is frozen with kill -STOP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { connectLive, type LiveSource } from "../src/cluster/live";
import { partitionScan } from "../src/analyze/partitions/partitions";
import { parseTableName, quoteIdent } from "../src/cluster/cql";
import { suggestBucketing } from "../src/analyze/partitions/bucketing";
import { pngSize } from "../src/present/chart";
import { data, lab, tempDir } from "./support";

const KS = "cassperf_scan";
const SMALL = 20_000;
const LARGE = [
  { pk: 900_001, rows: 20_500 },
  { pk: 900_002, rows: 21_000 },
  { pk: 900_003, rows: 22_000 },
];
let live: LiveSource | undefined;

before(async () => {
  const l = lab();
  if (!l) return;
  live = await connectLive({ contactPoints: l.contactPoints, localDataCenter: "datacenter1", driverOptions: { socketOptions: { readTimeout: 30_000 } } });
  const c = live.client;
  await c.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
  await c.execute(`CREATE TABLE IF NOT EXISTS ${KS}.hot (pk int, ck int, v text, PRIMARY KEY (pk, ck))`);
  await c.metadata.refreshKeyspace(KS);
  const marker = await c.execute(`SELECT COUNT(*) FROM ${KS}.hot WHERE pk = ?`, [LARGE[2].pk], { prepare: true });
  if (Number(marker.rows[0].count) === LARGE[2].rows) return; // loaded by an earlier run against the same lab
  const { concurrent } = require("cassandra-driver") as typeof import("cassandra-driver");
  const insert = `INSERT INTO ${KS}.hot (pk, ck, v) VALUES (?, ?, ?)`;
  const params: unknown[][] = [];
  for (let i = 0; i < SMALL; i++) params.push([i, 0, "x"]);
  for (const p of LARGE) for (let ck = 0; ck < p.rows; ck++) params.push([p.pk, ck, "y"]);
  await concurrent.executeConcurrent(c, insert, params, { concurrencyLevel: 64, executionProfile: undefined as any, prepare: true } as any);
});

after(async () => {
  await live?.close();
});

test("the scan finds exactly the 3 large partitions as the largest, with counts equal to COUNT(*)", async (t) => {
  if (!live) {
    if (process.env.CI === "true") throw new Error("the lab cluster is not running");
    return t.skip("no lab cluster");
  }
  const progress: number[] = [];
  const report = await partitionScan(`${KS}.hot`, { source: live, concurrency: 8, top: 10, onProgress: (p) => progress.push(p.done) });
  const top = report.rows("partitions");
  assert.deepEqual(
    top
      .slice(0, 3)
      .map((r) => Number(r.key))
      .sort(),
    LARGE.map((p) => p.pk).sort(),
    "the three largest partitions are the deliberately large ones",
  );
  for (const r of top.slice(0, 3)) {
    const rs = await live.client.execute(`SELECT COUNT(*) FROM ${KS}.hot WHERE pk = ?`, [Number(r.key)], { prepare: true });
    assert.equal(r.rows, Number(rs.rows[0].count), `rows of partition ${r.key}`);
  }
  assert.equal(top[3].rows, 1, "every other partition has one row");
  assert.equal(report.summary.partitions, SMALL + LARGE.length);
  assert.equal(report.summary.rows, SMALL + LARGE.reduce((a, p) => a + p.rows, 0));
  assert.equal(report.summary.partial, false);
  assert.ok(progress.length > 0 && progress[progress.length - 1] === report.summary.ranges_total, "progress reached every range");
  const crit = report.findings.find((f) => f.id === "partitions.rows-over-critical");
  assert.ok(crit, "a critical finding names the large partitions");
  assert.equal(crit!.severity, "critical");
  assert.match(crit!.title, /3 partitions of cassperf_scan\.hot over 10,000 rows \(largest 22,000\)/);
  assert.match(crit!.action, /CREATE TABLE "cassperf_scan"\."hot_bucketed"/);
  assert.match(crit!.action, /PRIMARY KEY \(\("pk", "bucket"\), "ck"\)/);
  const png = await report.chart("histogram").toPNG();
  assert.ok(pngSize(png).width > 400);
  const dist = report.rows("distribution");
  assert.equal(dist.find((d) => d.min_rows === 1)?.partitions, SMALL);
});

test("a frozen node (kill -STOP) during a scan at ONE: the scan completes from other replicas and says so", async (t) => {
  if (!live) {
    if (process.env.CI === "true") throw new Error("the lab cluster is not running");
    return t.skip("no lab cluster");
  }
  const victim = lab()!.contactPoints[2];
  const pid = pidListeningOn(victim, 9042);
  assert.ok(pid, `found the JVM of ${victim}`);
  let report: Awaited<ReturnType<typeof partitionScan>>;
  execFileSync("kill", ["-STOP", String(pid)]);
  try {
    report = await partitionScan(`${KS}.hot`, { source: live, consistency: "ONE", timeoutMs: 4000, concurrency: 8, top: 5 });
  } finally {
    execFileSync("kill", ["-CONT", String(pid)]);
  }
  assert.equal(report.summary.ranges_failed, 0, `no range failed on every replica: ${report.notes.join(" | ")}`);
  assert.equal(report.summary.partitions, SMALL + LARGE.length, "every partition was counted");
  assert.equal(report.summary.ranges_failed, 0);
  assert.ok(
    report.notes.some((n) => /moved to another replica after a failure/.test(n) && n.includes(victim)),
    `notes say ranges moved off ${victim}: ${report.notes.join(" | ")}`,
  );
  assert.deepEqual(
    report
      .rows("partitions")
      .slice(0, 3)
      .map((r) => Number(r.key))
      .sort(),
    LARGE.map((p) => p.pk).sort(),
  );
});

test("budgets, sampling, streaming to a file and cancelling mark the scan partial and never overwrite", async (t) => {
  if (!live) {
    if (process.env.CI === "true") throw new Error("the lab cluster is not running");
    return t.skip("no lab cluster");
  }
  const budget = await partitionScan(`${KS}.hot`, { source: live, maxRows: 5000, concurrency: 1 });
  assert.equal(budget.summary.partial, true);
  assert.ok(budget.notes.some((n) => /row budget of 5000 rows reached/.test(n)));
  const sampled = await partitionScan(`${KS}.hot`, { source: live, sample: 0.25 });
  assert.ok((sampled.summary.ranges_scanned as number) < (sampled.summary.ranges_total as number));
  assert.ok(sampled.notes.some((n) => /sampled 25% of the token ranges/.test(n)));
  const dir = tempDir();
  const out = path.join(dir, "counts.csv");
  const full = await partitionScan(`${KS}.hot`, { source: live, outFile: out });
  const lines = fs.readFileSync(out, "utf8").trim().split("\r\n");
  assert.equal(lines.length - 1, full.summary.partitions);
  assert.equal(lines[0], "pk,token,rows"); // RFC 4180 with CRLF; the header names the key column of ${KS}.hot (CREATE TABLE above)
  await assert.rejects(partitionScan(`${KS}.hot`, { source: live, outFile: out }), /already exists; refusing to overwrite it/);
  const ac = new AbortController();
  const cancelled = await partitionScan(`${KS}.hot`, { source: live, concurrency: 1, onProgress: (p) => p.done >= 2 && ac.abort(), signal: ac.signal });
  assert.equal(cancelled.summary.partial, true);
  assert.ok(cancelled.notes.some((n) => /stopped early \(cancelled\)/.test(n)));
});

test("bad table names are validated and quoted, never concatenated", async (t) => {
  assert.deepEqual(parseTableName('"Shop"."Order ""Items"""', "x"), { keyspace: "Shop", table: 'Order "Items"' });
  assert.deepEqual(parseTableName("Shop.Orders", "x"), { keyspace: "shop", table: "orders" });
  assert.throws(() => parseTableName("shop.orders; DROP TABLE x", "partitionScan"), /partitionScan: "shop\.orders; DROP TABLE x" is not a table name/);
  assert.throws(() => parseTableName("orders", "partitionScan"), /is not a table name; expected "keyspace\.table"/);
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
  await assert.rejects(partitionScan("shop.orders", { concurrency: 0 } as any), /option concurrency must be a positive whole number; got 0/);
  await assert.rejects(partitionScan("shop.orders", { sample: 2 }), /option sample must be a fraction in \(0, 1\]; got 2/);
  if (!live) return t.skip("no lab cluster for the missing-table case");
  await assert.rejects(
    partitionScan('"NoSuchKs"."t"', { source: live }),
    /partitionScan: table NoSuchKs\.t does not exist \(no keyspace "NoSuchKs"; keyspaces: .*cassperf_scan/,
  );
});

test("bucketing advice: time buckets for a timestamp clustering key, hash buckets otherwise, quoted", () => {
  const time = suggestBucketing({
    keyspace: "Metrics",
    table: "by sensor",
    partitionKey: [{ name: "sensor", type: "text" }],
    clustering: [{ name: "ts", type: "timestamp", order: "DESC" }],
    columns: [{ name: "value", type: "double" }],
    maxRows: 50_000,
  });
  assert.equal(time.kind, "time");
  assert.equal(time.granularity, "day");
  assert.match(time.statement, /^CREATE TABLE "Metrics"\."by sensor_bucketed" \(/);
  assert.match(time.statement, /PRIMARY KEY \(\("sensor", "day_bucket"\), "ts"\)\n\) WITH CLUSTERING ORDER BY \("ts" DESC\);/);
  const hash = suggestBucketing({
    keyspace: "ks",
    table: "t",
    partitionKey: [{ name: "id", type: "int" }],
    clustering: [{ name: "seq", type: "int" }],
    maxRows: 22_000,
  });
  assert.equal(hash.kind, "hash");
  assert.equal(hash.buckets, 22);
  assert.match(hash.statement, /"bucket" int,/);
});

/** The PID of the process listening on addr:port (the lab node's JVM). */
function pidListeningOn(addr: string, port: number): number | undefined {
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    if (!line.includes(` ${addr}:${port} `) && !line.includes(`:${addr}]:${port} `)) continue;
    const m = /pid=(\d+)/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

test("recorded: large-partition warnings, tablestats and histograms give sizes with their files", async () => {
  const fromLog = await partitionScan("pingid.activation_codes_by_user", { source: data("logs", "cassandra3-system.example.log") });
  const grep = fs
    .readFileSync(data("logs", "cassandra3-system.example.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes("large partition pingid/activation_codes_by_user:"));
  assert.equal(fromLog.summary.large_partition_warnings, grep.length);
  assert.equal(fromLog.summary.max_partition_bytes, Math.round(895.549 * 2 ** 20));
  const crit = fromLog.findings.find((f) => f.id === "partitions.bytes-over-critical");
  assert.ok(crit);
  assert.match(crit!.evidence, /b9d49563-6d0c-4f6e-9253-fc876f6c66e1: 895\.5 MB \(cassandra3-system\.example\.log:\d+\)/);
  const lab21 = await partitionScan("keyspace1.standard1", { source: data("lab") });
  assert.equal(lab21.summary.max_partition_bytes, 310);
  assert.match(String(lab21.summary.max_partition_from), /nodetool-2\.1-cfstats\.txt \(Compacted partition maximum bytes\)/);
  assert.equal(lab21.findings.length, 0);
  // No evidence for the table: an empty report that says why and names the tables that have some.
  const none = await partitionScan("nosuch.table", { source: data("diag", "dse68") });
  assert.equal(none.summary.answered, false);
  assert.match(String(none.summary.reason), /has no partition evidence for nosuch\.table .*tables with evidence: HiveMetaStore\.sparkmetastore/);
});

test("node-skew rules compare a node with the median of the OTHER nodes: they fire on two nodes", async () => {
  const { partitionFindings } = await import("../src/analyze/partitions/partitions");
  const { peerMedian } = await import("../src/statistics/peer-median");
  const { RULES } = await import("../src/analyze/histograms/histograms");
  // Hand-computed medians: the others of [100, 300] at index 1 are [100]; of [1, 2, 3, 10] at index 3, [1, 2, 3] -> 2;
  // of [1, 2, 3, 4, 10] at index 4, [1, 2, 3, 4] -> (2 + 3) / 2 = 2.5. One node alone has no peers.
  assert.equal(peerMedian([100, 300], 1), 100);
  assert.equal(peerMedian([1, 2, 3, 10], 3), 2);
  assert.equal(peerMedian([1, 2, 3, 4, 10], 4), 2.5);
  assert.equal(peerMedian([7], 0), undefined);
  // Two nodes, one holding 3x the other's rows (before: the upper median of [1000, 3000] was 3000 itself, ratio 1).
  const stats = { table: "ks.t", partitions: 10, top: [], rowsPerNode: { "10.0.0.1": 1000, "10.0.0.2": 3000 }, origin: "hand-made counts" };
  const skew = partitionFindings(stats).filter((f) => f.id === "partitions.node-skew");
  assert.equal(skew.length, 1);
  assert.equal(skew[0].node, "10.0.0.2");
  assert.match(skew[0].title, /3\.0x the rows of ks\.t its peers hold \(median of the other 1 node\(s\): 1,000\)/);
  // Even nodes stay quiet; just under the ratio (2x is the threshold: 1,999 vs 1,000) too.
  assert.equal(partitionFindings({ ...stats, rowsPerNode: { a: 1000, b: 1100 } }).filter((f) => f.id === "partitions.node-skew").length, 0);
  assert.equal(partitionFindings({ ...stats, rowsPerNode: { a: 1000, b: 1999 } }).filter((f) => f.id === "partitions.node-skew").length, 0);
  // histograms' rule on two nodes: a 30 ms p99 against a peer's 10 ms fires; the peer does not.
  const rule = RULES.find((r) => r.id === "histograms.node-skew")!;
  const row = (node: string, value: number) => ({ node, keyspace: "ks", table: "t", metric: "read_latency", percentile: "99", value, origin: "hand-made" });
  const found = rule.check([row("n1", 10_000), row("n2", 30_000)] as never);
  assert.deepEqual(
    found.map((f) => f.node),
    ["n2"],
  );
});

test("the CSV of every count is RFC 4180: one column per key part, ':' ',' '\"' and line breaks survive a round trip", async () => {
  // The writer partitionScan's outFile uses (src/cluster/csv.ts), tested on values: no lab runs for this helper.
  // Expected text written by hand from RFC 4180 §2 rules 5-7 (quote fields with , " CR LF; double the quotes).
  const { csvRecord, csvField } = await import("../src/cluster/csv");
  assert.equal(csvRecord(["tenant", "day", "token", "rows"]), "tenant,day,token,rows\r\n");
  const key = ["acme:eu,1", 'say "hi"', "12:30"]; // a composite key whose parts hold ":", "," and '"'
  assert.equal(csvRecord([...key, "-9223372036854775808", 42]), '"acme:eu,1","say ""hi""",12:30,-9223372036854775808,42\r\n');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\rhere"), '"cr\rhere"');
  assert.equal(csvField(null), "");
  assert.equal(csvField("plain text"), "plain text");
  // Round trip through a small RFC 4180 reader written here: the parts come back exactly, one per column.
  const parse = (text: string): string[][] => {
    const rows: string[][] = [];
    let row: string[] = [];
    let f = "";
    let q = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (q) {
        if (c === '"' && text[i + 1] === '"') (f += '"'), i++;
        else if (c === '"') q = false;
        else f += c;
      } else if (c === '"') q = true;
      else if (c === ",") row.push(f), (f = "");
      else if (c === "\r" && text[i + 1] === "\n") row.push(f), rows.push(row), (row = []), (f = ""), i++;
      else f += c;
    }
    return rows;
  };
  const parts = ["a:b", "c,d", 'e"f', "g\r\nh"];
  const text = csvRecord(["k1", "k2", "k3", "k4", "token", "rows"]) + csvRecord([...parts, "7", 3]);
  assert.deepEqual(parse(text), [
    ["k1", "k2", "k3", "k4", "token", "rows"],
    [...parts, "7", "3"],
  ]);
});
