/**
 * traces(), trace(sessionId) and compareTraces() on recorded sessions: the real 2.1 lab sessions in
 * test/fixtures/trace/lab21 (see its README), as a dataset, as cqlsh TRACING ON text and as a COPY
 * CSV (both rendered from those same real rows: cqlsh 2.1.0's bundled driver does not run on the
 * Python 2.7.18 here), plus bad input: broken lines, unknown wording, null elapsed, negative deltas,
 * clock skew, no trace files.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "./support";
import { traces, trace, compareTraces } from "../src/analyze/trace/trace";
import { openRecorded } from "../src/cluster/recorded";
import { parseEventsJsonl, parseSessionsJsonl, timeuuidMicros, isoFromMicros, type TraceEventRow, type TraceSessionRow } from "../src/parse/trace-rows";
import { parseCqlshTrace } from "../src/parse/trace-cqlsh";
import { parseTraceEventsCsv, csvRecords } from "../src/parse/trace-csv";
import { pngSize } from "../src/present/chart";
import { isCassperfError } from "../src/errors";

const DS = path.join(__dirname, "fixtures/trace/lab21");
const SESSIONS_TEXT = fs.readFileSync(path.join(DS, "traces/sessions.jsonl"), "utf8");
const EVENTS_TEXT = fs.readFileSync(path.join(DS, "traces/events.jsonl"), "utf8");
const SESSIONS = parseSessionsJsonl(SESSIONS_TEXT).rows;
const EVENTS = parseEventsJsonl(EVENTS_TEXT).rows;
/** The fixture's sessions by what they did (see the fixture README). */
const QUORUM = SESSIONS[0];
const ONE = SESSIONS[1];
const ALL6 = SESSIONS[2];
const eventsOf = (s: TraceSessionRow) => EVENTS.filter((e) => e.session_id === s.session_id);

/** A dataset folder holding the given rows. */
function dataset(sessions: TraceSessionRow[], events: TraceEventRow[], extraEventLines: string[] = []): string {
  const d = tempDir("cassperf-trace-");
  fs.mkdirSync(path.join(d, "traces"));
  fs.copyFileSync(path.join(DS, "cassperf.json"), path.join(d, "cassperf.json"));
  fs.writeFileSync(path.join(d, "traces/sessions.jsonl"), sessions.map((s) => JSON.stringify(s)).join("\n") + "\n");
  fs.writeFileSync(path.join(d, "traces/events.jsonl"), [...events.map((e) => JSON.stringify(e)), ...extraEventLines].join("\n") + "\n");
  return d;
}

test("trace rows: the fixture parses completely; timeuuids give the event time", () => {
  assert.equal(SESSIONS.length, SESSIONS_TEXT.trim().split("\n").length);
  assert.equal(EVENTS.length, EVENTS_TEXT.trim().split("\n").length);
  const e = EVENTS[0];
  const us = timeuuidMicros(e.event_id)!;
  assert.equal(isoFromMicros(us), e.event_time);
  // The event time lies within a second of its session's start.
  const s = SESSIONS.find((x) => x.session_id === e.session_id)!;
  assert.ok(Math.abs(us / 1000 - Date.parse(s.started_at)) < 1000);
  assert.equal(timeuuidMicros("not-a-uuid"), undefined);
});

