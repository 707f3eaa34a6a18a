// compactionAdvice(): every table of a real DSE 6.8 bundle gets advice citing its numbers; quoted
// names produce correctly quoted statements; against the lab, a time-series table without TTL gets
// TWCS and the TTL finding, an update-heavy read-heavy table with small partitions gets LCS, and a
// tombstone-heavy table gets tombstone findings with the counts its real traces state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { compactionAdvice, compactionStatement, twcsWindow, versionAtLeast } from "../src/analyze/compaction/compaction";
import { parseSchemaCql } from "../src/parse/schema-cql";
import { parseTablestats } from "../src/parse/nodetool-tablestats";
import type { LiveSource } from "../src/cluster/live";
import { pngSize } from "../src/present/chart";
import { data, lab, tempDir } from "./support";

test("dse68: advice for every table in its cfstats, each citing the cfstats lines it used", async () => {
  const cfstats = data("diag", "dse68", "nodes", "172.17.0.2", "nodetool", "cfstats");
  const inStats = parseTablestats(fs.readFileSync(cfstats, "utf8"))
    .tables.filter((t) => !t.is_index)
    .map((t) => `${t.keyspace}.${t.table}`);
  const r = await compactionAdvice({ source: data("diag", "dse68"), includeSystem: true });
  const advised = new Set(r.rows("advice").map((a) => `${a.keyspace}.${a.table}`));
  for (const t of inStats) assert.ok(advised.has(t), `advice for ${t}`);
  const ev = r.rows("evidence");
  for (const t of inStats) {
    const reads = ev.find((e) => e.table === t && e.item === "reads");
    if (reads) assert.match(String(reads.origin), /^nodes\/172\.17\.0\.2\/nodetool\/cfstats:\d+ \(172\.17\.0\.2\)$/);
  }
  // A real number, checked against the file: dse_leases.leases' read count as printed.
  const leases = parseTablestats(fs.readFileSync(cfstats, "utf8")).tables.find((t) => t.keyspace === "dse_leases" && t.table === "leases")!;
  assert.equal(ev.find((e) => e.table === "dse_leases.leases" && e.item === "reads")?.value, leases.read_count);
  const change = r.findings.find((f) => f.id === "compaction.strategy-change" && f.title.startsWith("dse_leases.leases"));
  assert.ok(change, "dse_leases.leases (updated in place, read twice as often as written) gets LCS");
  assert.match(change!.title, /STCS -> LCS/);
  assert.match(change!.evidence, new RegExp(`${leases.read_count!.toLocaleString("en-US")} reads`));
  assert.match(change!.action, /^ALTER TABLE "dse_leases"\."leases" WITH compaction = \{'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'\};/);
  assert.ok(pngSize(await r.chart("evidence").toPNG()).height > 500);
  // Without includeSystem only the user's tables.
  const user = await compactionAdvice({ source: data("diag", "dse68") });
  assert.deepEqual(
    user.rows("advice").map((a) => `${a.keyspace}.${a.table}`),
    ["keyspace1.counter1", "keyspace1.standard1"],
  );
});

test("names with upper case and quotes produce correctly quoted statements", async () => {
  const st = compactionStatement({ keyspace: "Shop", table: 'Order "Lines"' }, "LCS", { ttl: undefined, version: "4.1.3" });
  assert.equal(st.statement, `ALTER TABLE "Shop"."Order ""Lines""" WITH compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'};`);
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, "schema.cql"),
    `CREATE KEYSPACE "Shop" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '3'};\n\nCREATE TABLE "Shop"."Order ""Lines""" (\n    "OrderId" int,\n    at timestamp,\n    v text,\n    PRIMARY KEY ("OrderId", at)\n) WITH CLUSTERING ORDER BY (at DESC)\n    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy'}\n    AND default_time_to_live = 2592000\n    AND gc_grace_seconds = 864000;\n`,
  );
  const parsed = parseSchemaCql(fs.readFileSync(path.join(dir, "schema.cql"), "utf8"));
  assert.deepEqual(parsed.tables[0].partitionKey, ["OrderId"]);
  assert.deepEqual(parsed.tables[0].clustering, [{ name: "at", type: "timestamp", order: "DESC" }]);
  const r = await compactionAdvice('"Shop"."Order ""Lines"""', { source: dir });
  const a = r.rows("advice")[0];
  assert.equal(a.recommended, "TWCS");
  assert.equal(
    a.statement,
    `ALTER TABLE "Shop"."Order ""Lines""" WITH compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', 'compaction_window_size': '1'};`,
  );
  assert.match(String(a.reasoning), /rows expire after 2,592,000 s \(default_time_to_live \(schema\.cql:3\)\)/);
  assert.equal(
    r.findings.some((f) => f.id === "compaction.time-series-without-ttl"),
    false,
    "it has a TTL",
  );
});

