/**
 * logs() and timeline() on the real logs in test/fixtures/data: every system.log/debug.log parsed with
 * its counts per kind checked against a grep of the same file done here, the layouts (logback.xml
 * patterns, the lab's console layout), de-duplication of debug.log, findings, timelines rendered
 * to PNG, and bad input (unknown layouts, stack traces, garbage) never crashing.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { data, labWithNode2ClockAhead, tempDir } from "./support";
import { parseSystemLog } from "../src/parse/system-log";
import { compileLayout, detectLayout, patternFromLogbackXml, KNOWN_LAYOUTS } from "../src/parse/log-layout";
import { logs, timeline, logEvents, LOG_THRESHOLDS, LOG_RULES } from "../src/analyze/logs/logs";
import { MAX_CHART_POINTS, pngSize } from "../src/present/chart";

/** Every Cassandra/DSE system.log and debug.log in test/fixtures/data. */
function allLogs(): string[] {
  const out: string[] = [];
  for (const f of fs.readdirSync(data("logs"))) out.push(data("logs", f));
  for (const bundle of fs.readdirSync(data("diag")))
    for (const node of fs.readdirSync(data("diag", bundle, "nodes")))
      for (const name of ["system.log", "debug.log"]) {
        const p = data("diag", bundle, "nodes", node, "logs", "cassandra", name);
        if (fs.existsSync(p)) out.push(p);
      }
  for (const n of ["node1", "node2", "node3"]) out.push(data("lab", n, "system.log"));
  return out;
}

