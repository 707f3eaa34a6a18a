/**
 * How a user gets a source and hands one to a helper (issue 17, "What the user tripped over"):
 * every way of getting a source makes it current; a path given as any helper's first string
 * argument is read as a source; one capability check answers inventory(), health() and the
 * helpers' own "missing evidence" errors; a live source without nodetool says what is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { data, labOrSkip, ROOT } from "./support";
import * as cassperf from "../src/index";
import { currentOrUndefined } from "../src/cluster/current";
import { isCassperfError } from "../src/errors";

const { bench, histograms, trace, compactionAdvice, partitionScan, lab, open, use } = cassperf;

/** The tests that need "no current source" run before any open() in this file (there is no public way to unset it). */
async function noCurrentSource(): Promise<void> {
  assert.equal(currentOrUndefined(), undefined, "this test must run before any source is opened in this file");
}

test("bench(workload) with no current source: the error reads as a sentence (no 'the there')", async () => {
  await noCurrentSource();
  // Expected wording: issue 17 quotes the broken text "…the there is no current source".
  await assert.rejects(bench("writes", { duration: 1 }), (e: unknown) => {
    assert.ok(isCassperfError(e));
    const m = (e as Error).message;
    assert.doesNotMatch(m, /the there/);
    assert.match(m, /needs a live cluster; there is no current source/);
    assert.match(String((e as { hint?: string }).hint), /lab\.connect\(dir\)/);
    return true;
  });
});

test("histograms(path) with no current source reads the file as a source", async () => {
  await noCurrentSource();
  const file = data("lab/nodetool-2.1-cfhistograms.txt");
  const h = await histograms(file);
  // Expected: the file's second line names the one table, "Keyspace1/Standard1 histograms",
  // and its 50% row reads "Read Latency 16.88" (micros) — read with grep, not from histograms().
  const rows = h.rows("histograms");
  assert.ok(rows.length > 0);
  assert.ok(
    rows.every((r) => r.keyspace === null || (r.keyspace === "Keyspace1" && r.table === "Standard1")),
    "only Keyspace1.Standard1",
  );
  const p50 = rows.find((r) => r.table === "Standard1" && r.metric === "read_latency" && r.percentile === "50");
  assert.equal(p50?.value, 16.88);
  // and the current source is untouched (a path is opened on the spot, as gcStats(path) is)
  assert.equal(currentOrUndefined(), undefined);
});

test("trace(path) with no current source reads the recorded sessions of the path", async () => {
  await noCurrentSource();
  const dir = path.join(ROOT, "test/fixtures/trace/lab21");
  const t = await trace(dir);
  // Expected: sessions.jsonl holds 7 lines, one session each (wc -l; the fixture's README lists them).
  const sessions = fs.readFileSync(path.join(dir, "traces/sessions.jsonl"), "utf8").trim().split("\n").length;
  assert.equal(sessions, 7);
  assert.equal(t.count("sessions"), sessions);
});

test("compactionAdvice(path) and partitionScan(table, { source: path }) read the path as the source", async () => {
  await noCurrentSource();
  const bundle = data("diag/cassandra-2.1.17");
  const c = await compactionAdvice(bundle);
  assert.ok(c.count("advice") > 0);
  // partitionScan(path) alone cannot know the table: a clear error, and the hint shows the call (src/cluster/resolve.ts helperArgs)
  await assert.rejects(partitionScan(bundle), (e: unknown) => {
    const err = e as Error & { hint?: string };
    return isCassperfError(e) && /name the table to scan/.test(err.message) && (err.hint ?? "").includes(`{ source: ${JSON.stringify(bundle)} }`);
  });
  // dse68's cfhistograms names keyspace1.standard1 (grep "keyspace1/standard1\|Table: standard1" in nodes/172.17.0.2/nodetool/cfstats)
  const p = await partitionScan("keyspace1.standard1", { source: data("diag/dse68") });
  assert.equal(p.summary.table, "keyspace1.standard1");
  assert.equal(currentOrUndefined(), undefined);
});

