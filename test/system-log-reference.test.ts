/**
 * The parse path made faster for issue #24 (src/parse/system-log.ts, log-rules.ts, cluster/read-stream.ts) must give the
 * same events as before. Expected values: the parser as it was before that work, kept verbatim as a reference copy in
 * test/reference/ (system-log-before-24.ts with its log-rules-before-24.ts), run on the same text. Input: every
 * system.log/debug.log fixture under test/fixtures (logFixtureFiles; their PROVENANCE.md files name the origins), each
 * parsed whole and, for the new parser, also fed block by block as logs() feeds it (readLineBlocks, then small blocks).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SystemLogParser, parseSystemLog, type ParsedLog } from "../src/parse/system-log";
import { COMPILED_LAYOUTS, detectLayout } from "../src/parse/log-layout";
import { readLineBlocks } from "../src/cluster/read-stream";
import { parseSystemLog as referenceParse } from "./reference/system-log-before-24";
import * as refRules from "./reference/log-rules-before-24";
import { parseSize, tableFromPath, tableFromQuery } from "../src/parse/log-rules";
import { logFixtureFiles } from "./support";

const FIXTURES = path.join(__dirname, "fixtures");

/** Every event with its own keys in order (a field added in another order, or present as undefined, is a difference). */
const shape = (p: ParsedLog) => ({
  events: p.events.map((e) => Object.entries(e)),
  lines: p.lines,
  layout: p.layout?.name,
  skipped: p.skipped,
  attached: p.attached,
  undated: p.undated,
});

async function blockwise(file: string, options: { node: string; file: string; baseDate?: string }, small: boolean): Promise<ParsedLog> {
  const blocks: string[] = [];
  if (small) {
    // Blocks of about 4 KiB of whole lines: open events (stack traces, StatusLogger blocks) cross many block boundaries.
    const text = fs.readFileSync(file, "latin1");
    let at = 0;
    while (at < text.length) {
      const nl = text.indexOf("\n", at + 4096);
      const end = nl < 0 ? text.length : nl + 1;
      blocks.push(text.slice(at, end));
      at = end;
    }
  } else for await (const b of readLineBlocks(file)) blocks.push(b);
  if (!blocks.length) return parseSystemLog("", options);
  const layout = detectLayout(blocks[0]!) ?? undefined;
  const parser = new SystemLogParser({ ...options, ...(layout ? { layout } : {}) }, blocks[0]!);
  const events = [];
  for (const b of blocks) {
    parser.feed(b);
    events.push(...parser.take());
  }
  const end = parser.end();
  return { ...end, events: [...events, ...end.events] };
}

test("edge lines of Cassandra's layout (each probing one step of its regex) give the events the parser gave before", () => {
  // Expected: the reference parser (the layout regex) on the same lines. Each line probes one step of the regex.
  const head = "INFO  [main] 2020-07-20 09:09:27,757  DseModule.java:102 - ";
  const lines = [
    head + "Loading DSE module",
    head,
    head.trimEnd(),
    "  WARN [a]b] 2020-07-20 09:09:27,757 X.java:1 - thread with a bracket",
    "ERROR [a] [b] 2020-07-20 09:09:27,757 X.java:1 - a second bracket",
    "DEBUG [t] 2020-07-20T09:09:27.757 X.java:1 - T and dot",
    "DEBUG [t] 2020-7-20 09:09:27,757 X.java:1 - one-digit month",
    "DEBUG [t] 2020-07-20 09:09:27,7571 X.java:1 - four digits of millis",
    "DEBUG [t] 2020-07-20 09:09:27,757X.java:1 - no blank before the file",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:? - no line number",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:12- no blank before the dash",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:12 -\tTab before the message",
    "DEBUG\t[t] 2020-07-20 09:09:27,757 X.java:12 - tab after the level",
    "DEBUG [t] 2020-07-20 09:09:27,757 X java:12 - blank in the file",
    "DEBUG [t] 2020-07-20 09:09:27,757 :12 - no file",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:12 - carriage\rreturn inside",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:12 - line\u2028separator",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:12 - no\u00a0break space é",
    "DEBUG [t] 2020-07-20 09:09:27,757 X.java:12 -\u00a0no-break space first",
    "INFORMATION [t] 2020-07-20 09:09:27,757 X.java:12 - not a level",
    "INFO [t] 2020-07-20 09:09:27,757 X.java:12 - GC in 10ms. G1 Old Gen: 1 -> 2",
    "INFO [t] 2020-07-20 09:09:28,001 GCInspector.java:284 - ParNew GC in 245ms.  CMS Old Gen: 1 -> 2",
    "INFO [t] 2020-07-20 09:09:28,001 X.java:12 - ",
    "INFO [t] 2020-07-20 09:09:28,001 X.java:12 -   ",
    "\tat org.apache.cassandra.X.y(X.java:1)",
  ].join("\n");
  const layout = COMPILED_LAYOUTS.find((l) => l.name === "cassandra")!;
  const options = { node: "n", file: "f", layout };
  assert.deepStrictEqual(shape(parseSystemLog(lines, options)), shape(referenceParse(lines, options)));
});

