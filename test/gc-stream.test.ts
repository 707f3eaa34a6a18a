/**
 * GC logs read block by block (src/parse/gc-pauses.ts, gcLogParser): an event open at a block's
 * end stays open, line numbers run on, and a file past V8's longest string is read whole.
 *
 * Expected values: the whole-text parse of each fixture (itself checked against independent
 * line-shape counts in gc-corpus.test.ts), and for the large file a regex count of the
 * template's pause end lines times the number of copies.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { tempDir } from "./support";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { gcLogParser, parseGcLog } from "../src/parse/gc-log";

const FIX = path.join(__dirname, "fixtures", "gc");
const fx = (f: string) => fs.readFileSync(path.join(FIX, f), "utf8");

/** Feed `text` to a block parser in blocks of `linesPerBlock` whole lines. */
function inBlocks(text: string, linesPerBlock: number) {
  const lines = text.split(/(?<=\n)/);
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += linesPerBlock) blocks.push(lines.slice(i, i + linesPerBlock).join(""));
  const p = gcLogParser(blocks[0] ?? "");
  for (const b of blocks) p.push(b);
  return p.end();
}

test("every fixture fed one line per block (every event crosses a block boundary) parses as the whole text does", () => {
  const files = fs.readdirSync(FIX).filter((f) => f !== "PROVENANCE.md");
  assert.ok(files.length >= 100);
  for (const f of files) {
    const text = fx(f);
    const whole = parseGcLog(text);
    // Detection reads the first block: give it the first 50 lines, then one line per block.
    const head = text
      .split(/(?<=\n)/)
      .slice(0, 50)
      .join("");
    const p = gcLogParser(head);
    for (const line of text.split(/(?<=\n)/)) p.push(line);
    const r = p.end();
    assert.equal(r.format, whole.format, f);
    assert.deepEqual(r.pauses.toArray(), whole.pauses, f);
    assert.deepEqual(r.cycles.toArray(), whole.cycles, f);
    assert.deepEqual(r.skipped, whole.skipped, f);
    assert.equal(r.lines, whole.lines, f);
    assert.equal(r.safepointStoppedMs, whole.safepointStoppedMs, f);
    assert.deepEqual(
      [r.firstUptime, r.lastUptime, r.firstTimestamp, r.lastTimestamp],
      [whole.firstUptime, whole.lastUptime, whole.firstTimestamp, whole.lastTimestamp],
      f,
    );
    const three = inBlocks(text, 3);
    assert.equal(three.pauses.length, whole.pauses.length, f);
  }
});

test("a JDK 6 CMS event interrupted by a warning and a concurrent phase stays open across block ends", () => {
  // The file: one concurrent-mode-failure full GC of 124.596332 secs (its last `, N secs]` before [Times:),
  // with a CMS-concurrent-mark of 40.476 s wall printed inside it (gc-corpus.test.ts reads the same).
  const r = inBlocks(fx("garbagecat-jdk6-cms-bailing-out-concurrent-mode-failure.txt"), 1);
  assert.equal(r.pauses.length, 1);
  assert.equal(r.pauses.get(0).pause_ms, 124596.332);
  assert.equal(r.pauses.get(0).concurrent_mode_failure, true);
  assert.deepEqual(
    r.cycles.toArray().map((c) => [c.name, c.duration_ms]),
    [["CMS-concurrent-mark", 40476]],
  );
});

test("gcStats reads the same log plain, gzipped and zipped to the same figures", async () => {
  const f = "shared-jdk8-g1-dse68-node-excerpt.log";
  const dir = tempDir();
  const plain = path.join(dir, "gc.log");
  fs.writeFileSync(plain, fx(f));
  fs.writeFileSync(path.join(dir, "gc.log.gz"), zlib.gzipSync(fx(f)));
  execFileSync("zip", ["-qj", path.join(dir, "gc.log.zip"), plain]);
  // The fixture's events: one `[Times:` line each (grep -c '\[Times:' gives 15).
  const want = (fx(f).match(/\[Times: /g) ?? []).length;
  const a = await gcStats(plain);
  assert.equal(a.summary.pauses, want);
  for (const other of ["gc.log.gz", "gc.log.zip"]) {
    const b = await gcStats(path.join(dir, other));
    assert.deepEqual({ ...b.summary, per_node: undefined, coverage: undefined }, { ...a.summary, per_node: undefined, coverage: undefined }, other);
    assert.deepEqual(
      b.rows("pauses").map((p) => [p.line, p.pause_ms, p.type]),
      a.rows("pauses").map((p) => [p.line, p.pause_ms, p.type]),
      other,
    );
  }
});

test("a GC log over 600 MB (past V8's longest string) is read whole", {
  skip: process.env.CASSPERF_BIG_TESTS !== "1" && "set CASSPERF_BIG_TESTS=1 (writes 620 MB to a temp folder)",
}, async () => {
  const template = fx("shared-jdk17-g1-gcstar-safepoint-excerpt.log");
  // Pause end lines of the template, by a regex of their shape: `GC(n) Pause ... N.NNNms`.
  const perCopy = (template.match(/^\[[^\n]*\] GC\(\d+\) Pause [^\n]* \d+(?:\.\d+)?ms$/gm) ?? []).length;
  assert.ok(perCopy > 0);
  const dir = tempDir();
  const file = path.join(dir, "gc.log");
  const copies = Math.ceil((620 * 2 ** 20) / Buffer.byteLength(template));
  const batch = Buffer.from(template.repeat(100));
  const fd = fs.openSync(file, "w");
  let written = 0;
  for (; written + 100 <= copies; written += 100) fs.writeSync(fd, batch);
  for (; written < copies; written++) fs.writeSync(fd, template);
  fs.closeSync(fd);
  assert.ok(fs.statSync(file).size > 600 * 2 ** 20);
  const g = await gcStats(file);
  assert.equal(g.summary.pauses, perCopy * copies);
  assert.equal(g.summary.skipped_lines, 0);
});
