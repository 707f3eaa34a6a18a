/**
 * trace() against the real lab cluster (3 nodes, Cassandra 2.1): keyspace cassperf_trace (RF=3), a
 * tombstone-heavy partition (600 expired TTL rows, 20 live); a traced QUORUM read shows events from all three nodes, the tombstones
 * stage with the count the events state and a finding naming tombstones; the same at ONE shows one
 * replica; a failing query reports its error and its trace; readTraceSession's rows have the
 * dataset shape record() writes.
 *
 * Table options make replica fan-out deterministic (the lab's latencies are erratic):
 * read_repair_chance 0 everywhere; QUORUM with speculative_retry = 'ALWAYS' (the coordinator asks
 * every replica), ONE with speculative_retry = 'NONE' (exactly one replica).
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { labOrSkip, lab } from "./support";
import { connectLive, type LiveSource } from "../src/cluster/live";
import { use } from "../src/cluster/current";
import { trace, traces } from "../src/analyze/trace/trace";
import { readTraceSession } from "../src/cluster/trace-read";
import { pngSize } from "../src/present/chart";
import { isCassperfError } from "../src/errors";
import { openRecorded } from "../src/cluster/recorded";
import * as path from "node:path";

const KS = "cassperf_trace";
const TABLE = `${KS}.tomb`;
const EXPIRED = 600;
const LIVE_ROWS = 20;
const Q = `SELECT * FROM ${TABLE} WHERE uid = ?`;
let live: LiveSource | undefined;

before(async () => {
  const l = lab();
  if (!l) return;
  live = await connectLive({ contactPoints: l.contactPoints });
  const c = live.client;
  const ALL = 5; // types.consistencies.all
  await c.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
  await c.execute(`DROP TABLE IF EXISTS ${TABLE}`);
  await c.execute(`CREATE TABLE ${TABLE} (uid int, ts int, data text, PRIMARY KEY (uid, ts)) WITH read_repair_chance = 0 AND dclocal_read_repair_chance = 0`);
  const run = async (n: number, f: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => f(i + k)));
  };
  // Tombstones the way time series make them: rows written with a TTL that has expired. (Rows
  // deleted with DELETE leave range tombstones, which 2.1 drops the shadowed cells of at flush and
  // does not count as "tombstoned cells"; expired cells it counts, as every later version does.)
  await run(LIVE_ROWS, (i) => c.execute(`INSERT INTO ${TABLE} (uid, ts, data) VALUES (?, ?, ?)`, [7, i, "x".repeat(40)], { prepare: true, consistency: ALL }));
  await run(EXPIRED, (i) =>
    c.execute(`INSERT INTO ${TABLE} (uid, ts, data) VALUES (?, ?, ?) USING TTL 1`, [7, LIVE_ROWS + i, "x".repeat(40)], { prepare: true, consistency: ALL }),
  );
  await new Promise((r) => setTimeout(r, 2500));
});

after(async () => {
  await live?.close();
});

/** Nodes that did replica read work in a report's events. */
function readingNodes(r: Awaited<ReturnType<typeof trace>>): string[] {
  return [
    ...new Set(
      r
        .rows("events")
        .filter((e) => e.stage === "replica-read" || e.stage === "tombstones")
        .map((e) => e.node as string),
    ),
  ].sort();
}

test("live: a traced QUORUM read of a tombstone-heavy partition shows all three nodes, the tombstone count, a tombstone finding", async (t) => {
  if (!labOrSkip(t) || !live) return;
  await live.client.execute(`ALTER TABLE ${TABLE} WITH speculative_retry = 'ALWAYS'`);
  const r = await trace(Q, { params: [7], consistency: "QUORUM", source: live });
  assert.equal(r.summary.complete, true);
  assert.equal(r.summary.rowsReturned, LIVE_ROWS);
  assert.equal(r.summary.consistency, "QUORUM");
  const nodes = [...new Set(r.columns("events").node as string[])].sort();
  assert.deepEqual(nodes, [...live.nodes()].sort());
  assert.equal(nodes.length, 3);
  assert.equal(readingNodes(r).length, 3);
  // The tombstones stage carries the count each event states (checked with an independent regex).
  const tomb = r.rows("events").filter((e) => e.stage === "tombstones");
  assert.equal(tomb.length, 3);
  for (const e of tomb) {
    const m = /^Read (\d+) live(?: rows)? and (\d+) tombstone/.exec(e.activity as string)!;
    assert.ok(m, e.activity as string);
    assert.equal(e.tombstones, Number(m[2]));
    assert.equal(e.live_rows, Number(m[1]));
    assert.ok((e.tombstones as number) >= EXPIRED, `${e.tombstones} tombstone cells for ${EXPIRED} expired rows`);
    assert.equal(e.live_rows, LIVE_ROWS);
  }
  assert.equal(
    r.summary.tombstones,
    tomb.reduce((a, e) => a + (e.tombstones as number), 0),
  );
  const f = r.findings.find((x) => x.id === "trace.tombstones");
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.title)));
  assert.match(f.title, /tombstone/i);
  assert.match(f.action, /TTL|TWCS|TimeWindow/);
  // Roles: the coordinator's events vs the replicas'.
  const coord = r.summary.coordinator as string;
  assert.ok(r.rows("events").every((e) => e.role === (e.node === coord ? "coordinator" : "replica")));
  // The waterfall renders.
  const size = pngSize(await r.chart("waterfall").toPNG(1));
  assert.ok(size.width > 500 && size.height > 100, JSON.stringify(size));
});

