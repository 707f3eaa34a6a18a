/**
 * Node-state nodetool outputs (tpstats, compactionstats, info, gcstats, clientstats) are parsed line by
 * line as they are read (#24: no whole-file string, no file-size ceiling): streamedNodetool() over a
 * recorded file larger than the first read block (1 MiB, src/cluster/read-stream.ts FIRST_BLOCK_BYTES)
 * gives what parseTpstats() gives on the whole text, with the file's own line numbers past every
 * block boundary, from a plain and from a gzipped copy; a `-F json` output past the size it is read
 * whole to is refused naming the file; `cassperf report`'s progress counts the streamed file.
 * The text is real (test/fixtures/data/lab/nodetool-2.1-tpstats.txt, provenance in
 * test/fixtures/data/PROVENANCE.md: `nodetool tpstats` of the project's Cassandra 2.1 lab); expected
 * values come from that text (its lines counted and split here), never from the code under test.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { open, type RecordedSource } from "../src/index";
import { streamedNodetool } from "../src/cluster/evidence";
import type { SourceFile } from "../src/cluster/source";
import { parseTpstats, TpstatsLines } from "../src/parse/nodetool-tpstats";
import { JSON_OUTPUT_MAX_CHARS } from "../src/parse/nodetool-common";
import { ReadTracker } from "../src/report/progress";
import { data, oneNodeBundle } from "./support";

const REAL = fs.readFileSync(data("lab/nodetool-2.1-tpstats.txt"), "utf8");

/**
 * The real output with its pool rows repeated until the text passes 2.5 MiB, and a pool row cut
 * short (as a full disk would leave it) after every 400th copy: several read blocks, the cut rows
 * in different ones.
 */
function grownTpstats() {
  const lines = REAL.split("\n").slice(0, -1);
  const header = lines.findIndex((l) => l.startsWith("Pool Name"));
  const blank = lines.findIndex((l, i) => i > header && l.trim() === "");
  const rows = lines.slice(header + 1, blank);
  const drops = lines.slice(blank + 2); // after the blank line and the "Message type  Dropped" header
  const copies = Math.ceil((2.5 * 2 ** 20) / Buffer.byteLength(`${rows.join("\n")}\n`));
  const out = lines.slice(0, header + 1);
  const cut: { line: number; text: string; byte: number }[] = [];
  let lastPool = 0;
  for (let c = 1; c <= copies; c++) {
    out.push(...rows);
    lastPool = out.length; // 1-based line of this copy's last pool row
    if (c % 400 === 0) {
      const text = rows[0].slice(0, 40).trimEnd(); // "MutationStage   0   0": 3 cells where the header has 5 columns
      out.push(text);
      cut.push({ line: out.length, text, byte: Buffer.byteLength(`${out.slice(0, -1).join("\n")}\n`) });
    }
  }
  out.push(...lines.slice(blank));
  return { text: `${out.join("\n")}\n`, rows, drops, copies, cut, lastPool, noise: lines.slice(0, header).length };
}

