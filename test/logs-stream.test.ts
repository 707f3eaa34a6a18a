/**
 * logs() read in blocks: the block-by-block parse gives the same events as one text (open events,
 * stack traces and StatusLogger blocks crossing block boundaries), worker threads give the same
 * report as one thread, a sample past `keep` keeps exact counts and exact citations, progress and
 * cancel. Inputs: real logs in test/fixtures (PROVENANCE.md there).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "./support";
import { parseSystemLog, SystemLogParser } from "../src/parse/system-log";
import { lineBlocks } from "../src/cluster/read-stream";
import { logs } from "../src/analyze/logs/logs";

const FIX = path.join(__dirname, "fixtures");
const DSE_SYSTEM = path.join(FIX, "logs-stream", "dse68-system.log");
const DSE_DEBUG = path.join(FIX, "logs-stream", "dse68-debug.log");
const STATUSLOGGER = path.join(FIX, "cassandra21-lab-statuslogger", "system.log");

/** The file's bytes as chunks of `size` bytes (a character may be split: lineBlocks must mend it). */
async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Two nodes, each with the real system.log and debug.log excerpts. */
function bundle(): string {
  const dir = tempDir("cassperf-logstream-");
  for (const node of ["172.17.0.2", "172.17.0.3"]) {
    const d = path.join(dir, "nodes", node, "logs", "cassandra");
    fs.mkdirSync(d, { recursive: true });
    fs.copyFileSync(DSE_SYSTEM, path.join(d, "system.log"));
    fs.copyFileSync(DSE_DEBUG, path.join(d, "debug.log"));
  }
  return dir;
}

const lines = (f: string) =>
  fs
    .readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);

test("block by block = one text: the same events, line numbers and counts with blocks of ~1 KB (StatusLogger rows and stack traces cross blocks)", async () => {
  for (const file of [STATUSLOGGER, DSE_SYSTEM, DSE_DEBUG]) {
    const buf = fs.readFileSync(file);
    const whole = parseSystemLog(buf.toString("utf8"), { node: "n", file: "f" });
    let parser: SystemLogParser | undefined;
    const events = [];
    let blocks = 0;
    for await (const block of lineBlocks(chunks(buf, 997), 1000)) {
      parser ??= new SystemLogParser({ node: "n", file: "f" }, block);
      parser.feed(block);
      events.push(...parser.take());
      blocks++;
    }
    const end = parser!.end();
    events.push(...end.events);
    assert.ok(blocks > 20, `${file}: ${blocks} blocks`);
    assert.deepEqual(events, whole.events, file);
    assert.equal(end.lines, whole.lines);
    assert.equal(end.attached, whole.attached);
    // Expected from the file itself: one line per line read (wc -l).
    assert.equal(end.lines, buf.toString("utf8").split("\n").length - (buf.toString("utf8").endsWith("\n") ? 1 : 0), file);
  }
  // The 2.1 StatusLogger dump: one row per pool/table line of the file (grep -c of Cassandra 2.1 StatusLogger.java's
  // row calls: line 66 thread pools, 75 CompactionManager, 87 MessagingService, 115 tables), none lost at a block edge.
  const text = fs.readFileSync(STATUSLOGGER, "utf8");
  const rows = text.split("\n").filter((l) => /StatusLogger\.java:(66|75|87|115) - /.test(l)).length;
  const p = parseSystemLog(text, { node: "n", file: "f" });
  assert.equal(p.events.filter((e) => e.kind === "statuslogger-pool" || e.kind === "statuslogger-table").length, rows);
});

test("logs() per node: debug.log repeats of system.log kept once; worker threads give the same report as one thread", async () => {
  const dir = bundle();
  const one = await logs({ source: dir, workers: 1 });
  const two = await logs({ source: dir, workers: 2 });
  // Expected from the fixture files: every debug.log line is an event (each starts with a level: grep -c),
  // and every system.log line is one of them, repeated verbatim (the debug.log excerpt repeats it).
  const sys = lines(DSE_SYSTEM);
  const dbg = lines(DSE_DEBUG);
  const dbgSet = new Set(dbg);
  assert.ok(sys.every((l) => dbgSet.has(l)));
  assert.equal(one.summary.events, 2 * dbg.length);
  assert.ok(
    one.notes.some((n) => n.startsWith(`${2 * sys.length} debug.log events repeat a system.log line`)),
    one.notes.join("\n"),
  );
  assert.deepEqual(two.summary, one.summary);
  assert.deepEqual(two.rows("kinds"), one.rows("kinds"));
  assert.deepEqual(two.rows("files"), one.rows("files"));
  assert.deepEqual(two.rows("events"), one.rows("events"));
  assert.deepEqual(two.findings, one.findings);
});

