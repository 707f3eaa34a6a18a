/**
 * importStress() and the cassandra-stress parser: real 2.1 outputs from the lab (values asserted
 * as printed), the 3.x and 4.x layouts (text rendered with the exact format strings of
 * cassandra-stress's StressMetrics.java for those versions), noise lines, bad input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { importStress, compareRuns, bench, benchRuns, benchRunToJSON, readBenchRun } from "../src/analyze/bench/bench";
import { parseStress } from "../src/parse/cassandra-stress";
import { isCassperfError } from "../src/errors";
import { open } from "../src/index";
import { pngSize } from "../src/present/chart";
import { data, tempDir } from "./support";

const WRITE = data("lab", "cassandra-stress-2.1-write.txt");
const MIXED = data("lab", "cassandra-stress-2.1-mixed.txt");

test("importStress: the real 2.1 write run, values as printed", async () => {
  const r = await importStress(WRITE);
  assert.equal(r.summary.ops_per_s, 8107);
  assert.equal(r.summary.p50_ms, 3.5);
  assert.equal(r.summary.p95_ms, 7.6);
  assert.equal(r.summary.p99_ms, 13.3);
  assert.equal(r.summary.p99_9_ms, 59.6);
  assert.equal(r.summary.max_ms, 109.1);
  assert.equal(r.summary.mean_ms, 3.9);
  assert.equal(r.summary.concurrency, 32);
  assert.equal(r.summary.ops, 50000); // the last cumulative "partitions" value
  assert.equal(r.run.origin, "cassandra-stress");
  const rows = r.rows("intervals");
  assert.equal(rows.length, 7);
  assert.deepEqual(rows[0], {
    second: 1,
    op: "WRITE",
    ops: 6695,
    ops_per_s: 6697,
    errors: 0,
    p50_ms: 4.2,
    p95_ms: 10,
    p99_ms: 21,
    p99_9_ms: 42.1,
    max_ms: 64.5,
    mean_ms: 4.9,
    service_p99_ms: null,
  });
  assert.deepEqual(
    rows.map((x) => x.ops),
    [6695, 6606, 9856, 8673, 9649, 8328, 193],
  );
  assert.equal(rows[3].p99_9_ms, 108.8);
  assert.equal(rows[6].second, 6.2);
  // ops frame: WRITE and all, from the Results block
  const ops = r.rows("ops");
  assert.deepEqual(
    ops.map((o) => o.op),
    ["WRITE", "all"],
  );
  assert.equal(ops[0].p99_ms, 13.3);
  // Line 1 is not stress output: skipped and reported with its line number.
  assert.ok(
    r.notes.some((n) => /skipped 1 line .*line 1: Unable to create stress keyspace/.test(n)),
    r.notes.join("\n"),
  );
  // Closed-loop: the report states its latencies exclude waiting time.
  assert.ok(r.notes.some((n) => /exclude waiting time/.test(n)));
  // Findings: peak write throughput from the intervals (whole seconds: 9644 op/s at 3.0 s).
  const peak = r.findings.find((f) => f.id === "bench.peak-write-throughput");
  assert.ok(peak && /9,644 op\/s/.test(peak.title), peak?.title);
});

test("importStress: the real 2.1 mixed run (total rows only)", async () => {
  const r = await importStress(MIXED);
  assert.equal(r.summary.ops_per_s, 5115);
  assert.equal(r.summary.p99_ms, 13.8);
  assert.equal(r.summary.max_ms, 84.2);
  assert.equal(r.summary.concurrency, 16);
  assert.equal(r.summary.workload, "READ+WRITE");
  const rows = r.rows("intervals");
  assert.equal(rows.length, 6);
  assert.ok(rows.every((x) => x.op === "total"));
  assert.deepEqual(
    rows.map((x) => x.ops_per_s),
    [4440, 4717, 5132, 4986, 6405, 4987],
  );
  assert.equal(r.notes.filter((n) => /skipped/.test(n)).length, 0, "no noise line in this file");
  assert.deepEqual(
    r.rows("ops").map((o) => o.op),
    ["all"],
  );
});

/** Java's %-Ns / %Nd / %N.Mf for the few specifiers StressMetrics uses. */
function jformat(fmt: string, args: (string | number)[]): string {
  let k = 0;
  return fmt.replace(/%(-?)(\d*)(?:\.(\d+))?([sdf])/g, (_m, left: string, width: string, prec: string, conv: string) => {
    const a = args[k++];
    const s = conv === "s" ? String(a) : conv === "d" ? String(Math.round(a as number)) : (a as number).toFixed(Number(prec));
    const w = Number(width || 0);
    return left ? s.padEnd(w) : s.padStart(w);
  });
}
const HEADMETRICS = [
  "type",
  "total ops",
  "op/s",
  "pk/s",
  "row/s",
  "mean",
  "med",
  ".95",
  ".99",
  ".999",
  "max",
  "time",
  "stderr",
  "errors",
  "gc: #",
  "max ms",
  "sum ms",
  "sdv ms",
  "mb",
];
// cassandra-stress 3.0 (tools/stress/.../StressMetrics.java) and 4.0 (.../report/StressMetrics.java)
const FORMATS = {
  "3.x": {
    head: "%-10s%10s,%8s,%8s,%8s,%8s,%8s,%8s,%8s,%8s,%8s,%7s,%9s,%7s,%7s,%8s,%8s,%8s,%8s",
    row: "%-10s%10d,%8.0f,%8.0f,%8.0f,%8.1f,%8.1f,%8.1f,%8.1f,%8.1f,%8.1f,%7.1f,%9.5f,%7d,%7.0f,%8.0f,%8.0f,%8.0f,%8.0f",
  },
  "4.x": {
    head: "%-50s%10s,%8s,%8s,%8s,%8s,%8s,%8s,%8s,%8s,%8s,%7s,%9s,%7s,%7s,%8s,%8s,%8s,%8s",
    row: "%-50s%10d,%8.0f,%8.0f,%8.0f,%8.1f,%8.1f,%8.1f,%8.1f,%8.1f,%8.1f,%7.1f,%9.5f,%7d,%7.0f,%8.0f,%8.0f,%8.0f,%8.0f",
  },
};

