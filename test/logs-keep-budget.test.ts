/**
 * logs()' kept events under a byte budget (src/analyze/logs/log-node.ts KEEP_BYTES, the `keep.bytes`
 * option): with the budget forced small, every count, summary figure and finding equals the
 * unbudgeted run (the findings count with exact tallies and keep the events they cite:
 * src/analyze/logs/log-evidence.ts), the notes say the events are a sample, and the kept bytes stay
 * under the budget. And StatusLogger dumps counted without a set (each thread's rows of a dump
 * come together in file order).
 *
 * The expected values: the same files read without a budget (the code before the budget kept every
 * event of these small files), and counts taken from the files with grep. Inputs: real logs in
 * test/fixtures (PROVENANCE.md in each folder): logs-stream (a DSE 6.8 node's system.log and
 * debug.log), cassandra21-lab-statuslogger (a Cassandra 2.1 node with a StatusLogger dump), logs/
 * (DSE 6.8 dropped messages, a Cassandra 5.0 lab node), data/diag/dse68 (a real diagnostic bundle).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { eventBytes, parseNodeLogs, type NodeLogResult } from "../src/analyze/logs/log-node";
import { logs } from "../src/analyze/logs/logs";
import { logFindings } from "../src/analyze/logs/logs-rules";
import { checkClocks } from "../src/analyze/logs/log-clock";
import { labWithNode2ClockAhead, logFixtureFiles, nodeLogTask, tempDir } from "./support";

const FIX = path.join(__dirname, "fixtures");

const ALL = { classified: 1_000_000, other: 1_000_000 };

/** The findings of one node's result, as logs() computes them (exact tallies, the clock check over the kept events). */
const findingsOf = (r: NodeLogResult) =>
  logFindings({ events: r.events, clock: checkClocks(r.events), clockSteps: r.clockSteps, tallies: new Map(r.tallies.map((t) => [t.key, t])) });

test("every log fixture, budget forced small: the same counts, totals and findings as without a budget; the kept bytes under the budget", async () => {
  const byDir = new Map<string, string[]>();
  for (const f of logFixtureFiles(FIX)) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), f]);
  let cut = 0;
  let withFindings = 0;
  for (const [dir, files] of byDir) {
    // logback-layouts' files each need their own pattern (test/logs-repeat-window.test.ts): one file per task there, no pattern needed for the budget.
    const groups = dir.endsWith("logback-layouts") ? [] : [files];
    for (const g of groups) {
      const node = path.relative(FIX, dir);
      const whole = await parseNodeLogs(nodeLogTask(node, g, ALL));
      // A budget of a tenth of what the node keeps without one (at least one event's worth: 2 KB).
      const all = whole.events.reduce((s, e) => s + eventBytes(e), 0);
      const budget = Math.max(2048, Math.floor(all / 10));
      const small = await parseNodeLogs(nodeLogTask(node, g, { ...ALL, bytes: { classified: budget / 2, other: budget / 2 } }));
      for (const k of ["counts", "total", "duplicates", "dropped", "gcMaxMs", "dumps", "operations", "infos", "notes", "clockSteps", "tallies"] as const)
        assert.deepEqual(small[k], whole[k], `${node}: ${k}`);
      assert.deepEqual(findingsOf(small), findingsOf(whole), `${node}: findings`);
      if (findingsOf(whole).length) withFindings++;
      const b = small.sampled.bytes!;
      assert.ok(b.kept <= b.budget && b.budget === budget, `${node}: ${b.kept} bytes kept of a ${b.budget} budget`);
      if (b.reached) {
        cut++;
        assert.ok(small.events.length < whole.events.length, `${node}: ${small.events.length} of ${whole.events.length} kept`);
      }
      // Every kept event is one of the unbudgeted run's (same file, line and fields): a sample, never an altered event.
      const key = (e: object) => JSON.stringify(e);
      const wholeKeys = new Set(whole.events.map(key));
      for (const e of small.events) assert.ok(wholeKeys.has(key(e)), `${node}: ${e.file}:${e.line} is not an event of the file`);
    }
  }
  assert.ok(cut >= 4, `the budget cut ${cut} nodes' events`);
  assert.ok(withFindings >= 2, `${withFindings} nodes with findings`);
});

/** A bundle of four real nodes: DSE 6.8 system.log + debug.log, Cassandra 2.1 with a StatusLogger dump, DSE 6.8 dropped messages, Cassandra 5.0. */
function bundle(): string {
  const dir = tempDir("cassperf-keep-budget-");
  const nodes: Record<string, Record<string, string>> = {
    "10.0.0.1": { "system.log": "logs-stream/dse68-system.log", "debug.log": "logs-stream/dse68-debug.log" },
    "10.0.0.2": { "system.log": "cassandra21-lab-statuslogger/system.log" },
    "10.0.0.3": { "system.log": "logs/dse68-system-dropped-messages.log" },
    "10.0.0.4": { "system.log": "logs/cassandra50-lab-system.log" },
  };
  for (const [node, files] of Object.entries(nodes)) {
    const d = path.join(dir, "nodes", node, "logs", "cassandra");
    fs.mkdirSync(d, { recursive: true });
    for (const [name, from] of Object.entries(files)) fs.copyFileSync(path.join(FIX, from), path.join(d, name));
  }
  return dir;
}