test("tpstats of 2.5 MiB parsed as it is read, block by block: what parseTpstats gives on the whole text, lines numbered past every block", async () => {
  const g = grownTpstats();
  const dir = oneNodeBundle({ "nodetool/tpstats": g.text }, "cassperf-nodetool-streamed-");
  const source = (await open(dir)) as RecordedSource;
  const notes: string[] = [];
  const got = await streamedNodetool(source, "tpstats", (o) => new TpstatsLines(o), notes);
  assert.deepEqual(notes, []);
  assert.equal(got.length, 1);
  const [t] = got;
  assert.equal(t.origin, "nodes/10.0.0.1/nodetool/tpstats");
  // The same result as the whole text parsed at once.
  assert.deepEqual(t.parsed, parseTpstats(g.text, { file: t.origin }));
  // Expected from the real text: its 19 pool rows (counted here) in every copy, its message types once, its one JVM noise line.
  assert.equal(g.rows.length, 19);
  assert.equal(t.parsed.pools.length, g.rows.length * g.copies);
  assert.equal(t.parsed.dropped.length, g.drops.length);
  assert.deepEqual(
    t.parsed.dropped.map((d) => [d.message_type, d.dropped]),
    g.drops.map((l) => [l.split(/\s+/)[0], Number(l.split(/\s+/)[1])]),
  );
  assert.equal(t.parsed.noise, g.noise);
  // Completed tasks: the real rows' Completed column (the 4th word) summed, times the copies.
  const completed = g.rows.reduce((a, l) => a + Number(l.trim().split(/\s+/)[3]), 0);
  assert.equal(
    t.parsed.pools.reduce((a, p) => a + (p.completed ?? 0), 0),
    completed * g.copies,
  );
  // The cut rows: skipped with the line numbers this test wrote them at, several of them past the first MiB.
  assert.ok(g.cut.length >= 3);
  assert.ok(g.cut.filter((c) => c.byte > 2 ** 20).length >= 2, "cut rows lie past the first read block");
  assert.deepEqual(
    t.parsed.skipped.map((s) => [s.line, s.text, s.reason]),
    g.cut.map((c) => [c.line, c.text, "not a pools row"]),
  );
  // The last pool row of the last copy, at the line this test wrote it at.
  assert.equal(t.parsed.pools.at(-1)!.line, g.lastPool);
  assert.equal(t.parsed.pools.at(-1)!.pool, g.rows.at(-1)!.split(/\s+/)[0]);
});

test("a gzipped copy of the same output is inflated and parsed block by block to the same result", async () => {
  const g = grownTpstats();
  // open() lists a gzipped nodetool output as unrecognised (the nodetool name rule has no .gz), so the test names it one:
  // the listing is adjusted, the reading (RecordedSource.readLineBlocks inflating the .gz) is the real one. The plain
  // output beside it only makes the folder a bundle open() accepts.
  const dir = oneNodeBundle({ "nodetool/tpstats": REAL, "nodetool/tpstats.gz": zlib.gzipSync(g.text) }, "cassperf-nodetool-streamed-");
  const opened = (await open(dir)) as RecordedSource;
  const gz = opened.files().find((f) => f.rel.endsWith("nodetool/tpstats.gz"));
  assert.ok(gz, "the .gz file is listed");
  const file: SourceFile = { ...gz, kind: "nodetool", command: "tpstats", compressed: "gz" };
  const source = Object.assign(Object.create(opened) as RecordedSource, {
    files: (filter?: { kind?: unknown }) => (filter?.kind === "nodetool" ? [file] : opened.files()),
  });
  let blocks = 0;
  for await (const _ of source.readLineBlocks(file)) blocks++;
  assert.ok(blocks >= 2, `${blocks} blocks`);
  const notes: string[] = [];
  const got = await streamedNodetool(source, "tpstats", (o) => new TpstatsLines(o), notes);
  assert.deepEqual(notes, []);
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].parsed, parseTpstats(g.text, { file: file.rel }));
  assert.deepEqual(
    got[0].parsed.skipped.map((s) => s.line),
    g.cut.map((c) => c.line),
  );
});

test("report progress counts a streamed nodetool file: done, with its size on disk, once streamedNodetool has read it", async () => {
  const g = grownTpstats();
  const dir = oneNodeBundle({ "nodetool/tpstats": g.text }, "cassperf-nodetool-streamed-");
  const source = (await open(dir)) as RecordedSource;
  const file = source.files({ kind: "nodetool", command: "tpstats" })[0];
  const seen: number[] = [];
  const tracker = new ReadTracker([file], (p) => seen.push(p.bytesDone));
  await streamedNodetool(tracker.wrap(source), "tpstats", (o) => new TpstatsLines(o), []);
  // Expected: the file's size from fs.stat, reached block by block (more than one figure before it).
  const size = fs.statSync(path.join(dir, "nodes/10.0.0.1/nodetool/tpstats")).size;
  const p = tracker.progress();
  assert.deepEqual([p.filesDone, p.bytesDone], [1, size]);
  assert.ok(seen.length >= 2 && seen[0] < size, `figures ${seen.join(", ")}`);
});

