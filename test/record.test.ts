/**
 * record(): round trip on the run's lab (record the live cluster, open() the recording, inventory
 * and the helpers agree with live), atomic writes, overwrite rules, and no secret in the files.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as lab from "../src/lab";
import { connectLive, type LiveSource } from "../src/cluster/live";
import { openRecorded } from "../src/cluster/recorded";
import { copyLog, MAX_LOG_LINE_BYTES, record } from "../src/cluster/record";
import { inventory } from "../src/analyze/inventory";
import { trace } from "../src/analyze/trace/trace";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { isCassperfError } from "../src/errors";
import { data, labOrSkip, tempDir } from "./support";

const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
const SECRET = "s3cret-Pa55word-do-not-store";

function listFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, r));
    else out.push(r);
  }
  return out.sort();
}

/** The lab as a live source that also carries credentials (the lab ignores them: AllowAllAuthenticator). */
async function liveWithSecret(dir: string): Promise<LiveSource> {
  const base = await lab.connectLab(dir);
  const options = base.options;
  await base.close();
  return connectLive({ ...options, credentials: { username: "cassperf", password: SECRET } });
}

test("record() round trip: the recording opens, inventory agrees with live, trace and gcStats agree, no secret stored", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await liveWithSecret(l.dir);
  try {
    const c = live.client;
    await c.execute("CREATE KEYSPACE IF NOT EXISTS cassperf_record WITH replication = {'class':'SimpleStrategy','replication_factor':3}");
    await c.execute(
      "CREATE TABLE IF NOT EXISTS cassperf_record.readings (sensor int, ts timestamp, value double, PRIMARY KEY (sensor, ts)) WITH CLUSTERING ORDER BY (ts DESC) AND gc_grace_seconds = 3600 AND default_time_to_live = 86400 AND compaction = {'class': 'LeveledCompactionStrategy'}",
    );
    for (let i = 0; i < 50; i++)
      await c.execute("INSERT INTO cassperf_record.readings (sensor, ts, value) VALUES (?, ?, ?)", [1, new Date(Date.UTC(2024, 0, 1, 0, i)), i], {
        prepare: true,
      });
    const r = await c.execute("SELECT * FROM cassperf_record.readings WHERE sensor = ?", [1], {
      prepare: true,
      traceQuery: true,
      consistency: cassandra.types.consistencies.quorum,
    });
    const sessionId = String(r.info.traceId);
    // Wait until the session is complete (duration set) before recording.
    for (let i = 0; i < 50; i++) {
      const s = await c.execute("SELECT duration FROM system_traces.sessions WHERE session_id = ?", [r.info.traceId], { prepare: true });
      if (s.rows[0]?.duration != null) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    await new Promise((res) => setTimeout(res, 500));

    const dir = path.join(tempDir(), "rec");
    const out = await record(live, dir);
    assert.equal(out.dir, dir);
    const files = listFiles(dir);
    assert.ok(!files.some((f) => f.includes(".recording-")), "no temp folder left");
    const m = JSON.parse(fs.readFileSync(path.join(dir, "cassperf.json"), "utf8"));
    assert.equal(m.format, "cassperf-dataset");
    assert.deepEqual([...m.nodes].sort(), [...l.contactPoints].sort());
    assert.deepEqual(
      Object.keys(m.files).sort(),
      files.filter((f) => f !== "cassperf.json"),
    );
    for (const [rel, h] of Object.entries(m.files as Record<string, { sha256: string; bytes: number }>)) {
      const buf = fs.readFileSync(path.join(dir, rel));
      assert.equal(crypto.createHash("sha256").update(buf).digest("hex"), h.sha256, rel);
      assert.equal(buf.length, h.bytes, rel);
    }
    for (const part of ["schema", "traces", "nodetool", "logs", "gc-logs"]) assert.ok(m.captured.includes(part), `captured ${part}`);
    // Never a password: not in the manifest, not in any file.
    for (const f of files) assert.ok(!fs.readFileSync(path.join(dir, f), "utf8").includes(SECRET), `${f} holds the password`);

    // schema.cql from driver metadata, with the options performance work needs.
    const schema = fs.readFileSync(path.join(dir, "schema.cql"), "utf8");
    assert.match(schema, /CREATE KEYSPACE cassperf_record WITH replication = \{'class': 'SimpleStrategy', 'replication_factor': '3'\}/);
    assert.match(
      schema,
      /CREATE TABLE cassperf_record\.readings \(\n {4}sensor int,\n {4}ts timestamp,\n {4}value double,\n {4}PRIMARY KEY \(sensor, ts\)\n\) WITH CLUSTERING ORDER BY \(ts DESC\)/,
    );
    assert.match(schema, /compaction = \{'class': 'LeveledCompactionStrategy'/);
    assert.match(schema, /default_time_to_live = 86400/);
    assert.match(schema, /gc_grace_seconds = 3600/);

    // Trace rows in the agreed shape.
    const sessions = fs
      .readFileSync(path.join(dir, "traces/sessions.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((x) => JSON.parse(x));
    const ours = sessions.find((s) => s.session_id === sessionId);
    assert.ok(ours, "the traced session was recorded");
    assert.deepEqual(Object.keys(ours), ["session_id", "coordinator", "started_at", "duration", "request", "command", "client", "parameters"]);
    assert.match(ours.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof ours.duration, "number");
    const events = fs
      .readFileSync(path.join(dir, "traces/events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((x) => JSON.parse(x))
      .filter((e) => e.session_id === sessionId);
    assert.ok(events.length > 3);
    assert.deepEqual(Object.keys(events[0]), ["session_id", "event_id", "event_time", "activity", "source", "source_elapsed", "thread"]);

    // nodetool outputs exactly as nodetool printed them (status is stable while nothing changes).
    const node1 = l.contactPoints[0];
    const statusNow = await lab.nodetool("node1", ["status"], { dir: l.dir });
    const recordedStatus = fs.readFileSync(path.join(dir, "nodes", node1, "nodetool", "status"), "utf8");
    assert.deepEqual(lab.ringStates(recordedStatus), lab.ringStates(statusNow));
    assert.match(fs.readFileSync(path.join(dir, "nodes", node1, "nodetool", "cfhistograms"), "utf8"), /cassperf_record\/readings histograms/);

    // open() + inventory(): same nodes and versions as live; every kind present.
    const rec = await openRecorded(dir);
    assert.equal(rec.layout, "dataset");
    const invRec = await inventory(rec);
    const invLive = await inventory(live);
    assert.equal(invRec.summary.nodes, invLive.summary.nodes);
    assert.equal(invRec.summary.versions, invLive.summary.versions);
    assert.equal(invRec.summary.unreadable, 0);
    const kinds = invRec.summary.kinds as Record<string, number>;
    for (const k of ["system-log", "gc-log", "nodetool", "trace-sessions", "trace-events", "schema", "manifest"])
      assert.ok(kinds[k] > 0, `inventory lists ${k}`);
    const commands = new Set(rec.files({ kind: "nodetool" }).map((f) => f.command));
    for (const cmd of ["tablehistograms", "proxyhistograms", "tablestats", "tpstats", "compactionstats", "info", "status"])
      assert.ok(commands.has(cmd), `nodetool ${cmd}`);

    // The helpers that exist agree: trace of the session, live vs recorded.
    const tLive = await trace(sessionId, { source: live });
    const tRec = await trace(sessionId, { source: rec });
    assert.deepEqual(tRec.summary, tLive.summary);
    assert.equal(tRec.count("events"), tLive.count("events"));
    // gcStats: the recording holds the pauses up to recording time; live has those and maybe newer ones.
    const gLive = await gcStats(live);
    const gRec = await gcStats(rec);
    assert.ok(gRec.count("pauses") > 0);
    assert.ok(gRec.count("pauses") <= gLive.count("pauses"));
  } finally {
    await live.close();
  }
});

test("record() writes atomically and refuses to overwrite unless told", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await lab.connectLab(l.dir);
  try {
    const parent = tempDir();
    const dir = path.join(parent, "ds");
    const fast = { traces: false, nodetool: ["version"], logs: false } as const;
    // A failure after the temp folder exists (an extra file escaping the dataset) leaves nothing behind.
    await assert.rejects(
      record(live, dir, { ...fast, files: { "../escape.txt": "x" } }),
      (e: unknown) => isCassperfError(e) && /must be a relative path inside the dataset/.test((e as Error).message),
    );
    assert.deepEqual(fs.readdirSync(parent), []);

    await record(live, dir, { ...fast, files: { "stress/cassandra-stress-write.txt": "first" } });
    await assert.rejects(
      record(live, dir, fast),
      (e: unknown) => isCassperfError(e) && (e as Error).message === `record: ${dir} already exists; refusing to write over it.`,
    );
    assert.equal(fs.readFileSync(path.join(dir, "stress/cassandra-stress-write.txt"), "utf8"), "first");
    await record(live, dir, { ...fast, overwrite: true });
    assert.equal(fs.existsSync(path.join(dir, "stress/cassandra-stress-write.txt")), false, "overwrite replaced the whole dataset");
    assert.deepEqual(fs.readdirSync(parent), ["ds"]);

    // overwrite never replaces a folder that is not a dataset.
    const other = path.join(parent, "not-a-dataset");
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, "precious.txt"), "keep me");
    await assert.rejects(
      record(live, other, { ...fast, overwrite: true }),
      /is not a cassperf dataset \(no cassperf\.json\); overwrite only replaces datasets/,
    );
    assert.equal(fs.readFileSync(path.join(other, "precious.txt"), "utf8"), "keep me");
  } finally {
    await live.close();
  }
});

test("record() of a live source without nodetool or log folders records the rest and says what it skipped", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await connectLive({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
  try {
    const dir = path.join(tempDir(), "plain");
    const r = await record(live, dir, { traces: { limit: 5 } });
    assert.deepEqual(r.manifest.captured, ["schema", "traces"]);
    assert.match(r.skipped.join("\n"), /nodetool: the live source was not told how to run nodetool/);
    assert.match(r.skipped.join("\n"), /logs: the live source knows no log folders/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "cassperf.json"), "utf8")).skipped, r.skipped);
    assert.ok(fs.readFileSync(path.join(dir, "traces/sessions.jsonl"), "utf8").trim().split("\n").length <= 5);
    assert.equal(fs.existsSync(path.join(dir, "nodes")), false);
  } finally {
    await live.close();
  }
});

