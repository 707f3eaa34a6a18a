/**
 * datasets/lab-3node, the bundled recording made by `npm run dataset:lab` (scripts/dataset-lab.ts):
 * open() + inventory() find 3 nodes and every kind of file issue 3 lists, within 5 MB, with
 * intact checksums, and the traces hold reads at ONE, QUORUM and ALL including a tombstone-heavy one.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { openRecorded } from "../src/cluster/recorded";
import { inventory } from "../src/analyze/inventory";
import { ROOT } from "./support";

const DS = path.join(ROOT, "datasets", "lab-3node");

function size(d: string): number {
  let n = 0;
  for (const e of fs.readdirSync(d, { withFileTypes: true })) n += e.isDirectory() ? size(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size;
  return n;
}

test("datasets/lab-3node: open() + inventory() show 3 nodes and every kind of file", async () => {
  const src = await openRecorded(DS);
  assert.equal(src.layout, "dataset");
  const inv = await inventory(src);
  assert.equal(inv.summary.nodes, 3);
  assert.equal(inv.summary.versions, "2.1.0");
  assert.equal(inv.summary.unreadable, 0);
  assert.equal(src.nodes().length, 3);
  for (const node of src.nodes()) {
    const kinds = new Set(src.files({ node }).map((f) => (f.kind === "nodetool" ? `nodetool:${f.command}` : f.kind)));
    for (const k of [
      "system-log",
      "gc-log",
      "nodetool:tablehistograms",
      "nodetool:proxyhistograms",
      "nodetool:tablestats",
      "nodetool:tpstats",
      "nodetool:compactionstats",
      "nodetool:info",
      "nodetool:status",
    ]) {
      assert.ok(kinds.has(k), `${node} has ${k}`);
    }
  }
  const cluster = new Set(src.files({ node: "" }).map((f) => f.kind));
  for (const k of ["trace-sessions", "trace-events", "schema", "stress-output"]) assert.ok(cluster.has(k as never), `dataset has ${k}`);
  const capabilities = inv.rows("capabilities") as { helper: string; answerable: boolean }[];
  // Every helper but connections (the dataset holds no nodetool clientstats: ls datasets/lab-3node/nodes/*/nodetool).
  for (const c of capabilities) assert.equal(c.answerable, c.helper !== "connections", `${c.helper} answerable from the dataset`);
});

test("datasets/lab-3node: at most 5 MB, every file's sha256 matches the manifest, truncation is stated", () => {
  assert.ok(size(DS) <= 5 * 2 ** 20, `${size(DS)} bytes`);
  const m = JSON.parse(fs.readFileSync(path.join(DS, "cassperf.json"), "utf8"));
  for (const [rel, h] of Object.entries(m.files as Record<string, { sha256: string; bytes: number }>)) {
    assert.equal(
      crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(DS, rel)))
        .digest("hex"),
      h.sha256,
      rel,
    );
  }
  for (const rel of Object.keys(m.truncated ?? {})) assert.ok(m.notes.includes(rel), `notes mention ${rel}`);
});

test("datasets/lab-3node: traced reads at ONE, QUORUM and ALL, a tombstone-heavy read, and the four table shapes", () => {
  const sessions = fs
    .readFileSync(path.join(DS, "traces/sessions.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const events = fs
    .readFileSync(path.join(DS, "traces/events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  // 2.1 does not trace the consistency level: the script ends each query with /* consistency X */.
  const cl = (s: { parameters: Record<string, string> }) => /\/\* consistency (\w+) \*\//.exec(s.parameters.query ?? "")?.[1];
  const cls = new Set(sessions.map(cl));
  for (const level of ["ONE", "QUORUM", "ALL"]) assert.ok(cls.has(level), `a session at ${level} (have ${[...cls].join(", ")})`);
  const tomb = events.filter((e) => Number(/Read \d+ live and (\d+) tombstoned cells/.exec(e.activity)?.[1] ?? 0) >= 1000);
  assert.ok(tomb.length > 0, "a read scanned >= 1,000 tombstones");
  const nodesOf = (s: { session_id: string }) => new Set(events.filter((e) => e.session_id === s.session_id).map((e) => e.source)).size;
  const queueAt = (level: string) => sessions.find((s) => cl(s) === level && /FROM cassperf_demo\.queue/.test(s.parameters.query ?? ""));
  for (const level of ["ONE", "QUORUM", "ALL"]) assert.ok(queueAt(level), `the tombstone-heavy read at ${level}`);
  assert.ok(nodesOf(queueAt("QUORUM")!) >= 2, "the QUORUM read's trace has a coordinator and a replica");
  assert.equal(nodesOf(queueAt("ALL")!), 3, "the ALL read's trace has all three nodes");
  assert.ok(
    tomb.some((e) => e.session_id === queueAt("QUORUM")!.session_id),
    "the QUORUM tombstone read saw the tombstones",
  );
  const schema = fs.readFileSync(path.join(DS, "schema.cql"), "utf8");
  for (const t of ["queue", "sensor_readings", "user_events", "user_profiles"]) assert.match(schema, new RegExp(`CREATE TABLE cassperf_demo\\.${t} \\(`));
  assert.match(schema, /CREATE TABLE cassperf_demo\.sensor_readings[\s\S]*?default_time_to_live = 0/);
});