test("a string that is not an existing path keeps its own meaning (a table name, a query)", async () => {
  const pm = await open(path.join(ROOT, "datasets/lab-3node"));
  use(pm);
  // "no.such_file" is not a file here, so it is a table name; the dataset has no such table.
  const h = await histograms("no.such_file");
  assert.ok(h.notes.some((n) => /no histogram of no\.such_file/.test(n)));
});

test("lab.connect(dir) makes the live source current, like connect() and open() (bench() then runs on it)", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const pm = await open(path.join(ROOT, "datasets/lab-3node"));
  assert.equal(currentOrUndefined(), pm);
  const live = await lab.connect(l.dir);
  try {
    assert.equal(currentOrUndefined(), live, "lab.connect returns the current source");
    // the next bench() runs on it (issue 17: it failed with "there is no current source")
    const r = await bench("writes", { ops: 200, warmup: 0, concurrency: 4, keyspace: "cassperf_sources_test" });
    assert.equal(r.summary.ops, 200);
  } finally {
    await live.close();
  }
});

// ---- One capability check: inventory(), health() and each helper agree (issue 17) ----

/** Each helper called on its own, as a user would; partitionScan on the table health() picked. */
const CALLS: Record<string, (s: cassperf.RecordedSource, table?: string) => Promise<unknown>> = {
  gcStats: (s) => cassperf.gcStats(s),
  jvm: (s) => cassperf.jvm(s),
  logs: (s) => cassperf.logs(s),
  histograms: (s) => cassperf.histograms({ source: s }),
  trace: (s) => cassperf.traces(s),
  queryPatterns: (s) => cassperf.queryPatterns(s),
  compactionAdvice: (s) => cassperf.compactionAdvice({ source: s }),
  caches: (s) => cassperf.caches(s),
  connections: (s) => cassperf.connections(s),
  benchRuns: (s) => cassperf.benchRuns(s),
  partitionScan: (s, table) => cassperf.partitionScan(table ?? "keyspace1.standard1", { source: s }),
};

for (const where of [data("diag/cassandra-2.1.17"), data("diag/dse68"), path.join(ROOT, "datasets/lab-3node")]) {
  test(`${path.basename(where)}: inventory(), health() and the helper itself agree on what the source can answer`, async () => {
    const s = await cassperf.open(where);
    const inv = new Map((await cassperf.inventory(s)).rows("capabilities").map((r) => [String(r.helper), r.answerable === true]));
    const h = await cassperf.health(s);
    const ran = new Map(h.rows("helpers").map((r) => [r.helper === "traces" ? "trace" : String(r.helper), r.status]));
    for (const [helper, call] of Object.entries(CALLS)) {
      assert.ok(inv.has(helper), `inventory lists ${helper}`);
      const healthSays = ran.get(helper) === "ran";
      let callSays: boolean;
      let error = "";
      try {
        const picked =
          helper === "partitionScan"
            ? ((h.reports as Record<string, { summary: Record<string, unknown> }>).partitionScan?.summary.table as string | undefined)
            : undefined;
        // A helper whose source lacks the evidence returns an empty report that says why (summary.answered false).
        const r = (await call(s, picked)) as { summary?: Record<string, unknown> } | undefined;
        callSays = r?.summary?.answered !== false;
        if (!callSays) error = String(r?.summary?.reason);
      } catch (e) {
        assert.ok(isCassperfError(e), `${helper} throws a CassperfError, not ${String(e)}`);
        error = (e as Error).message;
        callSays = false;
      }
      assert.equal(inv.get(helper), healthSays, `${helper}: inventory says ${inv.get(helper)}, health says ${ran.get(helper)}`);
      assert.equal(callSays, healthSays, `${helper}: health says ${ran.get(helper)}, the helper ${callSays ? "answered" : `threw: ${error}`}`);
      if (!callSays) assert.doesNotMatch(error, /\d+ files has/, "no '147 files has no ...'");
    }
  });
}