test("record() of something that is not a live source says what it expected", async () => {
  const rec = await openRecorded(data("lab", "nodetool-2.1-tpstats.txt"));
  await assert.rejects(
    record(rec as never, tempDir()),
    (e: unknown) =>
      isCassperfError(e) &&
      /record: expected a live source from connect\(\) or lab\.start\(\) as the first argument; got a recorded source/.test((e as Error).message),
  );
  await assert.rejects(record(undefined as never, tempDir()), /got undefined/);
});

/**
 * The expected value of copyLog's cut: the rule written plainly over the whole log in memory, as record() applied it before
 * logs were copied block by block — lines over MAX_LOG_LINE_BYTES cut (their start kept, then ` [cassperf: line cut, N
 * bytes]`), then the first quarter and the last three quarters kept, cut at line boundaries.
 */
function headAndTail(buf: Buffer, max: number): { text: Buffer; truncated: boolean; linesCut: number } {
  if (buf.length <= max) return { text: buf, truncated: false, linesCut: 0 };
  let linesCut = 0;
  const parts: Buffer[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    end = end < 0 ? buf.length : end + 1;
    if (end - start > MAX_LOG_LINE_BYTES) {
      linesCut++;
      parts.push(buf.subarray(start, start + MAX_LOG_LINE_BYTES), Buffer.from(` [cassperf: line cut, ${end - start} bytes]\n`));
    } else parts.push(buf.subarray(start, end));
    start = end;
  }
  const lines = linesCut ? Buffer.concat(parts) : buf;
  if (lines.length <= max) return { text: lines, truncated: true, linesCut };
  const headEnd = lines.lastIndexOf(10, Math.floor(max / 4)) + 1;
  let tailStart = lines.indexOf(10, lines.length - (max - headEnd));
  tailStart = tailStart < 0 ? lines.length : tailStart + 1;
  return { text: Buffer.concat([lines.subarray(0, headEnd), lines.subarray(tailStart)]), truncated: true, linesCut };
}

