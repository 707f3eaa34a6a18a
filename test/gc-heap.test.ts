/**
 * The one heap rule (src/analyze/gc/heap.ts) and the one JVM-arguments parser (src/parse/jvm-args.ts):
 * gcStats and jvm() judge a heap by the same rules and raise the same finding; jvm() and the JDK 8
 * GC log parser read -XX:MaxHeapSize the same way.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gcStats, jvm } from "../src/index";
import { HEAP_RULES } from "../src/analyze/gc/heap";
import { parseGcLog } from "../src/parse/gc-log";
import { jvmArgSettings } from "../src/parse/jvm-args";
import { data, ROOT } from "./support";

test("one JVM-arguments parser: the JDK 8 CommandLine flags header of a real Cassandra CMS node gives jvm() and parseGcLog the same heap", () => {
  // gctoolkit-testdata's bob.log (test/fixtures/data/PROVENANCE.md): a JDK 1.8.0_112 CMS/ParNew Cassandra node.
  const text = fs.readFileSync(data("gc", "jdk8-cms-cassandra-bob.gc.log"), "utf8");
  const flags = /^CommandLine flags: (.*)$/m.exec(text)![1];
  // The header's own numbers: -XX:MaxHeapSize=16385048576 bytes = 15,626 MB exactly (15626 x 1,048,576), and +UseConcMarkSweepGC.
  assert.match(flags, /-XX:MaxHeapSize=16385048576 /);
  assert.match(flags, /-XX:\+UseConcMarkSweepGC\b/);
  const args = jvmArgSettings(flags.split(/\s+/));
  assert.equal(args.heap_max_mb, 15626);
  assert.equal(args.collector, "CMS");
  // -XX:NewSize=2048000000 bytes in the same header: 2,048,000,000 / 1,048,576 = 1953.125 MB.
  assert.equal(args.young_mb, 1953.125);
  const parsed = parseGcLog(text);
  assert.deepEqual([parsed.info.heapMaxMb, parsed.info.collector], [15626, "CMS"]);
});

test("one heap rule: on the lab dataset gcStats (GC log header) and jvm() raise the same small-heap finding per node", async () => {
  const dir = path.join(ROOT, "datasets/lab-3node");
  const node = "127.0.0.1";
  // The node's unified GC log header states the heap and RAM: 384 MB heap on 24,105 MB of RAM.
  const header = fs.readFileSync(path.join(dir, "nodes", node, "logs/cassandra/gc.log"), "utf8");
  assert.match(header, /Heap Max Capacity: 384M/);
  assert.match(header, /Memory: 24105M/);
  const [gc, j] = await Promise.all([gcStats(dir), jvm(dir)]);
  const small = (r: { findings: { id: string; node?: string; title: string; severity: string }[] }) =>
    r.findings.filter((f) => f.id === "jvm.heap-small" && f.node === node).map((f) => [f.title, f.severity]);
  // 384 MB = 0.375 GB, under HEAP_MIN_GB (8, cassandra-env.sh's default on a 32 GB machine), RAM >= 16 GB: the rule fires, once per helper.
  const expected = [[`${node}: heap 0.4 GB, under the 8-16 GB production range`, "warning"]];
  assert.deepEqual(small(gc), expected);
  assert.deepEqual(small(j), expected);
  assert.ok(!gc.findings.some((f) => f.id === "gc.heap-size"), "gcStats no longer has a heap rule of its own");
});

test("one heap rule: the thresholds' edges, by hand (8 GB minimum, 16 GB maximum, half of RAM)", () => {
  const ids = (heap: number | null, ram: number | null) =>
    HEAP_RULES.filter((r) => r.check({ node: "n", heap_max_mb: heap, ram_mb: ram, origin: "hand" })).map((r) => r.id);
  assert.deepEqual(ids(8 * 1024, 64 * 1024), []);
  assert.deepEqual(ids(8 * 1024 - 1, 64 * 1024), ["jvm.heap-small"]);
  // RAM under 2 x 8 GB: a small heap is all the machine can give, so not flagged as small; over half of 12 GB it is.
  assert.deepEqual(ids(7 * 1024, 12 * 1024), ["jvm.heap-over-half-ram"]);
  assert.deepEqual(ids(16 * 1024, 64 * 1024), []);
  assert.deepEqual(ids(16 * 1024 + 1, 64 * 1024), ["jvm.heap-large"]);
  assert.deepEqual(ids(null, 64 * 1024), []);
});
