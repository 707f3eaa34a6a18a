/**
 * cqlsh TRACING ON output is read block by block (#24: no whole-file string, no file-size ceiling): a file
 * of many sessions, past the first read block (1 MiB, src/cluster/read-stream.ts FIRST_BLOCK_BYTES, then
 * 64 KiB blocks), plain and .gz, read through trace() on a recorded folder. The text is the real sessions of
 * the project's 2.1 lab printed the way cqlsh prints them (test/fixtures/trace/lab21-cqlsh.txt, provenance
 * in test/fixtures/trace/README.md). Expected values come from that file's own text (grep-like counts in
 * the test), never from the parser under test.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { trace } from "../src/analyze/trace/trace";
import { openRecorded, RecordedSource } from "../src/cluster/recorded";
import { readLineBlocks, FIRST_BLOCK_BYTES } from "../src/cluster/read-stream";
import { CqlshTraceLines, parseCqlshTrace } from "../src/parse/trace-cqlsh";
import { feedBlock } from "../src/parse/nodetool-common";
import { ROOT, tempDir } from "./support";

const REAL = fs.readFileSync(path.join(ROOT, "test/fixtures/trace/lab21-cqlsh.txt"), "utf8");
/** The real file's counts, as `grep -c` gives them: sessions = "Tracing session:" lines (7); table rows = lines with " | ". */
const REAL_SESSIONS = REAL.split("\n").filter((l) => /^Tracing session: /.test(l)).length;
/** Events = table rows minus each session's header, its first row (the request) and its "Request complete" row (188 - 3 × 7 = 167). */
const REAL_EVENTS = REAL.split("\n").filter((l) => l.includes(" | ")).length - 3 * REAL_SESSIONS;
const BROKEN = " broken row without separators";

/**
 * The real file repeated until it passes 2 MiB, each copy's session ids made distinct (the uuid's last 12 hex
 * digits = the copy number) so every copy counts; one row without separators put in a copy past the first MiB.
 */
function grownTrace(): { text: string; copies: number; brokenLine: number } {
  assert.ok(REAL.endsWith("\n"));
  const copies = Math.ceil((2 * 2 ** 20) / Buffer.byteLength(REAL));
  const parts: string[] = [];
  let brokenLine = 0;
  let bytes = 0;
  for (let c = 0; c < copies; c++) {
    const id = (_l: string, head: string) => `Tracing session: ${head}${c.toString(16).padStart(12, "0")}`;
    let copy = REAL.replace(/^Tracing session: ([0-9a-f-]{24})[0-9a-f]{12}$/gm, id);
    if (!brokenLine && bytes > 1.5 * FIRST_BLOCK_BYTES) {
      // After the first event row of this copy's first session (the 6th line: session, blank, header, separator, request row, event).
      const lines = copy.split("\n");
      lines.splice(6, 0, BROKEN);
      copy = lines.join("\n");
      // Its number: the lines of every copy before it, plus 7.
      brokenLine = parts.join("").split("\n").length - 1 + 7;
    }
    parts.push(copy);
    bytes += Buffer.byteLength(copy);
  }
  return { text: parts.join(""), copies, brokenLine };
}

test("the real cqlsh file holds what the fixture README says: 7 sessions, 167 events (as in lab21's jsonl)", () => {
  // Independent counts: lab21's sessions.jsonl and events.jsonl, which the text was printed from, one row a line.
  const jsonl = (f: string) =>
    fs
      .readFileSync(path.join(ROOT, "test/fixtures/trace/lab21/traces", f), "utf8")
      .trim()
      .split("\n").length;
  assert.equal(REAL_SESSIONS, jsonl("sessions.jsonl"));
  assert.equal(REAL_EVENTS, jsonl("events.jsonl"));
  const p = parseCqlshTrace(REAL);
  assert.equal(p.sessions.length, REAL_SESSIONS);
  assert.equal(p.events.length, REAL_EVENTS);
  assert.equal(p.skipped.count, 0);
});