function stressText(version: "3.x" | "4.x"): string {
  const f = FORMATS[version];
  const row = (type: string, total: number, rate: number, p99: number, time: number, errors: number) =>
    jformat(f.row, [`${type},`, total, rate, rate, rate, 1.5, 1.1, 3.2, p99, 20.5, 31.7, time, 0.01, errors, 0, 0, 0, 0, 0]);
  const lines = [
    "******************** Stress Settings ********************",
    "Running [READ, WRITE] with 8 threads for 2000 iteration",
    jformat(f.head, HEADMETRICS),
    row("READ", 600, 600, 4.4, 1.0, 0),
    row("WRITE", 400, 400, 5.5, 1.0, 1),
    row("total", 1000, 1000, 5.1, 1.0, 1),
    row("READ", 1200, 600, 4.0, 2.0, 0),
    row("WRITE", 800, 400, 6.5, 2.0, 2),
    row("total", 2000, 1000, 6.0, 2.0, 2),
    "",
    "",
    "Results:",
  ];
  if (version === "4.x") {
    lines.push(
      "Op rate                   :    1,000 op/s  [READ: 600 op/s, WRITE: 400 op/s]",
      "Latency 99th percentile   :    5.6 ms [READ: 4.2 ms, WRITE: 6.1 ms]",
      "Latency max               :   31.7 ms [READ: 31.7 ms, WRITE: 31.7 ms]",
      "Total partitions          :      2,000 [READ: 1,200, WRITE: 800]",
      "Total errors              :          3 [READ: 0, WRITE: 3]",
      "Total GC count            : 0",
      "Total GC memory           : 0.000 KiB",
      "Avg GC time               :    NaN ms",
      "Total operation time      : 00:00:02",
    );
  } else {
    lines.push(
      "op rate                   : 1000 [READ:600, WRITE:400]",
      "latency 99th percentile   : 5.6 [READ:4.2, WRITE:6.1]",
      "latency max               : 31.7 [READ:31.7, WRITE:31.7]",
      "Total partitions          : 2000 [READ:1200, WRITE:800]",
      "Total errors              : 3 [READ:0, WRITE:3]",
      "total gc count            : 0",
      "Total operation time      : 00:00:02",
    );
  }
  lines.push("", "END");
  return lines.join("\n");
}

