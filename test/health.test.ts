/**
 * health(): one report from every helper a source can answer. On a real DSE 6.8 diagnostic bundle
 * and the bundled lab dataset: the headline table with every value traced to a file (and the file
 * says it), all helpers' findings ranked with their helper, the unanswerable helpers listed.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  open,
  health,
  gcStats,
  histograms,
  logs,
  caches,
  jvm,
  queryPatterns,
  compactionAdvice,
  traces,
  benchRuns,
  type Report,
  type Source,
  type RecordedSource,
} from "../src/index";
import { data, labOrSkip, ROOT } from "./support";
import { runHealth } from "../src/analyze/health";
import { helperNames, healthSteps } from "../src/registry";

const LAB_DATASET = fs.existsSync(path.join(ROOT, "datasets/lab-3node/cassperf.json")) ? path.join(ROOT, "datasets/lab-3node") : data("lab");
const SEVERITY = { critical: 0, warning: 1, info: 2 } as const;
type Row = Record<string, unknown>;

/** Every `from` of the headline names files of the source (file, file:line, a node folder, or a trace file with its session). */
function assertTraceable(source: Source, rows: Row[]) {
  const rels = source.files().map((f) => f.rel);
  for (const r of rows) {
    if (r.value === null) {
      assert.equal(r.from, null, `${r.metric}: no value, so no file`);
      assert.match(String(r.detail), /not answerable/, `${r.metric}: a missing value says why`);
      continue;
    }
    assert.ok(r.from && r.helper, `${r.metric} = ${r.value} has no file or helper`);
    for (const part of String(r.from).split("; ")) {
      const file = part.replace(/ \(session [0-9a-f-]+\)$/, "").replace(/:\d+$/, "");
      const found = file.endsWith("/")
        ? rels.some((x) => x.startsWith(file))
        : rels.includes(file) || fs.existsSync(path.join((source as RecordedSource).root, file));
      assert.ok(found, `${r.metric}: ${file} is not a file of ${source.name}`);
    }
  }
}

/** The line a `from` of the form file:line points at. */
function lineOf(source: Source, from: string): string {
  const m = /^(.*):(\d+)$/.exec(from)!;
  const f = source.files().find((x) => x.rel === m[1])!;
  return fs.readFileSync(f.path, "utf8").split("\n")[Number(m[2]) - 1];
}

/** health() holds every finding of every helper that ran, each tagged with that helper. */
async function assertAllFindings(h: Awaited<ReturnType<typeof health>>, own: Record<string, () => Promise<Report>>) {
  const ran = h
    .rows("helpers")
    .filter((r) => r.status === "ran")
    .map((r) => String(r.helper));
  const merged = new Set<string>();
  for (const [name, run] of Object.entries(own)) {
    if (!ran.includes(name)) continue;
    const mine = (await run()).findings.filter((f) => f.id !== "inventory.helper-unanswerable");
    for (const f of mine) {
      const helper = f.helper ?? name;
      const same = (g: Report["findings"][number]) => g.id === f.id && g.title === f.title && g.helper === helper;
      if (h.findings.some((g) => same(g) && g.evidence === f.evidence)) continue;
      // A rule two helpers share (the heap rule of gcStats and jvm, src/analyze/gc/heap.ts) is shown
      // once: the same id, node and title, as the helper that ran last raised it.
      assert.ok(
        h.findings.some((g) => g.id === f.id && g.node === f.node && g.title === f.title && g.helper !== helper),
        `${name}'s finding "${f.title}" is missing from health()`,
      );
      merged.add(`${f.id}@${f.node}@${f.title}`);
    }
  }
  const total = h.rows("helpers").reduce((a, r) => a + (Number(r.findings) || 0), 0);
  const inv = h.reports.inventory?.findings.filter((f) => f.id === "inventory.helper-unanswerable").length ?? 0;
  assert.equal(h.findings.length, total - inv - merged.size, "health() has exactly the findings of the helpers it ran, each shared rule's once");
  // Every finding names a helper of the registry (src/helpers.ts) that explains it (bench's run rules name bench()).
  const names = new Set(helperNames());
  for (const f of h.findings) assert.ok(f.helper && (names.has(f.helper) || ran.includes(f.helper)), `finding ${f.id} names no helper that explains it`);
  for (let i = 1; i < h.findings.length; i++)
    assert.ok(SEVERITY[h.findings[i - 1].severity] <= SEVERITY[h.findings[i].severity], "findings ranked by severity");
  assert.equal(h.count("ranked"), h.findings.length);
}