for (const compressed of [false, true]) {
  const what = compressed ? "a .gz" : "a folder with a plain";
  test(`trace() on ${what} cqlsh TRACING ON file past 2 MiB: every session and event, the skipped line numbered across blocks, no whole read`, async () => {
    const { text, copies, brokenLine } = grownTrace();
    assert.ok(Buffer.byteLength(text) > 2 * 2 ** 20);
    assert.equal(text.split("\n")[brokenLine - 1], BROKEN, "the broken row's number, counted in the text written");
    assert.ok(Buffer.byteLength(text.split("\n").slice(0, brokenLine).join("\n")) > FIRST_BLOCK_BYTES + 64 * 1024, "it lies past the first two blocks");
    const dir = tempDir("cassperf-cqlsh-stream-");
    const name = compressed ? "cqlsh-trace.txt.gz" : "cqlsh-trace.txt";
    fs.writeFileSync(path.join(dir, name), compressed ? zlib.gzipSync(text) : text);
    // The plain file in a folder; the .gz as a single-file source (a loose folder names a compressed file by its name
    // only, and no name rule says "cqlsh trace", src/cluster/recorded.ts classifyFile; a single .gz is looked into).
    const at = compressed ? path.join(dir, name) : dir;
    const file = (await openRecorded(at)).files().find((f) => f.rel.endsWith(name));
    assert.equal(file?.kind, "trace-cqlsh", "recognised by its content");
    // No whole-file string: while trace() runs, readText of this file throws.
    const readText = RecordedSource.prototype.readText;
    RecordedSource.prototype.readText = async function (this: RecordedSource, f) {
      if (f.rel === file!.rel) throw new Error(`readText(${f.rel}) called: the cqlsh trace was read whole`);
      return readText.call(this, f);
    };
    let r: Awaited<ReturnType<typeof trace>>;
    try {
      r = await trace(at);
    } finally {
      RecordedSource.prototype.readText = readText;
    }
    assert.equal(r.count("sessions"), copies * REAL_SESSIONS);
    assert.equal(r.count("events"), copies * REAL_EVENTS);
    assert.deepEqual(
      r.notes.filter((n) => n.includes(name)),
      [`${file!.rel}: skipped 1 line; first at line ${brokenLine}: expected 4 columns separated by |: ${BROKEN}`],
    );
    // The file really is read in many blocks, and fed block by block gives the same line number.
    const p = new CqlshTraceLines(() => {});
    let blocks = 0;
    let lines = 0;
    for await (const block of readLineBlocks(path.join(dir, name), compressed ? "gz" : undefined)) {
      blocks++;
      lines += feedBlock(p, block, lines);
    }
    assert.ok(blocks > 3, `${blocks} blocks`);
    const end = p.end();
    assert.equal(end.sessions, copies * REAL_SESSIONS);
    assert.equal(end.events, copies * REAL_EVENTS);
    assert.equal(end.skipped.first?.line, brokenLine);
  });
}

test("inventory's capability rows say traces() can answer from a cqlsh TRACING ON file and from a COPY of system_traces.events", async () => {
  // Expected: traces() reads both kinds (test/trace.test.ts reads each as a source); the capability row must agree.
  await import("../src/helpers"); // the registry entries' needs
  const { capability } = await import("../src/cluster/capabilities");
  const dir = tempDir("cassperf-cqlsh-cap-");
  fs.writeFileSync(path.join(dir, "cqlsh-trace.txt"), REAL);
  // The first event of lab21's events.jsonl, written as cqlsh COPY ... WITH HEADER = true writes it.
  const e = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/trace/lab21/traces/events.jsonl"), "utf8").split("\n")[0]);
  const csv = `session_id,event_id,activity,source,source_elapsed,thread\n${[e.session_id, e.event_id, e.activity, e.source, e.source_elapsed, e.thread].join(",")}\n`;
  const csvDir = tempDir("cassperf-csv-cap-");
  fs.writeFileSync(path.join(csvDir, "events.csv"), csv);
  for (const [at, kind] of [
    [dir, "trace-cqlsh"],
    [csvDir, "trace-events-csv"],
  ] as const) {
    const source = await openRecorded(at);
    assert.deepEqual(
      source.files().map((f) => f.kind),
      [kind],
    );
    const c = await capability("traces", source);
    assert.equal(c.answerable, true, `${kind}: ${c.reason}`);
  }
});