test("a tpstats -F json output is parsed a member at a time: a member past the limit is refused, naming the file and its size", () => {
  // "ThreadPools" made of 9 lines of 8 MiB (the same string fed again: only the count grows) passes the limit of 64 MiB.
  const p = new TpstatsLines({ file: "nodes/10.0.0.1/nodetool/tpstats.json" });
  p.feed("{", 1);
  p.feed('"ThreadPools": {', 2);
  const big = `"x": "${"y".repeat(8 * 2 ** 20)}",`;
  for (let i = 0; i < 9; i++) p.feed(big, i + 3);
  p.feed('"z": 1}', 12);
  p.feed("}", 13);
  // The member's characters: the rest of the "{" line ("\n"), each of its lines with its "\n", up to the closing brace.
  const mb = ((1 + '"ThreadPools": {'.length + 1 + 9 * (big.length + 1) + '"z": 1}'.length + 1) / 2 ** 20).toFixed(1);
  assert.equal(JSON_OUTPUT_MAX_CHARS, 64 * 2 ** 20);
  assert.throws(
    () => p.end(),
    (e: Error) =>
      e.name === "CassperfError" &&
      e.message ===
        `nodes/10.0.0.1/nodetool/tpstats.json: a JSON nodetool output is read a member at a time; this one has a member of ${mb} MB, past the limit of 64 MB.`,
  );
  // Under the limit the JSON is parsed as before: the same result as parseTpstats on the text (a real 4.x shape, from
  // TpStatsPrinter.java's JSON keys: ThreadPools, DroppedMessage, WaitLatencies).
  const json = '{\n"ThreadPools": {"ReadStage": {"ActiveTasks": 1, "PendingTasks": 2}},\n"DroppedMessage": {"READ": 3}\n}\n';
  const q = new TpstatsLines({ file: "t.json" });
  json
    .split("\n")
    .slice(0, -1)
    .forEach((l, i) => q.feed(l, i + 1));
  const r = q.end();
  assert.deepEqual(r, parseTpstats(json, { file: "t.json" }));
  assert.deepEqual([r.pools[0].pool, r.pools[0].active, r.pools[0].pending, r.dropped[0].dropped], ["ReadStage", 1, 2, 3]);
});

test("the nodetool version look-up reads block by block: a ReleaseVersion line past the first MiB is found, and reading stops at it", async () => {
  // A real `nodetool version` of the 2.1.17 bundle (test/fixtures/data/PROVENANCE.md) after 2 MiB of the real JVM noise line
  // nodetool 2.1 prints first (the lab tpstats' line 1), and more noise after it.
  const version = fs.readFileSync(data("diag/cassandra-2.1.17/nodes/10.101.34.191/nodetool/version"), "utf8");
  const expected = /ReleaseVersion:\s*(\S+)/.exec(version)![1]; // from the file's text
  const noise = `${REAL.split("\n")[0]}\n`;
  const before = noise.repeat(Math.ceil((2 * 2 ** 20) / noise.length));
  const dir = oneNodeBundle({ "nodetool/version": `${before}${version}${noise.repeat(20000)}`, "nodetool/tpstats": REAL }, "cassperf-nodetool-streamed-");
  const source = (await open(dir)) as RecordedSource;
  const { versionsOf, firstInFile } = await import("../src/analyze/inventory");
  assert.deepEqual(await versionsOf(source), { "10.0.0.1": expected });
  // The blocks read: the look-up stops at the block holding the line, before the file's end.
  const file = source.files({ kind: "nodetool", command: "version" })[0];
  const seen: number[] = [];
  const tracker = new ReadTracker([file], (p) => seen.push(p.bytesDone));
  assert.equal(await firstInFile(tracker.wrap(source), file, (text) => /ReleaseVersion:\s*(\S+)/.exec(text)?.[1]), expected);
  assert.ok(seen.length >= 2, "more than one block was read");
  assert.ok(tracker.progress().filesDone === 0 && seen.at(-1)! < file.size, `read ${seen.at(-1)} of ${file.size} bytes`);
});
