/**
 * Impossible trace values are refused with a note (line and why), never read as data: a cqlsh
 * table whose header lacks a column, rows that do not fit their header, and source_elapsed /
 * duration beyond what system_traces can hold. Built from the real 2.1 rows of
 * test/fixtures/trace/lab21 (see its README), edited one value at a time.
 *
 * The bound: system_traces.events.source_elapsed and system_traces.sessions.duration are CQL `int`
 * columns of microseconds (Cassandra's TraceKeyspace.java), so 0 to 2^31 − 1 = 2,147,483,647.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCqlshTrace } from "../src/parse/trace-cqlsh";
import { parseTraceEventsCsv, parseTraceSessionsCsv } from "../src/parse/trace-csv";
import { parseEventsJsonl, parseSessionsJsonl, type TraceEventRow, type TraceSessionRow } from "../src/parse/trace-rows";

const DS = path.join(__dirname, "fixtures/trace/lab21/traces");
const SESSIONS_TEXT = fs.readFileSync(path.join(DS, "sessions.jsonl"), "utf8");
const EVENTS_TEXT = fs.readFileSync(path.join(DS, "events.jsonl"), "utf8");
const SESSIONS = parseSessionsJsonl(SESSIONS_TEXT).rows;
const EVENTS = parseEventsJsonl(EVENTS_TEXT).rows;
const QUORUM = SESSIONS[0];
const eventsOf = (s: TraceSessionRow) => EVENTS.filter((e) => e.session_id === s.session_id);

/** Real rows printed the way cqlsh 2.1 prints TRACING ON output, with the given header. */
function cqlshText(s: TraceSessionRow, ev: TraceEventRow[], header = ["activity", "timestamp", "source", "source_elapsed"]): string {
  const ts = (iso: string) => iso.replace("T", " ").replace("Z", "").padEnd(26, "0");
  const rows = [
    ["Execute CQL3 query", ts(s.started_at), s.coordinator, "0"],
    ...ev.map((e) => [`${e.activity} [${e.thread}]`, ts(e.event_time), e.source, e.source_elapsed === null ? "null" : String(e.source_elapsed)]),
    ["Request complete", ts(s.started_at), s.coordinator, String(s.duration)],
  ];
  return [
    `Tracing session: ${s.session_id}`,
    "",
    ` ${header.join(" | ")}`,
    "-" + header.map((h) => "-".repeat(h.length + 1)).join("+-"),
    ...rows.map((r) => ` ${r.join(" | ")}`),
    "",
    "",
  ].join("\n");
}

test("cqlsh: a header that lacks a column skips its session with the header's line, instead of mixing the query into the columns", () => {
  // The header without "source": before, each row's last two cells went to timestamp and
  // source_elapsed, the timestamp landed in the activity, and the session got garbage times.
  const text = cqlshText(QUORUM, eventsOf(QUORUM), ["activity", "timestamp", "source_elapsed"]);
  const p = parseCqlshTrace(text);
  assert.equal(p.sessions.length, 0);
  assert.equal(p.events.length, 0);
  assert.equal(p.skipped.first?.line, 3, "line 3 is the header (Tracing session, blank, header)");
  assert.match(p.skipped.first!.reason, /the header lacks source/);
  // The good session after it still reads.
  const both = parseCqlshTrace(text + cqlshText(QUORUM, eventsOf(QUORUM)));
  assert.equal(both.sessions.length, 1);
  assert.equal(both.sessions[0].duration, QUORUM.duration);
});

