/**
 * The lab: the run's fixture lab is up with every node UN and a traced QUORUM read crosses all three
 * nodes; private 1-node labs in the fixture's address block (127.0.B.21/31/41) exercises start-while-running, a node killed
 * from outside, stale PID files, a port in use and a start timeout.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as lab from "../src/lab";
import { javaMajor } from "../src/lab/java";
import { isCassperfError } from "../src/errors";
import { labOrSkip, tempDir } from "./support";

const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");

/** Private labs of this file live in the fixture's address block (127.0.B.x), so concurrent test runs do not collide. */
function blockAddress(last: number): string {
  const first = process.env.CASSPERF_LAB_NODES?.split(",")[0] ?? "127.0.0.11";
  const [, , b] = first.split(".");
  return `127.0.${b}.${last}`;
}

test("fixture lab: every node is UN in nodetool status, and lab status agrees", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const s = await lab.status({ dir: l.dir });
  assert.deepEqual(
    s.nodes.map((n) => n.address),
    l.contactPoints,
  );
  for (const n of s.nodes) {
    assert.equal(n.process, "up", `${n.name} process`);
    assert.equal(n.cql, true, `${n.name} CQL port`);
    assert.equal(n.ring, "UN", `${n.name} ring state`);
    assert.ok((n.rssMiB ?? 0) > 100, `${n.name} RSS ${n.rssMiB} MiB`);
  }
  const text = await lab.nodetool("node1", ["status"], { dir: l.dir });
  const states = lab.ringStates(text);
  for (const a of l.contactPoints) assert.equal(states[a], "UN", `nodetool status line for ${a}:\n${text}`);
  // Each node writes system.log (logback, Cassandra's pattern) and gc.log (-Xlog:gc*,safepoint).
  for (const n of s.nodes) {
    const sys = fs.readFileSync(path.join(n.logDir, "system.log"), "utf8");
    assert.match(sys, /^INFO {2}\[main\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} CassandraDaemon\.java:\d+ - /m);
    assert.match(fs.readFileSync(path.join(n.logDir, "gc.log"), "utf8"), /\[safepoint/);
  }
});

test("fixture lab: a traced QUORUM read has trace events from all three nodes", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const live = await lab.connectLab(l.dir);
  try {
    const c = live.client;
    const q = cassandra.types.consistencies.quorum;
    await c.execute("CREATE KEYSPACE IF NOT EXISTS cassperf_lab WITH replication = {'class':'SimpleStrategy','replication_factor':3}");
    // read_repair_chance 1.0: every QUORUM read also asks the third replica (global read repair),
    // so the trace must show all three nodes.
    await c.execute("CREATE TABLE IF NOT EXISTS cassperf_lab.events (uid int, ts int, data text, PRIMARY KEY (uid, ts)) WITH read_repair_chance = 1.0");
    for (let i = 0; i < 200; i++)
      await c.execute("INSERT INTO cassperf_lab.events (uid, ts, data) VALUES (?, ?, ?)", [1, i, "x".repeat(50)], { prepare: true, consistency: q });
    for (let i = 0; i < 50; i++) await c.execute("DELETE FROM cassperf_lab.events WHERE uid = ? AND ts = ?", [1, i * 2], { prepare: true, consistency: q });
    const r = await c.execute("SELECT * FROM cassperf_lab.events WHERE uid = ?", [1], { prepare: true, traceQuery: true, consistency: q });
    assert.equal(r.rowLength, 150);
    const traceId = r.info.traceId;
    assert.ok(traceId, "the driver returned a trace id");
    // Trace rows land a moment after the query: poll until the session has its duration.
    let duration: number | null = null;
    for (let i = 0; i < 50 && duration === null; i++) {
      const s = await c.execute("SELECT duration FROM system_traces.sessions WHERE session_id = ?", [traceId], {
        prepare: true,
        consistency: cassandra.types.consistencies.one,
      });
      duration = s.rows[0]?.duration ?? null;
      if (duration === null) await new Promise((res) => setTimeout(res, 200));
    }
    assert.ok(duration !== null && duration > 0, "session duration is set");
    await new Promise((res) => setTimeout(res, 500));
    const e = await c.execute("SELECT source, activity FROM system_traces.events WHERE session_id = ?", [traceId], { prepare: true });
    const sources = new Set(e.rows.map((row) => row.source.toString()));
    assert.deepEqual([...sources].sort(), [...l.contactPoints].sort(), `trace event sources: ${[...sources].join(", ")}`);
    assert.ok(
      e.rows.some((row) => /tombstone/i.test(row.activity)),
      "the read saw the tombstones",
    );
  } finally {
    await live.close();
  }
});

