/**
 * The 5.0 lab's bad input, one clear line each, and its Maven cache: an unresolvable version names
 * the artifact and Maven's words; no `mvn` names the apt line; a JDK 5.0 does not run on is refused;
 * a port in use stops the start before anything runs; a second resolve reuses the cache without Maven.
 * Runs in scripts/test.mjs's 5.0 phase (the cache is filled by then).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import * as lab from "../src/lab";
import { resolveCassandra, cachedVersions, cacheRoot, mavenReason } from "../src/lab/maven";
import { javaMajorsFor } from "../src/lab/java";
import { isCassperfError } from "../src/errors";
import { lab50, lab50OrSkip, tempDir } from "./support";

/** Run `f` with environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T> | T): Promise<T> {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(old))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

test("bad versions are refused before anything starts", async () => {
  const d = tempDir();
  await assert.rejects(
    lab.start({ dir: d, version: "five" }),
    (e: unknown) => isCassperfError(e) && /--version "five" is not a Cassandra version; expected e\.g\. 5\.0/.test((e as Error).message),
  );
  await assert.rejects(
    lab.start({ dir: d, version: "3.11.4" }),
    (e: unknown) => isCassperfError(e) && /before 4\.0 only 2\.1\.0 .* is supported/.test((e as Error).message),
  );
  assert.equal(fs.existsSync(path.join(d, "lab.json")), false);
});

test("no mvn: the start names the artifact and how to install Maven (an empty cache, mvn pointed at a missing binary)", async () => {
  const root = tempDir();
  await withEnv({ CASSPERF_MVN: "/nonexistent/mvn" }, () => {
    assert.throws(
      () => resolveCassandra("4.1", { root }),
      (e: unknown) =>
        isCassperfError(e) &&
        /^lab: org\.apache\.cassandra:cassandra-all:\[4\.1\.0,4\.1\.999\] comes from Maven Central and `\/nonexistent\/mvn` was not found \(ENOENT\)/.test(
          (e as Error).message,
        ) &&
        (e as { hint?: string }).hint === "install Maven: sudo apt-get install -y maven",
    );
  });
});

test("a JDK 5.0 does not run on is refused with the supported majors (mock java: a script printing a JDK 21 banner)", () => {
  // Cassandra 5.0's build.xml java.supported: 11,17.
  assert.deepEqual(javaMajorsFor("5.0.9"), [11, 17]);
  const d = tempDir();
  const fake = path.join(d, "java");
  fs.writeFileSync(fake, "#!/bin/sh\necho 'openjdk version \"21.0.2\" 2024-01-16' >&2\n", { mode: 0o755 });
  assert.throws(
    () => lab.checkJava(fake, "5.0"),
    (e: unknown) => isCassperfError(e) && /is Java 21; the lab runs Apache Cassandra 5\.0 on Java 11 or 17 only/.test((e as Error).message),
  );
});

test("Maven's failure text becomes one line naming the missing artifact (text of a real mvn run for cassandra-stress 5.0.9)", () => {
  // Copied from `mvn dependency:copy-dependencies` on a pom depending on org.apache.cassandra:cassandra-stress:5.0.9 (this machine, 2026-12-02).
  const out =
    "[ERROR] Failed to execute goal on project resolve-cassandra: Could not resolve dependencies for project cassperf.lab:resolve-cassandra:pom:1: org.apache.cassandra:cassandra-stress:jar:5.0.9 was not found in https://repo.maven.apache.org/maven2 during a previous attempt. This failure was cached in the local repository -> [Help 1]\n[ERROR] \n[ERROR] Re-run Maven using the -X switch to enable full debug logging.";
  assert.equal(mavenReason(out), "org.apache.cassandra:cassandra-stress:jar:5.0.9 was not found in https://repo.maven.apache.org/maven2");
});

test("an unresolvable release: Maven's answer, naming the artifact (asks Maven Central for 5.0.999)", { timeout: 300_000 }, async (t) => {
  if (!lab50OrSkip(t)) return; // needs mvn and Maven Central, which the 5.0 phase has proven
  const root = tempDir();
  assert.throws(
    () => resolveCassandra("5.0.999", { root }),
    (e: unknown) =>
      isCassperfError(e) &&
      /^lab: org\.apache\.cassandra:cassandra-all:5\.0\.999 did not resolve from Maven Central: org\.apache\.cassandra:cassandra-all:jar:5\.0\.999 was not found in https:\/\/\S+/.test(
        (e as Error).message,
      ),
  );
  assert.deepEqual(fs.readdirSync(root), [], "nothing cached, no half-resolved folder left");
});

test("a second start reuses the cache: 5.0 resolves with mvn unavailable, from the marker the first resolve wrote", async (t) => {
  if (!lab50OrSkip(t)) return;
  const cached = cachedVersions();
  assert.ok(
    cached.some((v) => v.startsWith("5.0.")),
    `cache ${cacheRoot()}: ${cached.join(", ")}`,
  );
  const marker = JSON.parse(fs.readFileSync(path.join(cacheRoot(), cached[0], "resolved.json"), "utf8"));
  assert.equal(marker.artifact, `org.apache.cassandra:cassandra-all:${cached[0]}`);
  // The jar count in the marker is the lib folder's.
  assert.equal(marker.jars, fs.readdirSync(path.join(cacheRoot(), cached[0], "lib")).filter((f) => f.endsWith(".jar")).length);
  await withEnv({ CASSPERF_MVN: "/nonexistent/mvn" }, () => {
    const d = resolveCassandra("5.0");
    assert.equal(d.version, cached.filter((v) => v.startsWith("5.0."))[0]);
  });
});

test("5.0 start with a port in use: nothing is started and the message names the port", async (t) => {
  const l = lab50OrSkip(t);
  if (!l) return;
  const d = tempDir();
  const [, , b] = l.contactPoints[0].split(".");
  const addr = `127.0.${b}.61`;
  const blocker = net.createServer();
  await new Promise<void>((res) => blocker.listen(7000, addr, () => res()));
  try {
    await assert.rejects(
      lab.start({ version: "5.0", dir: d, nodes: 1, firstAddress: addr, jmxPort: 8999, connect: false }),
      (e: unknown) => isCassperfError(e) && (e as Error).message.includes(`${addr}:7000 (storage, node1)`) && /nothing was started/.test((e as Error).message),
    );
    assert.equal(fs.existsSync(path.join(d, "lab.json")), false);
  } finally {
    blocker.close();
  }
  assert.ok(lab50());
});