test("windows, versions and bad arguments", async () => {
  assert.deepEqual(twcsWindow(30 * 86400), { unit: "DAYS", size: 1, why: "TTL 30 days / 30 windows" });
  assert.equal(twcsWindow(86400).unit, "MINUTES");
  assert.equal(twcsWindow(7 * 86400).unit, "HOURS");
  assert.equal(versionAtLeast("2.1.0", 3, 0, 8), false);
  assert.equal(versionAtLeast("3.11.4", 3, 0, 8), true);
  assert.equal(versionAtLeast("5.0.2", 5), true);
  // A table the source holds no evidence for: an empty report that says why (not a throw), so a runbook goes on.
  const noSuch = await compactionAdvice("no.such", { source: data("diag", "dse68") });
  assert.equal(noSuch.summary.answered, false);
  assert.match(String(noSuch.summary.reason), /has no schema, tablestats or histograms for no\.such/);
  assert.equal(noSuch.rows("advice").length, 0);
  // The calling rule (src/cluster/resolve.ts helperArgs): the second argument is the options object, named in the error.
  await assert.rejects(compactionAdvice("ks.t", "append-only" as any), /the second argument is the options object/);
  // apply on a recording: refused, or (no evidence for the table) an empty report that says why; never applied.
  const applied = await compactionAdvice("ks.t", { source: data("diag", "dse68"), apply: true }).catch((e: Error) => e);
  if (applied instanceof Error) assert.match(applied.message, /needs a live source/);
  else assert.match(String(applied.summary.reason), /has no schema/);
});

// ---- against the lab ----
const KS = "cassperf_compaction";
let live: LiveSource | undefined;
let tombstoneTrace: { tombstones: number; live: number } | undefined;

before(async () => {
  const l = lab();
  if (!l) return;
  const { connectLab, nodetool } = require("../src/lab") as typeof import("../src/lab");
  live = await connectLab(l.dir);
  const c = live.client;
  const { concurrent, types } = require("cassandra-driver") as typeof import("cassandra-driver");
  await c.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
  await c.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
  await c.execute(`CREATE TABLE ${KS}.readings (sensor text, at timestamp, value double, PRIMARY KEY (sensor, at)) WITH CLUSTERING ORDER BY (at DESC)`);
  await c.execute(`CREATE TABLE ${KS}.carts (id int PRIMARY KEY, items text)`);
  await c.execute(`CREATE TABLE ${KS}.inbox (user int, msg int, body text, PRIMARY KEY (user, msg))`);
  const t0 = Date.now() - 3_600_000;
  await concurrent.executeConcurrent(
    c,
    `INSERT INTO ${KS}.readings (sensor, at, value) VALUES (?, ?, ?)`,
    Array.from({ length: 3000 }, (_, i) => [`s${i % 10}`, new Date(t0 + i * 1000), i / 10]),
    { prepare: true, concurrencyLevel: 32 } as any,
  );
  // carts: 300 carts updated 5 times each, then read at ALL far more often than written.
  await concurrent.executeConcurrent(
    c,
    `UPDATE ${KS}.carts SET items = ? WHERE id = ?`,
    Array.from({ length: 1500 }, (_, i) => [`item-${i}`, i % 300]),
    { prepare: true, concurrencyLevel: 32 } as any,
  );
  await concurrent.executeConcurrent(
    c,
    `SELECT items FROM ${KS}.carts WHERE id = ?`,
    Array.from({ length: 7500 }, (_, i) => [i % 300]),
    { prepare: true, concurrencyLevel: 32, consistency: types.consistencies.all } as any,
  );
  // inbox: one user's partition with 2,000 messages, 1,500 deleted.
  await concurrent.executeConcurrent(
    c,
    `INSERT INTO ${KS}.inbox (user, msg, body) VALUES (?, ?, ?)`,
    Array.from({ length: 2000 }, (_, i) => [1, i, "hello"]),
    { prepare: true, concurrencyLevel: 32 } as any,
  );
  await concurrent.executeConcurrent(
    c,
    `DELETE FROM ${KS}.inbox WHERE user = ? AND msg = ?`,
    Array.from({ length: 1500 }, (_, i) => [1, i]),
    { prepare: true, concurrencyLevel: 32 } as any,
  );
  // Flush the tables whose tablestats we need; inbox stays in the memtables, where Cassandra 2.1's
  // trace counts its deleted rows as tombstoned cells (after a flush they become range tombstones it does not count).
  for (const node of live.nodes()) await nodetool(node, ["flush", KS, "carts", "readings"], { dir: l.dir });
  const { trace } = require("../src/analyze/trace/trace") as typeof import("../src/analyze/trace/trace");
  const t = await trace(`SELECT * FROM ${KS}.inbox WHERE user = ?`, { params: [1], consistency: "QUORUM", source: live });
  tombstoneTrace = { tombstones: Number(t.summary.tombstones ?? 0), live: Number(t.summary.liveRows ?? t.summary.live_rows ?? 0) };
});