test("cqlsh: rows with more cells than the header (3.x client column under a 2.1 header) are skipped, not read with the source as the time", () => {
  const text = cqlshText(QUORUM, eventsOf(QUORUM)).replace(/^( [^|\n]+\|[^|\n]+\|[^|\n]+\|[^|\n]+)$/gm, (row, _r, offset, all: string) =>
    all.slice(0, offset).includes("-+-") ? `${row} | 127.0.0.1` : row,
  );
  const p = parseCqlshTrace(text);
  assert.equal(p.events.length, 0, "no row is read with shifted columns");
  assert.equal(p.skipped.count, eventsOf(QUORUM).length + 2, "every row of the table, including the session and Request complete rows");
  assert.match(p.skipped.first!.reason, /timestamp ".*" is not a cqlsh time/);
  assert.equal(p.skipped.first!.line, 5, "the first row after the header and separator");
});

test("cqlsh: a source_elapsed or duration beyond system_traces' int is refused with its line", () => {
  const good = cqlshText(QUORUM, eventsOf(QUORUM));
  const bigElapsed = good.replace(/\| (\d+)\n(?=.*Request complete)/s, "| 1000000000000000\n");
  const p = parseCqlshTrace(bigElapsed);
  assert.equal(p.skipped.count, 1);
  assert.match(p.skipped.first!.reason, /source_elapsed 1000000000000000 is impossible: .* 0 to 2147483647/);
  const bigDuration = good.replace(/(Request complete \| [^|]+ \| [^|]+ \| )\d+/, "$11000000000000000");
  const d = parseCqlshTrace(bigDuration);
  assert.equal(d.sessions[0].duration, null, "the duration is not taken");
  assert.match(d.skipped.first!.reason, /duration 1000000000000000 is impossible/);
  assert.equal(parseCqlshTrace(good).skipped.count, 0, "the real rows all read");
});

test("JSONL: source_elapsed 1e15, a negative or fractional one, and a duration of 1e15 are skipped with line and reason", () => {
  const lines = EVENTS_TEXT.trim().split("\n");
  const edited = [...lines];
  const set = (i: number, v: number) => (edited[i] = JSON.stringify({ ...JSON.parse(lines[i]), source_elapsed: v }));
  set(2, 1e15);
  set(4, -5);
  set(6, 1.5);
  const p = parseEventsJsonl(edited.join("\n"));
  assert.equal(p.rows.length, lines.length - 3);
  assert.equal(p.skipped.count, 3);
  assert.equal(p.skipped.first!.line, 3);
  assert.match(p.skipped.first!.reason, /source_elapsed 1000000000000000 is impossible/);

  const s = SESSIONS_TEXT.trim().split("\n");
  s[1] = JSON.stringify({ ...JSON.parse(s[1]), duration: 1e15 });
  const ps = parseSessionsJsonl(s.join("\n"));
  assert.equal(ps.rows.length, s.length - 1);
  assert.equal(ps.skipped.first!.line, 2);
  assert.match(ps.skipped.first!.reason, /duration 1000000000000000 is impossible/);
});

test("CSV: COPY output with source_elapsed 1e15 or a duration of 'abc' is skipped with line and reason", () => {
  const ev = eventsOf(QUORUM);
  const csv =
    [
      "session_id,event_id,activity,source,source_elapsed,thread",
      ...ev.map((e, i) =>
        [
          e.session_id,
          e.event_id,
          JSON.stringify(e.activity),
          e.source,
          i === 1 ? "1000000000000000" : (e.source_elapsed ?? ""),
          JSON.stringify(e.thread),
        ].join(","),
      ),
    ].join("\n") + "\n";
  const p = parseTraceEventsCsv(csv);
  assert.equal(p.rows.length, ev.length - 1);
  assert.equal(p.skipped.first!.line, 3);
  assert.match(p.skipped.first!.reason, /source_elapsed 1000000000000000 is impossible/);
  const sessions = `session_id,client,command,coordinator,duration,parameters,request,started_at\n${QUORUM.session_id},,QUERY,${QUORUM.coordinator},abc,{},Execute CQL3 query,${QUORUM.started_at}\n`;
  const ps = parseTraceSessionsCsv(sessions);
  assert.equal(ps.rows.length, 0, "NaN is not a duration");
  assert.match(ps.skipped.first!.reason, /duration is not a number/);
});
