/**
 * logs() in worker threads: a node's kept events cross to the main thread as columns in transferred
 * buffers (src/analyze/logs/log-event-columns.ts) and are rebuilt there. The expected value of every
 * check is the main-thread parse of the same files (parseNodeLogs / logs({ workers: 1 }), which
 * never encodes anything): the rebuilt result must be deepStrictEqual to it — same objects, same
 * class, same keys in the same order, absent fields absent, undefined and null apart.
 * Inputs: every log fixture (test/fixtures, PROVENANCE.md in each folder) and a bundle generated from
 * real fixture logs the way bench/logs.bench.ts does (templates repeated a day later each time).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { MessageChannel } from "node:worker_threads";
import { logFixtureFiles, tempDir } from "./support";
import { WorkerPool } from "../src/analyze/parse-cancellable";
import { parseNodeLogs, type NodeLogTask } from "../src/analyze/logs/log-node";
import { nodeResultFromColumns, type NodeLogColumns } from "../src/analyze/logs/log-node-columns";
import { decodeEvents, encodeEvents, eventColumnsTransfer } from "../src/analyze/logs/log-event-columns";
import { Event } from "../src/parse/system-log";
import { logEvents } from "../src/analyze/logs/log-events";
import type { LogEvent } from "../src/parse/log-rules";

const FIX = path.join(__dirname, "fixtures");

function taskOf(file: string): NodeLogTask {
  return {
    node: "n",
    files: [
      {
        index: 0,
        path: file,
        rel: path.relative(FIX, file),
        kind: /debug/.test(path.basename(file)) ? "debug-log" : "system-log",
        name: file,
        size: fs.statSync(file).size,
      },
    ],
    keep: { classified: 1_000_000, other: 1_000_000 },
  };
}

/** Key order is not part of deepStrictEqual: checked on its own, event by event. */
function assertSameKeys(got: LogEvent[], want: LogEvent[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) assert.deepEqual(Object.keys(got[i]!), Object.keys(want[i]!), `${what}: event ${i}`);
}

test("every log fixture: a worker's result rebuilt from columns is deepStrictEqual to the main-thread parse (same class, keys in order)", async () => {
  const files = logFixtureFiles(FIX);
  // 42 files when this test was written (find test/fixtures -name '*.log' ! -iname '*gc*' | wc -l): at least that many are read.
  assert.ok(files.length >= 42, `${files.length} fixture logs`);
  const pool = new WorkerPool(2);
  let events = 0;
  try {
    await Promise.all(
      files.map(async (file) => {
        const want = await parseNodeLogs(taskOf(file));
        const got = nodeResultFromColumns(await pool.run<NodeLogColumns>("parseNodeLogsColumns", [taskOf(file)]));
        assert.deepStrictEqual(got, want, file);
        assertSameKeys(got.events, want.events, file);
        events += want.events.length;
      }),
    );
  } finally {
    await pool.close();
  }
  assert.ok(events > 10_000, `${events} events compared`);
});

test("columns keep what structured clone keeps: undefined apart from null and from absent, -0, NaN, non-Latin-1 text, other values", () => {
  // Hand-made events (a mock of values the parser rarely or never makes) next to one real parser Event.
  const real = new Event("n", 0, "INFO", "main", "X.java:1", "réel – ✓ 𝄞", "f", 1);
  const events = [
    real,
    { node: "n", ts: null, level: "WARN", thread: null, source: null, kind: "other", message: "plain ascii", file: "f", line: 2, rule: "" },
    {
      node: "n",
      ts: -0,
      level: "INFO",
      thread: "t",
      source: null,
      kind: "gc-pause",
      message: "µs only latin-1",
      file: "f",
      line: 3,
      rule: "gc.pause",
      pause_ms: NaN,
    },
    { node: "n", ts: 5, level: "INFO", thread: "t", source: null, kind: "other", message: "", file: "f", line: 4, rule: "", active: undefined, pending: null },
    { ts: 6, node: "n", level: "INFO", kind: "other", message: "keys in another order", extra: { nested: [1, 2] }, flag: true, off: false },
  ] as unknown as LogEvent[];
  const columns = encodeEvents(events);
  // Transferred through a real MessageChannel, as the worker posts it.
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<typeof columns>((resolve) => port2.once("message", resolve));
  port1.postMessage(columns, eventColumnsTransfer(columns));
  return received.then((c) => {
    port1.close();
    port2.close();
    assert.equal(columns.tags.byteLength, 0, "the buffers were moved, not copied");
    const back = decodeEvents(c, [Event]);
    assert.deepStrictEqual(back, events);
    assertSameKeys(back, events, "hand-made");
    assert.ok(back[0] instanceof Event);
    assert.ok(Object.hasOwn(back[3]!, "active") && back[3]!.active === undefined && back[3]!.pending === null);
    assert.ok(!Object.hasOwn(back[1]!, "active"));
    assert.ok(Object.is(back[2]!.ts, -0));
    assert.throws(() => decodeEvents(encodeEvents([real]), []), /class Event, which decodeEvents was not given/);
  });
});

