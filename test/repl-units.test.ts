/**
 * The REPL's pure parts on real reports: charts drawn in blocks from real Vega-Lite specs (gcStats
 * on a real JDK 17 G1 log: a series, a histogram; inventory on a real bundle: category bars), the
 * table that keeps whole columns, CSV export quoting, argument errors, and the run-context contract.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { chartToText, blockBar } from "../src/repl/chart-text";
import { fitTable } from "../src/repl/render";
import { toCsv } from "../src/repl/commands";
import { parseReplArgs } from "../src/repl/cli";
import { runOptions, withRunContext, type Progress } from "../src/run-context";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { inventory } from "../src/analyze/inventory";
import { isCassperfError } from "../src/errors";
import { data } from "./support";

const GC_LOG = data("gc", "jdk17-g1-cassandra4-default-options.gc.log");

test("a series chart (GC pauses over time) is drawn as block columns with its max and time range", async () => {
  const r = await gcStats(GC_LOG);
  const name = r.chartNames[0];
  const lines = chartToText(name, r.chart(name).spec, { width: 80, height: 6 });
  assert.match(lines[0], new RegExp(`^chart ${name}: `));
  // The pauses chart plots the time the JVM stood still: the stopped (safepoint) time where it exceeds the pause.
  const cols = r.columns("pauses");
  const maxMs = Math.max(...(cols.pause_ms as number[]).map((p, i) => Math.max(p, (cols.stopped_ms[i] as number | null) ?? 0)));
  assert.equal(lines[1].trim().split(" ")[0], maxMs.toLocaleString("en-US", { maximumFractionDigits: 2 }), "top axis label is the worst stop");
  assert.equal(lines.filter((l) => /[▁▂▃▄▅▆▇█]/.test(l)).length, 6, "6 rows of blocks");
  assert.match(lines.join("\n"), /2026-11-23 19:35:01/);
  assert.match(lines[lines.length - 1], new RegExp(`${r.count("pauses")} points`));
});

test("a binned chart is drawn as a histogram whose counts add up to the rows", async () => {
  const r = await gcStats(GC_LOG);
  const name = r.chartNames.find((n) => /hist/.test(n));
  assert.ok(name, `a histogram chart among ${r.chartNames}`);
  const lines = chartToText(name, r.chart(name).spec, { width: 80 });
  const counts = lines.slice(1, -1).map((l) => Number(l.trim().split(/\s+/).pop()));
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    r.count("pauses"),
  );
});

test("category bars: one bar per node with the count the spec aggregates", async () => {
  const r = await inventory(data("diag", "cassandra-2.1.17"));
  const lines = chartToText("files", r.chart("files").spec, { width: 60 });
  const bars = lines.filter((l) => /█/.test(l));
  assert.equal(bars.length, 3);
  for (const b of bars) assert.ok(b.length <= 60 + 2, b);
  assert.match(bars[0], /^ {2}10\.101\.34\.191 █+ 22$/);
});

test("charts the terminal cannot draw say how to see them; empty data says so", () => {
  const facet = { facet: { row: { field: "node" } }, spec: { mark: "point" }, data: { values: [{ node: "a" }] } };
  assert.match(chartToText("f", facet).join("\n"), /:save f f\.png to see it/);
  const empty = { mark: "bar", data: { values: [] }, encoding: { x: { field: "a", type: "nominal" }, y: { aggregate: "count" } } };
  assert.match(chartToText("e", empty).join("\n"), /\(no data\)/);
  assert.equal(blockBar(0.5, 4), "██");
  assert.equal(blockBar(1 / 16, 2), "▏");
});

test("fitTable keeps whole columns and names the ones left out", () => {
  const rows = [{ node: "10.0.0.1", pause_ms: 12.5, cause: "G1 Evacuation Pause", heap_before_mb: 100, heap_after_mb: 50 }];
  const lines = fitTable(rows, Object.keys(rows[0]), 40);
  assert.match(lines[0], /^node {6}pause_ms {2}cause/);
  assert.match(lines[2], /^10\.0\.0\.1 {6}12\.5 {2}G1 Evacuation Pause$/);
  assert.match(lines[3], /^\(2 more columns: heap_before_mb, heap_/);
});

test("CSV export quotes commas, quotes and newlines", () => {
  assert.equal(toCsv({ a: ["x,y", 'say "hi"', null], b: [1, 2.5, "l1\nl2"] }), 'a,b\n"x,y",1\n"say ""hi""",2.5\n,"l1\nl2"\n');
});

test("bad arguments: a clear error naming the option", () => {
  const err = (args: string[]) => {
    try {
      parseReplArgs(args);
    } catch (e) {
      assert.ok(isCassperfError(e));
      return `${e.message} | ${e.hint}`;
    }
    assert.fail("expected an error");
  };
  assert.match(err(["--open"]), /--open needs a value/);
  assert.match(err(["--bogus"]), /unknown option --bogus/);
  assert.match(err(["--open", "a", "--connect", "h"]), /cannot both be given/);
  assert.deepEqual(parseReplArgs(["--connect", "10.0.0.1, 10.0.0.2", "--dc", "dc2"]), { connect: ["10.0.0.1", "10.0.0.2"], dc: "dc2" });
});

test("run context: the line's signal and progress reach a helper; the caller's own signal wins", async () => {
  const outside = runOptions();
  assert.equal(outside.signal.aborted, false);
  outside.onProgress({ done: 1 }); // a no-op, not a throw
  const ac = new AbortController();
  const seen: Progress[] = [];
  const own: Progress[] = [];
  const mine = new AbortController();
  await withRunContext({ signal: ac.signal, onProgress: (p) => seen.push(p) }, async () => {
    await new Promise((r) => setTimeout(r, 5)); // across an await
    const a = runOptions();
    a.onProgress({ done: 2, total: 4, label: "ranges" });
    assert.equal(a.signal, ac.signal);
    const b = runOptions({ signal: mine.signal, onProgress: (p) => own.push(p) });
    assert.equal(b.signal, mine.signal);
    b.onProgress({ done: 3, total: 4 });
    ac.abort();
    assert.throws(() => a.signal.throwIfAborted(), /aborted/);
  });
  assert.deepEqual(seen, [
    { done: 2, total: 4, label: "ranges" },
    { done: 3, total: 4 },
  ]);
  assert.deepEqual(own, [{ done: 3, total: 4 }]);
});

test("a faceted chart (one row per node, as gcStats draws several nodes) gets one panel per node", async () => {
  const r = await gcStats(GC_LOG);
  const spec = r.chart(r.chartNames[0]).spec as Record<string, any>;
  // The same real pauses under two node names, faceted by node the way gcStats does for a cluster.
  const rows = (spec.data.values as Record<string, unknown>[]).flatMap((v) => [v, { ...v, node: "10.0.0.2" }]);
  const faceted = { title: spec.title, data: { values: rows }, facet: { row: { field: "node", type: "nominal" } }, spec: { layer: spec.layer } };
  const text = chartToText("pauses", faceted, { width: 80 }).join("\n");
  assert.match(text, /^ {2}node jdk17-g1-cassandra4-default-options\.gc\.log$/m);
  assert.match(text, /^ {2}node 10\.0\.0\.2$/m);
  // 7 pauses per panel: the excerpt's pause end lines, `grep -cE 'GC\([0-9]+\) Pause .*ms$'` on the fixture (lines 1-5073 of the log).
  assert.equal((text.match(/ 7 points/g) ?? []).length, 2);
});