test("traces(): a recorded dataset gives every session, stages with the counts the events state, and the findings", async () => {
  const r = await traces({ source: await openRecorded(DS) });
  assert.equal(r.count("sessions"), SESSIONS.length);
  assert.equal(r.count("events"), EVENTS.length);
  assert.equal(r.summary.sessions, SESSIONS.length);
  // The QUORUM read of the tombstone partition: three nodes, each stating 2400 tombstones and 10 live.
  const ev = r.rows("events").filter((x) => x.session_id === QUORUM.session_id);
  assert.deepEqual([...new Set(ev.map((x) => x.node))].sort(), ["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
  const tomb = ev.filter((x) => x.stage === "tombstones");
  assert.equal(tomb.length, 3);
  for (const t of tomb) assert.deepEqual([t.tombstones, t.live_rows], [2400, 10]);
  assert.ok(ev.every((x) => x.role === (x.node === QUORUM.coordinator ? "coordinator" : "replica")));
  // Findings: tombstones (critical: 2400 >= tombstone_warn_threshold) and sstables per read (6 > 4).
  const f = r.findings.find((x) => x.id === "trace.tombstones");
  assert.ok(f, "a tombstone finding");
  assert.equal(f.severity, "critical");
  assert.match(f.title, /tombstone/i);
  assert.match(f.title, /2400 tombstone cells for 10 live rows/);
  const s = r.findings.find((x) => x.id === "trace.sstables-per-read");
  assert.ok(s);
  assert.match(s.title, /6 sstables/);
  assert.equal(r.summary.sstablesPerRead, 6);
  // 2.1 wrote null source_elapsed for late events: counted, flagged, never charged.
  const nulls = EVENTS.filter((x) => x.source_elapsed === null).length;
  assert.ok(nulls > 0);
  assert.equal(r.summary.nullElapsed, nulls);
  const flagged = r.rows("events").filter((x) => String(x.flags).includes("null-elapsed"));
  assert.equal(flagged.length, nulls);
  assert.ok(flagged.every((x) => x.delta_us === null && typeof x.t_us === "number"));
  assert.ok(r.notes.some((n) => /no source_elapsed/.test(n)));
  // Per session time per stage adds up to the charged deltas.
  const sess = r.rows("sessions").find((x) => x.session_id === QUORUM.session_id)!;
  const charged = ev.reduce((a, x) => a + (typeof x.delta_us === "number" && x.delta_us > 0 ? x.delta_us : 0), 0) / 1000;
  assert.ok(Math.abs((sess.network_ms as number) + (sess.local_ms as number) - charged) < 0.01);
  assert.equal(sess.duration_ms, QUORUM.duration! / 1000);
  // The stages frame: every event counted once, time adds up to network + local.
  const st = r.columns("stages");
  assert.equal(
    (st.events as number[]).reduce((a, b) => a + b, 0),
    EVENTS.length,
  );
  assert.ok(Math.abs((st.ms as number[]).reduce((a, b) => a + b, 0) - ((r.summary.networkMs as number) + (r.summary.localMs as number))) < 0.05);
  assert.match(String(r.summary.stageBreakdown), /^[\w/-]+ [\d.]+ ms \(\d+%\)/);
});

test("traces(): the failed request (Unavailable at ALL on RF=4) is a session with only parse/prepare events", async () => {
  const r = await traces({ source: await openRecorded(DS), request: "cassperf_trace_rf4" });
  assert.equal(r.count("sessions"), 2);
  assert.deepEqual([...new Set(r.columns("events").stage)], ["parse/prepare"]);
});

test("traces(filter): by coordinator, request text/RegExp, duration, time and id", async () => {
  const src = await openRecorded(DS);
  const byCoord = await traces({ source: src, coordinator: QUORUM.coordinator });
  assert.equal(byCoord.count("sessions"), SESSIONS.filter((s) => s.coordinator === QUORUM.coordinator).length);
  const ins = await traces({ source: src, request: /^INSERT/m });
  assert.equal(ins.count("sessions"), 1);
  assert.ok(ins.rows("events").some((e) => e.stage === "commitlog") && ins.rows("events").some((e) => e.stage === "memtable-write"));
  const slow = await traces({ source: src, minDurationMs: 20 });
  assert.equal(slow.count("sessions"), SESSIONS.filter((s) => (s.duration ?? 0) >= 20_000).length);
  const since = await traces({ source: src, since: SESSIONS[3].started_at });
  assert.equal(since.count("sessions"), SESSIONS.filter((s) => s.started_at >= SESSIONS[3].started_at).length);
  const one = await trace(ALL6.session_id, { source: src });
  assert.equal(one.count("sessions"), 1);
  assert.equal(one.summary.sessionId, ALL6.session_id);
  assert.equal(one.summary.sstablesPerRead, 6);
  await assert.rejects(
    () => trace("00000000-0000-1000-8000-000000000000", { source: src }),
    (e) => isCassperfError(e) && /no trace session/.test((e as Error).message),
  );
  await assert.rejects(
    () => traces({ source: src, since: "yesterday-ish" }),
    (e) => isCassperfError(e) && /filter.since/.test((e as Error).message),
  );
});

test("traces(): broken lines are skipped and reported with their line number; unknown wording is kept as 'other' and counted", async () => {
  const ev = eventsOf(ALL6);
  const unknown: TraceEventRow = { ...ev[3], activity: "Frobnicating the flux capacitor" };
  const d = dataset([ALL6], [...ev, unknown], ["{not json", '{"session_id": 5}']);
  const r = await traces({ source: await openRecorded(d) });
  assert.equal(r.count("events"), ev.length + 1);
  const note = r.notes.find((n) => /skipped 2 line/.test(n));
  assert.ok(note, r.notes.join("\n"));
  assert.match(note, new RegExp(`line ${ev.length + 2}: not JSON`));
  assert.equal(r.summary.unknownActivities, 1);
  const other = r.rows("events").filter((e) => e.stage === "other");
  assert.deepEqual(
    other.map((e) => e.activity),
    ["Frobnicating the flux capacitor"],
  );
  assert.ok(r.findings.some((f) => f.id === "trace.unknown-activities" && /1 event/.test(f.title)));
});

test("traces(): negative deltas and clock skew are flagged, charged as 0, and said in the notes", async () => {
  // Real rows of the QUORUM session, changed the two ways bad clocks change them:
  //  (1) one replica event's source_elapsed below its predecessor's on the same thread;
  //  (2) the session's started_at 1 s later than every event id (the coordinator's clock ahead).
  const ev = eventsOf(QUORUM).map((e) => ({ ...e }));
  const replica = ev.filter((e) => e.source !== QUORUM.coordinator && e.source_elapsed !== null && /SharedPool/.test(e.thread));
  const victim = replica[3];
  victim.source_elapsed = 1;
  const skewed = { ...QUORUM, started_at: new Date(Date.parse(QUORUM.started_at) + 1000).toISOString() };
  const r = await traces({ source: await openRecorded(dataset([skewed], ev)) });
  const rows = r.rows("events");
  const neg = rows.filter((e) => String(e.flags).includes("negative-delta"));
  assert.ok(neg.length >= 1);
  assert.ok(neg.every((e) => (e.delta_us as number) < 0));
  assert.equal(r.summary.negativeDeltas, neg.length);
  assert.ok(r.notes.some((n) => /negative delta/.test(n)));
  // Skew: replicas' event ids put them 1 s before the coordinator's start; aligned on the send instead.
  assert.ok(Array.isArray(r.summary.skewedNodes) && (r.summary.skewedNodes as string[]).length === 2);
  assert.ok(rows.filter((e) => e.node !== QUORUM.coordinator).every((e) => String(e.flags).includes("clock-skew")));
  assert.ok(rows.every((e) => (e.t_us as number) >= 0));
  assert.ok(r.notes.some((n) => /clock skew/.test(n)));
  // Stage sums never go negative.
  const sess = r.rows("sessions")[0];
  for (const [k, v] of Object.entries(sess)) if (k.endsWith("_ms")) assert.ok((v as number) >= 0, k);
});

test("traces(): a session whose duration is null (incomplete) is kept, estimated, and noted", async () => {
  const incomplete = { ...ALL6, duration: null };
  const r = await traces({ source: await openRecorded(dataset([incomplete], eventsOf(ALL6))) });
  assert.equal(r.summary.complete, false);
  assert.ok((r.summary.durationMs as number) > 0);
  assert.ok(r.notes.some((n) => /no duration/.test(n)));
});

/** Render real rows the way cqlsh 2.1 prints TRACING ON output. */
function cqlshText(s: TraceSessionRow, ev: TraceEventRow[]): string {
  const ts = (iso: string) => iso.replace("T", " ").replace("Z", "").padEnd(26, "0");
  const rows = [
    ["Execute CQL3 query", ts(s.started_at), s.coordinator, "0"],
    ...ev.map((e) => [`${e.activity} [${e.thread}]`, ts(e.event_time), e.source, e.source_elapsed === null ? "null" : String(e.source_elapsed)]),
    ["Request complete", ts(s.started_at), s.coordinator, String(s.duration)],
  ];
  const w = [0, 1, 2, 3].map((k) => Math.max(...rows.map((r) => r[k].length), ["activity", "timestamp", "source", "source_elapsed"][k].length));
  const line = (r: string[]) => " " + r.map((c, k) => (k === 0 ? c.padStart(w[k]) : k === 3 ? c.padStart(w[k]) : c.padEnd(w[k]))).join(" | ");
  return [
    `Tracing session: ${s.session_id}`,
    "",
    line(["activity", "timestamp", "source", "source_elapsed"]),
    "-" + w.map((x) => "-".repeat(x + 1)).join("+-"),
    ...rows.map(line),
    "",
    "",
  ].join("\n");
}

test("cqlsh TRACING ON output: sessions, events with threads, duration from 'Request complete'", async () => {
  const text = cqlshText(QUORUM, eventsOf(QUORUM)) + "\n(10 rows)\n\n" + cqlshText(ALL6, eventsOf(ALL6));
  const p = parseCqlshTrace(text);
  assert.equal(p.sessions.length, 2);
  assert.equal(p.sessions[0].session_id, QUORUM.session_id);
  assert.equal(p.sessions[0].coordinator, QUORUM.coordinator);
  assert.equal(p.sessions[0].duration, QUORUM.duration);
  assert.equal(p.events.length, eventsOf(QUORUM).length + eventsOf(ALL6).length);
  assert.deepEqual(
    p.events.slice(0, 3).map((e) => [e.activity, e.thread, e.source_elapsed]),
    eventsOf(QUORUM)
      .slice(0, 3)
      .map((e) => [e.activity, e.thread, e.source_elapsed]),
  );
  // As a single file source.
  const d = tempDir();
  const f = path.join(d, "trace-output.txt");
  fs.writeFileSync(f, text);
  const r = await traces({ source: await openRecorded(f) });
  assert.equal(r.count("sessions"), 2);
  assert.ok(r.findings.some((x) => x.id === "trace.tombstones"));
  // Bad input: a table row with too few columns is skipped and counted.
  const bad = parseCqlshTrace(text.replace(/\n( +Merging memtable tombstones[^\n]*)\n/, "\n broken row without separators\n"));
  assert.equal(bad.skipped.count, 1);
  assert.match(bad.skipped.first!.text, /broken row/);
});

/** Render real rows as cqlsh COPY system_traces.events TO ... WITH HEADER = true writes them. */
function copyCsv(ev: TraceEventRow[]): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return (
    [
      "session_id,event_id,activity,source,source_elapsed,thread",
      ...ev.map((e) => [e.session_id, e.event_id, q(e.activity), e.source, e.source_elapsed ?? "", q(e.thread)].join(",")),
    ].join("\n") + "\n"
  );
}

test("COPY system_traces.events CSV: quoted fields, nulls, events-only sessions", async () => {
  const ev = [...eventsOf(QUORUM), ...SESSIONS.slice(4, 5).flatMap(eventsOf)]; // the range scan has "[min(..), min(..)]" with a comma
  const text = copyCsv(ev);
  const p = parseTraceEventsCsv(text);
  assert.equal(p.skipped.count, 0);
  assert.equal(p.rows.length, ev.length);
  assert.deepEqual(
    p.rows.map((r) => [r.activity, r.source_elapsed]),
    ev.map((r) => [r.activity, r.source_elapsed]),
  );
  assert.ok(p.rows.some((r) => r.activity.includes("), min(")));
  assert.equal(csvRecords('a,"b\nc",d\n').length, 1);
  const d = tempDir();
  const f = path.join(d, "events.csv");
  fs.writeFileSync(f, text + "not,a,valid,row\n");
  const r = await traces({ source: await openRecorded(f) });
  assert.equal(r.count("sessions"), 2);
  // No sessions rows: the coordinator is guessed as the node of the earliest event, and it says so.
  assert.equal(r.rows("sessions").find((s) => s.session_id === QUORUM.session_id)!.coordinator, QUORUM.coordinator);
  assert.ok(r.notes.some((n) => /no sessions row/.test(n)));
  assert.ok(r.notes.some((n) => /skipped 1 line/.test(n) && /line \d+/.test(n)));
});

test("traces(): empty trace files give an empty report; a source without traces is a clear error", async () => {
  const d = dataset([], []);
  fs.writeFileSync(path.join(d, "traces/events.jsonl"), "");
  const r = await traces({ source: await openRecorded(d) });
  assert.equal(r.count("sessions"), 0);
  assert.ok(r.notes.some((n) => /no trace sessions matched/.test(n)));
  const e = tempDir();
  fs.writeFileSync(path.join(e, "system.log"), "INFO  [main] 2024-01-15 10:00:00,000 CassandraDaemon.java:100 - hello\n");
  const noTraces = await openRecorded(e);
  // No trace sessions at all: an empty report that says why (answerOrExplain), so a runbook goes on.
  const none = await traces({ source: noTraces });
  assert.equal(none.summary.answered, false);
  assert.match(String(none.summary.reason), /has no trace sessions/);
  assert.deepEqual(none.rows("sessions"), []);
});

test("charts: the waterfall of one session and the many-session charts render to PNG", async () => {
  const one = await trace(QUORUM.session_id, { source: await openRecorded(DS) });
  const spec = one.chart("waterfall").spec as any;
  const lanes = new Set(spec.data.values.map((v: any) => v.lane));
  assert.ok(lanes.size >= 6, "node/thread lanes");
  assert.ok(spec.data.values.some((v: any) => v.stage === "tombstones"));
  const png = await one.chart("waterfall").toPNG(1);
  const size = pngSize(png);
  assert.ok(size.width > 500 && size.height > 100, JSON.stringify(size));
  const many = await traces({ source: await openRecorded(DS) });
  assert.deepEqual(many.chartNames, ["durations", "slowest", "stages", "waterfall"]);
  for (const name of ["durations", "slowest", "stages"]) assert.ok(pngSize(await many.chart(name).toPNG(1)).width > 300, name);
});

test("compareTraces(): stage means side by side, sstables per read and tombstones changes", async () => {
  const src = await openRecorded(DS);
  const a = await trace(QUORUM.session_id, { source: src });
  const b = await trace(ALL6.session_id, { source: src });
  const c = await compareTraces(a, b);
  const rows = c.rows("stages");
  assert.ok(rows.length > 5);
  const merge = rows.find((r) => r.stage === "tombstones")!;
  assert.equal(merge.before_ms, a.rows("sessions")[0].tombstones_ms);
  assert.equal(merge.after_ms, b.rows("sessions")[0].tombstones_ms);
  assert.ok(c.findings.some((f) => f.id === "trace.compare.sstables" && /1 -> 6/.test(f.title)));
  assert.ok(c.findings.some((f) => f.id === "trace.compare.tombstones"));
  assert.equal(c.summary.beforeSstablesPerRead, 1);
  assert.ok(pngSize(await c.chart().toPNG(1)).width > 300);
  await assert.rejects(
    () => compareTraces(a, 42 as any),
    (e) => isCassperfError(e),
  );
});

test("rules: slow replica from the real QUORUM session; read repair, speculative retry, cross-DC, missing events", async () => {
  // Real: in the QUORUM session one replica's span is far longer than the other's.
  const real = await trace(QUORUM.session_id, { source: await openRecorded(DS) });
  const spans = real
    .rows("events")
    .filter((e) => e.role === "replica" && typeof e.at_us === "number")
    .reduce<Record<string, number>>((a, e) => ((a[e.node as string] = Math.max(a[e.node as string] ?? 0, e.at_us as number)), a), {});
  const sorted = Object.entries(spans).sort((a, b) => b[1] - a[1]);
  const slow = real.findings.find((f) => f.id === "trace.slow-replica");
  // The slowest replica against the median of the others (hand-computed here: middle value, or mean of the two middle ones).
  const others = sorted
    .slice(1)
    .map(([, v]) => v)
    .sort((a, b) => a - b);
  const peers = others.length % 2 ? others[(others.length - 1) / 2] : (others[others.length / 2 - 1] + others[others.length / 2]) / 2;
  if (sorted[0][1] - peers > 5000 && sorted[0][1] >= 2 * peers) {
    assert.ok(slow);
    assert.equal(slow.node, sorted[0][0]);
  } else assert.equal(slow, undefined);
  // Read repair and speculative retry: the real QUORUM rows plus 3.x/4.x coordinator wording
  // (2.1.0 on the lab does not trace speculation, and a digest mismatch needs replicas to disagree).
  const ev = eventsOf(QUORUM);
  const coordEvent = ev.find((e) => e.source === QUORUM.coordinator && e.source_elapsed !== null)!;
  const extra = (activity: string, dt: number): TraceEventRow => ({ ...coordEvent, activity, source_elapsed: coordEvent.source_elapsed! + dt });
  const withRepair = [
    ...ev,
    extra("Digest mismatch: Mismatch for key DecoratedKey(-4069959284402364209, 00000001)", 50),
    extra("Sending read-repair-mutation to /127.0.0.2:7000", 80),
    extra("Speculating read retry on /127.0.0.3", 90),
  ];
  // Missing events: drop every event of one replica.
  const silent = QUORUM.coordinator === "127.0.0.1" ? "127.0.0.2" : "127.0.0.1";
  const r = await traces({
    source: await openRecorded(
      dataset(
        [QUORUM],
        withRepair.filter((e) => e.source !== silent),
      ),
    ),
    datacenters: { "127.0.0.1": "dc1", "127.0.0.2": "dc1", "127.0.0.3": "dc2" },
  });
  assert.equal(r.summary.digestMismatch, true);
  assert.equal(r.summary.readRepair, true);
  assert.equal(r.summary.speculativeRetry, true);
  assert.ok(r.findings.some((f) => f.id === "trace.read-repair" && /digest mismatch/.test(f.title)));
  assert.ok(r.findings.some((f) => f.id === "trace.speculative-retry"));
  // Cross-DC: the topology is given (the lab has one DC): sends between dc1 and dc2 are named.
  const x = r.findings.find((f) => f.id === "trace.cross-dc");
  assert.ok(x);
  assert.match(x.evidence, /dc1 -> dc2|dc2 -> dc1/);
  assert.ok(
    r.notes.some((n) => n.includes("events missing") && n.includes(silent)),
    r.notes.join("\n"),
  );
});

test("rules: a ONE read that read two replicas (the real 2.1.0 session: speculation it did not trace) is named", async () => {
  // The fixture's ONE session: its sessions row (2.1, prepared) has no consistency; say it was ONE, as the capture did.
  const one = { ...ONE, parameters: { ...ONE.parameters, consistency_level: "ONE" } };
  const r = await traces({ source: await openRecorded(dataset([one], eventsOf(ONE))) });
  const reading = [
    ...new Set(
      r
        .rows("events")
        .filter((e) => e.stage === "replica-read")
        .map((e) => e.node),
    ),
  ];
  assert.equal(reading.length, 2);
  const f = r.findings.find((x) => x.id === "trace.extra-replica-reads");
  assert.ok(f);
  assert.match(f.title, /2 replicas read for a ONE read/);
});

test("Cassandra 4.0 wording: one SSTable per replica counts as 1, 'Enqueuing full data read to Full(…)' is read repair, ports tell replicas on one IP apart", async () => {
  // No real 4.0 trace with three nodes on one address is at hand (the lab runs 2.1, whose events have no port), so this
  // QUORUM names-query session is written with the exact strings of Cassandra 4.0's Tracing.trace calls:
  //  - "reading data/digest from {}" (service/reads/AbstractReadExecutor), "Sending READ_REQ message to /ip:port message size N bytes" and
  //    "READ_REQ message received from /ip:port" (Tracing.onMessageSend / MessagingService, 4.0), "Processing response from {}" (ReadCallback);
  //  - replica: "Executing single-partition query on {}" (ReadCommandVerbHandler/ReadCommand), "Acquiring sstable references" (SinglePartitionReadCommand
  //    names path, which traces no "Merged data from memtables and N sstables"), "Bloom filter allows skipping sstable {}" and
  //    "Partition index with {} entries found for sstable {}" (BigTableReader, descriptor.generation), "Read {} live rows and {} tombstone cells" (ReadCommand);
  //  - read repair: "Digest mismatch: ..." then "Enqueuing {full} data read to {replica}" with Replica.toString() = "Full(/ip:port,(left,right])"
  //    (service/reads/repair/AbstractReadRepair.sendReadCommand).
  // Expected by hand: 2 replicas (127.0.0.1:7001 and :7002, same IP), each read selected 1 SSTable (7002 skipped sstable 2 by bloom filter),
  // so sstablesPerRead = 1; every activity has a stage; the full-data read is read repair.
  const sid = "4f4c3c60-0d4b-11ef-8f3a-3b5a5e1f0a01";
  const C = { source: "127.0.0.1", source_port: 7000 };
  const R1 = { source: "127.0.0.1", source_port: 7001 };
  const R2 = { source: "127.0.0.1", source_port: 7002 };
  let k = 0;
  const ev = (node: { source: string; source_port: number }, at: number, activity: string): TraceEventRow => ({
    session_id: sid,
    event_id: "",
    event_time: new Date(Date.UTC(2024, 4, 8, 10, 0, 0) + k++).toISOString(),
    activity,
    source: node.source,
    source_elapsed: at,
    thread: `Native-Transport-Requests-1`,
    ...node,
  });
  const events: TraceEventRow[] = [
    ev(C, 100, "Parsing SELECT * FROM ks.t WHERE k = 1 AND c = 1"),
    ev(C, 250, "reading data from /127.0.0.1:7001"),
    ev(C, 260, "reading digest from /127.0.0.1:7002"),
    ev(C, 300, "Sending READ_REQ message to /127.0.0.1:7001 message size 68 bytes"),
    ev(C, 310, "Sending READ_REQ message to /127.0.0.1:7002 message size 68 bytes"),
    ev(R1, 40, "READ_REQ message received from /127.0.0.1:7000"),
    ev(R1, 120, "Executing single-partition query on t"),
    ev(R1, 140, "Acquiring sstable references"),
    ev(R1, 400, "Partition index with 0 entries found for sstable 1"),
    ev(R1, 600, "Read 1 live rows and 0 tombstone cells"),
    ev(R1, 640, "Enqueuing response to /127.0.0.1:7000"),
    ev(R1, 660, "Sending READ_RSP message to /127.0.0.1:7000 message size 90 bytes"),
    ev(R2, 45, "READ_REQ message received from /127.0.0.1:7000"),
    ev(R2, 130, "Executing single-partition query on t"),
    ev(R2, 150, "Acquiring sstable references"),
    ev(R2, 200, "Bloom filter allows skipping sstable 2"),
    ev(R2, 420, "Partition index with 0 entries found for sstable 3"),
    ev(R2, 610, "Read 1 live rows and 0 tombstone cells"),
    ev(R2, 650, "Enqueuing response to /127.0.0.1:7000"),
    ev(R2, 670, "Sending READ_RSP message to /127.0.0.1:7000 message size 40 bytes"),
    ev(C, 1500, "READ_RSP message received from /127.0.0.1:7001"),
    ev(C, 1510, "Processing response from /127.0.0.1:7001"),
    ev(C, 1600, "READ_RSP message received from /127.0.0.1:7002"),
    ev(C, 1610, "Processing response from /127.0.0.1:7002"),
    ev(C, 1700, "Digest mismatch: org.apache.cassandra.service.DigestMismatchException: Mismatch for key DecoratedKey(-4069959284402364209, 00000001)"),
    ev(C, 1750, "Enqueuing full data read to Full(/127.0.0.1:7002,(-3074457345618258603,3074457345618258602])"),
  ];
  const session: TraceSessionRow = {
    session_id: sid,
    coordinator: "127.0.0.1",
    coordinator_port: 7000,
    started_at: "2024-05-08T10:00:00.000Z",
    duration: 2000,
    request: "Execute CQL3 query",
    command: "QUERY",
    client: "127.0.0.1",
    parameters: { query: "SELECT * FROM ks.t WHERE k = 1 AND c = 1", consistency_level: "QUORUM" },
  };
  const r = await trace(sid, { source: await openRecorded(dataset([session], events)) });
  assert.equal(r.summary.coordinator, "127.0.0.1:7000");
  assert.deepEqual(r.summary.nodes, ["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"]);
  assert.equal(r.summary.replicas, 2); // before: 0 (all three nodes were "127.0.0.1", the coordinator)
  assert.equal(r.summary.sstablesPerRead, 1); // before: 0 (no "Merged data from memtables and N sstables" line)
  assert.equal(r.summary.unknownActivities, 0); // before: the full data read was an unknown activity
  assert.equal(r.summary.readRepair, true);
  const full = r.rows("events").find((e) => String(e.activity).startsWith("Enqueuing full data read"))!;
  assert.equal(full.stage, "read-repair");
  assert.equal(full.peer, "127.0.0.1:7002");
  // Without ports (distinct addresses as before, or 2.1 rows) nothing changes: the real 2.1 QUORUM session keeps its plain addresses.
  const old = await trace(QUORUM.session_id, { source: await openRecorded(DS) });
  assert.ok((old.summary.nodes as string[]).every((n) => /^127\.0\.0\.\d+$/.test(n)));
});