after(async () => {
  await live?.close();
});

function needLab(t: { skip: (m?: string) => void }): boolean {
  if (live) return true;
  if (process.env.CI === "true") throw new Error("the lab cluster is not running");
  t.skip("no lab cluster");
  return false;
}

test("lab: a time-series table without TTL gets TWCS and the no-TTL finding", async (t) => {
  if (!needLab(t)) return;
  const r = await compactionAdvice(`${KS}.readings`, { source: live });
  const a = r.rows("advice")[0];
  assert.equal(a.current, "STCS");
  assert.equal(a.recommended, "TWCS");
  assert.match(String(a.reasoning), /first clustering column at is timestamp/);
  // Cassandra 2.1 has no TWCS: the executable statement is DTCS, the note gives TWCS for after the upgrade.
  assert.match(String(a.statement), /DateTieredCompactionStrategy/);
  assert.match(String(a.note), /TWCS is built into Cassandra from 3\.0\.8; this cluster runs 2\.1\.0.*TimeWindowCompactionStrategy/);
  const f = r.findings.find((x) => x.id === "compaction.time-series-without-ttl");
  assert.ok(f, "the no-TTL anti-pattern finding");
  assert.match(f!.evidence, /default_time_to_live = 0 \(live schema/);
});

test("lab: an update-heavy, read-heavy table with small partitions gets LCS", async (t) => {
  if (!needLab(t)) return;
  const r = await compactionAdvice(`${KS}.carts`, { source: live });
  const a = r.rows("advice")[0];
  assert.equal(a.recommended, "LCS", String(a.reasoning));
  assert.match(String(a.reasoning), /writes per partition/);
  assert.match(String(a.reasoning), /reads dominate/);
  assert.match(String(a.reasoning), /live nodetool cfstats on 127\./);
  assert.equal(a.statement, `ALTER TABLE "${KS}"."carts" WITH compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'};`);
});

test("lab: a tombstone-heavy table gets tombstone findings with the counts its traces state", async (t) => {
  if (!needLab(t)) return;
  assert.ok(tombstoneTrace && tombstoneTrace.tombstones >= 1500, `the traced read states its tombstones: ${JSON.stringify(tombstoneTrace)}`);
  const r = await compactionAdvice(`${KS}.inbox`, { source: live });
  const f = r.findings.find((x) => x.id === "compaction.tombstones-over-live-rows");
  assert.ok(f, `tombstones-over-live-rows finding: ${r.findings.map((x) => x.id).join(", ")}`);
  const ev = r.rows("evidence").find((e) => e.item === "trace_tombstones_vs_live_rows");
  assert.ok(ev);
  const m = /^(\d+) tombstones \/ (\d+) live rows in (\d+) sessions$/.exec(String(ev!.value));
  assert.ok(m, String(ev!.value));
  assert.ok(Number(m![1]) >= tombstoneTrace!.tombstones, "at least the traced read's tombstones are counted");
  assert.match(f!.title, /scan more tombstones than live rows/);
  assert.ok(
    r.findings.some((x) => x.id === "compaction.tombstones-per-read"),
    "over the 1,000 warn threshold too",
  );
});
