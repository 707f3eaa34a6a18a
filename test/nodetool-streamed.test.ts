/**
 * The tablestats and tablehistograms parsers fed block by block as a recorded file is read (#24: no
 * whole-file string, no file-size ceiling): streamedNodetool() over a one-node bundle whose output is
 * a real DSE 6.8 output (test/fixtures/data/diag/dse68, provenance in test/fixtures/data/PROVENANCE.md)
 * repeated until it passes 2 MiB, so it spans several read blocks (the first is 1 MiB,
 * src/cluster/read-stream.ts FIRST_BLOCK_BYTES), plain and as a .gz copy. Each copy holds one line cut
 * short (as a full disk leaves it), so skipped lines are numbered across block boundaries. Expected
 * values: the counts in the real file (the grep written as a filter in each test) times the number of
 * copies; the cut lines' numbers as the test placed them; and the parse of the whole text with
 * parseX(text), which every other test of these parsers checks against the real files.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { open, type RecordedSource } from "../src/index";
import { streamedNodetool } from "../src/cluster/evidence";
import { parseTablestats, TablestatsLines } from "../src/parse/nodetool-tablestats";
import { JSON_OUTPUT_MAX_CHARS, JsonOutputLines } from "../src/parse/nodetool-common";
import { CassperfError } from "../src/errors";
import { parseTablehistograms, TablehistogramsLines } from "../src/parse/nodetool-tablehistograms";
import { histograms } from "../src/analyze/histograms/histograms";
import { data, oneNodeBundle } from "./support";

const DSE = "diag/dse68/nodes/172.17.0.2/nodetool";
const BLOCK = 2 ** 20; // FIRST_BLOCK_BYTES of src/cluster/read-stream.ts

/**
 * The real file's lines repeated until the text passes 2 MiB, with `cut(line)` inserted after the first line of each copy
 * that `at` matches; returns the text, the number of copies, and the 1-based line number and byte offset of each cut line.
 */
function grown(realText: string, at: RegExp, cut: (line: string) => string): { text: string; copies: number; cutLines: number[]; cutOffsets: number[] } {
  assert.ok(realText.endsWith("\n"));
  const real = realText.split("\n").slice(0, -1);
  const copies = Math.ceil((2 * BLOCK) / Buffer.byteLength(realText)) + 1;
  const lines: string[] = [];
  const cutLines: number[] = [];
  const cutOffsets: number[] = [];
  let bytes = 0;
  const push = (l: string) => {
    lines.push(l);
    bytes += Buffer.byteLength(l) + 1;
  };
  for (let c = 0; c < copies; c++) {
    let done = false;
    for (const l of real) {
      push(l);
      if (!done && at.test(l)) {
        cutOffsets.push(bytes);
        push(cut(l));
        cutLines.push(lines.length);
        done = true;
      }
    }
    assert.ok(done, `a line matching ${at} in the real file`);
  }
  return { text: `${lines.join("\n")}\n`, copies, cutLines, cutOffsets };
}

