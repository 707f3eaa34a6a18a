/**
 * No password is ever shown or written: a live source with credentials, a TLS key and a nodetool
 * command line holding `-pw` is displayed (util.inspect as the REPL and a notebook cell show it,
 * JSON.stringify, the Jupyter display bundle, the REPL's terminal rendering) and recorded with a
 * nodetool that fails and echoes its own command line, as nodetool does on a bad argument.
 *
 * The source is built the way connect() builds it (createLive: the same driver client, not yet
 * connected), so no cluster is needed; the only stand-in is `nodes()` (the driver's ring view,
 * empty before a connection), named below.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import * as util from "node:util";
import { createLive, LiveSource } from "../src/cluster/live";
import { record } from "../src/cluster/record";
import { valueBundles } from "../src/kernel/outputs";
import { renderValue } from "../src/repl/render";
import { REDACTED, redactText, redactValue } from "../src/redact";
import { tempDir } from "./support";

const SECRET = "s3cret-Pa55word-do-not-show";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

/** A TCP port on loopback that nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function liveWithSecrets(port: number, nodetool: string) {
  return createLive({
    contactPoints: ["127.0.0.1"],
    port,
    credentials: { username: "cassperf", password: SECRET },
    ssl: { key: KEY, rejectUnauthorized: false },
    nodetool,
  });
}

test("a live source shows no password: inspect, JSON, Jupyter bundle, REPL rendering, options, driver client", async () => {
  const live = liveWithSecrets(await closedPort(), `nodetool -h {host} -p 7199 -u admin -pw ${SECRET}`);
  try {
    const shown: Record<string, string> = {
      inspect: util.inspect(live, { depth: 10 }),
      "JSON.stringify": JSON.stringify(live),
      "Jupyter bundle": JSON.stringify(await valueBundles(live)),
      "REPL rendering": renderValue(live, { color: false, width: 100, pageRows: 20 } as never).join("\n"),
      "live.options inspect": util.inspect(live.options, { depth: 10 }),
      "live.options JSON": JSON.stringify(live.options),
      "live.client inspect": util.inspect(live.client, { depth: 10 }),
    };
    for (const [where, text] of Object.entries(shown)) {
      assert.ok(!text.includes(SECRET), `${where} shows the password:\n${text}`);
      assert.ok(!text.includes("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), `${where} shows the TLS key`);
    }
    // What is shown still says a password and a nodetool -pw were given, and who the user is.
    assert.match(shown.inspect, /username: 'cassperf'/);
    assert.match(shown.inspect, /-pw <redacted>/);
    // The settings themselves are intact (bench's worker threads copy them with a spread).
    assert.equal({ ...live.options }.credentials?.password, SECRET);
    assert.equal(structuredClone({ ...live.options.credentials }).password, SECRET);
  } finally {
    await live.close();
  }
});

test("record(): a failing nodetool that echoes its command line leaves no password in cassperf.json or the error", async () => {
  // A real failing process standing in for nodetool: like nodetool on a bad argument, it prints its
  // own arguments (and so the -pw value) on stderr and exits 1.
  const echoing = `sh -c 'echo "nodetool: error: unexpected arguments: $*" >&2; exit 1' nodetool -h {host} -u admin -pw ${SECRET}`;
  /** Stand-in for the driver's ring view (empty until connected): one node, so record() runs nodetool on it. */
  class OneNode extends LiveSource {
    override nodes() {
      return ["127.0.0.1"];
    }
  }
  const base = liveWithSecrets(await closedPort(), echoing);
  const live = new OneNode(base.client, { ...base.options });
  try {
    // The error of one call: its message and its cause.
    const err = await live.nodetool("127.0.0.1", ["tpstats"]).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, "the echoing command exits 1, so nodetool() rejects");
    assert.match(err.message, /unexpected arguments/, "the command's own message is kept");
    assert.ok(!util.inspect(err, { depth: 10 }).includes(SECRET), `the error shows the password: ${util.inspect(err)}`);

    const dir = path.join(tempDir(), "ds");
    const out = await record(live, dir, { schema: false, traces: false, logs: false, bench: false, nodetool: ["tpstats", "info"] });
    const manifest = fs.readFileSync(path.join(dir, "cassperf.json"), "utf8");
    assert.ok(
      out.skipped.some((s) => /tpstats/.test(s)),
      "the failed call is listed as skipped",
    );
    assert.match(manifest, /-pw <redacted>|exited with code/, "the failure is described");
    assert.ok(!manifest.includes(SECRET), `cassperf.json holds the password:\n${manifest}`);
  } finally {
    await live.close();
  }
});

test("redactText: each password form is redacted, ports and password-file paths are kept", () => {
  // Expected values written by hand from nodetool's options (-pw/--password, -pwf/--password-file),
  // cqlsh's (-u/-p), the driver's PlainTextAuthProvider(username, password) and RFC 3986 userinfo.
  const cases: [string, string][] = [
    ["nodetool -h 10.0.0.1 -p 7199 -u admin -pw hunter2 tpstats", `nodetool -h 10.0.0.1 -p 7199 -u admin -pw ${REDACTED} tpstats`],
    ["nodetool --password hunter2 info", `nodetool --password ${REDACTED} info`],
    ["nodetool --password=hunter2 info", `nodetool --password=${REDACTED} info`],
    ["nodetool -pw 'two words' info", `nodetool -pw '${REDACTED}' info`],
    ["nodetool -pwf /etc/cassandra/jmxremote.password info", "nodetool -pwf /etc/cassandra/jmxremote.password info"],
    ["cqlsh -u cassandra -p hunter2 10.0.0.1", `cqlsh -u cassandra -p ${REDACTED} 10.0.0.1`],
    ['{"username":"u","password":"hunter2"}', `{"username":"u","password":"${REDACTED}"}`],
    ["password: hunter2", `password: ${REDACTED}`],
    ["new PlainTextAuthProvider('u', 'hunter2')", `new PlainTextAuthProvider('u', '${REDACTED}')`],
    ["jmx at service:jmx:rmi://admin:hunter2@10.0.0.1:7199/jmxrmi", `jmx at service:jmx:rmi://admin:${REDACTED}@10.0.0.1:7199/jmxrmi`],
  ];
  for (const [input, expected] of cases) assert.equal(redactText(input), expected, input);
  assert.deepEqual(redactValue({ credentials: { username: "u", password: "hunter2" }, port: 9042 }), {
    credentials: { username: "u", password: REDACTED },
    port: 9042,
  });
});
