/**
 * Tests of the monitors health() builds on — caches(), connections(), queryPatterns(), jvm() — on
 * real nodetool outputs, diagnostic bundles, a real 3.x system.log and the real lab cluster.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { caches, connections, jvm, queryPatterns, queryPattern } from "../src/index";
import { data, labOrSkip } from "./support";

type Row = Record<string, unknown>;
const cacheRow = (rows: Row[], node: string, cache: string) => {
  const r = rows.find((x) => x.node === node && x.cache === cache);
  assert.ok(r, `no ${cache} cache row for ${node}`);
  return r;
};

test("caches(): nodetool info of Cassandra 2.1 (lab), values exactly as printed", async () => {
  // Key Cache        : entries 14836, size 1186840 (bytes), capacity 19922944 (bytes), 26494 hits, 41339 requests, 0.641 recent hit rate, ...
  const r = await caches(data("lab", "nodetool-2.1-info.txt"));
  const rows = r.rows("caches");
  const node = String(rows[0].node);
  assert.deepEqual(
    { ...cacheRow(rows, node, "key"), hit_rate: undefined, node: undefined },
    {
      node: undefined,
      cache: "key",
      entries: 14836,
      size_bytes: 1186840,
      capacity_bytes: 19922944,
      hits: 26494,
      requests: 41339,
      hit_rate: undefined,
      recent_hit_rate: 0.641,
      origin: "nodetool-2.1-info.txt",
    },
  );
  assert.equal(cacheRow(rows, node, "key").hit_rate, 26494 / 41339);
  assert.deepEqual([cacheRow(rows, node, "row").capacity_bytes, cacheRow(rows, node, "row").recent_hit_rate], [0, null]); // "NaN recent hit rate" is missing, not 0
  assert.equal(cacheRow(rows, node, "counter").capacity_bytes, 9437184);
  assert.equal(rows.length, 3, "2.1 prints no chunk cache");
  // 64.1% is under the 95% key cache rule.
  const f = r.findings.find((x) => x.id === "caches.key-cache-hit-rate");
  assert.ok(f && /64\.1%/.test(f.title) && f.helper === "caches");
});

test("caches(): nodetool info of the 2.1.17 bundle (human units: 98 MB, 1.02 KB), three nodes", async () => {
  const r = await caches(data("diag", "cassandra-2.1.17"));
  const rows = r.rows("caches");
  assert.deepEqual([...new Set(rows.map((x) => x.node))].sort(), ["10.101.34.191", "10.101.34.223", "10.101.35.67"]);
  // Key Cache : entries 11, size 840 bytes, capacity 98 MB, 18354 hits, 18375 requests, 0.999 recent hit rate
  const k = cacheRow(rows, "10.101.34.191", "key");
  assert.deepEqual([k.entries, k.size_bytes, k.capacity_bytes, k.hits, k.requests, k.recent_hit_rate], [11, 840, 98 * 2 ** 20, 18354, 18375, 0.999]);
  // Key Cache : entries 14, size 1.02 KB, capacity 98 MB, 12340 hits, 12361 requests, 0.998 recent hit rate
  const k2 = cacheRow(rows, "10.101.34.223", "key");
  assert.deepEqual([k2.entries, k2.size_bytes, k2.hits, k2.requests, k2.recent_hit_rate], [14, Math.round(1.02 * 1024), 12340, 12361, 0.998]);
  assert.equal(cacheRow(rows, "10.101.34.223", "counter").capacity_bytes, 49 * 2 ** 20);
  assert.equal(k2.origin, "nodes/10.101.34.223/nodetool/info");
  // Hit rates near 99.9%: the 95% rule stays quiet.
  assert.equal(r.findings.filter((f) => f.id === "caches.key-cache-hit-rate").length, 0);
});

test("caches(): nodetool info of DSE 6.8 (MiB/GiB units, chunk cache with misses)", async () => {
  const r = await caches(data("diag", "dse68"));
  const rows = r.rows("caches");
  // Key Cache : entries 0, size 0 bytes, capacity 93 MiB, 0 hits, 0 requests, NaN recent hit rate
  const k = cacheRow(rows, "172.17.0.2", "key");
  assert.deepEqual([k.entries, k.size_bytes, k.capacity_bytes, k.hits, k.requests, k.hit_rate, k.recent_hit_rate], [0, 0, 93 * 2 ** 20, 0, 0, null, null]);
  assert.equal(cacheRow(rows, "172.17.0.2", "counter").capacity_bytes, 46 * 2 ** 20);
  // Chunk Cache : entries 216928, size 1.3 GiB, capacity 1.3 GiB, 5331532 misses, 308803390 requests, 0.983 recent hit rate
  const c = cacheRow(rows, "172.17.0.2", "chunk");
  assert.deepEqual(
    [c.entries, c.size_bytes, c.capacity_bytes, c.requests, c.recent_hit_rate],
    [216928, Math.round(1.3 * 2 ** 30), Math.round(1.3 * 2 ** 30), 308803390, 0.983],
  );
  assert.equal(c.hit_rate, 1 - 5331532 / 308803390);
  assert.equal(r.summary.worst_key_cache_hit_rate, null, "0 requests is no hit rate");
});

test("queryPatterns(): the 3.x log's tombstone-warning queries, counts equal to grep's", async () => {
  const file = data("logs", "cassandra3-system.example.log");
  const lines = fs.readFileSync(file, "utf8").split("\n");
  // grep 'tombstone cells for query' | grep 'org_username >='  /  the rest
  const warn = lines.filter((l) => /^WARN .*tombstone cells for query SELECT/.test(l));
  const withRange = warn.filter((l) => /WHERE org_alias = \S+ AND org_username >= \S+ LIMIT \d+/.test(l)).length;
  const aliasOnly = warn.filter((l) => /WHERE org_alias = \S+ LIMIT \d+/.test(l)).length;
  assert.equal(withRange + aliasOnly, warn.length, "every tombstone warning is one of two shapes");
  assert.ok(withRange > 1000 && aliasOnly > 100);
  // The file has no slow-query or timed-out-query lines (grep says so); the report must agree.
  assert.equal(lines.filter((l) => /operations were slow|operations timed out|slow queries|timed out queries/i.test(l)).length, 0);

  const r = await queryPatterns(file);
  const rows = r.rows("patterns");
  assert.deepEqual(
    rows.map((x) => [x.pattern, x.count, x.sources]),
    [
      ["SELECT * FROM testks.reports WHERE org_alias = ? AND org_username >= ? LIMIT ?", withRange, "tombstone-warning"],
      ["SELECT * FROM testks.reports WHERE org_alias = ? LIMIT ?", aliasOnly, "tombstone-warning"],
    ],
  );
  assert.equal(r.summary.queries, warn.length);
  assert.ok(
    rows.every((x) => !String(x.sources).includes("slow-query") && x.mean_ms === null),
    "no slow-query samples, so no latency",
  );
  // The worst tombstone count per pattern is the file's own maximum.
  const maxTomb = Math.max(...warn.filter((l) => /org_username >=/.test(l)).map((l) => Number(/and (\d+) tombstone cells/.exec(l)![1])));
  assert.equal(rows[0].tombstones_max, maxTomb);
  assert.ok(r.findings.some((f) => f.id === "patterns.tombstones" && f.helper === "queryPatterns"));
});

test("queryPattern(): literals, UUIDs, blobs and IN lists become ?", () => {
  assert.equal(queryPattern("SELECT * FROM ks.t WHERE id = 42 AND u = 'x''y' AND k IN (1, 2, 3);"), "SELECT * FROM ks.t WHERE id = ? AND u = ? AND k IN (?)");
  assert.equal(queryPattern("SELECT a FROM ks.t WHERE id = 5f07e400-cfa8-4afd-a6a0-6935ad90e9dd AND b = 0xCAFE"), "SELECT a FROM ks.t WHERE id = ? AND b = ?");
  // DSE 6.8's debug.log prints "WHERE key= 1" (diag/dse68 debug.log:14529): one pattern with "key = 2".
  assert.equal(queryPattern("SELECT * FROM keyspace1.standard1 WHERE key= 1"), queryPattern("SELECT * FROM keyspace1.standard1 WHERE key = 2"));
  assert.equal(queryPattern("SELECT * FROM ks.t WHERE token(k)>-42 AND c<=7"), "SELECT * FROM ks.t WHERE token(k) > ? AND c <= ?");
});

test("jvm(): the 2.1.17 bundle — 1995 MB CMS heap from java_cmdline", async () => {
  const r = await jvm(data("diag", "cassandra-2.1.17"));
  const rows = r.rows("nodes");
  assert.equal(rows.length, 3);
  for (const n of rows) {
    assert.deepEqual([n.heap_max_mb, n.heap_min_mb, n.young_mb, n.collector], [1995, 1995, 200, "CMS"]);
    assert.match(String(n.origin), new RegExp(`^nodes/${String(n.node).replace(/\./g, "\\.")}/java_cmdline`));
  }
  // heap used from nodetool info: "Heap Memory (MB) : 517.57 / 1976.00"
  assert.equal(rows.find((n) => n.node === "10.101.34.191")!.heap_used_mb, 517.57);
  assert.equal(r.findings.filter((f) => f.id === "jvm.cms").length, 3);
  assert.ok(r.findings.every((f) => f.helper === "jvm"));
});

test("jvm(): DSE 6.8 — G1, 1868 MB, MaxGCPauseMillis 500, RAM from meminfo, heap after GC over time", async () => {
  const r = await jvm(data("diag", "dse68"));
  const [n] = r.rows("nodes");
  const meminfo = fs.readFileSync(data("diag", "dse68", "nodes", "172.17.0.2", "os-metrics", "meminfo"), "utf8");
  const ramKb = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)![1]);
  assert.deepEqual([n.collector, n.heap_max_mb, n.heap_min_mb, n.max_gc_pause_ms, n.ram_mb], ["G1", 1868, 1868, 500, ramKb / 1024]);
  assert.ok(r.count("heap") > 1000, "heap after GC from the gc log");
  // 1868 MB heap on 7.3 GB of RAM: under half of RAM, so no over-half rule.
  assert.equal(r.findings.filter((f) => f.id === "jvm.heap-over-half-ram").length, 0);
});

test("connections(): the lab shows 3 hosts up, then one down after it leaves the native protocol", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const labm = require("../src/lab") as typeof import("../src/lab");
  const live = await labm.connectLab(l.dir);
  const victim = l.contactPoints[l.contactPoints.length - 1];
  try {
    const before = await connections(live, { expectedConcurrency: 100_000 });
    assert.deepEqual([before.summary.hosts, before.summary.up, before.summary.down], [3, 3, 0]);
    assert.deepEqual(
      before
        .rows("hosts")
        .map((h) => h.host)
        .sort(),
      [...l.contactPoints].sort(),
    );
    assert.ok(before.rows("hosts").every((h) => h.up === true && h.datacenter === "datacenter1"));
    // 100,000 requests over 3 hosts at 2,048 per connection need 17 connections per host: the pool rule fires.
    assert.ok(before.findings.some((f) => f.id === "connections.pool-size" && /17 connections per host/.test(f.title)));
    assert.equal(before.findings.filter((f) => f.id === "connections.host-down").length, 0);

    await labm.nodetool(victim, ["disablebinary"], { dir: l.dir });
    try {
      // Bounded wait: the driver marks the host down once its connections close and reconnection fails.
      const deadline = Date.now() + 60_000;
      let after = await connections(live);
      while (after.summary.down === 0 && Date.now() < deadline) {
        await live.client.execute("SELECT release_version FROM system.local").catch(() => {});
        await new Promise((res) => setTimeout(res, 500));
        after = await connections(live);
      }
      assert.deepEqual([after.summary.hosts, after.summary.up, after.summary.down], [3, 2, 1]);
      const down = after.rows("hosts").find((h) => h.up === false)!;
      assert.equal(down.host, victim);
      const f = after.findings.find((x) => x.id === "connections.host-down");
      assert.ok(f && f.node === victim && f.severity === "critical");
    } finally {
      await labm.nodetool(victim, ["enablebinary"], { dir: l.dir });
    }
  } finally {
    await live.close();
  }
});