test("log truncation for datasets: long lines cut with a marker, first quarter and last three quarters kept at line boundaries", async () => {
  // Cut by copyLog from a file, as record() does.
  const dir = tempDir();
  let n = 0;
  const cut = (buf: Buffer, max: number) => {
    const src = path.join(dir, `in-${++n}.log`);
    const dest = path.join(dir, `out-${n}.log`);
    fs.writeFileSync(src, buf);
    const c = copyLog(src, dest, max);
    return { text: fs.readFileSync(dest), truncated: c.truncated, linesCut: c.linesCut };
  };
  const lines = Array.from({ length: 2000 }, (_, i) => `INFO  [main] 2024-01-01 00:00:00,000 X.java:1 - line ${i}`);
  lines[1000] = `WARN  [SharedPool-Worker-1] 2024-01-01 00:00:01,000 SliceQueryFilter.java:236 - Read 1 live and 5000 tombstoned cells ${"d".repeat(100_000)}`;
  const buf = Buffer.from(lines.join("\n") + "\n");
  const small = cut(Buffer.from("a\nb\n"), 100);
  assert.equal(small.truncated, false);
  const r = cut(buf, 40_000);
  const text = r.text.toString("utf8");
  assert.ok(r.text.length <= 40_000, `${r.text.length} bytes`);
  assert.equal(r.linesCut, 1);
  assert.ok(text.startsWith(`${lines[0]}\n`));
  assert.ok(text.endsWith(`${lines[1999]}\n`));
  for (const line of text.split("\n").filter(Boolean)) assert.ok(line.length <= MAX_LOG_LINE_BYTES + 40, "every kept line is whole or cut with the marker");
  // Cutting long lines alone can be enough: the tombstone warning survives with its start.
  const r2 = cut(buf, buf.length - 1000);
  assert.match(r2.text.toString("utf8"), /Read 1 live and 5000 tombstoned cells d+ \[cassperf: line cut, 100\d{3} bytes\]\n/);
});

