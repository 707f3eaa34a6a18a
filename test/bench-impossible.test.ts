/**
 * Latencies that cannot be true (issue 17): a run whose response-time percentile is below its
 * service-time percentile is flagged by readBenchRun()/importStress()/benchRuns(recording) and not
 * compared by compareRuns(). Input: the two bench runs datasets/lab-3node held before the
 * fixed-rate fix (test/fixtures/bench/PROVENANCE.md), unedited.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";
import { benchRuns, compareRuns, importStress, readBenchRun } from "../src/analyze/bench/bench";
import { openRecorded } from "../src/cluster/recorded";

const FIX = path.join(__dirname, "fixtures/bench");
const BEFORE = path.join(FIX, "writes-2026-11-25T01-07-30Z.json");
const AFTER = path.join(FIX, "writes-2026-11-25T01-07-39Z.json");

// Expected values: grep '"p50_ms"\|"service_p50_ms"' in the fixture files (0.001 vs 0.451 and 0.334 ms),
// and '"p99_ms"\|"service_p99_ms"' (3.175 vs 2.115: p99 is possible).
test("readBenchRun flags the run, op, percentile and both values; importStress of the same file too", async () => {
  for (const r of [readBenchRun(BEFORE), await importStress(BEFORE)]) {
    const f = r.findings.find((x) => x.id === "bench.impossible-latency");
    assert.ok(f, "an impossible-latency finding");
    assert.equal(f.severity, "critical");
    assert.match(f.evidence, /writes-2026-11-25T01-07-30Z: write response-time p50 0\.001 ms is below its service-time p50 0\.451 ms/);
    assert.doesNotMatch(f.evidence, /p99/, "p99 3.175 >= 2.115 is possible");
    assert.ok(r.notes.some((n) => /Impossible value.*p50 0\.001 ms is below its service-time p50 0\.451 ms/.test(n)));
  }
});

test("compareRuns refuses to compare the impossible percentile and says why", async () => {
  const c = await compareRuns(BEFORE, AFTER);
  const p50 = c.rows("comparison").filter((r) => r.metric === "p50");
  assert.ok(p50.length > 0);
  for (const r of p50) {
    assert.equal(r.verdict, "not compared: impossible value");
    assert.equal(r.beyond_noise, false);
  }
  // p99 is possible in both runs (3.175 >= 2.115, 1.371 >= 0.949): still compared
  assert.ok(c.rows("comparison").some((r) => r.metric === "p99" && r.verdict !== "not compared: impossible value"));
  assert.ok(c.findings.some((f) => f.id === "bench.impossible-latency" && /0\.334 ms/.test(f.evidence) && /0\.451 ms/.test(f.evidence)));
});

test("bench(recording) flags a saved run that cannot be true", async () => {
  const d = tempDir();
  fs.mkdirSync(path.join(d, "bench"));
  fs.copyFileSync(BEFORE, path.join(d, "bench", path.basename(BEFORE)));
  const r = await benchRuns(await openRecorded(d));
  assert.ok(r.findings.some((f) => f.id === "bench.impossible-latency"));
});

test("the bundled dataset's bench runs hold no impossible value (regenerated with the current bench())", async () => {
  const r = await benchRuns(await openRecorded(path.join(ROOT, "datasets/lab-3node")));
  const runs = r.rows("runs").filter((x) => x.origin === "bench");
  assert.equal(runs.length, 2);
  assert.deepEqual(
    r.findings.filter((f) => f.id === "bench.impossible-latency"),
    [],
  );
  // and for each saved op row, by hand: response p50 >= service p50
  for (const f of fs.readdirSync(path.join(ROOT, "datasets/lab-3node/bench"))) {
    const run = JSON.parse(fs.readFileSync(path.join(ROOT, "datasets/lab-3node/bench", f), "utf8"));
    for (const o of run.ops)
      if (o.service_p50_ms !== null) assert.ok(o.p50_ms >= o.service_p50_ms * 0.998, `${f} ${o.op}: p50 ${o.p50_ms} vs service ${o.service_p50_ms}`);
  }
});