for (const compressed of [false, true]) {
  const kind = compressed ? ".gz" : "plain";

  test(`tablestats: a ${kind} DSE 6.8 cfstats past 2 MiB parsed block by block equals the whole-text parse`, async () => {
    const realText = fs.readFileSync(data(DSE, "cfstats"), "utf8");
    // grep -c "Table: " cfstats -> 79 tables; grep -c "^Keyspace" cfstats -> 18 keyspaces (written as filters on the real lines).
    const realTables = realText.split("\n").filter((l) => /^\s+Table( \(index\))?:/.test(l)).length;
    const realKeyspaces = realText.split("\n").filter((l) => /^Keyspace\s*:/.test(l)).length;
    assert.equal(realTables, 79);
    assert.equal(realKeyspaces, 18);
    // Each copy: its first "Space used (live)" field line, cut before its colon.
    const g = grown(realText, /^\t\tSpace used \(live\)/, (l) => l.slice(0, l.indexOf("(") + 3));
    assert.ok(Buffer.byteLength(g.text) > 2 * BLOCK);
    assert.ok(g.cutOffsets.filter((o) => o > BLOCK).length >= g.copies / 2, "most cut lines lie past the first read block");
    const rel = compressed ? "nodetool/cfstats.gz" : "nodetool/cfstats";
    const source = (await open(oneNodeBundle({ [rel]: compressed ? zlib.gzipSync(g.text) : g.text }, "cassperf-nt-streamed-"))) as RecordedSource;
    const notes: string[] = [];
    const out = await streamedNodetool(source, "tablestats", (o) => new TablestatsLines(o), notes);
    assert.deepEqual(notes, []);
    assert.equal(out.length, 1);
    const p = out[0].parsed;
    assert.equal(out[0].origin, `nodes/10.0.0.1/${rel}`);
    assert.equal(p.tables.length, g.copies * realTables);
    assert.equal(p.keyspaces.length, g.copies * realKeyspaces);
    assert.deepEqual(
      p.skipped.map((s) => s.line),
      g.cutLines,
    );
    assert.ok(p.skipped.every((s) => s.text === "\t\tSpace used (li" && s.reason === "not a tablestats line"));
    // The last copy's tables carry line numbers counted across every block before them.
    const lastTable = p.tables[p.tables.length - 1];
    const lines = g.text.split("\n");
    assert.match(lines[lastTable.line - 1], new RegExp(`^\\s+Table: ${lastTable.table}$`));
    assert.deepEqual(p, parseTablestats(g.text, { file: out[0].origin }));
  });

  test(`tablehistograms: a ${kind} DSE 6.8 cfhistograms past 2 MiB parsed block by block equals the whole-text parse`, async () => {
    const realText = fs.readFileSync(data(DSE, "cfhistograms"), "utf8");
    const realLines = realText.split("\n");
    // grep -c " histograms$" -> 79 tables; grep -cE "^(50%|75%|95%|98%|99%|Min|Max) " -> 553 rows, each with the 5 values of
    // the one header every table has (sort | uniq -c on the "Percentile" lines).
    const titles = realLines.filter((l) => / histograms$/.test(l)).length;
    const percentileLines = realLines.filter((l) => /^(50%|75%|95%|98%|99%|Min|Max) /.test(l)).length;
    const headers = new Set(realLines.filter((l) => /^Percentile/.test(l)));
    assert.equal(titles, 79);
    assert.equal(percentileLines, 553);
    assert.equal(headers.size, 1);
    const columns = [...headers][0].trim().split(/\s{2,}/).length - 1;
    assert.equal(columns, 5);
    // Each copy: its first "99%" row again, cut after two values (read as a short row: skipped, not zeros).
    const g = grown(realText, /^99% /, (l) => /^\S+\s+\S+\s+\S+/.exec(l)![0]);
    assert.ok(Buffer.byteLength(g.text) > 2 * BLOCK);
    assert.ok(g.cutOffsets.filter((o) => o > BLOCK).length >= g.copies / 2, "most cut lines lie past the first read block");
    const rel = compressed ? "nodetool/cfhistograms.gz" : "nodetool/cfhistograms";
    const dir = oneNodeBundle({ [rel]: compressed ? zlib.gzipSync(g.text) : g.text }, "cassperf-nt-streamed-");
    const source = (await open(dir)) as RecordedSource;
    const notes: string[] = [];
    const out = await streamedNodetool(source, "tablehistograms", (o) => new TablehistogramsLines(o), notes);
    assert.deepEqual(notes, []);
    assert.equal(out.length, 1);
    const p = out[0].parsed;
    assert.equal(p.tables.length, g.copies * titles);
    assert.equal(p.rows.length, g.copies * percentileLines * columns);
    assert.deepEqual(
      p.skipped.map((s) => s.line),
      g.cutLines,
    );
    assert.ok(p.skipped.every((s) => s.reason === "expected 5 values after 99%, found 2"));
    // The last row's line is its own text's line, counted across every block before it.
    const last = p.rows[p.rows.length - 1];
    assert.match(g.text.split("\n")[last.line - 1], /^Max /);
    assert.deepEqual(p, parseTablehistograms(g.text, { file: out[0].origin }));

    // histograms() reads recorded outputs with its own streamed loop: its note names the first cut line and the count.
    const h = await histograms(undefined, { source: dir, proxy: false });
    const note = h.notes.find((n) => n.includes("not understood"));
    assert.ok(note, h.notes.join("\n"));
    assert.ok(note.includes(`skipped ${g.copies} lines not understood; first at line ${g.cutLines[0]}:`), note);
  });
}