const lines = (text: string) => text.split("\n").map((l) => l.replace(/\r$/, ""));
const grep = (text: string, re: RegExp) => lines(text).filter((l) => re.test(l)).length;
const EVENT_START = /^\s{0,2}(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s/;
const STACKISH = /^(\s+at |Caused by: |[a-z][\w$]*(\.[\w$]+)+(Exception|Error)\b)/;

/** The greps, one per kind: what a person would type to count each kind in the file. */
const GREPS: Record<string, RegExp> = {
  "gc-pause": /GC in \d+ms\.|GC for \w+: \d+ ms for/,
  "dropped-messages": /messages were dropped in|messages dropped in last/,
  flush: /Enqueuing flush of|Writing Memtable-|Completed flushing/,
  compaction: /\bCompact(ing|ed)( \([0-9a-f-]+\))? (\[|\d+ sstables to)/,
  "large-partition": /(Writing|Compacting) large (partition|row)|Detected partition/,
  "tombstone-warning": /\(see tombstone_warn_threshold\)/,
  "tombstone-failure": /tombstones? during query|tombstones in \S+; query aborted/,
  "slow-query": /msec - slow timeout \d+ msec/,
  "timed-out-query": /, total time \d+ msec|, timed out \d+ times/,
  startup: /Starting listening for CQL clients/,
  shutdown: /Announcing shutdown|state jump to DRAINED/,
  "statuslogger-table": /^[\w-]+\.[\w-]+\s+\d+,\d+$/,
  "statuslogger-pool": /^[A-Za-z][\w/#-]*(\s+(\d+|N\/A|n\/a|\((\d+|N\/A)\)|\d+\/\d+))+$/,
};

/** Exceptions counted by hand: ERROR lines nothing else claims, and other event lines followed by a stack trace. */
function grepExceptions(text: string): number {
  const ls = lines(text);
  let n = 0;
  const claimed = Object.values(GREPS);
  for (let i = 0; i < ls.length; i++) {
    if (!EVENT_START.test(ls[i])) continue;
    if (claimed.some((re) => re.test(ls[i]))) continue;
    let j = i + 1;
    while (j < ls.length && ls[j] === "") j++;
    if (/^\s*ERROR\s/.test(ls[i]) || (j < ls.length && !EVENT_START.test(ls[j]) && STACKISH.test(ls[j]))) n++;
  }
  return n;
}

test("every log in test/fixtures/data: counts per kind equal a grep of the same file", () => {
  const files = allLogs();
  assert.ok(files.length >= 15, `expected the 15 real logs, found ${files.length}`);
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    const r = parseSystemLog(text, { node: "n", file: f, baseDate: "2026-11-23" });
    const rel = path.relative(data(), f);
    assert.ok(r.layout, `${rel}: a layout was detected`);
    const count: Record<string, number> = {};
    for (const e of r.events) count[e.kind] = (count[e.kind] ?? 0) + 1;
    for (const [kind, re] of Object.entries(GREPS)) assert.equal(count[kind] ?? 0, grep(text, re), `${rel}: ${kind}`);
    assert.equal(count.exception ?? 0, grepExceptions(text), `${rel}: exception`);
    // Every line starting with a level is one event; StatusLogger/query rows are the only other events.
    const rows = (count["statuslogger-pool"] ?? 0) + (count["statuslogger-table"] ?? 0) + (count["slow-query"] ?? 0) + (count["timed-out-query"] ?? 0);
    assert.equal(r.events.length - rows, grep(text, EVENT_START), `${rel}: one event per prefixed line`);
    assert.equal(r.skipped.count, 0, `${rel}: nothing skipped`);
    for (const e of r.events) assert.ok(e.ts === null || Number.isFinite(e.ts), `${rel}:${e.line}: time`);
  }
});

test("known counts of the real files (README facts and greps done by hand)", () => {
  const ex = parseSystemLog(fs.readFileSync(data("logs", "cassandra3-system.example.log"), "utf8"), { node: "n", file: "x" });
  const large = ex.events.filter((e) => e.kind === "large-partition");
  assert.equal(large.length, 7);
  assert.deepEqual([...new Set(large.map((e) => `${e.keyspace}.${e.table}`))], ["pingid.activation_codes_by_user"]);
  assert.equal(large[0].partition_bytes, Math.round(159.415 * 1024 * 1024));
  const tomb = ex.events.filter((e) => e.kind === "tombstone-warning");
  assert.ok(tomb.length > 4000);
  assert.equal(tomb[0].live_rows, 1000);
  assert.equal(tomb[0].tombstones, 5240);
  assert.equal(`${tomb[0].keyspace}.${tomb[0].table}`, "testks.reports");

  // DSE 6.8: the 1064 ms GCInspector pause the README mentions, StatusLogger in the 6.8 dialect.
  const d = parseSystemLog(fs.readFileSync(data("diag/dse68/nodes/172.17.0.2/logs/cassandra/system.log"), "utf8"), { node: "n", file: "x" });
  assert.ok(d.events.some((e) => e.kind === "gc-pause" && e.pause_ms === 1064 && e.gc === "G1 Young Generation"));
  const ce = d.events.find((e) => e.kind === "statuslogger-pool" && e.pool === "CompactionExecutor")!;
  assert.equal(ce.rule, "statuslogger.pool-6.8");
  assert.equal(ce.active, 1);
  assert.equal(ce.source, "StatusLogger.java:174");
  assert.equal(new Date(ce.ts!).toISOString(), "2020-07-21T07:10:56.639Z");

  // The per-line-table dialect (DSE 6.0-6.7 "Pending (w/Backpressure)").
  const n = parseSystemLog(fs.readFileSync(data("logs", "statuslogger-new-dialect.log"), "utf8"), { node: "n", file: "x" });
  const wr = n.events.find((e) => e.pool === "TPC/all/WRITE_REMOTE")!;
  assert.equal(wr.rule, "statuslogger.pool-new");
  assert.equal(wr.pending, 13094);
  const drop = n.events.find((e) => e.kind === "dropped-messages")!;
  assert.equal(drop.pool, "RANGE_SLICE");
  assert.equal(drop.dropped, 1);
  assert.equal(drop.extra_lines, 5, "the dropped-message size table is attached to its event");
});

test("logback.xml: the bundle's pattern is read (comments ignored), color wrappers are unwrapped", async () => {
  const xml = fs.readFileSync(data("diag/dse68/nodes/172.17.0.2/conf/cassandra/logback.xml"), "utf8");
  assert.equal(patternFromLogbackXml(xml, "system.log"), "%-5level [%thread] %date{ISO8601} %X{service} %F:%L - %msg%n");
  assert.equal(patternFromLogbackXml(xml, "debug.log"), "%-5level [%thread] %date{ISO8601} %X{service} %F:%L - %msg%n");
  const xml21 = fs.readFileSync(data("diag/cassandra-2.1.17/nodes/10.101.34.191/conf/cassandra/logback.xml"), "utf8");
  assert.equal(patternFromLogbackXml(xml21, "system.log"), "%-5level [%thread] %date{ISO8601} %F:%L - %msg%n");

  // The STDOUT appender's colored pattern parses the real file line by line like the plain one.
  const colored = /<pattern>(%highlight[^<]*)<\/pattern>/.exec(xml)![1];
  const a = compileLayout(colored);
  const b = compileLayout(patternFromLogbackXml(xml, "system.log")!);
  const sys = lines(fs.readFileSync(data("diag/dse68/nodes/172.17.0.2/logs/cassandra/system.log"), "utf8")).filter((l) => EVENT_START.test(l));
  for (const l of sys.slice(0, 300)) assert.deepEqual(a.regex.exec(l)?.slice(1), b.regex.exec(l)?.slice(1), l);
  const m = b.regex.exec(sys[0])!;
  assert.equal(m[b.groups.file], "DseModule.java");
  assert.equal(m[b.groups.line], "102");
  assert.equal(m[b.groups.thread], "main");

  // logs() reports the layout it used per file.
  const r = await logs({ source: data("diag/cassandra-2.1.17") });
  assert.deepEqual([...new Set(r.columns("files").layout)], ["logback.xml"]);
});

test("a logback.xml whose pattern does not match the file: detected layout used and said so", async () => {
  const dir = tempDir();
  const node = path.join(dir, "nodes", "10.0.0.1");
  fs.mkdirSync(path.join(node, "logs", "cassandra"), { recursive: true });
  fs.mkdirSync(path.join(node, "conf", "cassandra"), { recursive: true });
  fs.copyFileSync(data("logs", "cassandra21-system.log"), path.join(node, "logs", "cassandra", "system.log"));
  const old = KNOWN_LAYOUTS.find((l) => l.name === "old-style")!.pattern;
  fs.writeFileSync(
    path.join(node, "conf", "cassandra", "logback.xml"),
    `<configuration><appender name="FILE"><file>\${cassandra.logdir}/system.log</file><encoder><pattern>${old}</pattern></encoder></appender></configuration>`,
  );
  const r = await logs(dir);
  assert.ok(
    r.notes.some((n) => n.includes("does not match this file") && n.includes("cassandra")),
    r.notes.join("\n"),
  );
  // One flush per "Enqueuing flush of" line (a flush also logs "Writing Memtable-" and "Completed flushing").
  assert.equal(r.summary.flushes, grep(fs.readFileSync(data("logs", "cassandra21-system.log"), "utf8"), /Enqueuing flush of/));
});

test("flushes and compactions count operations, not lines (2.1.0, 2.1.17, 2.2, DSE 6.8); the lines stay as evidence", async () => {
  // Expected values: greps of the files, done here. A flush logs "Enqueuing flush of" (requested),
  // "Writing Memtable-" (written) and "Completed flushing"; a compaction "Compacting" (start) and
  // "Compacted" (end). Before the fix `flushes` was the sum of all three greps and `compactions` of both.
  const count = (files: string[], re: RegExp) => files.reduce((s, f) => s + grep(fs.readFileSync(f, "utf8"), re), 0);
  const ENQ = /Enqueuing flush of/;
  const WRITE = /Writing Memtable-/;
  const START = / - Compacting (\(|\[)/;
  const END = / - Compacted (\(|\d)/;
  // Cassandra 2.1.17, three nodes: 59 starts per node never log an end (the awk pairing by thread,
  // `awk '/ - Compacting \[/{o[$2]++} / - Compacted /{if(o[$2])o[$2]--; else u++}'`, finds no end without its start).
  const n21 = fs.readdirSync(data("diag/cassandra-2.1.17/nodes")).map((n) => data("diag/cassandra-2.1.17/nodes", n, "logs/cassandra/system.log"));
  const r21 = await logs(data("diag/cassandra-2.1.17"));
  assert.equal(r21.summary.flushes, count(n21, ENQ)); // 939 + 931 + 922
  assert.equal(r21.summary.flushes, 2792);
  assert.equal(r21.summary.flushes_written, count(n21, WRITE));
  assert.equal(r21.summary.compactions, count(n21, START)); // 290 + 288 + 286
  assert.equal(r21.summary.compactions, 864);
  assert.equal(r21.summary.compactions_completed, count(n21, END)); // 231 + 229 + 228
  // The lines are still there: three flush lines per flush, two compaction lines per completed compaction.
  const by21 = r21.summary.by_kind as Record<string, number>;
  assert.equal(by21.flush, 3 * 2792);
  assert.equal(by21.compaction, 864 + 688);
  // DSE 6.8 bundle (system.log + debug.log; the flush/compaction lines are DEBUG, only in debug.log):
  // 502 flushes enqueued, 491 memtables written (an enqueued flush of a clean memtable writes nothing);
  // 155 compactions, each with its id on both lines.
  const dse = data("diag/dse68/nodes/172.17.0.2/logs/cassandra");
  const rd = await logs(data("diag/dse68"));
  assert.equal(rd.summary.flushes, count([path.join(dse, "debug.log"), path.join(dse, "system.log")], ENQ));
  assert.equal(rd.summary.flushes, 502);
  assert.equal(rd.summary.flushes_written, 491);
  assert.equal(rd.summary.compactions, count([path.join(dse, "debug.log")], START));
  assert.equal(rd.summary.compactions, 155);
  assert.equal(rd.summary.compactions_completed, 155);
  // DSE 6.8 debug.log with two compactions still running at its end: 151 starts, 149 ends.
  const rs = await logs(data("logs/dse68-statuslogger-debug.log"));
  assert.deepEqual([rs.summary.flushes, rs.summary.flushes_written, rs.summary.compactions, rs.summary.compactions_completed], [498, 487, 151, 149]);
  // Cassandra 2.2's system.log here logs "Writing Memtable-" without "Enqueuing flush": each write is one flush.
  const text22 = fs.readFileSync(data("logs/cassandra22-system.log"), "utf8");
  const r22 = await logs(data("logs/cassandra22-system.log"));
  assert.equal(grep(text22, ENQ), 0);
  assert.equal(r22.summary.flushes, grep(text22, WRITE)); // 17
  // The lab (2.1.0 console layout): node1..3 enqueue 11 + 13 + 16 flushes and start 1 + 1 + 2 compactions.
  const rl = await logs(data("lab"));
  assert.deepEqual([rl.summary.flushes, rl.summary.compactions], [40, 4]);
});

test("lab console layout (INFO  19:32:51 message): the day comes from the node's GC log, or the date option", async () => {
  const r = await logs(data("lab"));
  const times = r.columns("events").time as (string | null)[];
  assert.ok(
    times.every((t) => t !== null && t.startsWith("2026-11-23T19:3")),
    "every lab event is dated 2026-11-23 19:3x",
  );
  assert.ok(r.notes.some((n) => n.includes("node1/system.log") && n.includes("2026-11-23") && n.includes("node1/gc.log")));
  assert.deepEqual([...new Set(r.columns("files").layout)], ["console-seconds"]);
  const other = await logs({ source: data("lab"), date: "2025-01-31" });
  assert.ok((other.columns("events").time as string[]).every((t) => t.startsWith("2025-01-31")));
  // Without any day: times are null, and the user is told.
  const single = await logs(data("lab", "node1", "system.log"));
  assert.ok((single.columns("events").time as unknown[]).every((t) => t === null));
  assert.ok(single.notes.some((n) => n.includes("times are null")));
  // Stack traces attach to their event: the lab's netty DecoderException.
  const ex = (await logs({ source: data("lab"), kinds: "exception", node: "node2" })).rows("events");
  const dec = ex.find((e) => e.exception === "io.netty.handler.codec.DecoderException");
  assert.ok(dec, JSON.stringify(ex));
  assert.equal(dec.level, "ERROR");
});

test("logs() on the DSE 6.8 bundle: debug.log duplicates kept once, findings from the rule table", async () => {
  const r = await logs({ source: data("diag/dse68") });
  const sys = fs.readFileSync(data("diag/dse68/nodes/172.17.0.2/logs/cassandra/system.log"), "utf8");
  const dbg = fs.readFileSync(data("diag/dse68/nodes/172.17.0.2/logs/cassandra/debug.log"), "utf8");
  assert.equal(grep(sys, GREPS["gc-pause"]), grep(dbg, GREPS["gc-pause"]), "both files log the same pauses");
  assert.equal(r.summary.gc_pauses, grep(sys, GREPS["gc-pause"]));
  assert.equal(r.summary.slow_queries, grep(dbg, GREPS["slow-query"]));
  assert.equal(r.summary.timed_out_queries, grep(dbg, GREPS["timed-out-query"]));
  assert.equal(r.summary.dropped_messages, 8);
  assert.ok(r.notes.some((n) => /debug\.log events? repeats? a system\.log line/.test(n)));
  const ids = new Set(r.findings.map((f) => f.id));
  for (const id of ["logs.gc-pause", "logs.dropped-writes", "logs.dropped-reads", "logs.timed-out-queries", "logs.slow-queries"])
    assert.ok(ids.has(id), `${id} in ${[...ids]}`);
  const gc = r.findings.find((f) => f.id === "logs.gc-pause")!;
  assert.match(gc.title, /2,066 ms/);
  assert.match(gc.evidence, /system\.log:\d+/);
  assert.match(gc.action, /jvm/);
  // Every rule names thresholds that exist, with a source.
  for (const t of Object.values(LOG_THRESHOLDS)) assert.ok(t.source.length > 5 && Number.isFinite(t.value));
  assert.ok(LOG_RULES.length >= 14);
  // The events frame has the contract columns.
  const cols = Object.keys(r.columns("events"));
  for (const c of [
    "node",
    "time",
    "level",
    "thread",
    "source",
    "kind",
    "pause_ms",
    "pool",
    "active",
    "pending",
    "blocked",
    "dropped",
    "bytes",
    "keyspace",
    "table",
    "partition_key",
    "partition_bytes",
    "live_rows",
    "tombstones",
    "query",
    "file",
    "line",
  ])
    assert.ok(cols.includes(c), c);
  assert.match(r.toText({ width: 100 }), /GC pause/);
});

test("pool findings: sperf's thresholds fire on the real StatusLogger rows", async () => {
  // statuslogger-new-dialect.log: CompactionExecutor pending 52 (< 100), TPC/all/WRITE_REMOTE pending 13,094 (> 10,000).
  const r = await logs(data("logs", "statuslogger-new-dialect.log"));
  const f = r.findings.find((x) => x.id === "logs.mutation-pending");
  assert.ok(f, r.findings.map((x) => x.id).join(","));
  assert.match(f.title, /13,094/);
  assert.match(f.action, /memtable_cleanup_threshold/);
  assert.ok(!r.findings.some((x) => x.id === "logs.compaction-pending"), "52 pending compactions is under 100");
});

test("tombstone and large-partition findings per table; logEvents() is reusable by other helpers", async () => {
  const r = await logs(data("logs", "cassandra3-system.example.log"));
  const t = r.findings.find((x) => x.id === "logs.tombstone-warnings")!;
  assert.match(t.title, /testks\.reports/);
  assert.match(t.action, /TimeWindowCompactionStrategy|TTL/);
  const l = r.findings.find((x) => x.id === "logs.large-partitions")!;
  assert.match(l.title, /pingid\.activation_codes_by_user/);
  assert.equal(l.severity, "warning");
  const ev = await logEvents({ source: data("logs", "cassandra3-system.example.log"), kinds: ["large-partition"] });
  assert.equal(ev.events.length, 7);
  assert.ok(ev.events.every((e) => e.kind === "large-partition" && e.partition_bytes! > 100 * 1024 * 1024));
});

test("timeline on diag/dse68: GC, StatusLogger and slow-query lanes, zoomable, rendered to PNG", async () => {
  const t = await timeline(data("diag/dse68"));
  const lanes = t.summary.lanes as string[];
  for (const l of ["GC pause (ms)", "pending tasks (StatusLogger)", "slow queries (ms)"]) assert.ok(lanes.includes(l), `${l} in ${lanes}`);
  assert.ok(t.count("points") <= MAX_CHART_POINTS);
  const spec = t.chart("timeline").spec as any;
  assert.equal(spec.spec.params[0].bind, "scales");
  assert.equal(spec.spec.params[0].select.type, "interval");
  assert.match([spec.title.text, ...spec.title.subtitle].join("; "), /points/);
  const png = await t.chart("timeline").toPNG(1);
  const size = pngSize(png);
  assert.ok(size.width > 600 && size.height > 400, JSON.stringify(size));
  // GC pauses come from the GC log (gcStats) where it covers, GCInspector after it ends.
  const gcLabels = t
    .rows("points")
    .filter((p) => p.lane === "GC pause (ms)")
    .map((p) => String(p.label));
  assert.ok(gcLabels.some((l) => l.startsWith("gc log")) && gcLabels.some((l) => l.startsWith("GCInspector")));
  // Coincidences: the 2,080 ms slow query at 13:39:05 happened right after a GC pause and StatusLogger dumps.
  const co = t.rows("coincidences").find((c) => String(c.spike).includes("slow query 2080"))!;
  assert.ok(co, JSON.stringify(t.rows("coincidences")));
  assert.match(String(co.nearby), /GC \d+ ms/);
  assert.match(String(co.nearby), /StatusLogger dump/);
  assert.ok((t.summary.busiest as string[]).length > 0);
});

test("timeline on the lab folder (node1..3): GC and flush lanes, no clock finding", async () => {
  const t = await timeline(data("lab"));
  const lanes = t.summary.lanes as string[];
  assert.ok(lanes.includes("GC pause (ms)") && lanes.includes("flushes + compactions"), String(lanes));
  assert.deepEqual([...new Set(t.columns("points").node)].sort(), ["node1", "node2", "node3"]);
  assert.equal(t.findings.filter((f) => f.id === "logs.clock-skew").length, 0);
  const png = await t.chart().toPNG(1);
  assert.ok(pngSize(png).width > 600);
});

test("many events are binned to at most MAX_CHART_POINTS, and the title says so", async () => {
  // A loose folder of four real node logs: the three 2.1.17 nodes and the 3.x example (> 5,000 events).
  const dir = tempDir();
  const nodes = fs.readdirSync(data("diag/cassandra-2.1.17/nodes"));
  for (const n of nodes) {
    fs.mkdirSync(path.join(dir, n));
    fs.copyFileSync(data("diag/cassandra-2.1.17/nodes", n, "logs/cassandra/system.log"), path.join(dir, n, "system.log"));
  }
  fs.mkdirSync(path.join(dir, "example"));
  fs.copyFileSync(data("logs/cassandra3-system.example.log"), path.join(dir, "example", "system.log"));
  const t = await timeline(dir);
  assert.ok((t.summary.events as number) > MAX_CHART_POINTS, `needs > ${MAX_CHART_POINTS} events, has ${t.summary.events}`);
  assert.ok(t.count("points") <= MAX_CHART_POINTS);
  assert.ok(typeof t.summary.bin_ms === "number");
  const title = (t.chart().spec as any).title;
  assert.match([title.text, ...title.subtitle].join("; "), /binned to/);
});

test("a node whose clock is off is reported (mock: a copy of the real lab logs with node2's clock moved 5 min ahead)", async () => {
  const dir = labWithNode2ClockAhead();
  const r = await logs(dir);
  const f = r.findings.filter((x) => x.id === "logs.clock-skew");
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.title)));
  assert.equal(f[0].node, "node2");
  assert.match(f[0].title, /ahead/);
  assert.match(f[0].evidence, /saw 127\.0\.0\.2 \(node2\) UP/);
  const t = await timeline(dir);
  assert.ok(t.findings.some((x) => x.id === "logs.clock-skew" && x.node === "node2"));
});

test("a clock stepping back inside one file is reported (mock: the real 2.1.17 log with a 1 h step back spliced in)", async () => {
  const dir = tempDir();
  const text = fs.readFileSync(data("diag/cassandra-2.1.17/nodes/10.101.34.191/logs/cassandra/system.log"), "utf8");
  const ls = text.split("\n");
  const cut = Math.floor(ls.length / 2);
  const step = ls.slice(cut).map((l) =>
    l.replace(/(\d{4}-\d\d-\d\d \d\d):/, (_m, d) => {
      const t = new Date(d.replace(" ", "T") + ":00:00Z").getTime() - 3_600_000;
      return new Date(t).toISOString().slice(0, 13).replace("T", " ") + ":";
    }),
  );
  fs.writeFileSync(path.join(dir, "system.log"), ls.slice(0, cut).concat(step).join("\n"));
  const r = await logs(path.join(dir, "system.log"));
  const f = r.findings.find((x) => x.id === "logs.clock-skew");
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.id)));
  assert.match(f.title, /step back/);
});

