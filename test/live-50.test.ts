/**
 * Every live helper on a real Apache Cassandra 5.0 ring: the 3-node 5.0 lab scripts/test.mjs starts
 * from Maven Central (CASSPERF_LAB50_DIR / CASSPERF_LAB50_NODES). Expected values come from the
 * cluster itself by another road than the helper under test: nodetool (ring, info), the test's own
 * writes, grep over the node's gc.log, the driver's negotiated protocol version.
 *
 * Tables use UnifiedCompactionStrategy (5.0's new strategy) so compactionAdvice sees it as current.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as lab from "../src/lab";
import { connectLive, type LiveSource } from "../src/cluster/live";
import { trace } from "../src/analyze/trace/trace";
import { classifyActivity } from "../src/parse/trace-stages";
import { caches, connections, health, histograms, gcStats, compactionAdvice, partitionScan } from "../src/index";
import { bench } from "../src/analyze/bench/bench";
import { record } from "../src/cluster/record";
import { openRecorded } from "../src/cluster/recorded";
import { versionsOf } from "../src/analyze/inventory";
import { lab50, lab50OrSkip, tempDir } from "./support";

const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
const KS = "cassperf_50";
const EXPIRED = 400;
const LIVE_ROWS = 25;
let plain: LiveSource | undefined; // connect() with no nodetool and no log folders

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const l = lab50();
  if (!l) return;
  plain = await connectLive({ contactPoints: l.contactPoints });
  const c = plain.client;
  const ALL = cassandra.types.consistencies.all;
  await c.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
  await c.execute(`DROP TABLE IF EXISTS ${KS}.tomb`);
  await c.execute(`CREATE TABLE ${KS}.tomb (uid int, ts int, data text, PRIMARY KEY (uid, ts)) WITH compaction = {'class': 'UnifiedCompactionStrategy'}`);
  const run = async (n: number, f: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => f(i + k)));
  };
  // Tombstones as time series make them: rows with a TTL that has expired (counted as tombstone cells by 3.0+).
  await run(LIVE_ROWS, (i) =>
    c.execute(`INSERT INTO ${KS}.tomb (uid, ts, data) VALUES (?, ?, ?)`, [7, i, "x".repeat(40)], { prepare: true, consistency: ALL }),
  );
  await run(EXPIRED, (i) =>
    c.execute(`INSERT INTO ${KS}.tomb (uid, ts, data) VALUES (?, ?, ?) USING TTL 1`, [7, LIVE_ROWS + i, "x".repeat(40)], { prepare: true, consistency: ALL }),
  );
  // Partitions of known sizes for partitionScan: partition p has p * 10 rows (p = 1..20).
  await c.execute(`CREATE TABLE IF NOT EXISTS ${KS}.parts (p int, c int, v text, PRIMARY KEY (p, c)) WITH compaction = {'class': 'UnifiedCompactionStrategy'}`);
  const parts = Array.from({ length: 20 }, (_, i) => i + 1).flatMap((p) => Array.from({ length: p * 10 }, (_, k) => [p, k]));
  await run(parts.length, (i) => c.execute(`INSERT INTO ${KS}.parts (p, c, v) VALUES (?, ?, 'v')`, parts[i], { prepare: true }));
  await sleep(2500);
});

after(async () => {
  await plain?.close();
});

/** Every event of a report maps to a named stage; the unknown ones are listed in the message. */
function assertNoUnknown(r: Awaited<ReturnType<typeof trace>>, what: string) {
  const unknown = r
    .rows("events")
    .filter((e) => e.stage === "other")
    .map((e) => String(e.activity));
  assert.deepEqual(unknown, [], `${what}: activities with no stage rule`);
}

