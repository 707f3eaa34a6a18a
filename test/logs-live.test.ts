/**
 * logs() and timeline() on the live lab: Cassandra 2.1 writes a real tombstone warning into its
 * system.log when a read scans more than tombstone_warn_threshold (1,000) deleted cells; logs()
 * reads it back through the live source (the lab's log folders), and timeline() draws the node's
 * GC log next to it. Runs on the lab the test run started (labOrSkip).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { labOrSkip } from "./support";
import { logs, timeline } from "../src/analyze/logs/logs";
import { pngSize } from "../src/present/chart";

const KS = "cassperf_logs";
const CELLS = 1_100; // over Cassandra's tombstone_warn_threshold of 1,000

test("live lab: a tombstone warning Cassandra 2.1 logs is read back with its table and counts", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const { connectLab } = await import("../src/lab");
  const live = await connectLab(l.dir);
  try {
    await live.client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await live.client.execute(`CREATE TABLE IF NOT EXISTS ${KS}.tomb (k int, c int, v int, PRIMARY KEY (k, c))`);
    const k = Math.floor(Math.random() * 1e9);
    const started = Date.now();
    for (let i = 0; i < CELLS; i += 100) {
      const batch = [];
      for (let c = i; c < Math.min(CELLS, i + 100); c++)
        batch.push(live.client.execute(`INSERT INTO ${KS}.tomb (k, c, v) VALUES (?, ?, ?)`, [k, c, c], { prepare: true }));
      await Promise.all(batch);
    }
    for (let i = 0; i < CELLS; i += 100) {
      const batch = [];
      for (let c = i; c < Math.min(CELLS, i + 100); c++)
        batch.push(live.client.execute(`DELETE v FROM ${KS}.tomb WHERE k = ? AND c = ?`, [k, c], { prepare: true }));
      await Promise.all(batch);
    }
    // Traced, so the timeline's latency lane has this request (system_traces.sessions).
    await live.client.execute(`SELECT * FROM ${KS}.tomb WHERE k = ${k}`, [], { traceQuery: true });
    // logback flushes each line; give the replica a moment.
    let hit: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 20 && !hit; attempt++) {
      const r = await logs({ source: live, kinds: "tombstone-warning", from: new Date(started - 5_000) });
      hit = r.rows("events").find((e) => e.keyspace === KS && e.table === "tomb" && Number(e.tombstones) >= CELLS);
      if (!hit) await new Promise((res) => setTimeout(res, 500));
    }
    assert.ok(hit, "a tombstone warning for cassperf_logs.tomb");
    assert.equal(hit.level, "WARN");
    // The same line, found by a plain grep of the node's file.
    const candidates = fs
      .readdirSync(l.dir)
      .map((n) => path.join(l.dir, n, "logs", "system.log"))
      .filter((p) => fs.existsSync(p));
    const lines = candidates
      .flatMap((p) => fs.readFileSync(p, "utf8").split("\n"))
      .filter((x) => x.includes(`${KS}.tomb`) && x.includes("tombstone_warn_threshold"));
    assert.ok(lines.length >= 1, "grep finds the warning in the lab's system.log files");
    assert.ok(
      lines.some((x) => x.includes(`${hit!.tombstones} tombstoned cells`)),
      lines.join("\n"),
    );

    let tl = await timeline({ source: live, from: new Date(started - 600_000) });
    for (let attempt = 0; attempt < 10 && !(tl.summary.lanes as string[]).includes("latency (ms)"); attempt++) {
      await new Promise((res) => setTimeout(res, 1000)); // the trace session is written asynchronously
      tl = await timeline({ source: live, from: new Date(started - 600_000) });
    }
    const lanes = tl.summary.lanes as string[];
    assert.ok(lanes.includes("warnings") && lanes.includes("latency (ms)"), String(lanes));
    const mine = tl.rows("points").filter((p) => p.lane === "latency (ms)" && String(p.label).includes(`${KS}.tomb`));
    assert.ok(mine.length >= 1, "the traced SELECT is on the latency lane");
    const png = await tl.chart().toPNG(1);
    assert.ok(pngSize(png).width > 600);
  } finally {
    await live.close();
  }
});