test("health() on the DSE 6.8 bundle: headline traced to files, findings of every helper, unanswerable helpers listed", async () => {
  const dir = data("diag", "dse68");
  const source = await open(dir);
  const h = await health(source);
  const head = h.rows("headline");
  const byMetric = (m: string) => head.find((r) => r.metric === m)!;
  for (const m of [
    "nodes",
    "versions",
    "worst GC pause (gc log)",
    "worst read p99",
    "worst write p99",
    "worst tombstones (one read)",
    "largest partition",
    "busiest table #1",
    "pending compactions",
    "dropped messages (tpstats)",
    "dropped messages (log lines)",
  ])
    assert.ok(byMetric(m), `headline row ${m}`);
  assertTraceable(source, head);

  assert.deepEqual([byMetric("nodes").value, byMetric("versions").value], [1, "4.0.0.681"]);
  assert.match(fs.readFileSync(path.join(dir, "nodes/172.17.0.2/nodetool/version"), "utf8"), /ReleaseVersion: 4\.0\.0\.681/);
  // Each value is on the line it cites.
  const read = byMetric("worst read p99");
  assert.equal(read.from, "nodes/172.17.0.2/nodetool/proxyhistograms:8");
  assert.match(lineOf(source, String(read.from)), /^99%\s+10485\.76\b/);
  assert.equal(read.value, "10.5 ms");
  const gc = byMetric("worst GC pause (gc log)");
  const gcOwn = await gcStats(source);
  // Issue 16 point 6: system.log's GCInspector line "G1 Old Generation GC in 2066ms" (2020-07-22) comes after
  // gc.log.0.current's last line (2020-07-21, see the README), so it is the worst pause that counts.
  const worstStop = Math.max(
    ...gcOwn
      .rows("pauses")
      .filter((p) => p.origin === "gc-log" || p.beyond_gc_log === true)
      .map((p) => Math.max(Number(p.pause_ms), Number(p.stopped_ms ?? 0))),
  );
  assert.equal(worstStop, 2066);
  assert.equal(gc.value, "2066 ms");
  assert.match(lineOf(source, String(gc.from)), /GCInspector.* G1 Old Generation GC in 2066ms/);
  const insp = byMetric("worst GC pause (GCInspector)");
  assert.equal(insp.value, "2066 ms");
  assert.match(lineOf(source, String(insp.from)), /GCInspector.* 2066ms/);
  const part = byMetric("largest partition");
  assert.equal(part.value, "41.5 KiB");
  assert.match(lineOf(source, String(part.from)), /^Max\b.*\b42510\b/);
  const dropped = byMetric("dropped messages (log lines)");
  // The total (8) sums every "messages were dropped" line: each is cited.
  for (const cite of String(dropped.from).split("; ")) assert.match(lineOf(source, cite), /messages were dropped/);
  assert.equal(byMetric("pending compactions").value, 0);
  assert.match(fs.readFileSync(path.join(dir, "nodes/172.17.0.2/nodetool/compactionstats"), "utf8"), /pending tasks: 0/);

  // The source has no traces, no bench runs and no driver: listed with the reason, not guessed.
  const helpers = h.rows("helpers");
  const status = (n: string) => helpers.find((r) => r.helper === n)!.status;
  for (const n of ["traces", "benchRuns", "connections"]) {
    assert.equal(status(n), "cannot answer");
    assert.match(String(helpers.find((r) => r.helper === n)!.reason), /add /);
    assert.ok(h.notes.some((x) => x.startsWith(`${n}() cannot answer`)));
  }
  for (const n of ["gcStats", "jvm", "logs", "histograms", "queryPatterns", "compactionAdvice", "caches", "partitionScan"]) assert.equal(status(n), "ran", n);
  assert.equal(String(h.summary.cannot_answer), "traces, connections, benchRuns");

  await assertAllFindings(h, {
    gcStats: () => gcStats(source),
    jvm: () => jvm(source),
    logs: () => logs({ source }),
    histograms: () => histograms({ source }),
    queryPatterns: () => queryPatterns(source),
    compactionAdvice: () => compactionAdvice({ source }),
    caches: () => caches(source),
  });
  assert.ok(
    h.findings.some((f) => f.helper === "gcStats" && f.severity === "critical"),
    "the 2 s GCInspector pause is a critical gcStats finding",
  );
  assert.ok(h.findings.some((f) => f.helper === "queryPatterns"));
  // Drill-down: the helper's own report is kept.
  assert.equal(h.reports.gcStats.summary.pauses, gcOwn.summary.pauses);
  assert.match(h.toText({ width: 100 }), /worst read p99/);
});

