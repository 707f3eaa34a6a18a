/**
 * bench() on the 5.0 lab says which native protocol it ran on. Expected values come from outside
 * bench(): the server's own view of the connection (system_views.clients.protocol_version, a 4.0+
 * virtual table) and the driver's protocol table (cassandra-driver lib/types/protocol-version.js:
 * isSupported(5) is false — v5 is "Currently not supported by the driver").
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { bench } from "../src/analyze/bench/bench";
import { highestProtocolOf } from "../src/bench/protocol";
import { lab50OrSkip } from "./support";

const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");

test("highestProtocolOf: the newest native protocol per Apache Cassandra release (ProtocolVersion.java: v5 from 4.0, v4 from 2.2, v3 in 2.1)", () => {
  assert.deepEqual(["5.0.9", "4.1.5", "4.0.0", "3.11.4", "2.2.19", "2.1.0", "2.0.17"].map(highestProtocolOf), [5, 5, 5, 4, 4, 3, 2]);
  // A DSE-style four-part release ("4.0.0.681", the DSE 6.8 bundle's nodetool version) is not guessed.
  assert.equal(highestProtocolOf("4.0.0.681"), null);
});

test("5.0 bench(): the report says the native protocol it ran on (v4, as the server's system_views.clients shows) and why not v5", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const { connect } = await import("../src/index");
  const live = await connect({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
  try {
    const r = await bench("writes", { ops: 300, concurrency: 4, warmup: 0, keyspace: "cassperf_proto_bench", protocol: "v4" }); // the Node.js driver path
    assert.equal(r.summary.ops, 300);
    // The server's view of this client's connections: the protocol each one speaks.
    const rows = (await live.client.execute("SELECT protocol_version, driver_name, driver_version FROM system_views.clients")).rows;
    const ours = rows.filter((x) => x.driver_name === "DataStax Node.js Driver for Apache Cassandra");
    assert.ok(ours.length >= 1, "system_views.clients lists the Node.js driver's connections");
    const versions = [...new Set(ours.map((x) => Number(x.protocol_version)))];
    assert.equal(versions.length, 1, `one protocol for every connection: ${versions}`);
    assert.equal(r.summary.native_protocol, `v${versions[0]}`, "bench's summary names the protocol the server sees");
    // The driver has no v5 (its own table), and 5.0 speaks v5: the report says it negotiated down.
    if (!cassandra.types.protocolVersion.isSupported(5)) {
      assert.equal(r.summary.native_protocol, "v4");
      assert.ok(
        r.notes.some((n) => /native protocol v4: Cassandra 5\.0\.\d+ speaks up to v5/.test(n) && /cassandra-driver \d/.test(n)),
        r.notes.join("\n"),
      );
    }
    const ver = (require("cassandra-driver/package.json") as { version: string }).version;
    assert.ok(
      ours.some((x) => x.driver_version === ver),
      `the server sees driver ${ver}`,
    );
  } finally {
    await live.client.execute("DROP KEYSPACE IF EXISTS cassperf_proto_bench").catch(() => {});
    await live.close();
  }
});

test("5.0 lab stress: cassandra-stress for 5.0 is not on Maven Central, so `lab stress` refuses in one line naming the artifact", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const lab = await import("../src/lab/index");
  // Checked by hand with `mvn -U dependency:get -Dartifact=org.apache.cassandra:cassandra-stress:5.0.9` (2026-12-02):
  // "Could not find artifact org.apache.cassandra:cassandra-stress:jar:5.0.9 in central". Should it ever resolve,
  // the command runs Cassandra's Stress class (which would speak v5) instead.
  let argv: string[] | undefined;
  try {
    argv = lab.stressCommand(["write", "n=10"], { dir: l.dir }).argv;
  } catch (e) {
    const msg = (e as Error).message;
    assert.match(msg, /^lab stress: no cassandra-stress for Cassandra 5\.0\.\d+: org\.apache\.cassandra:cassandra-stress:5\.0\.\d+ is not on Maven Central/);
    assert.equal(msg.split("\n").length, 1, "one line");
    return;
  }
  assert.ok(argv.includes("org.apache.cassandra.stress.Stress"), argv.join(" "));
});
