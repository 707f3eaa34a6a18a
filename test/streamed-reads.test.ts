/**
 * Readers that used to read a whole file as one string now read it block by block (#24: no file-size
 * ceiling, no whole-file strings): health()'s stopped-time citation in a GC log, timeline()'s trace
 * latency points, and inventory()'s look into a compressed file. Each test builds a file larger than
 * the first read block (1 MiB, src/cluster/read-stream.ts FIRST_BLOCK_BYTES) out of real text, so the
 * line looked for lies past a block boundary; expected values come from the fixture's own text (a grep
 * or JSON.parse in the test), never from the code under test.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { open, type RecordedSource } from "../src/index";
import { stoppedLine } from "../src/analyze/headline";
import { traceLatencyPoints } from "../src/analyze/logs/log-latency";
import { fileContains } from "../src/cluster/file-peek";
import { ROOT, tempDir, oneNodeBundle } from "./support";

const FIX = path.join(ROOT, "test/fixtures");
// A real JDK 8 G1 log of a DSE 6.8 node (provenance: test/fixtures/gc/PROVENANCE.md).
const GC_EXCERPT = path.join(FIX, "gc/shared-jdk8-g1-dse68-node-stopped-beyond-pause-excerpt.log");
// Real trace sessions of the project's Cassandra 2.1 lab (provenance: test/fixtures/trace/PROVENANCE.md).
const SESSIONS = path.join(FIX, "trace/lab21/traces/sessions.jsonl");

/** The excerpt repeated until it passes 3 MiB: several read blocks. */
function grownGcLog(): { text: string; copies: number; lines: string[] } {
  const text = fs.readFileSync(GC_EXCERPT, "utf8");
  assert.ok(text.endsWith("\n"));
  const copies = Math.ceil((3 * 2 ** 20) / Buffer.byteLength(text));
  return { text: text.repeat(copies), copies, lines: text.split("\n").slice(0, -1) };
}

for (const compressed of [false, true]) {
  test(`stoppedLine finds the stopped-time line of a pause past the first MiB of a ${compressed ? ".gz" : "plain"} GC log`, async () => {
    const { text, copies, lines } = grownGcLog();
    // Expected: in the excerpt, the first "Total time for which application threads were stopped" line and its value (grep).
    const at = lines.findIndex((l) => /application threads were stopped: /.test(l));
    assert.ok(at >= 0);
    const seconds = /stopped: (\d+\.\d+) seconds/.exec(lines[at])![1];
    const rel = compressed ? "logs/cassandra/gc.log.gz" : "logs/cassandra/gc.log";
    const dir = oneNodeBundle({ [rel]: compressed ? zlib.gzipSync(text) : text }, "cassperf-streamed-");
    const source = (await open(dir)) as RecordedSource;
    const file = source.files().find((f) => f.rel.endsWith(rel))!;
    assert.ok(file, `${rel} is listed`);
    // The pause in the last copy: its first line is the copy's first line.
    const fromLine = (copies - 1) * lines.length + 1;
    const got = await stoppedLine(source, file.rel, fromLine, Number(seconds) * 1000);
    assert.equal(got, fromLine + at, "the stopped-time line of the last copy, counted across every block before it");
    assert.ok(Buffer.byteLength(text) * ((copies - 1) / copies) > 2 ** 20, "that line lies past the first read block");
    // A stopped time that is not on the next stopped-time line gives no citation.
    assert.equal(await stoppedLine(source, file.rel, fromLine, Number(seconds) * 1000 + 1), null);
  });
}

