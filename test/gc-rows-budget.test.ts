/**
 * gcStats() on a GC log with more pauses than it keeps as rows (the `maxRows` option, forced low
 * here): the frames and charts hold a sample, every figure and finding is still over every pause.
 *
 * Expected values: the same log read with no row limit (maxRows Infinity: every pause kept, the
 * path every small log takes), and for the sample's longest, first and last pauses the log's own
 * pause end lines found with a regex here (the equivalent of
 * `grep -n 'Pause .*ms$' unified-parallel.gc.log | sort -t' ' -k… -g`), never the parser's output.
 * Fixtures: test/fixtures/data/gc (provenance in test/fixtures/data/PROVENANCE.md): gctoolkit-testdata's
 * unified Parallel log (4,666 pauses), a real Cassandra node's JDK 8 CMS log (bob.log excerpt,
 * promotion and concurrent mode failures) and a JDK 8 G1 log with to-space exhaustion.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { tempDir } from "./support";
import { PauseTimes } from "../src/parse/gc-fold";
import { nearestRank } from "../src/statistics/nearest-rank";

const DATA = path.join(__dirname, "fixtures", "data", "gc");
const PARALLEL = path.join(DATA, "unified-parallel.gc.log");
const CMS = path.join(DATA, "jdk8-cms-cassandra-bob.gc.log");
const G1_SPIKE = path.join(DATA, "jdk8-g1-gcspike.gc.log");

/** Summary, findings and notes of gcStats(file) with these options, the per-node block included. */
async function run(file: string, opts: Parameters<typeof gcStats>[1] = {}) {
  const r = await gcStats(file, opts);
  return { r, summary: r.summary, findings: r.findings, notes: r.notes };
}

/** Unified pause end lines (`GC(n) Pause <kind> ... <d>ms`), read from the file: [line number, ms]. */
function pauseEndLines(file: string): [number, number][] {
  const out: [number, number][] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((l, k) => {
      const m = /\[gc\s*\] GC\(\d+\) Pause .* (\d+(?:\.\d+)?)ms$/.exec(l);
      if (m) out.push([k + 1, Number(m[1])]);
    });
  return out;
}

test("a capped unified Parallel log: summary and findings as uncapped; the sample holds the longest, first and last pauses; notes say so", async () => {
  const all = await run(PARALLEL, { maxRows: Infinity });
  const capped = await run(PARALLEL, { maxRows: 200 });
  const ends = pauseEndLines(PARALLEL);
  // gctoolkit publishes 4,638 young + 28 full pauses for this log (test/fixtures/data/README provenance); the regex finds them all.
  assert.equal(ends.length, 4666);
  assert.equal(all.summary.pauses, ends.length);
  assert.deepEqual(capped.summary, all.summary);
  assert.deepEqual(capped.findings, all.findings);
  assert.ok(all.findings.some((f) => f.id === "gc.full-gc"));
  // The uncapped run keeps every pause as a row; the capped one about 200 (+ the pauses a finding reads: the 28 full GCs).
  assert.equal(all.r.rows("pauses").length, ends.length);
  const rows = capped.r.rows("pauses") as { line: number; pause_ms: number; type: string }[];
  assert.ok(rows.length < 200 + 28 + 3, `${rows.length} rows kept`);
  assert.ok(rows.length >= 200, `${rows.length} rows kept`);
  // The 20 longest pauses (maxRows / 10), first and last, by the file's own end lines.
  const longest = ends
    .slice()
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20);
  const threshold = longest[19]![1];
  const kept = new Set(rows.map((r) => r.line));
  for (const [line, ms] of longest) if (ms > threshold) assert.ok(kept.has(line), `longest pause at line ${line} (${ms} ms) kept`);
  assert.equal(rows.filter((r) => r.pause_ms >= threshold).length >= 20, true);
  assert.ok(kept.has(ends[0]![0]) && kept.has(ends.at(-1)![0]), "first and last pause kept");
  // Rows stay in file order.
  assert.deepEqual(
    rows.map((r) => r.line),
    rows.map((r) => r.line).sort((a, b) => a - b),
  );
  // Percentiles by hand: nearest rank over every duration the regex found.
  const sorted = ends.map((e) => e[1]).sort((a, b) => a - b);
  assert.equal(capped.summary.pause_p99_ms, nearestRank(sorted, 0.99));
  assert.equal(capped.summary.pause_p50_ms, nearestRank(sorted, 0.5));
  // The notes say the frame is a sample, of how many; the uncapped run says nothing of the kind.
  const note = capped.notes.find((n) => /a sample of/.test(n));
  assert.ok(note, capped.notes.join("\n"));
  assert.match(note!, new RegExp(`a sample of ${rows.length.toLocaleString("en-US")} of 4,666 pauses`));
  assert.match(note!, /over all of them/);
  assert.ok(!all.notes.some((n) => /a sample of/.test(n)));
  // The histogram counts every pause, not the sample.
  const hist = capped.r.chart("histogram").spec as { data: { values: { count: number }[] } };
  assert.equal(
    hist.data.values.reduce((a, v) => a + v.count, 0),
    ends.length,
  );
  // The same sample every time (a fixed seed).
  const again = (await gcStats(PARALLEL, { maxRows: 200 })).rows("pauses") as { line: number }[];
  assert.deepEqual(
    again.map((r) => r.line),
    rows.map((r) => r.line),
  );
});