test("copyLog: a log copied 1 MiB at a time keeps exactly the bytes headAndTail keeps of the whole file, at every limit, and hashes what it wrote", async () => {
  const dir = tempDir();
  // A real Cassandra 2.1 system.log (test/fixtures/data/lab/node2/system.log, its tombstone warnings lines of many KB) repeated
  // past two 1 MiB read blocks, with no final newline: the expected bytes are headAndTail over the whole file in memory.
  const real = fs.readFileSync(path.join(__dirname, "fixtures", "data", "lab", "node2", "system.log"));
  const copies = Math.ceil((2.5 * 2 ** 20) / real.length);
  const src = path.join(dir, "system.log");
  fs.writeFileSync(src, Buffer.concat([...Array.from({ length: copies }, () => real), Buffer.from("INFO  [main] no newline at the end")]));
  const whole = fs.readFileSync(src);
  const longLines = whole
    .toString("latin1")
    .split("\n")
    .filter((l, i, all) => l.length + (i < all.length - 1 ? 1 : 0) > 4096).length;
  assert.ok(longLines > 0, "the real log has lines over MAX_LOG_LINE_BYTES");
  for (const max of [undefined, whole.length, whole.length - 1, Math.floor(whole.length / 2), 300_000, 40_000, 5_000]) {
    const dest = path.join(dir, `copy-${max}`);
    const r = copyLog(src, dest, max);
    const wrote = fs.readFileSync(dest);
    const expected = max === undefined ? { text: whole, truncated: false, linesCut: 0 } : headAndTail(whole, max);
    assert.ok(wrote.equals(expected.text), `max ${max}: ${wrote.length} bytes written, headAndTail keeps ${expected.text.length}`);
    assert.equal(r.truncated, expected.truncated, `max ${max}`);
    assert.equal(r.linesCut, expected.linesCut, `max ${max}`);
    assert.equal(r.bytes, wrote.length);
    assert.equal(r.original, whole.length);
    assert.equal(r.sha256, crypto.createHash("sha256").update(wrote).digest("hex"));
    if (max !== undefined && max < whole.length) assert.equal(r.linesCut, longLines, "every line over the cut is counted, kept or not");
  }
});

test("record() keeps this session's bench runs with their histograms; the recording reads them back", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await lab.connectLab(l.dir);
  try {
    const { bench, readBenchRun } = require("../src/analyze/bench/bench") as typeof import("../src/analyze/bench/bench");
    const run = await bench("writes", { source: live, duration: 1, warmup: 0, concurrency: 4 });
    const dir = path.join(tempDir(), "with-bench");
    const res = await record(live, dir, { traces: false, nodetool: ["version"], logs: false });
    const files = fs.readdirSync(path.join(dir, "bench"));
    assert.ok(files.length >= 1, "a bench/<run>.json file");
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "cassperf.json"), "utf8"));
    assert.ok(manifest.captured.includes("bench"));
    void res;
    const back = readBenchRun(path.join(dir, "bench", files[files.length - 1]));
    assert.ok((run.summary.ops as number) > 0);
    assert.equal(back.summary.ops, run.summary.ops, "same op count from the saved histogram");
    assert.equal(back.summary.p99_ms, run.summary.p99_ms, "same p99 from the saved histogram");
  } finally {
    await live.close();
  }
});