test("tablestats -F json: parsed member by member as the lines come, the same object JSON.parse gives the whole text, any size", () => {
  // A -F json output in the sorted form TableStatsHolder prints ({"ks.t": {...}}), one table per line (nodetool pretty-prints
  // it over many lines).
  const table = (i: number) => `  "shop.t${i}": {"sstable_count": ${i % 7}, "space_used_live": "52428800", "local_read_latency_ms": "2.500"},`;
  const small = new TablestatsLines({ file: "n1/tablestats.json" });
  const lines = ["{", table(1), table(2).slice(0, -1), "}"];
  lines.forEach((l, i) => small.feed(l, i + 1));
  const p = small.end();
  // Expected: the whole-text parse of the same lines (the path every -F json test of nodetool-stats.test.ts checks).
  assert.deepEqual(p, parseTablestats(lines.join("\n"), { file: "n1/tablestats.json" }));
  assert.deepEqual(
    p.tables.map((t) => [t.table, t.sstable_count]),
    [
      ["t1", 1],
      ["t2", 2],
    ],
  );

  // Members cut anywhere across lines, strings holding the characters the member cutter follows (",", "{", "}", "[", "]",
  // escaped quotes and backslashes), nesting, a "__proto__" key: the expected value is JSON.parse of the whole text.
  const tricky = [
    '{ "a": {"x": "1,2}{", "y": [1, {"z": "]\\\\"}], "w": "say \\"hi\\", {ok}"},',
    '  "b"',
    "  : [",
    '    "c,d", {"e": {}}, [], ""',
    '  ], "__proto__": {"polluted": true}, "n": -1.5e3, "t": true, "u": null',
    "}  ",
  ];
  const json = new JsonOutputLines("n1/x.json", "nodetool tablestats");
  for (const l of tricky) json.add(l);
  assert.deepEqual(json.doc(), JSON.parse(tricky.join("\n")));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);

  // More than JSON_OUTPUT_MAX_CHARS in all (the old whole-text limit) in members of ~1 KB: parsed, every key there.
  const many = new JsonOutputLines("n1/big.json", "nodetool tablestats");
  const filler = "x".repeat(1000);
  let chars = 0;
  let members = 0;
  many.add("{");
  while (chars <= JSON_OUTPUT_MAX_CHARS + 2 ** 20) {
    const l = `"ks.t${members}": {"note": "${filler}"},`;
    many.add(l);
    chars += l.length + 1;
    members++;
  }
  many.add('"last": 0}');
  const doc = many.doc();
  assert.equal(Object.keys(doc).length, members + 1);
  assert.equal((doc[`ks.t${members - 1}`] as { note: string }).note, filler);

  // One member longer than the limit is refused, naming the file and the member's size.
  const huge = new TablestatsLines({ file: "n1/tablestats.json" });
  let n = 0;
  huge.feed("{", ++n);
  huge.feed('"ks.t": {', ++n);
  const line = `"note": "${"y".repeat(2 ** 20)}",`;
  // The member's characters: the rest of the "{" line (its "\n"), then every line of it with its "\n", up to the closing brace.
  let memberChars = 1 + '"ks.t": {'.length + 1;
  while (memberChars <= JSON_OUTPUT_MAX_CHARS) {
    huge.feed(line, ++n);
    memberChars += line.length + 1;
  }
  huge.feed('"end": 1}}', ++n);
  memberChars += '"end": 1}'.length;
  assert.throws(
    () => huge.end(),
    (e: unknown) =>
      e instanceof CassperfError &&
      e.message ===
        `n1/tablestats.json: a JSON nodetool output is read a member at a time; this one has a member of ${(memberChars / 2 ** 20).toFixed(1)} MB, past the limit of 64 MB.`,
  );

  // Not valid JSON: named as before.
  const bad = new TablestatsLines({ file: "n1/tablestats.json" });
  ["{", '"ks.t": {"a": 1,}', "}"].forEach((l, i) => bad.feed(l, i + 1));
  assert.throws(() => bad.end(), /n1\/tablestats\.json: not valid JSON \(.+\); expected nodetool tablestats -F json output\./);
});

test("nodetool's error message wins over what the lines would parse to, as when the check ran on the whole text first", () => {
  // An output that begins with two of nodetool's error lines (NODETOOL_ERROR of nodetool-common.ts: "nodetool: ...", "error: ...")
  // is nodetool's error, even when a later line would be refused as an unknown histogram header.
  const text = ["nodetool: Failed to connect to '127.0.0.1:7199'", "error: Connection refused", "Percentile  Bogus Latency", ""].join("\n");
  const p = new TablehistogramsLines({ file: "n1/cfhistograms" });
  text
    .split("\n")
    .slice(0, -1)
    .forEach((l, i) => p.feed(l, i + 1));
  assert.deepEqual(p.end(), { rows: [], tables: [], skipped: [], noise: 0, nodetoolError: "nodetool: Failed to connect to '127.0.0.1:7199'" });
  // One error line followed by a real header is not an error output: the unknown column is refused, naming the file and line 2.
  assert.throws(
    () => parseTablehistograms("nodetool: Failed to connect\nPercentile  Bogus Latency\n", { file: "n1/cfhistograms" }),
    (e: unknown) => e instanceof CassperfError && /^n1\/cfhistograms: line 2: unknown histogram column "Bogus Latency"/.test(e.message),
  );
});