for (const version of ["3.x", "4.x"] as const) {
  test(`importStress: cassandra-stress ${version} layout (per-op rows, errors, [op: value] summaries)`, async () => {
    const dir = tempDir();
    const file = path.join(dir, `stress-${version}.txt`);
    fs.writeFileSync(file, stressText(version));
    const parsed = parseStress(fs.readFileSync(file, "utf8"));
    assert.equal(parsed.format, version);
    const r = await importStress(file);
    assert.equal(r.summary.ops_per_s, 1000);
    assert.equal(r.summary.p99_ms, 5.6);
    assert.equal(r.summary.errors, 3);
    assert.equal(r.summary.ops, 2000);
    // Per-op rows kept, total rows dropped (they would double count).
    const rows = r.rows("intervals");
    assert.deepEqual(
      rows.map((x) => `${x.second}:${x.op}:${x.ops}:${x.errors}:${x.p99_ms}`),
      ["1:READ:600:0:4.4", "1:WRITE:400:1:5.5", "2:READ:600:0:4", "2:WRITE:400:2:6.5"],
    );
    const ops = Object.fromEntries(r.rows("ops").map((o) => [o.op, o]));
    assert.equal(ops.READ.ops_per_s, 600);
    assert.equal(ops.WRITE.p99_ms, 6.1);
    assert.equal(ops.WRITE.errors, 3);
    assert.equal(ops.READ.count, 1200);
    assert.equal(ops.all.p99_ms, 5.6);
    // The settings banner is stress's own chatter: counted, not reported as skipped.
    assert.equal(parsed.skipped.length, 0);
    assert.ok(parsed.chatter >= 3);
  });
}

test("importStress: bad input fails with the file named; empty and foreign files explained", async () => {
  const dir = tempDir();
  await assert.rejects(
    () => importStress(path.join(dir, "nope.txt")),
    (e: unknown) => isCassperfError(e) && /nope\.txt does not exist/.test((e as Error).message),
  );
  const empty = path.join(dir, "empty-stress.txt");
  fs.writeFileSync(empty, "");
  await assert.rejects(
    () => importStress(empty),
    (e: unknown) => isCassperfError(e) && /empty-stress\.txt holds no cassandra-stress run/.test((e as Error).message),
  );
  await assert.rejects(
    () => importStress(data("lab", "nodetool-2.1-tpstats.txt")),
    (e: unknown) => isCassperfError(e) && /nodetool-2\.1-tpstats\.txt holds no cassandra-stress run/.test((e as Error).message),
  );
  await assert.rejects(
    () => importStress(WRITE, { run: 3 }),
    (e: unknown) => isCassperfError(e) && /has 1 run; run 3 does not exist/.test((e as Error).message),
  );
  await assert.rejects(
    () => importStress(dir),
    (e: unknown) => isCassperfError(e) && /is a folder/.test((e as Error).message),
  );
});

test("importStress: a run interrupted before its Results block keeps its intervals and says so", async () => {
  const dir = tempDir();
  const file = path.join(dir, "cut-stress.txt");
  const text = fs.readFileSync(WRITE, "utf8").split("\n");
  fs.writeFileSync(
    file,
    text
      .slice(
        0,
        text.findIndex((l) => l.startsWith("49807")),
      )
      .join("\n"),
  );
  const r = await importStress(file);
  assert.equal(r.count("intervals"), 5);
  assert.equal(r.run.partial, true);
  assert.ok(r.notes.some((n) => /no "Results:" block/.test(n)));
  assert.ok(r.findings.some((f) => f.id === "bench.partial-run"));
});

