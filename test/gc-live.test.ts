/**
 * gcStats() on the live lab: the lab's LiveSource knows each node's log folder, so the same
 * helper reads the running nodes' gc.log (JDK 17 unified, G1) and system.log GCInspector lines.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { labOrSkip } from "./support";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { connectLab } from "../src/lab/lab";
import { connectLive, type LiveSource } from "../src/cluster/live";

test("live lab: pauses of every node from its gc.log, with a node column", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  let live: LiveSource;
  try {
    live = await connectLab(l.dir);
  } catch {
    // A lab not started by `cassperf lab` (no state file): node folders are node1, node2, ... in contact-point order.
    const logs: Record<string, string> = {};
    l.contactPoints.forEach((h, i) => (logs[h] = path.join(l.dir, `node${i + 1}`, "logs")));
    live = await connectLive({ contactPoints: l.contactPoints, localDataCenter: "datacenter1", logs });
  }
  try {
    const withGcLog = live.nodes().filter((n) => live.files({ kind: "gc-log", node: n }).length > 0);
    if (!withGcLog.length) return t.skip("the lab's nodes have no gc.log yet");
    const r = await gcStats(live);
    const rows = r.rows("pauses") as { node: string; origin: string; pause_ms: number; file: string }[];
    for (const n of withGcLog) {
      const f = live.files({ kind: "gc-log", node: n })[0];
      const text = fs.readFileSync(f.path, "utf8");
      const ends = (text.match(/GC\(\d+\) Pause [^\n]* \d+(\.\d+)?ms$/gm) ?? []).length;
      // The node keeps logging while we read: at least what was in the file a moment before.
      const mine = rows.filter((p) => p.node === n && p.origin === "gc-log").length;
      assert.ok(mine > 0 && mine <= ends + 50 && mine >= Math.min(ends, 1), `${n}: ${mine} pauses, ${ends} end lines`);
    }
    assert.ok(rows.every((p) => Number.isFinite(p.pause_ms)));
    assert.ok(["G1", "CMS", "Parallel", "Serial", "ZGC", "Shenandoah"].some((c) => String(r.summary.collector).includes(c)));
  } finally {
    await (live as unknown as { close?: () => Promise<void> }).close?.();
  }
});