test("logs() with keep.bytes forced small: the summary, kinds, findings equal the default run; the notes say the events are a sample", async () => {
  for (const source of [bundle(), path.join(FIX, "data", "diag", "dse68")]) {
    const all = await logs({ source, workers: 1 });
    const small = await logs({ source, workers: 1, keep: { bytes: 40_000 } });
    assert.equal(all.summary.events_kept, undefined, `${source}: the default keeps every event of these small logs`);
    const { events_kept, ...summary } = small.summary;
    assert.deepEqual(summary, all.summary, source);
    assert.ok(Number(events_kept) < Number(all.summary.events), `${source}: ${events_kept} of ${all.summary.events} kept`);
    assert.deepEqual(small.rows("kinds"), all.rows("kinds"), source);
    assert.deepEqual(small.findings, all.findings, source);
    assert.ok(all.findings.length > 0, `${source}: findings to compare`);
    assert.ok(
      small.notes.some((n) => /read a sample \(fixed seed\).*size budget.*was reached/.test(n)),
      `${source}: a note says the events are a sample cut by the budget`,
    );
    // Two runs keep the same sample (the fixed seed), also with worker threads.
    const again = await logs({ source, workers: 2, keep: { bytes: 40_000 } });
    assert.deepEqual(again.rows("events"), small.rows("events"), source);
  }
  await assert.rejects(logs({ source: bundle(), keep: { bytes: 0.5 } }), /keep\.bytes must be a whole number of bytes/);
});

/** The lines of the fixture's one StatusLogger dump (header + its rows), by grep of StatusLogger.java in the file. */
function dumpLines(): string[] {
  return fs
    .readFileSync(path.join(FIX, "cassandra21-lab-statuslogger", "system.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes("StatusLogger.java"));
}

test("StatusLogger dumps counted in bounded memory: two threads' dumps interleaved row by row are two dumps, the fixture's one dump is one", async () => {
  const lines = dumpLines();
  // grep -c "Pool Name" on the fixture: one dump header.
  assert.equal(lines.filter((l) => l.includes("Pool Name")).length, 1);
  const dir = tempDir("cassperf-dumps-");
  const one = path.join(dir, "one.log");
  fs.writeFileSync(one, `${lines.join("\n")}\n`);
  // The same dump logged a second time by another thread a second later, its lines interleaved with the first's.
  const other = lines.map((l) => l.replace("[Notification Thread]", "[ScheduledTasks:1]").replace("2026-11-25 00:44:1", "2026-11-25 00:44:2"));
  const mixed: string[] = [];
  for (let i = 0; i < lines.length; i++) mixed.push(lines[i]!, other[i]!);
  const two = path.join(dir, "two.log");
  fs.writeFileSync(two, `${mixed.join("\n")}\n`);
  // grep -c "Pool Name": two headers, two dumps.
  assert.equal(mixed.filter((l) => l.includes("Pool Name")).length, 2);
  assert.equal((await parseNodeLogs(nodeLogTask("n", [one], ALL))).dumps, 1);
  const r = await parseNodeLogs(nodeLogTask("n", [two], ALL));
  assert.equal(r.dumps, 2);
  // Their rows do alternate (else the test would not exercise the interleaving).
  const pools = r.events.filter((e) => e.kind === "statuslogger-pool");
  assert.ok(pools.some((e, i) => i > 0 && e.dump !== pools[i - 1]!.dump));
  // The same file as system.log and as debug.log of one node: each log kind's dumps are its own (4).
  const dbg = path.join(dir, "debug.log");
  fs.copyFileSync(two, dbg);
  const sys = path.join(dir, "system.log");
  fs.copyFileSync(two, sys);
  const both = await parseNodeLogs(nodeLogTask("n", [sys, dbg], ALL));
  // debug.log repeats every system.log line here, so its rows are removed as repeats: the dumps are system.log's two.
  assert.equal(both.dumps, 2);
});

// mock: a copy of the real lab logs with node2's clock moved 5 min ahead, as test/logs.test.ts makes it.
test("the clock check under a small budget: the same clock-skew finding (mock: node2's clock moved 5 min ahead)", async () => {
  const dir = labWithNode2ClockAhead("cassperf-keep-clock-");
  const all = await logs({ source: dir, workers: 1 });
  const small = await logs({ source: dir, workers: 1, keep: { bytes: 20_000 } });
  assert.ok(Number(small.summary.events_kept) < Number(all.summary.events), `${small.summary.events_kept} of ${all.summary.events} kept`);
  assert.deepEqual(small.findings, all.findings);
  // node2 is 5 min ahead (the copy above): the gossip lines the check pairs are kept whatever the sample.
  assert.ok(small.findings.some((f) => f.id === "logs.clock-skew" && f.node === "node2"));
});
