/**
 * A large log file parsed as byte-range chunks (src/analyze/logs/log-chunks.ts) gives the node's
 * sequential parse, field for field. Every .log fixture in test/fixtures (but GC logs) is parsed
 * once as before and once with a tiny chunk size, forcing many chunks (hundreds on the larger
 * files). The expected value is the sequential parse: an independent code path (one
 * SystemLogParser over the whole file's blocks, no cuts, no merge) that the other log tests check
 * against the files themselves. The fixtures and their provenance are those of their folders'
 * PROVENANCE.md files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseNodeLogs, type NodeLogResult, type NodeLogTask } from "../src/analyze/logs/log-node";
import { chunkStarts, parseLogChunk, type ChunkRunner } from "../src/analyze/logs/log-chunks";
import { WorkerPool } from "../src/analyze/parse-cancellable";
import { detectLayout, compileLayout } from "../src/parse/log-layout";
import { logFixtureFiles } from "./support";

const FIXTURES = path.join(__dirname, "fixtures");

/** One task per folder (a node): its debug.log files after its system.log files, as logs() orders them. */
function tasks(): NodeLogTask[] {
  const byDir = new Map<string, string[]>();
  for (const f of logFixtureFiles(FIXTURES)) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), f]);
  const out: NodeLogTask[] = [];
  for (const [dir, files] of byDir) {
    // The logback-layouts files need their logback.xml pattern (one file per pattern): one task each.
    const groups = dir.endsWith("logback-layouts") ? files.map((f) => [f]) : [files];
    for (const g of groups) {
      const task: NodeLogTask = {
        node: path.relative(FIXTURES, dir),
        files: g.map((f, index) => ({
          index,
          path: f,
          rel: path.relative(FIXTURES, f),
          kind: /debug/.test(path.basename(f)) ? "debug-log" : "system-log",
          name: f,
          size: fs.statSync(f).size,
        })),
        date: "2020-01-01",
        keep: { classified: 1_000_000, other: 1_000_000 },
      };
      if (dir.endsWith("logback-layouts")) {
        const xml = g[0]!.replace(/system-(.*)\.log$/, "logback-$1.xml");
        task.pattern = /<pattern>([^<]*)/.exec(fs.readFileSync(xml, "utf8"))![1]!;
      }
      out.push(task);
    }
  }
  return out;
}

/** Results compared as data (a worker's events arrive as plain objects, not the parser's class). */
const plain = (r: NodeLogResult) => JSON.parse(JSON.stringify(r));

test("every log fixture parsed as many tiny chunks equals the unchunked parse", async () => {
  let chunked = 0;
  let chunkCount = 0;
  for (const task of tasks()) {
    const starts: { file: string; start: number }[] = [];
    const runner: ChunkRunner = {
      parallel: 3,
      minBytes: 0,
      chunkBytes: 2048,
      run: async (t) => {
        starts.push({ file: t.path, start: t.start });
        return parseLogChunk(t);
      },
    };
    const expected = await parseNodeLogs(task);
    const got = await parseNodeLogs(task, undefined, undefined, runner);
    assert.deepEqual(plain(got), plain(expected), `${task.node}: chunked parse differs`);
    if (starts.length > task.files.length) chunked++;
    chunkCount += starts.length;
    // Every cut is at a line that begins a log entry: a level word first (the layouts of these
    // files all start with the level), never a stack-trace or table row ("\tat ...", "Caused by", spaces).
    for (const s of starts) {
      if (s.start === 0) continue;
      const fd = fs.openSync(s.file, "r");
      const b = Buffer.alloc(200);
      fs.readSync(fd, b, 0, 200, s.start - 1);
      fs.closeSync(fd);
      assert.equal(b[0], 10, `${s.file}@${s.start}: a chunk starts right after a line break`);
      assert.match(b.subarray(1).toString("latin1"), /^\s*(INFO|DEBUG|WARN|ERROR|TRACE|FATAL)\s/, `${s.file}@${s.start}: a chunk starts at an entry`);
    }
  }
  // At least the larger system.log/debug.log fixtures (≥ 40 KB, 19 of them) were cut into many chunks.
  assert.ok(chunked >= 10, `folders parsed in chunks: ${chunked}`);
  assert.ok(chunkCount > 2000, `chunks: ${chunkCount}`);
});

test("a StatusLogger dump whose one-line rows fall in a later chunk than its header keeps the header's line", async () => {
  // The 2.1 lab's system.log writes each StatusLogger pool row as its own log line ("StatusLogger.java:... - Pool Name ...")
  // after the thread's header line; with 1 KiB chunks, rows land in later chunks than their header.
  const file = path.join(FIXTURES, "cassandra21-lab-statuslogger/system.log");
  const task: NodeLogTask = {
    node: "n",
    files: [{ index: 0, path: file, rel: "system.log", kind: "system-log", name: file, size: fs.statSync(file).size }],
    keep: { classified: 1_000_000, other: 1_000_000 },
  };
  const runner: ChunkRunner = { parallel: 2, minBytes: 0, chunkBytes: 1024, run: (t) => parseLogChunk(t) };
  const expected = await parseNodeLogs(task);
  const got = await parseNodeLogs(task, undefined, undefined, runner);
  const dumps = (r: NodeLogResult) => r.events.filter((e) => e.kind === "statuslogger-pool").map((e) => `${e.line}:${e.dump}`);
  // grep "StatusLogger.java:66" finds the pool rows (MutationStage ... at lines 226-) after the header at line 225.
  assert.ok(dumps(expected).length > 10, "the file has StatusLogger pool rows");
  assert.deepEqual(dumps(got), dumps(expected));
  assert.equal(got.dumps, expected.dumps);
});

test("chunks parsed by a real worker pool merge to the unchunked parse; cut points are entry lines", async () => {
  const file = path.join(FIXTURES, "data/diag/dse68/nodes/172.17.0.2/logs/cassandra/debug.log");
  const size = fs.statSync(file).size;
  const layout = detectLayout(fs.readFileSync(file, "latin1").slice(0, 1 << 20))!;
  const starts = await chunkStarts(file, size, compileLayout(layout.pattern, layout.name), 64 * 1024);
  // ~2.97 MB in 64 KiB steps: about 45 chunks (a step with no entry line within 4 MiB would merge two).
  assert.ok(starts.length >= 40, `chunk starts: ${starts.length}`);
  assert.equal(starts[0], 0);
  assert.equal(starts[starts.length - 1], size);
  const pool = new WorkerPool(2);
  try {
    const runner: ChunkRunner = {
      parallel: 2,
      minBytes: 0,
      chunkBytes: 64 * 1024,
      run: (t, signal) => pool.run("parseLogChunk", [t], signal ? { signal } : {}),
    };
    const task: NodeLogTask = {
      node: "172.17.0.2",
      files: [{ index: 0, path: file, rel: "debug.log", kind: "debug-log", name: file, size }],
      keep: { classified: 1000, other: 500 }, // small reservoirs: the fixed-seed sample must match too
    };
    const expected = await parseNodeLogs(task);
    assert.ok(expected.sampled.classified[0] > 1000, "the sample is exercised");
    const got = await parseNodeLogs(task, undefined, undefined, runner);
    assert.deepEqual(plain(got), plain(expected));
  } finally {
    await pool.close();
  }
});
