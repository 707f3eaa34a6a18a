/**
 * The registry of helpers (src/helpers.ts HELPERS) drives everything that lists helpers, and every
 * helper follows one calling rule, `helper(subject?, { source, ...options })` (src/cluster/resolve.ts
 * helperArgs). Expected values: the helper names the README's "What each helper does" section lists,
 * the capability table (src/cluster/capabilities.ts), and the fixtures themselves (a path given either
 * way reads the same file, so the figures must be equal).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as cassperf from "../src/index";
import { HELPERS, healthSteps } from "../src/helpers";
import { capabilityRule } from "../src/cluster/capabilities";
import { RecordedSource } from "../src/cluster/recorded";
import { LiveSource } from "../src/cluster/live";
import { isCassperfError } from "../src/errors";
import { ROOT } from "./support";

const names = Object.keys(HELPERS);

test("every registry entry is a package export, a method of every source, and named in the README", () => {
  const api = cassperf as unknown as Record<string, unknown>;
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  for (const n of names) {
    assert.equal(typeof api[n], "function", `${n} is exported from the package (and so in the kernel/REPL prelude)`);
    for (const cls of [RecordedSource, LiveSource])
      assert.equal(typeof (cls.prototype as unknown as Record<string, unknown>)[n], "function", `${cls.name}.${n}`);
    assert.ok(readme.includes(`${n}(`), `the README names ${n}()`);
  }
});

test("internals stay internal: the health() table, the run context and the capability table are not exports", () => {
  const api = cassperf as unknown as Record<string, unknown>;
  for (const internal of ["HELPERS", "HEALTH_HELPERS", "SAME_PROBLEM", "liveBenchRuns", "runOptions", "HELPER_NEEDS", "HELPER_CAPABILITIES"])
    assert.equal(api[internal], undefined, `${internal} is not exported`);
});

test("health()'s steps are the registry entries with a health runner, each with a row in the capability table", () => {
  const steps = healthSteps().map((s) => s.helper);
  // health() opens with inventory and ends with partitionScan (it scans the table the earlier steps found largest).
  assert.equal(steps[0], "inventory");
  assert.equal(steps.at(-1), "partitionScan");
  for (const s of steps) assert.ok(capabilityRule(s), `${s} has a capability row (what it needs, what to add)`);
  // The helpers that need a subject health() cannot invent (a query, a workload) are not steps.
  for (const n of ["trace", "bench"]) assert.ok(!steps.includes(n), `${n} is not run by health()`);
});

test("one calling rule: a path first, { source: path } and a source object give the same report", async () => {
  const gc = path.join(ROOT, "test/fixtures/gc/garbagecat-dataset107-jdk8-cms-without-details.txt");
  const byPath = await cassperf.gcStats(gc);
  const byOption = await cassperf.gcStats({ source: gc });
  const src = await cassperf.open(gc);
  const byObject = await cassperf.gcStats(src);
  const byMethod = await src.gcStats();
  for (const r of [byOption, byObject, byMethod]) assert.deepEqual(r.summary, byPath.summary);
  assert.ok(Number(byPath.summary.pauses) > 0, "the fixture has pauses");
  // Options alone, and subject + options, for a helper about a table.
  const dse = path.join(ROOT, "test/fixtures/report/dse68");
  const a = await cassperf.histograms({ source: dse });
  const b = await cassperf.histograms(dse);
  assert.deepEqual(a.summary, b.summary);
});

test("the calling rule's bad input: a second argument that is not options, two sources, a table-less partitionScan", async () => {
  const dse = path.join(ROOT, "test/fixtures/report/dse68");
  await assert.rejects(cassperf.gcStats(dse, "fast" as never), (e: unknown) => isCassperfError(e) && /second argument is the options object/.test(String(e)));
  await assert.rejects(
    cassperf.gcStats(dse, { source: path.join(ROOT, "datasets/lab-3node") }),
    (e: unknown) => isCassperfError(e) && /two sources given/.test(String(e)),
  );
  await assert.rejects(cassperf.partitionScan(dse), (e: unknown) => isCassperfError(e) && /name the table to scan/.test(String(e)));
  // bench() runs workloads only; the saved runs are benchRuns()'s.
  await assert.rejects(
    cassperf.bench(dse),
    (e: unknown) => isCassperfError(e) && /expected a workload/.test(String(e)) && /benchRuns/.test((e as { hint?: string }).hint ?? ""),
  );
});