test(`health() on the bundled lab dataset (${path.relative(ROOT, LAB_DATASET) || LAB_DATASET}): traces, bench and logs too`, async () => {
  const source = await open(LAB_DATASET);
  const h = await health(source);
  const head = h.rows("headline");
  assertTraceable(source, head);
  const byMetric = (m: string) => head.find((r) => r.metric === m);
  assert.equal(byMetric("nodes")!.value, source.nodes().length);
  assert.equal(byMetric("versions")!.value, "2.1.0");
  for (const m of [
    "worst GC pause (gc log)",
    "worst read p99",
    "worst write p99",
    "worst tombstones (one read)",
    "largest partition",
    "busiest table #1",
    "pending compactions",
  ])
    assert.notEqual(byMetric(m)?.value ?? null, null, m);
  // The worst write p99 is the highest 99% write latency across the nodes' tablehistograms/proxyhistograms.
  const h2 = await histograms({ source });
  const writes = h2.rows("histograms").filter((r) => r.metric === "write_latency" && r.percentile === "99" && r.value !== null);
  const worst = writes.reduce((a, r) => (Number(r.value) > Number(a.value) ? r : a));
  assert.equal(byMetric("worst write p99")!.from, worst.origin);
  assert.equal(byMetric("worst write p99")!.node, worst.node);
  // The worst tombstone count: a traced read or a logged warning, whichever is larger, with its session or line.
  const tomb = byMetric("worst tombstones (one read)")!;
  const tr = await traces({ source });
  const maxTraced = Math.max(0, ...tr.rows("sessions").map((s) => Number(s.tombstones ?? 0)));
  const lg = await logs({ source });
  const maxLogged = Math.max(0, ...lg.rows("events").map((e) => Number(e.tombstones ?? 0)));
  assert.equal(tomb.value, Math.max(maxTraced, maxLogged));
  if (maxTraced >= maxLogged) assert.match(String(tomb.from), /^traces\/.*\(session [0-9a-f-]+\)$/);
  else assert.match(lineOf(source, String(tomb.from)), new RegExp(String(maxLogged)));
  // Busiest table: reads + writes summed over the nodes' tablestats; the cited lines hold the counts summed
  // ("Local read count: N" / "Local write count: N" of that table), and their sum is the detail's number.
  const busy = byMetric("busiest table #1")!;
  let counted = 0;
  for (const from of String(busy.from).split("; ")) {
    const m = /^\s*Local (?:read|write) count: (\d+)\s*$/.exec(lineOf(source, from));
    assert.ok(m, `${from}: ${lineOf(source, from)}`);
    counted += Number(m[1]);
  }
  assert.match(String(busy.detail), new RegExp(`^${counted.toLocaleString("en-US")} local operations`));

  const ran = h
    .rows("helpers")
    .filter((r) => r.status === "ran")
    .map((r) => r.helper);
  for (const n of ["gcStats", "jvm", "logs", "histograms", "traces", "queryPatterns", "compactionAdvice", "caches", "benchRuns"])
    assert.ok(ran.includes(n), `${n} ran`);
  assert.equal(h.rows("helpers").find((r) => r.helper === "connections")!.status, "cannot answer");
  await assertAllFindings(h, {
    gcStats: () => gcStats(source),
    jvm: () => jvm(source),
    logs: () => logs({ source }),
    histograms: () => histograms({ source }),
    traces: () => traces({ source }),
    queryPatterns: () => queryPatterns(source),
    compactionAdvice: () => compactionAdvice({ source }),
    caches: () => caches(source),
    benchRuns: () => benchRuns(source),
  });
  assert.ok(new Set(h.findings.map((f) => f.helper)).size >= 6, "findings come from many helpers");
  // The lab's 384 MB heaps: gcStats (from the GC log header) and jvm() both run the one heap rule
  // (src/analyze/gc/heap.ts: under HEAP_MIN_GB = 8 GB, cassandra-env.sh's default) and raise
  // jvm.heap-small (a warning); health() shows it once per node, jvm's. 384 MB: the lab's -Xmx (datasets/lab-3node).
  assert.ok(
    h.reports.gcStats.findings.some((f) => f.id === "jvm.heap-small") && h.reports.jvm.findings.some((f) => f.id === "jvm.heap-small"),
    "both helpers flag the small heap",
  );
  for (const node of source.nodes()) {
    const heap = h.findings.filter((f) => f.node === node && /heap/.test(f.id));
    assert.deepEqual(
      heap.map((f) => [f.id, f.severity]),
      [["jvm.heap-small", "warning"]],
      `${node}: one heap finding`,
    );
    assert.equal(heap[0].helper, "jvm");
    assert.match(heap[0].evidence, /-Xmx 384 MB/);
  }
  const { pngSize } = require("../src/present/chart") as typeof import("../src/present/chart");
  const png = await h.chart("findings").toPNG();
  assert.ok(pngSize(png).width > 100, "the findings chart renders");
});