test("5.0 lab: every node UN, Cassandra 5.0.x, G1 gc.log and Cassandra's system.log pattern, num_tokens 16", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const s = await lab.status({ dir: l.dir });
  assert.match(s.version, /^5\.0\.\d+$/);
  for (const n of s.nodes) {
    assert.deepEqual([n.process, n.cql, n.ring], ["up", true, "UN"], n.name);
    assert.ok((n.rssMiB ?? 0) > 200, `${n.name} RSS ${n.rssMiB} MiB`);
    const sys = fs.readFileSync(path.join(n.logDir, "system.log"), "utf8");
    assert.match(sys, /^INFO {2}\[main\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} CassandraDaemon\.java:\d+ - /m);
    // The yaml the lab wrote is the one the node runs (its "Node configuration" line).
    assert.match(sys, /num_tokens=16;/);
    const gc = fs.readFileSync(path.join(n.logDir, "gc.log"), "utf8");
    assert.match(gc, /Using G1/);
    assert.match(gc, /\[safepoint/);
  }
  // nodetool through NodeTool on the release's own classpath: 16 tokens per node in `nodetool ring`.
  const ring = await lab.nodetool("node1", ["ring"], { dir: l.dir });
  for (const a of l.contactPoints) assert.equal(ring.split("\n").filter((line) => line.startsWith(`${a} `)).length, 16, `${a} in nodetool ring`);
  // cassandra-stress is not on Maven Central: one clear line.
  assert.throws(
    () => lab.stressCommand(["write", "n=10"], { dir: l.dir }),
    /lab stress: no cassandra-stress for Cassandra 5\.0\.\d+: org\.apache\.cassandra:cassandra-stress:5\.0\.\d+ is not on Maven Central/,
  );
});

test("5.0 trace(): QUORUM read of a tombstone-heavy partition — three nodes, tombstone counts, every activity staged", async (t) => {
  if (!lab50OrSkip(t) || !plain) return;
  await plain.client.execute(`ALTER TABLE ${KS}.tomb WITH speculative_retry = 'ALWAYS'`);
  const r = await trace(`SELECT * FROM ${KS}.tomb WHERE uid = ?`, { params: [7], consistency: "QUORUM", source: plain });
  assert.equal(r.summary.rowsReturned, LIVE_ROWS);
  assert.equal(new Set(r.columns("events").node as string[]).size, 3);
  const tomb = r.rows("events").filter((e) => e.stage === "tombstones");
  assert.equal(tomb.length, 3, "one 'Read N live rows and M tombstone cells' per replica");
  for (const e of tomb) {
    // 5.0 wording (ReadCommand.java): "Read 25 live rows and 400 tombstone cells"
    const m = /^Read (\d+) live rows and (\d+) tombstone cells/.exec(String(e.activity));
    assert.ok(m, String(e.activity));
    assert.deepEqual([e.live_rows, e.tombstones], [Number(m[1]), Number(m[2])]);
    assert.equal(e.live_rows, LIVE_ROWS);
    assert.ok((e.tombstones as number) >= EXPIRED);
  }
  // 4.0+ messages carry the verb and size: READ_REQ out, READ_RSP back.
  const verbs = new Set(
    r
      .rows("events")
      .map((e) => /^(?:Sending )?([A-Z_]+) message/.exec(String(e.activity))?.[1] ?? /^([A-Z_]+) message received/.exec(String(e.activity))?.[1])
      .filter(Boolean),
  );
  assert.ok(verbs.has("READ_REQ") && verbs.has("READ_RSP"), [...verbs].join(","));
  assert.ok(r.findings.some((f) => f.id === "trace.tombstones"));
  assertNoUnknown(r, "QUORUM read");
});

