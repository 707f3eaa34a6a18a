/**
 * logs() counts flushes and compactions as operations on real Cassandra 5.0 text: the system.log of
 * a 5.0.9 node (the cassperf lab, test/fixtures/logs/PROVENANCE.md). 5.0 prints sizes under 1 KiB
 * as "431B" / "0B" (before: the flush-enqueue, memtable-write, flush-complete and compaction-end
 * rules wanted KiB/MiB or "bytes", so 5.0's `Usage: … 0B (0%) off-heap` lines went unread: 19
 * flushes counted where the file enqueues 82, 7 of 11 compactions completed).
 * Expected counts: an independent grep of the file in the test, one pattern per phase, the wording
 * of Cassandra 5.0's ColumnFamilyStore.logFlush ("Enqueuing flush of {}.{}, Reason: {}, Usage: {}"),
 * Flushing.java ("Writing {}", "Completed flushing {} ({}) for commitlog position {}") and
 * CompactionTask.java ("Compacting ({}) {}", "Compacted ({}) {} sstables to [{}] to level={}. …").
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { logs } from "../src/index";

const FILE = path.join(__dirname, "fixtures", "logs", "cassandra50-lab-system.log");
const count = (text: string, re: RegExp) => text.split("\n").filter((l) => re.test(l)).length;

test("Cassandra 5.0 system.log: flushes, memtables written and compactions counted as operations (grep of the file)", async () => {
  const text = fs.readFileSync(FILE, "utf8");
  const enqueued = count(text, / - Enqueuing flush of \S+, Reason: \w+, Usage: /);
  const written = count(text, /Flushing\.java:\d+ - Writing Memtable-/);
  const completed = count(text, /Flushing\.java:\d+ - Completed flushing /);
  const starts = count(text, /CompactionTask\.java:\d+ - Compacting \([0-9a-f-]{36}\) \[/);
  const ends = count(text, /CompactionTask\.java:\d+ - Compacted \([0-9a-f-]{36}\) \d+ sstables to /);
  // The file is a whole node run: every flush enqueued was written and completed, every compaction ended.
  assert.ok(enqueued >= 70 && enqueued === written && written === completed, `${enqueued}/${written}/${completed}`);
  assert.ok(starts >= 10 && starts === ends, `${starts}/${ends}`);
  const r = await logs({ source: FILE });
  assert.equal(r.summary.flushes, enqueued);
  assert.equal(r.summary.flushes_written, written);
  assert.equal(r.summary.compactions, starts);
  assert.equal(r.summary.compactions_completed, ends);
  // Every line stays as evidence: three flush lines per flush, two per compaction.
  const kinds = r.rows("events").map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === "flush").length, enqueued + written + completed);
  assert.equal(kinds.filter((k) => k === "compaction").length, starts + ends);
});

test("Cassandra 5.0 sizes in bytes ('0B', '186B') are read: a user flush's size and a compaction's output", async () => {
  const text = fs.readFileSync(FILE, "utf8").split("\n");
  const r = await logs({ source: FILE });
  const at = (line: number) => r.rows("events").find((e) => e.line === line)!;
  // `Enqueuing flush of ops.events, Reason: USER_FORCED, Usage: 83.906KiB (0%) on-heap, 0B (0%) off-heap`: on + off heap.
  const i = text.findIndex((l) => /Enqueuing flush of ops\.events, .*Usage: 83\.906KiB \(0%\) on-heap, 0B \(0%\) off-heap/.test(l));
  assert.ok(i >= 0, "the fixture holds the ops.events flush");
  const e = at(i + 1);
  assert.equal(e.kind, "flush");
  assert.equal(e.phase, "enqueue");
  assert.equal(e.bytes, Math.round(83.906 * 1024)); // 85,920 bytes, by hand
  // The first `Completed flushing …/nb-1-big-Data.db (186B)` line: 186 bytes.
  const j = text.findIndex((l) => /Completed flushing \S+ \(\d+B\) for commitlog/.test(l));
  const c = at(j + 1);
  assert.equal(c.bytes, Number(/\((\d+)B\) for commitlog/.exec(text[j])![1]));
  // A compaction end with bytes-only sizes ("865B to 678B"): read, with its duration.
  const k = text.findIndex((l) => /Compacted \(.*\.\s+\d+B to \d+B \(~\d+% of original\) in \d+ms/.test(l));
  assert.ok(k >= 0, "a compaction of sizes in B");
  const m = /\.\s+\d+B to (\d+)B \(~\d+% of original\) in (\d+)ms/.exec(text[k])!;
  assert.deepEqual([at(k + 1).bytes, at(k + 1).duration_ms], [Number(m[1]), Number(m[2])]);
});