test("every log fixture gives the same events, counts and skipped lines as the parser before issue #24 (whole and block by block)", async () => {
  const files = logFixtureFiles(FIXTURES);
  assert.ok(files.length >= 20, `${files.length} log fixtures`);
  let events = 0;
  const kinds = new Set<string>();
  for (const file of files) {
    // Latin-1 for both: the fixtures are compared as bytes, as read-stream decodes ASCII blocks.
    const text = fs.readFileSync(file, "latin1");
    for (const baseDate of [undefined, "2020-07-20"]) {
      const options = { node: "10.0.0.1", file: path.relative(FIXTURES, file), ...(baseDate ? { baseDate } : {}) };
      const expected = shape(referenceParse(text, options));
      assert.deepStrictEqual(shape(parseSystemLog(text, options)), expected, file);
      if (baseDate) continue;
      const layout = detectLayout(text.slice(0, 1 << 20));
      const ref = shape(referenceParse(text, { ...options, ...(layout ? { layout } : {}) }));
      if (fs.readFileSync(file).every((b) => b < 128)) assert.deepStrictEqual(shape(await blockwise(file, options, false)), ref, `${file} (readLineBlocks)`);
      assert.deepStrictEqual(shape(await blockwise(file, options, true)), ref, `${file} (4 KiB blocks)`);
      events += expected.events.length;
      for (const e of expected.events) kinds.add(String(Object.fromEntries(e).kind));
    }
  }
  // Not vacuous: the fixtures hold many events, of the kinds whose fields the rules fill in.
  assert.ok(events > 10_000, `${events} events`);
  for (const k of ["gc-pause", "statuslogger-pool", "statuslogger-table", "flush", "compaction", "dropped-messages", "exception", "slow-query"])
    assert.ok(kinds.has(k), `a fixture event is ${k}`);
});

test("tableFromPath, parseSize and tableFromQuery give what they gave before issue #24 on generated and fixture text", () => {
  // Expected: the functions of the reference copy (test/reference/log-rules-before-24.ts) on the same input.
  let seed = 24;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const pick = <T>(xs: T[]) => xs[rnd(xs.length)]!;
  const hex = (n: number, upper = false) =>
    Array.from({ length: n }, () => pick([..."0123456789abcdef"]))
      .join("")
      [upper ? "toUpperCase" : "toLowerCase"]();
  const parts = [
    "",
    "data",
    "ks",
    "tbl",
    `tbl-${hex(32)}`,
    `tbl-${hex(32, true)}`,
    `-${hex(32)}`,
    `t-${hex(31)}`,
    `t-${hex(33)}`,
    "nb-1-big-Data.db",
    "a b",
    "é",
  ];
  for (let i = 0; i < 20_000; i++) {
    const p = Array.from({ length: rnd(6) }, () => pick(parts)).join(pick(["/", "//"]));
    const path = (rnd(2) ? "/" : "") + p + (rnd(4) ? "" : "/");
    assert.deepStrictEqual(tableFromPath(path), refRules.tableFromPath(path), path);
  }
  const sizes = [
    "",
    " ",
    "853",
    "5,123 bytes",
    "5.482KiB",
    "94.273MiB",
    "1.2 GB",
    "1.2 gb",
    "12kB",
    "3TB",
    "4TiB",
    "0.5",
    ".5",
    "1,2,3.4MB",
    "1.",
    "x",
    "12 B",
    "7 bytes ",
    " 9GiB",
  ];
  for (const s of [...sizes, undefined]) assert.deepStrictEqual(parseSize(s), refRules.parseSize(s), String(s));
  for (const q of ["SELECT * FROM ks.tbl WHERE k = 1", 'select a from "Ks"."T" limit 1', "SELECT * FROM tbl", "no clause", "DELETE FROM ks/tbl"])
    assert.deepStrictEqual(tableFromQuery(q), refRules.tableFromQuery(q), q);
  // And on every path and size the fixtures' flush and compaction lines carry (each regex as the rules table writes it).
  let checked = 0;
  for (const file of logFixtureFiles(FIXTURES)) {
    const text = fs.readFileSync(file, "latin1");
    for (const [, path, size] of text.matchAll(/(?:Completed flushing |Compacting \[|SSTableReader\(path=')(\/[^ ',:\]]+)(?: \(([^)]*)\))?/g)) {
      assert.deepStrictEqual(tableFromPath(path!), refRules.tableFromPath(path!), path);
      if (size !== undefined) assert.deepStrictEqual(parseSize(size), refRules.parseSize(size), size);
      checked++;
    }
  }
  assert.ok(checked > 100, `${checked} fixture paths`);
});