test("bad input: unknown layouts, garbage and stack traces never crash", async () => {
  // A GC log is not a system.log: every line skipped, with line numbers.
  const gcText = fs.readFileSync(data("gc", "jdk8-g1-dse68-node.gc.log"), "utf8").slice(0, 200_000);
  const r = parseSystemLog(gcText, { node: "n", file: "gc.log" });
  assert.equal(r.layout, undefined);
  assert.equal(r.events.length, 0);
  assert.equal(r.skipped.count, r.lines);
  assert.equal(r.skipped.examples[0].line, 1);
  assert.equal(detectLayout(gcText), undefined);

  // Lines before the first event are skipped with their numbers; later unknown lines are attached.
  const real = fs.readFileSync(data("logs", "cassandra21-system.log"), "utf8");
  const mixed = "garbage first line\n\tat something.Else(Foo.java:1)\n" + real;
  const m = parseSystemLog(mixed, { node: "n", file: "x" });
  assert.equal(m.skipped.count, 2);
  assert.deepEqual(
    m.skipped.examples.map((e) => e.line),
    [1, 2],
  );

  // A folder whose system.log is not a log: a note, not a throw.
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "nodes", "n1", "logs", "cassandra"), { recursive: true });
  fs.writeFileSync(path.join(dir, "nodes", "n1", "logs", "cassandra", "system.log"), "this is not\na log at all\n");
  const rep = await logs(dir);
  assert.ok(
    rep.notes.some((n) => n.includes("no line matched a known log layout") && n.includes("line 1")),
    rep.notes.join("\n"),
  );
  assert.equal(rep.count("events"), 0);

  // Property: random real lines, junk and stack frames in any order never throw, and every input line is accounted for.
  const pool = lines(fs.readFileSync(data("diag/dse68/nodes/172.17.0.2/logs/cassandra/system.log"), "utf8")).slice(700, 1200);
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...pool), fc.string(), fc.constant("\tat x.Y.z(Y.java:1)"), fc.constant("Caused by: java.io.IOException: boom")), {
        maxLength: 60,
      }),
      (ls) => {
        const text = ls.join("\n");
        const p = parseSystemLog(text, { node: "n", file: "x", layout: compileLayout(KNOWN_LAYOUTS[1].pattern, "dse") });
        for (const e of p.events) assert.ok(e.line >= 1 && e.line <= Math.max(1, p.lines));
      },
    ),
    { numRuns: 200 },
  );

  // Bad option values are user errors with a clear message.
  await assert.rejects(logs({ source: data("logs", "cassandra21-system.log"), from: "yesterday-ish" }), /from must be an ISO-8601 time/);
  await assert.rejects(logs({ source: data("logs", "cassandra21-system.log"), kinds: ["gc" as never] }), /kinds has "gc", which is not an event kind/);
  const none = await logs({ source: data("diag/dse68"), node: "10.9.9.9" });
  assert.equal(none.count("events"), 0);
  assert.ok(none.notes.some((n) => n.includes("node 10.9.9.9 is not in") && n.includes("172.17.0.2")));
});

