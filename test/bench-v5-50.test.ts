/**
 * bench() on native protocol v5 through the Java driver wire (java/BenchWire.java), on the 5.0 lab.
 * Expected values come from outside bench():
 *  - the protocol: the server's own view of the wire's connections, system_views.clients.protocol_version
 *    (a 4.0+ virtual table), read while the run's session is open;
 *  - the op count: the schedule by hand, rate x duration (fixed rate) or the asked op count (closed loop);
 *  - the latencies: percentiles are ordered by definition, and a response time (from the intended start)
 *    is never shorter than the service time of the same operation;
 *  - the choice table and the CQL literals: Cassandra's ProtocolVersion (v5 from 4.0) and the CQL
 *    reference's literal syntax (blobs 0x..., quotes doubled in strings, NULL).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bench } from "../src/analyze/bench/bench";
import { chooseProtocol } from "../src/bench/protocol-choice";
import { cqlLiteral, prepareWire } from "../src/bench/wire";
import { lab50OrSkip } from "./support";

const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");

test("chooseProtocol: v5 wire on Cassandra 4.0+ (v5 from 4.0, ProtocolVersion.java), Node.js driver below; forced v5 refused in one line", () => {
  assert.deepEqual(chooseProtocol({}, 5, "5.0.9"), { wire: true, requireV5: false });
  assert.deepEqual(chooseProtocol({}, 3, "2.1.0"), { wire: false });
  assert.deepEqual(chooseProtocol({ protocol: "v4" }, 5, "5.0.9"), { wire: false });
  assert.deepEqual(chooseProtocol({ protocol: "v5" }, 5, "5.0.9"), { wire: true, requireV5: true });
  // Options only the Node.js driver implements: automatic choice falls back with a note, a forced v5 is refused.
  const fallback = chooseProtocol({ threads: 2 }, 5, "5.0.9");
  assert.equal(fallback.wire, false);
  assert.match((fallback as { note: string }).note, /^Native protocol v5 not used although Cassandra 5\.0\.9 speaks it: .*threads > 1/);
  assert.throws(() => chooseProtocol({ protocol: "v5", prepared: false }, 5, "5.0.9"), /^CassperfError: bench: protocol "v5" .*prepared: false/);
  assert.throws(() => chooseProtocol({ protocol: "v5" }, 3, "2.1.0"), /Cassandra 2\.1\.0 speaks native protocol up to v3 \(v5 needs Cassandra 4\.0\+\)/);
  assert.throws(() => chooseProtocol({ protocol: "5" }, 5, "5.0.9"), /option protocol must be "v4" .* or "v5"/);
});

test("cqlLiteral: values as CQL literals the Java driver's codecs parse (CQL reference: constants)", () => {
  assert.equal(cqlLiteral("it's"), "'it''s'");
  assert.equal(cqlLiteral(Buffer.from([0xca, 0xfe])), "0xcafe");
  assert.equal(cqlLiteral(null), "NULL");
  assert.equal(cqlLiteral(cassandra.types.Long.fromString("9007199254740993")), "9007199254740993");
  assert.equal(cqlLiteral(new Date(Date.UTC(2026, 0, 1))), "1767225600000"); // date -d 2026-01-01Z +%s%3N
  assert.equal(cqlLiteral([1, "a"]), "[1, 'a']");
  assert.equal(cqlLiteral(new Map([["k", 2.5]])), "{'k': 2.5}");
  assert.equal(cqlLiteral(cassandra.types.Uuid.fromString("6ab09bec-e68e-48d9-a5f8-97e6fb4c9b47")), "6ab09bec-e68e-48d9-a5f8-97e6fb4c9b47");
  assert.throws(() => cqlLiteral({ a: 1 }), /cannot be sent over the v5 wire/);
});

test("prepareWire without javac (a real PATH holding only java): one line naming javac and the JDK package to install", () => {
  const java = ["/usr/bin/java", process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : ""].find((p) => p && fs.existsSync(p));
  if (!java) return; // no java here at all: the first check fails instead, covered by the same code path
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-nojavac-"));
  fs.symlinkSync(fs.realpathSync(java), path.join(bin, "java"));
  const saved = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME };
  process.env.PATH = bin;
  delete process.env.JAVA_HOME;
  try {
    assert.throws(
      () => prepareWire(),
      (e: Error & { hint?: string }) => {
        assert.match(e.message, /^bench: native protocol v5 runs through the Java driver and needs a JDK's javac .*`javac -version` failed \(ENOENT\)\.$/);
        assert.equal(e.message.split("\n").length, 1);
        assert.match(e.hint ?? "", /openjdk-17-jdk-headless.*protocol: "v4"/);
        return true;
      },
    );
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.JAVA_HOME !== undefined) process.env.JAVA_HOME = saved.JAVA_HOME;
    fs.rmSync(bin, { recursive: true, force: true });
  }
});

/** Percentiles in order, and response >= service (fixed rate). */
function assertLatencies(s: Record<string, unknown>): void {
  const p = ["p50_ms", "p95_ms", "p99_ms", "p99_9_ms", "max_ms"].map((k) => s[k] as number);
  for (let i = 1; i < p.length; i++) assert.ok(p[i - 1] <= p[i], `percentiles ordered: ${p.join(" <= ")}`);
  assert.ok(p[0] > 0, "a write takes time");
  if (s.service_p99_ms !== undefined) {
    assert.ok((s.p99_ms as number) >= (s.service_p99_ms as number), `response p99 ${s.p99_ms} >= service p99 ${s.service_p99_ms}`);
    assert.ok((s.max_ms as number) >= (s.service_max_ms as number), `response max ${s.max_ms} >= service max ${s.service_max_ms}`);
  }
}