test("compareRuns: the two real stress runs, difference per percentile and the noise rule", async () => {
  const c = await compareRuns(WRITE, MIXED);
  const rows = c.rows("comparison");
  // WRITE vs READ+WRITE: the only op type both have is "all" (every op merged).
  assert.deepEqual([...new Set(rows.map((r) => r.op))], ["all"]);
  const p99 = rows.find((r) => r.metric === "p99")!;
  assert.equal(p99.a, 13.3);
  assert.equal(p99.b, 13.8);
  assert.equal(p99.diff, 0.5);
  assert.equal(p99.beyond_noise, false, "0.5 ms on 13.3 ms is within 10%");
  const rate = rows.find((r) => r.metric === "ops/s")!;
  assert.equal(rate.a, 8107);
  assert.equal(rate.b, 5115);
  assert.equal(rate.beyond_noise, true);
  assert.equal(rate.verdict, "worse");
  assert.ok(c.findings.some((f) => f.id === "bench.compare-worse" && /ops\/s/.test(f.title)));
  // Same run against itself: nothing beyond noise.
  assert.match(c.toText({ width: 100 }), /beyond noise/);
  assert.equal(c.toJSON().helper, "compareRuns");
  const same = await compareRuns(WRITE, WRITE);
  assert.equal(same.summary.beyond_noise, 0);
  assert.ok(same.rows("comparison").every((r) => r.diff === 0));
});

test("a stress import round-trips through the saved-run JSON; bench() on a folder lists its runs", async () => {
  const r = await importStress(WRITE);
  const json = benchRunToJSON(r);
  const back = readBenchRun(JSON.stringify(json));
  assert.deepEqual(back.rows("intervals"), r.rows("intervals"));
  assert.deepEqual(back.summary, r.summary);
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "bench"));
  fs.writeFileSync(path.join(dir, "bench", `${json.id}.json`), JSON.stringify(json));
  fs.copyFileSync(MIXED, path.join(dir, "cassandra-stress-2.1-mixed.txt"));
  // importStress takes a saved run file too.
  assert.deepEqual((await importStress(path.join(dir, "bench", `${json.id}.json`))).rows("intervals"), r.rows("intervals"));
  const runs = await benchRuns(dir);
  assert.equal(runs.summary.runs, 2);
  assert.deepEqual(
    runs
      .rows("runs")
      .map((x) => x.origin)
      .sort(),
    ["cassandra-stress", "cassandra-stress"],
  );
  assert.deepEqual(runs.reports.map((x) => x.summary.ops_per_s).sort(), [5115, 8107]);
  // benchRuns() with no argument: the current source's saved runs (open() made the folder current).
  await open(dir);
  const current = await benchRuns();
  assert.equal(current.summary.runs, 2);
  // A workload needs a live cluster: on a recording bench("writes") says so.
  await assert.rejects(
    bench("writes"),
    (e: unknown) => isCassperfError(e) && /needs a live cluster; the current source is a recording/.test((e as Error).message),
  );
  assert.throws(
    () => readBenchRun('{"format":"something-else"}'),
    (e: unknown) => isCassperfError(e) && /"format" is "something-else"/.test((e as Error).message),
  );
  assert.throws(
    () => readBenchRun("{not json"),
    (e: unknown) => isCassperfError(e) && /not valid JSON/.test((e as Error).message),
  );
});

test("charts: throughput, p99, spectrum and run-vs-run render to PNG", async () => {
  const r = await importStress(WRITE);
  for (const name of ["throughput", "p99", "spectrum"]) {
    const png = await r.chart(name).toPNG(1);
    assert.ok(pngSize(png).width > 300, name);
  }
  const spec = r.chart("spectrum").spec as any;
  assert.equal(spec.encoding.x.scale.type, "log");
  const c = await compareRuns(WRITE, MIXED);
  assert.ok(pngSize(await c.chart("compare").toPNG(1)).width > 300);
});
