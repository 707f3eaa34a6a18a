/**
 * datasets/lab-3node-5.0, the bundled recording of a 3-node Cassandra 5.0 lab made by
 * `npm run dataset:lab -- --version 5.0` (scripts/dataset-lab.ts): the same story as lab-3node —
 * a tombstone-heavy queue, a time-series table, large partitions, traced reads at ONE/QUORUM/ALL,
 * two bench runs — within 5 MB, with intact checksums, and the runbooks' helpers answer on it.
 * Expected values come from the script (2,500 deleted queue messages, three ~1 MB partitions of
 * 4,000 events, 20 x 2 x 100 readings) and from the files themselves (grep).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { openRecorded } from "../src/cluster/recorded";
import { inventory } from "../src/analyze/inventory";
import { classifyActivity } from "../src/parse/trace-stages";
import { gcStats, health, traces, compactionAdvice } from "../src/index";
import { benchRuns } from "../src/analyze/bench/bench";
import { ROOT } from "./support";

const DS = path.join(ROOT, "datasets", "lab-3node-5.0");

function size(d: string): number {
  let n = 0;
  for (const e of fs.readdirSync(d, { withFileTypes: true })) n += e.isDirectory() ? size(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size;
  return n;
}
const jsonl = (rel: string) =>
  fs
    .readFileSync(path.join(DS, rel), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

test("datasets/lab-3node-5.0: 3 nodes on Cassandra 5.0.x, every kind of file, at most 5 MB, checksums intact", async () => {
  const src = await openRecorded(DS);
  const inv = await inventory(src);
  assert.equal(inv.summary.nodes, 3);
  assert.match(String(inv.summary.versions), /^5\.0\.\d+$/);
  assert.equal(inv.summary.unreadable, 0);
  for (const node of src.nodes()) {
    const kinds = new Set(src.files({ node }).map((f) => (f.kind === "nodetool" ? `nodetool:${f.command}` : f.kind)));
    for (const k of [
      "system-log",
      "gc-log",
      "nodetool:tablehistograms",
      "nodetool:proxyhistograms",
      "nodetool:tablestats",
      "nodetool:tpstats",
      "nodetool:info",
      "nodetool:status",
    ])
      assert.ok(kinds.has(k), `${node} has ${k}`);
  }
  assert.ok(size(DS) <= 5 * 2 ** 20, `${size(DS)} bytes`);
  const m = JSON.parse(fs.readFileSync(path.join(DS, "cassperf.json"), "utf8"));
  for (const [rel, h] of Object.entries(m.files as Record<string, { sha256: string }>))
    assert.equal(
      crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(DS, rel)))
        .digest("hex"),
      h.sha256,
      rel,
    );
});

test("datasets/lab-3node-5.0: traced reads at ONE, QUORUM and ALL, the tombstone-heavy read in 5.0 wording, every activity staged", () => {
  const sessions = jsonl("traces/sessions.jsonl");
  const events = jsonl("traces/events.jsonl");
  const cl = (s: { parameters: Record<string, string> }) => /\/\* consistency (\w+) \*\//.exec(s.parameters.query ?? "")?.[1];
  const cls = new Set(sessions.map(cl));
  for (const level of ["ONE", "QUORUM", "ALL"]) assert.ok(cls.has(level), `a session at ${level} (have ${[...cls].join(", ")})`);
  // The queue read scans the 2,500 deleted messages: 5.0 says "Read 500 live rows and 2500 tombstone cells" (or more).
  const tomb = events.filter((e) => Number(/^Read \d+ live rows and (\d+) tombstone cells/.exec(e.activity)?.[1] ?? 0) >= 1000);
  assert.ok(tomb.length > 0, "a read scanned >= 1,000 tombstones");
  const unknown = [...new Set(events.map((e) => String(e.activity)).filter((a) => classifyActivity(a).stage === "other"))];
  assert.deepEqual(unknown, [], "every 5.0 activity in the recording maps to a named stage");
});

test("datasets/lab-3node-5.0: the runbooks' helpers answer — traces, gcStats (G1), two bench runs, compactionAdvice, health", async () => {
  const src = await openRecorded(DS);
  const t = await traces({ source: src });
  assert.equal(t.count("sessions"), jsonl("traces/sessions.jsonl").length);
  const g = await gcStats(src);
  assert.match(String(g.summary.collector), /G1/);
  const gcLog = src.files({ kind: "gc-log" })[0];
  const young = (await src.readText(gcLog)).split("\n").filter((l) => /\[gc\s*\] GC\(\d+\) Pause Young .* \d+(\.\d+)?ms$/.test(l)).length;
  assert.equal(g.rows("pauses").filter((p) => p.node === gcLog.node && /^young/.test(String(p.type)) && String(p.file) === gcLog.rel).length, young);
  const b = await benchRuns(src);
  assert.equal(b.count("runs"), 2);
  const c = await compactionAdvice({ source: src });
  assert.match(String(c.summary.version), /^5\.0/);
  const h = await health(src);
  assert.equal(h.rows("headline").find((r) => r.metric === "nodes")?.value, 3);
});