test("live: the same read at ONE shows one replica reading", async (t) => {
  if (!labOrSkip(t) || !live) return;
  await live.client.execute(`ALTER TABLE ${TABLE} WITH speculative_retry = 'NONE'`);
  const r = await trace(Q, { params: [7], consistency: "ONE", source: live });
  assert.equal(readingNodes(r).length, 1);
  const tomb = r.rows("events").filter((e) => e.stage === "tombstones");
  assert.equal(tomb.length, 1);
  assert.ok(r.findings.some((x) => x.id === "trace.tombstones"));
});

test("live: repeat runs the query N times, pageSize is honoured, the current source is used", async (t) => {
  if (!labOrSkip(t) || !live) return;
  use(live);
  const t0 = new Date(Date.now() - 2000); // the lab's clocks are this machine's
  const r = await trace(Q, { params: [7], consistency: "ONE", repeat: 3, pageSize: 5 });
  assert.equal(r.count("sessions"), 3);
  assert.equal(new Set(r.columns("sessions").session_id).size, 3);
  assert.deepEqual(r.summary.rowsReturned, [5, 5, 5]); // first page only
  assert.ok(r.chartNames.includes("durations"));
  // The sessions are in system_traces: traces() on the live source finds them by id.
  const again = await traces({ source: live, sessionId: r.columns("sessions").session_id as string[] });
  assert.equal(again.count("sessions"), 3);
  // ... and by time (a scan of system_traces.sessions): at least these three.
  const recent = await traces({ source: live, since: t0 });
  const ids = new Set(recent.columns("sessions").session_id as string[]);
  for (const id of r.columns("sessions").session_id as string[]) assert.ok(ids.has(id), id);
});

test("live: a failing query returns the error and the trace of the failure", async (t) => {
  if (!labOrSkip(t) || !live) return;
  // RF=4 on a 3-node cluster: a read at ALL cannot be served (Unavailable), after Cassandra traced it.
  await live.client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KS}_rf4 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 4}`);
  await live.client.execute(`CREATE TABLE IF NOT EXISTS ${KS}_rf4.t (k int PRIMARY KEY, v int)`);
  const r = await trace(`SELECT * FROM ${KS}_rf4.t WHERE k = 1`, { consistency: "ALL", source: live });
  const f = r.findings[0];
  assert.equal(f.id, "trace.query-failed");
  assert.equal(f.severity, "critical");
  assert.match(f.title, /Not enough replicas|Unavailable/i);
  assert.match(String(r.summary.error), /ALL/);
  assert.ok(r.count("sessions") >= 1, "the failed request's trace");
  assert.ok(r.rows("events").some((e) => /^Parsing SELECT \* FROM cassperf_trace_rf4/.test(e.activity as string)));
});

test("live: bad arguments are clear errors", async (t) => {
  if (!labOrSkip(t) || !live) return;
  await assert.rejects(
    () => trace(Q, { params: [7], consistency: "MOSTLY", source: live }),
    (e) => isCassperfError(e) && /trace: consistency "MOSTLY" is not a consistency level; expected one of ANY, ONE/.test((e as Error).message),
  );
  await assert.rejects(
    () => trace(Q, { params: [7], repeat: 0, source: live }),
    (e) => isCassperfError(e) && /repeat/.test((e as Error).message),
  );
  const rec = await openRecorded(path.join(__dirname, "fixtures/trace/lab21"));
  await assert.rejects(
    () => trace(Q, { params: [7], source: rec }),
    (e) => isCassperfError(e) && /needs a live cluster/.test((e as Error).message),
  );
});

test("live: readTraceSession returns rows in the dataset shape (the contract record() writes)", async (t) => {
  if (!labOrSkip(t) || !live) return;
  const rs = await live.client.execute(Q, [7], { prepare: true, traceQuery: true });
  const d = await readTraceSession(live.client, rs.info.traceId.toString(), { timeoutMs: 10_000 });
  assert.equal(d.complete, true);
  const s = d.session;
  assert.deepEqual(Object.keys(s).sort(), ["client", "command", "coordinator", "duration", "parameters", "request", "session_id", "started_at"]);
  assert.match(s.session_id, /^[0-9a-f-]{36}$/);
  assert.match(s.coordinator, /^[\d.]+$/);
  assert.ok(!Number.isNaN(Date.parse(s.started_at)) && s.started_at.endsWith("Z"));
  assert.equal(typeof s.duration, "number");
  assert.ok(d.events.length > 5);
  for (const e of d.events) {
    assert.deepEqual(Object.keys(e).sort(), ["activity", "event_id", "event_time", "session_id", "source", "source_elapsed", "thread"]);
    assert.ok(e.source_elapsed === null || Number.isInteger(e.source_elapsed));
    assert.match(e.event_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  }
  await assert.rejects(
    () => readTraceSession(live!.client, "0f0e0d0c-0000-1000-8000-000000000000", { timeoutMs: 600 }),
    (e) => isCassperfError(e) && /did not appear/.test((e as Error).message),
  );
});