test("rotated and compressed logs: system.log.1.gz (older) and system.log read in time order as one", async () => {
  const { gzipSync } = await import("node:zlib");
  const dir = tempDir();
  const logsDir = path.join(dir, "nodes", "10.101.34.191", "logs", "cassandra");
  fs.mkdirSync(logsDir, { recursive: true });
  const text = fs.readFileSync(data("diag/cassandra-2.1.17/nodes/10.101.34.191/logs/cassandra/system.log"), "utf8");
  const ls = text.split("\n");
  const cut = ls.findIndex((l, i) => i > ls.length / 2 && EVENT_START.test(l));
  fs.writeFileSync(path.join(logsDir, "system.log.1.gz"), gzipSync(ls.slice(0, cut).join("\n") + "\n"));
  fs.writeFileSync(path.join(logsDir, "system.log"), ls.slice(cut).join("\n"));
  const r = await logs(dir);
  const whole = await logs(data("diag/cassandra-2.1.17/nodes/10.101.34.191/logs/cassandra/system.log"));
  assert.equal(r.count("events"), whole.count("events"));
  assert.deepEqual(r.summary.by_kind, whole.summary.by_kind);
  const times = (r.columns("events").time as string[]).map((t) => Date.parse(t));
  for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1], `time order at ${i}`);
  assert.deepEqual(r.columns("files").file, ["nodes/10.101.34.191/logs/cassandra/system.log.1.gz", "nodes/10.101.34.191/logs/cassandra/system.log"]);
});