test("java checks: a missing java names the install line; the version parser knows old and new formats", () => {
  assert.equal(javaMajor('openjdk version "17.0.21.1" 2026-11-17'), 17);
  assert.equal(javaMajor('java version "1.8.0_312"'), 8);
  assert.equal(javaMajor('openjdk version "21" 2023-09-19'), 21);
  assert.throws(
    () => lab.checkJava("/nonexistent/bin/java"),
    (e: unknown) =>
      isCassperfError(e) &&
      /no Java runtime found/.test((e as Error).message) &&
      /apt-get install -y openjdk-17-jre-headless/.test((e as { hint?: string }).hint ?? ""),
  );
});

test("java checks: a wrong major version is refused with the install line (mock java: a script printing a JDK 8 banner)", () => {
  const d = tempDir();
  const fake = path.join(d, "java");
  fs.writeFileSync(fake, "#!/bin/sh\necho 'openjdk version \"1.8.0_312\"' >&2\n", { mode: 0o755 });
  assert.throws(
    () => lab.checkJava(fake),
    (e: unknown) =>
      isCassperfError(e) &&
      /is Java 8; the lab runs Apache Cassandra 2\.1\.0 on Java 11 or 17 only/.test((e as Error).message) &&
      /openjdk-17-jre-headless/.test((e as { hint?: string }).hint ?? ""),
  );
});

test("bad options are refused before anything starts", async () => {
  const d = tempDir();
  await assert.rejects(lab.start({ dir: d, heap: "lots" }), /--heap "lots" is not a heap size/);
  await assert.rejects(lab.start({ dir: d, firstAddress: "10.0.0.1" }), /not a loopback IPv4 address/);
  await assert.rejects(lab.start({ dir: d, nodes: 12 }), /--nodes 12 is out of range/);
  assert.equal(fs.existsSync(path.join(d, "lab.json")), false);
});

test("a port in use: nothing is started and the message names the port", async (t) => {
  if (!labOrSkip(t)) return;
  const d = tempDir();
  const blocker = net.createServer();
  const addr = blockAddress(31);
  await new Promise<void>((res) => blocker.listen(9042, addr, () => res()));
  try {
    await assert.rejects(
      lab.start({ version: "2.1.0", dir: d, nodes: 1, firstAddress: addr, jmxPort: 8599, connect: false }),
      (e: unknown) => isCassperfError(e) && (e as Error).message.includes(`${addr}:9042 (CQL, node1)`) && /nothing was started/.test((e as Error).message),
    );
    assert.equal(fs.existsSync(path.join(d, "lab.json")), false);
  } finally {
    blocker.close();
  }
});

test("a node that is not up in time: the lab stops it, shows its last log lines, and fails", async (t) => {
  if (!labOrSkip(t)) return;
  const d = tempDir();
  const addr = blockAddress(41);
  await assert.rejects(
    lab.start({ version: "2.1.0", dir: d, nodes: 1, firstAddress: addr, jmxPort: 8699, connect: false, timeoutSeconds: 1 }),
    (e: unknown) => {
      const m = (e as Error).message;
      return isCassperfError(e) && /did not open CQL port 9042 within 1 s; stopped the nodes that were started/.test(m) && m.includes(`--- node1 (${addr})`);
    },
  );
  assert.equal(lab.running({ dir: d }), undefined, "nothing left running");
  const state = JSON.parse(fs.readFileSync(path.join(d, "lab.json"), "utf8"));
  assert.equal(state.nodes[0].pid, undefined);
});