test("capped JDK 8 logs with findings (CMS failures, G1 to-space exhaustion) and concurrent cycles: the same summary and findings as uncapped", async () => {
  for (const file of [CMS, G1_SPIKE]) {
    const all = await run(file, { maxRows: Infinity });
    const capped = await run(file, { maxRows: 20 });
    assert.deepEqual(capped.summary, all.summary, file);
    assert.deepEqual(capped.findings, all.findings, file);
    assert.ok(all.findings.length >= 3, `${file}: ${all.findings.map((f) => f.id)}`);
    assert.ok(capped.r.rows("pauses").length < (all.summary.pauses as number), file);
    assert.ok(
      capped.notes.some((n) => /pauses frame and charts: a sample of/.test(n)),
      file,
    );
  }
  // The G1 log's concurrent phases are sampled too, and counted in full.
  const capped = await run(G1_SPIKE, { maxRows: 20 });
  // Its findings count 69 pauses over 200 ms or full GCs, yet the capped run keeps fewer rows than that: a rule reads
  // counts and the one pause it names (src/analyze/gc/gc-tally.ts), not a row per pause over a threshold.
  const uncapped = (await gcStats(G1_SPIKE, { maxRows: Infinity })).rows("pauses") as { pause_ms: number; stopped_ms: number | null; type: string }[];
  const overOrFull = uncapped.filter((p) => Math.max(p.pause_ms, p.stopped_ms ?? 0) > 200 || p.type === "full").length;
  assert.ok(overOrFull > 40);
  assert.ok(capped.r.rows("pauses").length < overOrFull, `${capped.r.rows("pauses").length} rows kept`);
  assert.ok((capped.summary.cycles as number) > 20);
  assert.ok(capped.r.rows("cycles").length < (capped.summary.cycles as number));
  assert.ok(capped.notes.some((n) => new RegExp(`cycles frame: a sample of \\d+ of ${capped.summary.cycles} concurrent cycles`).test(n)));
});

test("a capped log narrowed to a time window: the same summary, findings and window notes as uncapped", async () => {
  // bob.log's date stamps run 2017-04-16T10:00:56-0700 to 12:37:09-0700 (grep '^2017-04-16T' | sed -n '1p;$p').
  const win = { from: "2017-04-16T17:20:00Z", to: "2017-04-16T19:00:00Z" };
  const all = await run(CMS, { ...win, maxRows: Infinity });
  const capped = await run(CMS, { ...win, maxRows: 20 });
  assert.deepEqual(capped.summary, all.summary);
  assert.deepEqual(capped.findings, all.findings);
  const whole = await run(CMS, { maxRows: Infinity });
  assert.ok((all.summary.pauses as number) > 20 && (all.summary.pauses as number) < (whole.summary.pauses as number));
  assert.deepEqual(
    capped.notes.filter((n) => !/a sample of/.test(n)),
    all.notes,
  );
  for (const p of capped.r.rows("pauses") as { timestamp: string }[]) {
    const t = Date.parse(p.timestamp);
    assert.ok(t >= Date.parse(win.from) && t < Date.parse(win.to), p.timestamp);
  }
});

test("PauseTimes: nearest-rank percentiles equal a sorted array's, as value counts and past the distinct-value limit", () => {
  // Expected: nearestRank over the plain sorted array of the same values.
  const values: number[] = [];
  for (let i = 0; i < 70_000; i++) values.push(((i * 7919) % 100_003) / 1000);
  const few = new PauseTimes();
  const many = new PauseTimes();
  for (const v of values.slice(0, 1000)) few.add(Math.round(v));
  for (const v of values) many.add(v);
  const sortedFew = values
    .slice(0, 1000)
    .map((v) => Math.round(v))
    .sort((a, b) => a - b);
  const sortedMany = values.slice().sort((a, b) => a - b);
  for (const q of [0, 0.5, 0.9, 0.99, 0.999, 1]) {
    assert.equal(few.percentile(q), nearestRank(sortedFew, q));
    assert.equal(many.percentile(q), nearestRank(sortedMany, q));
  }
  assert.equal(many.n, values.length);
  assert.equal(many.max, sortedMany.at(-1));
});

test("copies of one log on one node, capped: pauses cannot be compared row by row, so a note says they may be counted twice", async () => {
  // gcviewer-jdk6-cms.txt (test/fixtures/gc/PROVENANCE.md) twice, as two rotations of node n1's log.
  const text = fs.readFileSync(path.join(__dirname, "fixtures", "gc", "gcviewer-jdk6-cms.txt"), "utf8");
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "nodes", "n1", "logs"), { recursive: true });
  fs.writeFileSync(path.join(dir, "nodes", "n1", "logs", "gc.log.0"), text);
  fs.writeFileSync(path.join(dir, "nodes", "n1", "logs", "gc.log.0.copy"), text);
  const all = await gcStats(dir, { maxRows: Infinity });
  const capped = await gcStats(dir, { maxRows: 5 });
  // Uncapped: every pause once (test/gc-corpus.test.ts checks the count against the file's own lines).
  assert.ok(all.notes.some((n) => /duplicate pause\(s\) dropped/.test(n)));
  assert.equal(capped.summary.pauses, 2 * (all.summary.pauses as number));
  assert.ok(
    capped.notes.some((n) => /overlap in time .* pauses both state could not be looked for/.test(n)),
    capped.notes.join("\n"),
  );
});