test("a custom logback pattern from conf/logback.xml is compiled and used (mock: the real 2.1 log rewritten to that pattern)", async () => {
  // A pattern people configure: date first (ISO with T and a dot), logger instead of file:line, colors.
  const pattern = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %highlight(%-5level) [%thread] %logger{36} - %msg%n";
  const original = fs.readFileSync(data("logs", "cassandra21-system.log"), "utf8");
  const rewritten = original.replace(
    /^(\w+)\s+\[([^\]]*)\] (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) (\S+)\.java:\d+ - /gm,
    (_m, lvl, thr, d, t, ms, cls) => `${d}T${t}.${ms} ${lvl.padEnd(5)} [${thr}] o.a.c.${cls} - `,
  );
  assert.notEqual(rewritten, original);
  const dir = tempDir();
  const node = path.join(dir, "nodes", "10.0.0.9");
  fs.mkdirSync(path.join(node, "logs", "cassandra"), { recursive: true });
  fs.mkdirSync(path.join(node, "conf", "cassandra"), { recursive: true });
  fs.writeFileSync(path.join(node, "logs", "cassandra", "system.log"), rewritten);
  fs.writeFileSync(
    path.join(node, "conf", "cassandra", "logback.xml"),
    `<configuration>\n<!-- <appender><file>system.log</file><encoder><pattern>%msg%n</pattern></encoder></appender> -->\n<appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender"><file>\${cassandra.logdir}/system.log</file><encoder><pattern>${pattern}</pattern></encoder></appender></configuration>`,
  );
  assert.equal(detectLayout(rewritten), undefined, "no known layout reads the rewritten file");
  const custom = await logs(dir);
  const plain = await logs(data("logs", "cassandra21-system.log"));
  assert.deepEqual(custom.columns("files").layout, ["logback.xml"]);
  assert.deepEqual(custom.summary.by_kind, plain.summary.by_kind);
  assert.deepEqual(custom.columns("events").time, plain.columns("events").time);
  assert.equal(custom.rows("events")[0].source, null, "%logger carries no file:line");
});