test("5.0 trace(): LOCAL_ONE read, a write, a range read and an SAI read — every activity staged", async (t) => {
  if (!lab50OrSkip(t) || !plain) return;
  await plain.client.execute(`ALTER TABLE ${KS}.tomb WITH speculative_retry = 'NONE'`);
  const one = await trace(`SELECT * FROM ${KS}.tomb WHERE uid = ?`, { params: [7], consistency: "LOCAL_ONE", source: plain });
  assert.equal(
    new Set(
      one
        .rows("events")
        .filter((e) => e.stage === "tombstones")
        .map((e) => e.node),
    ).size,
    1,
    "one replica reads at LOCAL_ONE",
  );
  assertNoUnknown(one, "LOCAL_ONE read");

  const w = await trace(`INSERT INTO ${KS}.tomb (uid, ts, data) VALUES (?, ?, ?)`, { params: [8, 1, "w"], consistency: "QUORUM", source: plain });
  const stages = new Set(w.rows("events").map((e) => e.stage));
  // Each replica appends to the commit log and adds to the memtable (Keyspace.apply's trace lines).
  assert.ok(stages.has("commitlog") && stages.has("memtable-write"), [...stages].join(","));
  assert.equal(w.rows("events").filter((e) => e.stage === "commitlog").length, 3, "RF 3: three commitlog appends");
  assertNoUnknown(w, "write");

  const range = await trace(`SELECT * FROM ${KS}.parts LIMIT 50`, { consistency: "QUORUM", source: plain });
  assert.ok(
    range.rows("events").some((e) => /^Enqueuing request to Full\(/.test(String(e.activity))),
    "range reads enqueue per-range requests",
  );
  assertNoUnknown(range, "range read");

  await plain.client.execute(`CREATE TABLE IF NOT EXISTS ${KS}.sai (k int PRIMARY KEY, v int)`);
  await plain.client.execute(`CREATE INDEX IF NOT EXISTS sai_v ON ${KS}.sai (v) USING 'sai'`);
  for (let i = 0; i < 30; i++) await plain.client.execute(`INSERT INTO ${KS}.sai (k, v) VALUES (?, ?)`, [i, i % 3], { prepare: true });
  const sai = await trace(`SELECT * FROM ${KS}.sai WHERE v = ?`, { params: [1], consistency: "LOCAL_ONE", source: plain });
  assert.equal(sai.summary.rowsReturned, 10);
  assertNoUnknown(sai, "SAI read");
});

test("5.0 trace(): a read repair, provoked for real (node3 misses writes while gossip is off), maps to read-repair", { timeout: 420_000 }, async (t) => {
  const l = lab50OrSkip(t);
  if (!l || !plain) return;
  const D = { dir: l.dir };
  const [a1, , a3] = l.contactPoints;
  const { WhiteListPolicy, RoundRobinPolicy } = cassandra.policies.loadBalancing;
  const one = await connectLive({
    contactPoints: [a1],
    driverOptions: { policies: { loadBalancing: new WhiteListPolicy(new RoundRobinPolicy(), [`${a1}:9042`]) } } as never,
  });
  const waitState = async (want: string) => {
    for (let i = 0; i < 180; i++) {
      if (lab.ringStates(await lab.nodetool("node1", ["status"], D))[a3] === want) return;
      await sleep(1000);
    }
    assert.fail(`${a3} did not become ${want} in node1's view within 180 s`);
  };
  try {
    await one.client.execute(`CREATE TABLE IF NOT EXISTS ${KS}.rr (k int PRIMARY KEY, v int)`);
    // No hints: node3 must come back without the writes it missed.
    for (const n of ["node1", "node2"]) await lab.nodetool(n, ["disablehandoff"], D);
    await lab.nodetool("node3", ["disablegossip"], D);
    await waitState("DN");
    for (let k = 0; k < 5; k++)
      await one.client.execute(`INSERT INTO ${KS}.rr (k, v) VALUES (?, ?)`, [k, k], { prepare: true, consistency: cassandra.types.consistencies.one });
  } finally {
    await lab.nodetool("node3", ["enablegossip"], D);
    await waitState("UN");
    for (const n of ["node1", "node2"]) await lab.nodetool(n, ["enablehandoff"], D);
  }
  try {
    await sleep(2000);
    const r = await trace(`SELECT * FROM ${KS}.rr WHERE k = ?`, { params: [1], consistency: "ALL", source: one });
    const rr = r
      .rows("events")
      .filter((e) => e.stage === "read-repair")
      .map((e) => String(e.activity));
    // AbstractReadRepair / BlockingReadRepair wording: a digest mismatch, the full data reads, the repair mutation to node3.
    assert.ok(
      rr.some((a) => /^Digest mismatch/.test(a)),
      rr.join(" | "),
    );
    assert.ok(
      rr.some((a) => a.startsWith(`Sending read-repair-mutation to Full(/${a3}:`)),
      rr.join(" | "),
    );
    assertNoUnknown(r, "read repair");
  } finally {
    await one.close();
  }
});

test("5.0 monitors on a plain connect() (no nodetool): histograms, caches, connections, health thread pools — from system_views, each saying so", async (t) => {
  const l = lab50OrSkip(t);
  if (!l || !plain) return;
  assert.equal(plain.hasNodetool(), false);
  for (let i = 0; i < 30; i++)
    await plain.client.execute(`SELECT * FROM ${KS}.tomb WHERE uid = ?`, [7], { prepare: true, consistency: cassandra.types.consistencies.quorum });

  const h = await histograms(`${KS}.tomb`, { source: plain });
  const rows = h.rows(h.frameNames[0]);
  const metrics = new Set(rows.map((r) => r.metric));
  for (const m of ["read_latency", "write_latency", "coordinator_read_latency", "coordinator_write_latency"])
    assert.ok(metrics.has(m), `${m} in ${[...metrics].join(",")}`);
  const nodeRows = rows.filter((r) => ["read_latency", "write_latency", "coordinator_read_latency", "coordinator_write_latency"].includes(String(r.metric)));
  assert.ok(nodeRows.length >= 4 * 3 * 3, "4 metrics x 3 percentiles x 3 nodes");
  assert.deepEqual(
    nodeRows.filter((r) => !/^live system_views\.\w+ on 127\./.test(String(r.origin))),
    [],
    "every node number names its virtual table and node",
  );

  const c = await caches(plain);
  assert.equal(c.summary.sources, "system_views.caches");
  // Cross-check with nodetool info on node1: "Key Cache : entries N, size S, capacity 25 MiB, ...".
  const info = await lab.nodetool("node1", ["info"], { dir: l.dir });
  const cap = /^Key Cache\s+: .*capacity ([\d.]+) MiB/m.exec(info);
  assert.ok(cap, info);
  const key1 = c.rows("caches").find((r) => r.node === l.contactPoints[0] && r.cache === "key")!;
  assert.equal(key1.capacity_bytes, Number(cap[1]) * 2 ** 20);
  assert.match(String(key1.origin), /^live system_views\.caches on /);

  const k = await connections(plain);
  assert.match(String(k.summary.sources), /system_views\.clients/);
  const mine = k
    .rows("clients")
    .filter((r) => r.driver_name === "DataStax Node.js Driver for Apache Cassandra" && r.driver_version === require("cassandra-driver/package.json").version);
  assert.ok(mine.length >= 3, `this test's own driver is a client of every node: ${JSON.stringify(k.rows("clients"))}`);
  // The protocol the driver negotiated (4: cassandra-driver 4.x does not speak v5) is what the server reports.
  const negotiated = (plain.client as unknown as { controlConnection: { protocolVersion: number } }).controlConnection.protocolVersion;
  assert.ok(mine.every((r) => r.protocol_version === negotiated));

  const he = await health(plain);
  const pools = he.rows("headline").find((r) => r.metric === "thread pools: pending + blocked tasks");
  assert.ok(pools, JSON.stringify(he.rows("headline").map((r) => r.metric)));
  for (const a of l.contactPoints) assert.ok(String(pools.from).includes(`live system_views.thread_pools on ${a}`), String(pools.from));
  assert.ok(he.rows("headline").some((r) => r.metric === "running sstable tasks"));
  // Settings as the nodes run them: num_tokens is what the lab wrote into each node's cassandra.yaml.
  const yamlTokens = JSON.parse(fs.readFileSync(path.join(l.dir, "node1", "conf", "cassandra.yaml"), "utf8")).num_tokens;
  const settings = he.rows("headline").find((r) => r.metric === "settings");
  assert.ok(settings, "settings row");
  assert.match(String(settings.detail), new RegExp(`num_tokens=${yamlTokens}(,|$)`));
  assert.equal(settings.value, "same on every node");
  assert.match(String(settings.from), /live system_views\.settings on /);
  assert.ok(!he.notes.some((n) => /^(histograms|caches)\(\) cannot answer/.test(n)), he.notes.join("\n"));
});

test("5.0 partitionScan() with num_tokens 16 scans all 48 ranges and finds the partition sizes written", async (t) => {
  if (!lab50OrSkip(t) || !plain) return;
  const r = await partitionScan(`${KS}.parts`, { source: plain });
  // 3 nodes x num_tokens 16 = 48 tokens (counted in nodetool ring below); the range that wraps
  // past the largest token is scanned as two (token > last, token <= first): 49 ranges.
  const ring = await lab.nodetool("node1", ["ring"], { dir: lab50()!.dir });
  const tokens = ring.split("\n").filter((line) => /^127\.\S+\s+rack1\s+Up\s+Normal/.test(line)).length;
  assert.equal(tokens, 48);
  assert.equal(r.summary.ranges_total, tokens + 1);
  assert.equal(r.summary.ranges_scanned, tokens + 1);
  assert.equal(r.summary.partitions, 20);
  assert.equal(r.summary.rows, (10 * 20 * 21) / 2);
  assert.equal(r.summary.max_rows, 200);
});

test("5.0 bench(): a short run completes; the source's Node.js client stays on v4 (cassandra-driver 4.x has no v5; bench's v5 load: bench-v5-50)", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const { connect } = await import("../src/index");
  const live = await connect({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
  try {
    const r = await bench("writes", { ops: 1500, concurrency: 8, warmup: 0, keyspace: `${KS}_bench` });
    assert.equal(r.summary.ops, 1500);
    assert.equal(r.summary.errors, 0);
    // The rows are in the bench keyspace on the 5.0 ring (counted by CQL, not by bench).
    const n = await live.client.execute(`SELECT count(*) FROM ${KS}_bench.standard LIMIT 100000`);
    assert.ok(Number(n.first().count) >= 1500);
    assert.equal(cassandra.types.protocolVersion.isSupported(5), false, "if the driver learns v5, this test should assert v5");
    assert.equal((live.client as unknown as { controlConnection: { protocolVersion: number } }).controlConnection.protocolVersion, 4);
  } finally {
    await live.close();
  }
});

test("5.0 compactionAdvice(): UnifiedCompactionStrategy is read as current, and UCS is in the advice", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const live = await lab.connectLab(l.dir);
  try {
    await live.client.execute(`CREATE TABLE IF NOT EXISTS ${KS}.stcs (k int PRIMARY KEY, v text) WITH compaction = {'class': 'SizeTieredCompactionStrategy'}`);
    const r = await compactionAdvice({ source: live });
    const tables = r.rows(r.frameNames[0]);
    const ucs = tables.find((x) => x.table === `${KS}.tomb` || x.table === "tomb");
    assert.ok(ucs, JSON.stringify(tables.map((x) => x.table)));
    assert.equal(ucs.current, "UCS");
    assert.match(String(r.summary.version ?? ""), /^5\.0/);
    const stcs = r.findings.filter((f) => f.title.includes("stcs") || String(f.action).includes(`${KS}.stcs`));
    const advice = [...r.findings.map((f) => String(f.action)), ...tables.map((x) => String(x.statement ?? x.ucs ?? ""))].join("\n");
    assert.match(advice, /UnifiedCompactionStrategy/, `UCS offered on 5.0 (findings for stcs: ${stcs.length})`);
  } finally {
    await live.close();
  }
});

test("5.0 record() of the ring and gcStats() on the lab's own JDK 17 G1 log", { timeout: 300_000 }, async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const live = await lab.connectLab(l.dir);
  const dir = path.join(tempDir(), "rec50");
  try {
    // A light recording (three nodetool commands, the last 50 trace sessions): record() on 2 busy cores.
    await record(live, dir, { nodetool: ["status", "info", "tpstats"], traces: { limit: 50 } });
  } finally {
    await live.close();
  }
  const rec = await openRecorded(dir);
  // The recording's versions are the ones the driver saw on the ring (and lab status says).
  const versions = await versionsOf(rec);
  const s0 = await lab.status({ dir: l.dir });
  assert.deepEqual(Object.keys(versions).sort(), [...l.contactPoints].sort());
  assert.deepEqual([...new Set(Object.values(versions))], [s0.version]);
  const gcFile = path.join(dir, "nodes", l.contactPoints[0], "logs", "cassandra", "gc.log");
  const g = await gcStats(rec, { node: l.contactPoints[0] });
  // grep over the recorded gc.log: each G1 young pause ends with "[gc          ] GC(n) Pause Young (...) a->b(c) 12.345ms".
  const young = fs
    .readFileSync(gcFile, "utf8")
    .split("\n")
    .filter((line) => /\[gc\s*\] GC\(\d+\) Pause Young .* \d+(\.\d+)?ms$/.test(line)).length;
  assert.ok(young > 0, "the node collected at least once");
  const parsed = g.rows("pauses").filter((p) => /^young/.test(String(p.type)) && String(p.file).endsWith("gc.log"));
  assert.equal(parsed.length, young);
  assert.match(String(g.summary.collector), /G1/);
});

test("5.0 stage table: the lab's 5.0 wording is classified (strings copied from the lab's system_traces.events)", () => {
  // Seen on the 5.0.9 lab (this file's read-repair and range-read tests provoke them).
  assert.equal(classifyActivity("Enqueuing full data read to Full(/127.0.7.3:7000,(-4401679797567894353,-3890338157909420721])").stage, "read-repair");
  assert.equal(classifyActivity("Enqueuing request to Full(/127.0.7.2:7000,(-9223372036854775808,-8868484693435012009])").peer, "127.0.7.2");
  assert.equal(classifyActivity("Index mean cardinalities are s_v:1. Scanning with s_v.").stage, "replica-read");
});