test("trace latency points are read from sessions.jsonl block by block, and a line that is not a session is named with its number", async () => {
  const real = fs
    .readFileSync(SESSIONS, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  // Enough copies of the real sessions to pass the first read block, one broken line in the middle.
  const copies = Math.ceil((1.5 * 2 ** 20) / Buffer.byteLength(real.join("\n")));
  const lines: string[] = [];
  for (let c = 0; c < copies; c++) lines.push(...real);
  const broken = Math.floor(lines.length / 2);
  lines.splice(broken, 0, '{"session_id": "cut short by a full disk", "coordin');
  const dir = oneNodeBundle({}, "cassperf-streamed-");
  fs.mkdirSync(path.join(dir, "traces"), { recursive: true });
  fs.writeFileSync(path.join(dir, "traces/sessions.jsonl"), `${lines.join("\n")}\n`);
  const source = (await open(dir)) as RecordedSource;
  const notes: string[] = [];
  const points = await traceLatencyPoints(source, notes);
  // Expected: every real session with a start and a duration, in every copy (JSON.parse in the test).
  const complete = real.map((l) => JSON.parse(l) as { duration: unknown; started_at: unknown }).filter((s) => typeof s.duration === "number" && s.started_at);
  assert.equal(points.length, complete.length * copies);
  const first = JSON.parse(real[0]) as { duration: number };
  assert.equal(points.filter((p) => p.value === first.duration / 1000).length >= copies, true);
  assert.deepEqual(
    notes.filter((n) => n.includes("sessions.jsonl")),
    [`traces/sessions.jsonl: skipped 1 line; first at line ${broken + 1}: not JSON`],
  );
});

test("a compressed file is searched block by block, past its first MiB", async () => {
  const { text } = grownGcLog();
  const marker = "Full GC (Allocation Failure)";
  // Expected: the excerpt has no full GC (grep), so the marker is only where this test puts it, at the end.
  assert.ok(!text.includes(marker));
  const dir = oneNodeBundle(
    { "logs/cassandra/gc.log.gz": zlib.gzipSync(`${text}2020-07-20T10:00:00.000+0000: 1.000: [${marker}  1G->1G(2G), 1.0 secs]\n`) },
    "cassperf-streamed-",
  );
  const source = (await open(dir)) as RecordedSource;
  const file = source.files().find((f) => f.rel.endsWith("gc.log.gz"))!;
  assert.equal(await fileContains(source, file, ["full gc (allocation"]), true);
  assert.equal(await fileContains(source, file, ["no such text in this log"]), false);
});

test("a COPY of system_traces.events (CSV) is read block by block, a quoted field spanning lines and blocks kept whole, line numbers the file's own", async () => {
  // Real events of the project's 2.1 lab (provenance: test/fixtures/trace/PROVENANCE.md), written the way cqlsh COPY writes them:
  // header, fields with a comma or quote double-quoted. Every third activity gets a second line (a quoted newline, as a
  // multi-line value would be), so that block boundaries (after ~64 KiB, at a line end) fall inside quoted fields.
  type Ev = { session_id: string; event_id: string; activity: string; source: string; source_elapsed: number | null; thread: string };
  const real = fs
    .readFileSync(path.join(FIX, "trace/lab21/traces/events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Ev);
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const written: Ev[] = [];
  const rows: string[] = ["session_id,event_id,activity,source,source_elapsed,thread"];
  for (let copy = 0; Buffer.byteLength(rows.join("\n")) < 1.5 * 2 ** 20; copy++)
    for (const [i, e] of real.entries()) {
      const activity = i % 3 === 0 ? `${e.activity}\n(copy ${copy})` : e.activity;
      written.push({ ...e, activity });
      rows.push([e.session_id, e.event_id, q(activity), e.source, e.source_elapsed ?? "", q(e.thread)].join(","));
    }
  // One broken record at the end; its line number counted here from the text written before it.
  const before = `${rows.join("\n")}\n`;
  const brokenLine = before.split("\n").length;
  const dir = tempDir("cassperf-streamed-csv-");
  const file = path.join(dir, "events.csv");
  fs.writeFileSync(file, `${before}not,a,valid,row\n`);
  const { TraceEventsCsvParser } = await import("../src/parse/trace-csv");
  const { readLineBlocks } = await import("../src/cluster/read-stream");
  const got: { activity: string; source_elapsed: number | null }[] = [];
  const p = new TraceEventsCsvParser((r) => got.push(r));
  let blocks = 0;
  let quotes = 0;
  let splitInsideQuote = false;
  for await (const block of readLineBlocks(file)) {
    blocks++;
    // A block that ends inside a quoted field: an odd number of quotes from the file's start to the block's end.
    quotes += block.split('"').length - 1;
    if (quotes % 2 === 1) splitInsideQuote = true;
    p.feed(block);
  }
  const { skipped } = p.end();
  assert.ok(blocks > 2, `${blocks} blocks`);
  assert.equal(got.length, written.length);
  assert.deepEqual(
    got.map((r) => [r.activity, r.source_elapsed]),
    written.map((r) => [r.activity, r.source_elapsed]),
  );
  assert.equal(skipped.count, 1);
  assert.equal(skipped.first?.line, brokenLine);
  assert.ok(splitInsideQuote, "at least one block ends inside a quoted field");
});