test("health() on a single log file lists what it cannot answer and still reports the rest", async () => {
  const h = await health(data("logs", "cassandra21-system.log"));
  const helpers = h.rows("helpers");
  // The log has no GCInspector line and no query lines: those helpers say so (their own message), and health() goes on.
  for (const n of ["gcStats", "queryPatterns", "histograms", "caches", "compactionAdvice"])
    assert.equal(helpers.find((r) => r.helper === n)!.status, "cannot answer", n);
  assert.match(String(helpers.find((r) => r.helper === "gcStats")!.reason), /none with "GCInspector".*add logs\/cassandra\/gc\.log/);
  assert.equal(helpers.find((r) => r.helper === "logs")!.status, "ran");
  const head = h.rows("headline");
  for (const m of ["worst read p99", "worst write p99"]) {
    const r = head.find((x) => x.metric === m)!;
    assert.equal(r.value, null);
    assert.match(String(r.detail), /histograms: none of the files it reads/);
  }
});

test("health() survives a helper that throws: its error becomes a note (mock: a stand-in helper, since no real file makes a helper throw a non-user error)", async () => {
  const mock = {
    helper: "brokenHelper",
    run: async () => {
      throw new TypeError("cannot read properties of undefined (reading 'rows')");
    },
  };
  // The registry's steps plus the stand-in, given to health()'s runner (the public registry is not mutated).
  {
    const h = await runHealth([...healthSteps(), mock], data("diag", "dse68"));
    const row = h.rows("helpers").find((r) => r.helper === "brokenHelper")!;
    assert.equal(row.status, "failed");
    assert.ok(h.notes.some((n) => n === "brokenHelper() failed and was left out: cannot read properties of undefined (reading 'rows')"));
    assert.equal(h.summary.helpers_failed, "brokenHelper");
    assert.ok(h.findings.length > 0 && h.rows("headline").length > 5, "the rest of the report stands");
  }
});