test("5.0 bench(): the load runs on native protocol v5 (the server's system_views.clients says 5 for the Java driver's connections)", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const { connect } = await import("../src/index");
  const live = await connect({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
  const keyspace = "cassperf_v5_bench";
  try {
    // Fixed rate, protocol chosen automatically (5.0 speaks v5). Scheduled by hand: 100 op/s x 4 s = 400 operations.
    const run = bench("writes", { source: live, rate: 100, duration: 4, warmup: 2, concurrency: 32, keyspace });
    let done = false;
    void run.then(
      () => (done = true),
      () => (done = true),
    );
    // While the run's session is open: the server's own list of client connections.
    const seen = new Map<string, number>();
    while (!done) {
      const rows = (await live.client.execute("SELECT address, port, protocol_version, driver_name FROM system_views.clients")).rows;
      for (const x of rows) if (/java/i.test(String(x.driver_name))) seen.set(`${x.address}:${x.port}`, Number(x.protocol_version));
      await new Promise((r) => setTimeout(r, 300));
    }
    const r = await run;
    assert.ok(seen.size >= 1, "system_views.clients listed the Java driver's connections during the run");
    assert.deepEqual([...new Set(seen.values())], [5], `every Java driver connection speaks protocol 5: ${JSON.stringify([...seen])}`);
    assert.equal(r.summary.native_protocol, "v5");
    assert.match(String(r.run.config.driver), /^Apache Cassandra Java driver 4\.\d+\.\d+/);
    assert.ok(
      r.notes.some((n) => /^Sent through Apache Cassandra Java driver .* \(native protocol v5\)/.test(n)),
      r.notes.join("\n"),
    );
    assert.equal(r.summary.ops, 100 * 4);
    assert.equal(r.summary.errors, 0);
    assertLatencies(r.summary);

    // Closed loop, v5 forced: exactly the asked op count.
    const c = await bench("writes", { source: live, protocol: "v5", ops: 300, concurrency: 8, warmup: 0, keyspace });
    assert.equal(c.summary.native_protocol, "v5");
    assert.equal(c.summary.ops, 300);
    assertLatencies(c.summary);
  } finally {
    await live.client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await live.close();
  }
});