test("2.1.17 bundle: no GCInspector line in any system.log, so gcStats cannot answer in all three (grep -c GCInspector gives 0 for each node)", async () => {
  // Expected value from the files: `grep -c GCInspector nodes/*/logs/cassandra/system.log` prints 0 three times.
  for (const f of fs.readdirSync(data("diag/cassandra-2.1.17/nodes"))) {
    const log = fs.readFileSync(data("diag/cassandra-2.1.17/nodes", f, "logs/cassandra/system.log"), "utf8");
    assert.equal(log.includes("GCInspector"), false);
  }
  const s = await cassperf.open(data("diag/cassandra-2.1.17"));
  const inv = (await cassperf.inventory(s)).rows("capabilities").find((r) => r.helper === "gcStats")!;
  assert.equal(inv.answerable, false);
  assert.match(String(inv.missing), /gc\.log/);
});

test("live source from a plain connect() (no nodetool): histograms() and health() say what is missing and how to give it", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await cassperf.connect({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
  try {
    assert.equal(live.hasNodetool(), false);
    // With nothing client-side either, the error's hint names the connect option (ConnectOptions.nodetool).
    // The lab is shared by every test file: when earlier files left trace sessions in system_traces,
    // there are client-side rows, and the report must carry the finding instead.
    const first = await histograms().then(
      (h) => h,
      (e: unknown) => e,
    );
    if (isCassperfError(first)) {
      const hint = String((first as { hint?: string }).hint);
      assert.match(hint, /nodetool: "\/path\/to\/nodetool -h \{host\}"/);
      assert.match(hint, /system_views/);
    } else {
      assert.ok((first as Awaited<ReturnType<typeof histograms>>).findings.some((x) => x.id === "histograms.no-server-histograms"));
    }
    // One traced query gives client-side rows: the report has them, plus a note and an info finding naming what is missing.
    await trace("SELECT * FROM system.local", { consistency: "ONE" });
    const h = await histograms();
    assert.ok(h.count("histograms") > 0);
    const f = h.findings.find((x) => x.id === "histograms.no-server-histograms");
    assert.ok(f);
    assert.equal(f.severity, "info");
    assert.match(f.action, /connect\(\{ \.\.\., nodetool: /);
    // The note names both ways to server-side histograms: nodetool, or system_views on nodes of 4.0 and later.
    assert.ok(
      h.notes.some((n) => /only client-side distributions/i.test(n) && /system_views/.test(n) && /4\.0/.test(n) && /nodetool: /.test(n)),
      h.notes.join(" | "),
    );
    const hr = await cassperf.health(live, { skip: ["traces", "queryPatterns", "bench", "connections"] });
    const row = hr.rows("helpers").find((r) => r.helper === "histograms")!;
    assert.equal(row.status, "cannot answer");
    assert.match(String(row.reason), /nodetool: "\/path\/to\/nodetool -h \{host\}"/);
  } finally {
    await live.close();
  }
});

test("counts read as English: one plural helper, no '1 files has' (a single-file source)", async () => {
  const { plural, inflect } = await import("../src/present/plural");
  // Expected values: English plurals (entry -> entries, flush -> flushes), en-US thousands separators.
  assert.equal(plural(1, "file"), "1 file");
  assert.equal(plural(0, "file"), "0 files");
  assert.equal(plural(1130, "pause"), "1,130 pauses");
  assert.equal(plural(2, "entry"), "2 entries");
  assert.equal(plural(3, "flush"), "3 flushes");
  assert.equal(`${inflect(1, "has", "have")} ${inflect(2, "has", "have")}`, "has have");
  const s = await cassperf.open(data("logs/cassandra21-system.log"));
  assert.match(s.describe(), /\b1 node \(.*\), 1 file$/);
  // The log has no GCInspector line (grep -c GCInspector gives 0): gcStats says it cannot answer, in good grammar.
  const noGc = await cassperf.gcStats(s);
  const why = String(noGc.summary.reason);
  assert.equal(noGc.summary.answered, false);
  assert.ok(!/\b1 files\b|files has/.test(why) && /the source \(.*\) has no GC logs/.test(why), why);
  assert.match((await cassperf.inventory(s)).title, /^1 node, 1 file$/);
});