test("logs() past `keep`: a fixed-seed sample of events, exact counts, and each kept event cites its true file:line", async () => {
  const dir = bundle();
  const all = await logs({ source: dir, workers: 1 });
  const few = await logs({ source: dir, workers: 1, keep: { classified: 20, other: 20 } });
  const again = await logs({ source: dir, workers: 2, keep: { classified: 20, other: 20 } });
  for (const k of ["events", "first", "last", "by_kind", "flushes", "compactions", "dropped_messages", "statuslogger_dumps", "gc_pause_max_ms"])
    assert.deepEqual(few.summary[k], all.summary[k], k);
  assert.deepEqual(few.rows("kinds"), all.rows("kinds"));
  const kept = few.rows("events");
  // 10 + 10 per node (keep is shared between the two nodes), plus each node's earliest and latest event and the events the
  // findings and the clock check read (src/analyze/logs/log-evidence.ts): still a sample of the whole.
  assert.ok(kept.length < all.rows("events").length && kept.length >= 20, `${kept.length} kept of ${all.rows("events").length}`);
  // The findings count over every event, not over the sample.
  assert.deepEqual(few.findings, all.findings);
  assert.deepEqual(again.rows("events"), kept, "the same sample every run");
  assert.ok(few.notes.some((n) => /read a sample \(fixed seed\)/.test(n)));
  // Citations: the line a kept event names holds its message (read here from the file).
  for (const e of kept) {
    const text = fs.readFileSync(path.join(dir, String(e.file)), "utf8").split("\n")[Number(e.line) - 1];
    assert.ok(text.includes(String(e.message).slice(0, 60)), `${e.file}:${e.line}`);
  }
});

test("logs() reports progress (files, MB, rate) and stops on its signal", async () => {
  const dir = bundle();
  const seen: { done: number; total?: number; label?: string }[] = [];
  await logs({ source: dir, workers: 2, onProgress: (p) => seen.push(p) });
  const last = seen[seen.length - 1];
  assert.equal(last.total, 4);
  assert.equal(last.done, 4);
  assert.match(String(last.label), /log files, \d+ MB read, \d+ MB\/s/);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(logs({ source: dir, signal: ac.signal }), (e: Error) => e.name === "AbortError");
  await assert.rejects(logs({ source: dir, keep: { other: 0 } }), /keep\.other must be a whole number/);
});

test("trace events JSONL read block by block: the same rows, and a bad line cited at its line in the file", async () => {
  const { parseEventsJsonl, blockLines } = await import("../src/parse/trace-rows");
  // Real events (test/fixtures/trace/README.md) with one line that is not JSON put at line 40 (a mock of a damaged export).
  const real = fs
    .readFileSync(path.join(FIX, "trace", "lab21", "traces", "events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l);
  const text = [...real.slice(0, 39), "{not json", ...real.slice(39)].join("\n") + "\n";
  const whole = parseEventsJsonl(text);
  const at = { linesBefore: 0, skipped: { count: 0 } as { count: number; first?: { line: number; text: string; reason: string } } };
  const rows: unknown[] = [];
  let blocks = 0;
  for await (const block of lineBlocks(chunks(Buffer.from(text), 500), 512)) {
    parseEventsJsonl(block, (r) => rows.push(r), at);
    at.linesBefore += blockLines(block);
    blocks++;
  }
  assert.ok(blocks > 5);
  assert.deepEqual(rows, whole.rows);
  assert.equal(rows.length, real.length);
  assert.equal(at.skipped.count, 1);
  assert.equal(at.skipped.first?.line, 40); // where it was put
});