/** Two nodes (a DSE 6.8 node's system.log + debug.log, a Cassandra 2.1 node's system.log), each template repeated `cycles` times a day later each time. */
function generated(cycles: number): string {
  const dir = tempDir("cassperf-transfer-");
  const templates = [
    { node: "10.0.0.1", rel: "logs/cassandra/system.log", file: path.join(FIX, "logs-stream", "dse68-system.log"), day: "2020-07-20" },
    { node: "10.0.0.1", rel: "logs/cassandra/debug.log", file: path.join(FIX, "logs-stream", "dse68-debug.log"), day: "2020-07-20" },
    { node: "10.0.0.2", rel: "logs/cassandra/system.log", file: path.join(FIX, "cassandra21-lab-statuslogger", "system.log"), day: "2026-11-25" },
  ];
  for (const t of templates) {
    const text = fs.readFileSync(t.file, "utf8");
    const out: string[] = [];
    for (let c = 0; c < cycles; c++) out.push(text.replaceAll(t.day, new Date(Date.parse(`${t.day}T00:00:00Z`) + c * 86_400_000).toISOString().slice(0, 10)));
    const file = path.join(dir, "nodes", t.node, t.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, out.join(""));
  }
  return dir;
}

test("a generated two-node bundle: logEvents with 2 workers is deepStrictEqual to 1 (all events, and a fixed-seed sample)", async () => {
  const dir = generated(20);
  for (const keep of [undefined, { classified: 300, other: 100 }]) {
    const one = await logEvents({ source: dir, workers: 1, ...(keep ? { keep } : {}) });
    const two = await logEvents({ source: dir, workers: 2, ...(keep ? { keep } : {}) });
    const { source: _a, ...want } = one;
    const { source: _b, ...got } = two;
    assert.deepStrictEqual(got, want);
    assertSameKeys(got.events, want.events, "generated");
    assert.equal(want.sampled, keep !== undefined);
    // Both generated nodes are there (the bundle's two folders).
    assert.deepEqual([...new Set(want.events.map((e) => e.node))].sort(), ["10.0.0.1", "10.0.0.2"]);
  }
});

test("WorkerPool with 2 tasks per worker: cancelling the running task ends its worker, the task held behind it runs on a new one; a held or waiting task cancelled never runs", async () => {
  // The largest fixture log (~3 MB: a parse takes a while) and a small one; expected results from the main-thread parse.
  const big = path.join(FIX, "data/diag/dse68/nodes/172.17.0.2/logs/cassandra/debug.log");
  const small = path.join(FIX, "logs-stream", "dse68-system.log");
  const pool = new WorkerPool(1, undefined, 2);
  try {
    const first = new AbortController();
    const third = new AbortController();
    let bChars = 0;
    const a = pool.run<NodeLogColumns>("parseNodeLogsColumns", [taskOf(big)], { signal: first.signal });
    const b = pool.run<NodeLogColumns>("parseNodeLogsColumns", [taskOf(big)], {
      signal: new AbortController().signal,
      onProgress: (p: { chars: number }) => {
        bChars += p.chars;
        // Once b runs (on a new worker, c held behind it), c is cancelled: it must be skipped there, not end b's worker.
        third.abort();
      },
    });
    const c = pool.run<NodeLogColumns>("parseNodeLogsColumns", [taskOf(small)], { signal: third.signal });
    const d = pool.run<NodeLogColumns>("parseNodeLogsColumns", [taskOf(small)], { signal: new AbortController().signal });
    // Held in the one worker: a (running) and b; waiting: c, d (a second task is held only while more wait than there are workers).
    first.abort();
    await assert.rejects(a, (e: Error) => e.name === "AbortError");
    assert.deepStrictEqual(nodeResultFromColumns(await b), await parseNodeLogs(taskOf(big)));
    await assert.rejects(c, (e: Error) => e.name === "AbortError");
    assert.deepStrictEqual(nodeResultFromColumns(await d), await parseNodeLogs(taskOf(small)));
    // b ran once: its progress adds up to the file's characters at most (a restart would have counted its first part twice).
    const chars = fs.readFileSync(big, "utf8").length;
    assert.ok(bChars <= chars && bChars > 0.9 * chars, `${bChars} of ${chars} characters`);
  } finally {
    await pool.close();
  }
});