test("StatusLogger, Cassandra 2.x/3.x one-line dialect: a real 2.1.0 dump (fixture made on the lab, see its PROVENANCE.md)", async () => {
  const file = path.join(__dirname, "fixtures", "cassandra21-lab-statuslogger", "system.log");
  const text = fs.readFileSync(file, "utf8");
  const r = parseSystemLog(text, { node: "n", file: "system.log" });
  assert.equal(r.layout?.name, "cassandra");
  const pools = r.events.filter((e) => e.kind === "statuslogger-pool");
  const tables = r.events.filter((e) => e.kind === "statuslogger-table");
  assert.equal(pools.length, grep(text, /StatusLogger\.java:\d+ - [A-Za-z][\w/#-]*(\s+(\d+|n\/a|\d+\/\d+))+\s*$/));
  assert.equal(tables.length, grep(text, /StatusLogger\.java:\d+ - [\w-]+\.[\w-]+\s+\d+,\d+\s*$/));
  assert.ok(pools.length >= 15 && tables.length >= 15);
  const ms = pools.find((e) => e.pool === "MutationStage")!;
  assert.deepEqual([ms.active, ms.pending, ms.completed, ms.blocked, ms.all_time_blocked], [0, 0, 56534, 0, 0]);
  const cm = pools.find((e) => e.pool === "CompactionManager")!;
  assert.deepEqual([cm.active, cm.pending], [1, 1]);
  const w = tables.find((e) => e.table === "w")!;
  assert.deepEqual([w.keyspace, w.ops, w.bytes], ["cassperf_logs", 1038, 10612064]);
  const gc = r.events.filter((e) => e.kind === "gc-pause");
  assert.equal(gc.length, grep(text, GREPS["gc-pause"]));
  assert.ok(gc.some((e) => e.pause_ms === 1278));
  // The timeline's pending lane sums a dump's pending work (one point per dump).
  const t = await timeline(file);
  const pending = t.rows("points").filter((p) => p.lane === "pending tasks (StatusLogger)");
  assert.equal(pending.length, 1);
  assert.equal(
    pending[0].value,
    pools.reduce((s, e) => s + (typeof e.pending === "number" ? e.pending : 0), 0),
  );
});

test("logs() on 200,000 events (a real log repeated): first/last and the GC maximum come out, no 'Maximum call stack size exceeded'", async () => {
  const lines = fs
    .readFileSync(data("logs", "cassandra3-system.example.log"), "utf8")
    .split("\n")
    .filter((l) => /^(INFO|WARN|ERROR|DEBUG)\s+\[/.test(l));
  const out: string[] = [];
  while (out.length < 200_000) out.push(...lines.slice(0, 200_000 - out.length));
  const file = path.join(tempDir("cassperf-biglog-"), "system.log");
  fs.writeFileSync(file, out.join("\n") + "\n");
  const r = await logs(file);
  assert.equal(r.summary.events, 200_000);
  const ts = r
    .rows("events")
    .map((e) => Date.parse(String(e.time)))
    .filter((t) => !Number.isNaN(t));
  assert.equal(r.summary.first, new Date(ts.reduce((a, b) => Math.min(a, b))).toISOString());
  assert.equal(r.summary.last, new Date(ts.reduce((a, b) => Math.max(a, b))).toISOString());
});

test("other logback date layouts give real times, the same UTC instant under TZ=Asia/Tokyo and TZ=UTC (library in child processes)", () => {
  // test/fixtures/logback-layouts: real logback 1.5.18 output from a JVM in Asia/Tokyo (PROVENANCE.md).
  // Expected instants read off the files by hand: a zone-less time is UTC (cassperf's rule), a zone
  // in the pattern (Asia/Tokyo = UTC+9) or in the text (+09:00) is honoured.
  const dir = path.join(__dirname, "fixtures", "logback-layouts");
  const expected: Record<string, number[]> = {
    // INFO  [main] 2026/12/02 21:22:15,944 ... ; 21:22:15,964 ; 21:22:15,980 (no zone: UTC)
    slash: [Date.UTC(2026, 11, 2, 21, 22, 15, 944), Date.UTC(2026, 11, 2, 21, 22, 15, 964), Date.UTC(2026, 11, 2, 21, 22, 15, 980)],
    // %d{DATE}: logback wrote ISO8601 (2026-12-02 21:32:43,105 ; ,140 ; ,166), no zone: UTC
    date: [Date.UTC(2026, 11, 2, 21, 32, 43, 105), Date.UTC(2026, 11, 2, 21, 32, 43, 140), Date.UTC(2026, 11, 2, 21, 32, 43, 166)],
    // %d{ISO8601, Asia/Tokyo}: 2026-12-02 21:21:48,294 in Tokyo = 12:21:48.294Z
    "iso8601-tokyo": [Date.UTC(2026, 11, 2, 12, 21, 48, 294), Date.UTC(2026, 11, 2, 12, 21, 48, 328), Date.UTC(2026, 11, 2, 12, 21, 48, 360)],
    // date later in the line: 2026-12-02 21:21:51.722+09:00 = 12:21:51.722Z
    later: [Date.UTC(2026, 11, 2, 12, 21, 51, 722), Date.UTC(2026, 11, 2, 12, 21, 51, 743), Date.UTC(2026, 11, 2, 12, 21, 51, 759)],
  };
  // The child loads the built library (dist/, built by scripts/test.mjs) with TZ set BEFORE it starts.
  const child = `
    const path = require("path");
    const dist = ${JSON.stringify(path.join(__dirname, "..", "dist"))};
    const { parseSystemLog, parseLogDate } = require(path.join(dist, "parse/system-log.js"));
    const { compileLayout, patternFromLogbackXml, detectLayout, compileDateFormat } = require(path.join(dist, "parse/log-layout.js"));
    const { parseUtc } = require(path.join(dist, "parse/utc-time.js"));
    const fs = require("fs");
    const dir = ${JSON.stringify(dir)};
    const out = { tz: Intl.DateTimeFormat().resolvedOptions().timeZone, files: {}, detected: {}, other: {} };
    for (const name of ["slash", "date", "iso8601-tokyo", "later"]) {
      const xml = fs.readFileSync(path.join(dir, "logback-" + name + ".xml"), "utf8");
      const text = fs.readFileSync(path.join(dir, "system-" + name + ".log"), "utf8");
      const pattern = patternFromLogbackXml(xml, "system-" + name + ".log");
      const r = parseSystemLog(text, { node: "n", file: name, layout: compileLayout(pattern) });
      out.files[name] = { ts: r.events.map((e) => e.ts), kinds: r.events.map((e) => e.kind), skipped: r.skipped.count };
      // Without logback.xml: the layout is detected.
      const d = parseSystemLog(text, { node: "n", file: name });
      out.detected[name] = { layout: d.layout ? d.layout.name : null, ts: d.events.map((e) => e.ts) };
    }
    out.other.fallback = parseLogDate("2024/01/15 10:00:00,123", undefined);
    out.other.log4jDate = compileDateFormat("DATE").parse("15 Jan 2024 10:00:00,123");
    out.other.absolute = compileDateFormat("ABSOLUTE").parse("10:00:00,123", Date.UTC(2024, 0, 15));
    out.other.parseUtc = parseUtc("2024-01-15T10:00:00");
    console.log(JSON.stringify(out));
  `;
  const run = (tz: string) => {
    const env = { ...process.env, TZ: tz };
    const r = require("node:child_process").spawnSync(process.execPath, ["-e", child], { env, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const tokyo = run("Asia/Tokyo");
  const utc = run("UTC");
  assert.equal(tokyo.tz, "Asia/Tokyo"); // the child really ran in Tokyo
  assert.equal(utc.tz, "UTC");
  for (const [name, ts] of Object.entries(expected)) {
    assert.deepEqual(tokyo.files[name].ts, ts, `${name} under TZ=Asia/Tokyo`);
    assert.deepEqual(utc.files[name].ts, ts, `${name} under TZ=UTC`);
    // The GC line is "other": the gc rule also checks the logging class, and these lines come from FlushLog.java, not GCInspector.java.
    assert.deepEqual(tokyo.files[name].kinds, ["flush", "other", "startup"], name);
    assert.equal(tokyo.files[name].skipped, 0);
  }
  // Detected without logback.xml: the slash and the DATE (ISO) files; the zone-carrying ones need their pattern.
  assert.deepEqual(tokyo.detected.slash, { layout: "cassandra %d{yyyy/MM/dd HH:mm:ss,SSS}", ts: expected.slash });
  assert.deepEqual(tokyo.detected.date.ts, expected.date);
  assert.deepEqual(tokyo.detected, utc.detected);
  // The non-ISO fallback and the log4j shapes: UTC whatever the TZ (before: Date.parse in local time, 9 h off in Tokyo).
  const want = Date.UTC(2024, 0, 15, 10, 0, 0, 123);
  assert.deepEqual(tokyo.other, { fallback: want, log4jDate: want, absolute: want, parseUtc: Date.UTC(2024, 0, 15, 10) });
  assert.deepEqual(utc.other, tokyo.other);
});

test("logs() takes a logback pattern for a bundle without logback.xml; from/to without a zone are UTC", async () => {
  const dir = path.join(__dirname, "fixtures", "logback-layouts");
  // A bundle holding the file as a node's system.log (no conf/logback.xml).
  const bundle = tempDir();
  fs.mkdirSync(path.join(bundle, "nodes", "n1", "logs", "cassandra"), { recursive: true });
  const file = path.join(bundle, "nodes", "n1", "logs", "cassandra", "system.log");
  fs.copyFileSync(path.join(dir, "system-later.log"), file);
  const pattern = patternFromLogbackXml(fs.readFileSync(path.join(dir, "logback-later.xml"), "utf8"), "system-later.log")!;
  assert.equal(pattern, "%-5level [%thread] %F:%L - %d{yyyy-MM-dd HH:mm:ss.SSSXXX} %msg%n");
  const r = await logs({ source: bundle, pattern });
  // 2026-12-02 21:21:51.722+09:00 (first line of the file) = 12:21:51.722Z
  assert.equal(r.columns("events").time[0], "2026-12-02T12:21:51.722Z");
  assert.equal(r.summary.flushes, 1);
  // from is zone-less: 12:21:51.730 UTC keeps the two later lines (.743, .759), whatever the process's TZ.
  const later = await logs({ source: bundle, pattern, from: "2026-12-02T12:21:51.730" });
  assert.equal(later.summary.events, 2);
  await assert.rejects(() => logs({ source: bundle, pattern: "no conversion words" }), /pattern must be a logback pattern/);
});