test("lifecycle of a 1-node lab: start while running, killed from outside shows down, stale PID file tolerated", async (t) => {
  if (!labOrSkip(t)) return;
  const d = tempDir();
  const addr = blockAddress(21);
  const opts = { version: "2.1.0", dir: d, nodes: 1, firstAddress: addr, jmxPort: 8799 };
  const started = await lab.start(opts);
  try {
    assert.deepEqual(started.contactPoints, [addr]);
    assert.ok((started.startMs ?? 0) > 0);
    // lab.start() hands back a live source with nodetool and the log folders configured.
    try {
      assert.deepEqual(started.live.nodes(), [addr]);
      assert.match((await started.live.nodetool(addr, ["info"])).text, /Gossip active\s+: true/);
      const kinds = new Set(started.live.files().map((f) => f.kind));
      assert.ok(kinds.has("system-log") && kinds.has("gc-log"), `log files seen: ${[...kinds].join(", ")}`);
    } finally {
      await started.live.close();
    }
    await assert.rejects(
      lab.start({ ...opts, connect: false }),
      (e: unknown) =>
        isCassperfError(e) && /^lab: already running in .* \(node1 \S+ PID \d+\)/.test((e as Error).message) && (e as Error).message.includes(addr),
    );
    const pid = (await lab.status({ dir: d })).nodes[0].pid!;
    assert.ok(pid > 0);
    // Killed from outside: status says down.
    process.kill(pid, "SIGKILL");
    for (let i = 0; i < 50 && lab.running({ dir: d }); i++) await new Promise((res) => setTimeout(res, 100));
    const s = await lab.status({ dir: d });
    assert.equal(s.nodes[0].process, "down");
    assert.equal(s.nodes[0].cql, false);
    // Its PID file is now stale: stop tolerates it and kills nothing.
    const said = await lab.stop({ dir: d });
    assert.match(said.join("\n"), new RegExp(`node1: not running \\(stale PID ${pid} ignored\\)`));
    assert.equal(fs.existsSync(path.join(d, "node1", "cassandra.pid")), false);
    // A PID file pointing at a live process that is not ours (this test process) is never killed.
    fs.writeFileSync(path.join(d, "node1", "cassandra.pid"), `${process.pid}\n`);
    assert.match((await lab.stop({ dir: d })).join("\n"), /stale PID/);
    // The CLI status of a stopped lab exits non-zero and shows down.
    const cli = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "../src/cli.ts"), "lab", "status", "--dir", d], { encoding: "utf8" });
    assert.equal(cli.status, 3, cli.stderr);
    assert.match(cli.stdout, new RegExp(`node1\\s+${addr.replace(/\./g, "\\.")}\\s+8,799\\s+-\\s+down`));
  } finally {
    await lab.stop({ dir: d });
  }
});

test("cassperf lab nodetool and lab stress run against the fixture lab", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const cli = path.join(__dirname, "../src/cli.ts");
  const nt = spawnSync(process.execPath, ["--import", "tsx", cli, "lab", "nodetool", "--dir", l.dir, "2", "info"], { encoding: "utf8" });
  assert.equal(nt.status, 0, nt.stderr);
  assert.match(nt.stdout, /^ID\s+: [0-9a-f-]{36}$/m);
  const bad = spawnSync(process.execPath, ["--import", "tsx", cli, "lab", "nodetool", "--dir", l.dir, "node9", "info"], { encoding: "utf8" });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /lab: no node "node9"; expected one of node1 \(/);
  const out = await lab.stress(["write", "n=2000", "-rate", "threads=4"], { dir: l.dir });
  assert.match(out, /^op rate\s+: \d+/m);
  assert.match(out, new RegExp(`Host: /${l.contactPoints[0].replace(/\./g, "\\.")}`));
});