test("health() on the live lab: the driver's view (connections), live nodetool and the nodes' logs, each value cited", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const labm = require("../src/lab") as typeof import("../src/lab");
  const live = await labm.connectLab(l.dir);
  try {
    const h = await health(live);
    const helpers = h.rows("helpers");
    const status = (n: string) => helpers.find((r) => r.helper === n)!.status;
    assert.equal(status("connections"), "ran");
    assert.equal(h.reports.connections.summary.up, l.contactPoints.length);
    assert.equal(status("partitionScan"), "cannot answer", "a live scan is never started by health()");
    for (const n of ["gcStats", "jvm", "logs", "histograms", "compactionAdvice", "caches"]) assert.equal(status(n), "ran", n);
    const head = h.rows("headline");
    assert.equal(head.find((r) => r.metric === "nodes")!.value, l.contactPoints.length);
    for (const r of head) {
      if (r.value === null) continue;
      for (const part of String(r.from).split("; "))
        assert.match(
          part,
          /^(driver host metadata.*|live nodetool \w+ on [\d.]+(:\d+)?|nodes\/[\d.]+\/logs\/cassandra\/[\w.]+(:\d+)?|system_traces\.events \(session [0-9a-f-]+\))$/,
          `${r.metric}: ${part}`,
        );
    }
    // A cited log line holds the value.
    const gc = head.find((r) => r.metric === "worst GC pause (GCInspector)");
    if (gc) {
      const [, rel, line] = /^nodes\/[\d.]+\/logs\/cassandra\/(.*):(\d+)$/.exec(String(gc.from))!;
      const dir = live.logDir(String(gc.node))!;
      assert.match(fs.readFileSync(path.join(dir, rel), "utf8").split("\n")[Number(line) - 1], new RegExp(`GC in ${String(gc.value).replace(" ms", "")}ms`));
    }
  } finally {
    await live.close();
  }
});

test("citations point at the line that holds the value: queryPatterns' max time and tombstones, as health() shows them (DSE 6.8 bundle)", async () => {
  // The bundle's debug.log has four timed-out queries of one shape, "SELECT * FROM keyspace1.standard1 WHERE C2 = … AND  LIMIT n"
  // (grep -n "WHERE C2 = .*total time": line 15162 10001 msec, 15786 10004, then 10002, and line 17032 10006 msec). Before, the max
  // (10,006 ms) was cited at the pattern's first line (15162, which holds 10001): every cited file:line must hold its value.
  const dir = data("diag/dse68");
  const lineOf = (cite: string) => {
    const m = /^(.*):(\d+)$/.exec(cite)!;
    return fs.readFileSync(path.join(dir, m[1]), "utf8").split("\n")[Number(m[2]) - 1];
  };
  const qp = await queryPatterns(dir);
  const rows = qp.rows("patterns");
  const c2 = rows.find((r) => /keyspace1\.standard1 WHERE C2 = /.test(String(r.pattern)))!;
  assert.equal(c2.max_ms, 10006);
  assert.equal(c2.max_ms_at, "nodes/172.17.0.2/logs/cassandra/debug.log:17032");
  assert.equal(c2.first_seen, "nodes/172.17.0.2/logs/cassandra/debug.log:15162");
  for (const r of rows) {
    if (r.max_ms !== null && typeof r.max_ms_at === "string" && /:\d+$/.test(r.max_ms_at))
      assert.match(lineOf(r.max_ms_at), new RegExp(`\\btime ${r.max_ms} msec|/${r.max_ms} msec`), `${r.pattern}: ${r.max_ms_at}`);
    if (r.tombstones_max !== null && typeof r.tombstones_max_at === "string" && /:\d+$/.test(r.tombstones_max_at))
      assert.match(lineOf(r.tombstones_max_at), new RegExp(`\\b${r.tombstones_max} tombstone`), `${r.pattern}: ${r.tombstones_max_at}`);
  }
  // The same citations reach health()'s findings: every "max N ms (file:line)" names a line holding N msec.
  const h = await health(dir);
  const cited = h.findings
    .filter((f) => f.helper === "queryPatterns")
    .map((f) => /max (\d+) ms \(([^)]+:\d+)\)/.exec(f.evidence))
    .filter((m): m is RegExpExecArray => !!m);
  assert.ok(cited.length >= 1, "health shows at least one slow pattern with its line");
  for (const [, n, cite] of cited) assert.match(lineOf(cite), new RegExp(`time ${n} msec`), cite);
  // Headline values from tablestats are cited at their field's line (before: the table's "Table: shared_data" line).
  const tomb = h.rows("headline").find((r) => r.metric === "worst tombstones (one read)")!;
  const tombLine = lineOf(String(tomb.from));
  assert.match(tombLine, /Maximum tombstones per slice \(last five minutes\): /, String(tomb.from));
  assert.equal(Number(/: ([\d.]+)$/.exec(tombLine.trim())![1]), tomb.value);
});
