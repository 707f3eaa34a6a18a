#!/usr/bin/env node
// The test command (README): build, then two phases, one lab cluster at a time (2 cores):
//  1. a Cassandra 2.1.0 lab (npm-shipped) for every test file except *-50.test.ts;
//  2. a Cassandra 5.0 lab (newest 5.0.x from Maven Central, cached) for *-50.test.ts.
// Each lab is stopped after its phase (also when tests fail or the run is interrupted).
//
// The labs run beside any other Cassandra on this machine, B = the first address block (0..4) not
// used by another test run, started clean every run: 2.1 on 127.0.B.11.. with JMX from 7599 in
// .cassperf/test-lab-B (override with CASSPERF_TEST_LAB_ADDRESS / _JMX / _NODES); 5.0 on
// 127.0.B.51.. with JMX from 7899 in .cassperf/test-lab50-B (CASSPERF_TEST_LAB50_ADDRESS / _JMX /
// _VERSION). Tests get CASSPERF_LAB_DIR/_NODES (2.1) or CASSPERF_LAB50_DIR/_NODES (5.0) and call
// labOrSkip(t) / lab50OrSkip(t) from test/support.ts.
// Already have a lab? Export those variables yourself: it is used as is.
// CASSPERF_NO_LAB=1 runs without labs, CASSPERF_NO_LAB50=1 without the 5.0 one (live tests skip; in CI they fail).
// No java or no mvn: the reason is printed; in CI (CI=true) the run fails, locally live tests skip.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const ci = process.env.CI === "true";

const build = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit", cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

// Signals: let the test runner finish or die, then still stop the lab below.
let interrupted = null;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => (interrupted = sig));

const env = { ...process.env, TZ: "UTC" };
const lab = () => require(path.join(root, "dist/lab/index.js"));

// Test files: the given ones, else test/*.test.ts (node 20's runner takes files, not folders or globs).
// *-50.test.ts run on the Cassandra 5.0 lab, in a second phase after the 2.1 lab is stopped (one
// ring at a time on 2 cores); every other file runs on the 2.1 lab as before.
const args = process.argv.slice(2);
const runnerFlags = args.filter((a) => a.startsWith("--")); // e.g. --test-name-pattern=..., passed to every phase
const given = args.filter((a) => !a.startsWith("--"));
const files = given.length
  ? given
  : fs
      .readdirSync(path.join(root, "test"))
      .filter((f) => f.endsWith(".test.ts"))
      .sort()
      .map((f) => path.join("test", f));
if (!files.length) {
  console.error("test: no test files found in test/");
  process.exit(1);
}
const is50 = (f) => /-50\.test\.ts$/.test(f);
const phases = [
  { name: "2.1", files: files.filter((f) => !is50(f)) },
  { name: "5.0", files: files.filter(is50) },
].filter((p) => p.files.length);

/**
 * Start the phase's lab in the first free address block: 127.0.B.<first>.. (B = 0..4), each block with
 * its own folder; a block whose lab belongs to another test run still in progress (owner.pid alive)
 * or whose ports are taken is skipped; a lab left over from an interrupted run in our own folder is
 * stopped (only its recorded PIDs).
 */
async function startTestLab({ version, folder, lastOctet, jmx, address, nodes, timeoutSeconds, heap }) {
  let lastError;
  for (let b = 0; b < (address ? 1 : 5); b++) {
    const dir = path.join(root, ".cassperf", `${folder}-${b}`);
    const ownerFile = path.join(dir, "owner.pid");
    const owner = fs.existsSync(ownerFile) ? Number(fs.readFileSync(ownerFile, "utf8")) : 0;
    let ownerAlive = false;
    try {
      if (owner && owner !== process.pid) ownerAlive = process.kill(owner, 0);
    } catch {}
    if (ownerAlive) continue;
    if (lab().running({ dir })) for (const line of await lab().stop({ dir })) console.error(`test: leftover lab: ${line}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(ownerFile, `${process.pid}\n`);
    const t0 = Date.now();
    try {
      const started = await lab().start({
        connect: false,
        version,
        dir,
        clean: true,
        nodes,
        heap,
        timeoutSeconds,
        firstAddress: address ?? `127.0.${b}.${lastOctet}`,
        jmxPort: jmx,
        log: (l) => console.error(`test: ${l}`),
      });
      console.error(`test: Cassandra ${started.version} lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${started.contactPoints.join(",")}`);
      return started;
    } catch (e) {
      lastError = e;
      if (!/already in use/.test(e.message)) throw e;
      console.error(`test: ${e.message.split(";")[0]}; trying the next address block`);
    }
  }
  throw lastError ?? new Error("every test-lab address block is in use by other test runs");
}

/** The lab a phase needs: given in the environment, started here, or none (skip locally, fail in CI). */
async function labFor(phase) {
  if (phase.name === "2.1") {
    if (process.env.CASSPERF_LAB_DIR && process.env.CASSPERF_LAB_NODES) {
      console.error(`test: using the lab given in CASSPERF_LAB_DIR=${process.env.CASSPERF_LAB_DIR} (${process.env.CASSPERF_LAB_NODES})`);
      return { env: {} };
    }
    if (process.env.CASSPERF_NO_LAB === "1") {
      console.error("test: CASSPERF_NO_LAB=1: no lab cluster; live-path tests skip (fail in CI)");
      return { env: {} };
    }
    try {
      lab().checkJava();
      const started = await startTestLab({
        version: "2.1.0",
        folder: "test-lab",
        lastOctet: 11,
        jmx: Number(process.env.CASSPERF_TEST_LAB_JMX ?? 7599),
        address: process.env.CASSPERF_TEST_LAB_ADDRESS,
        nodes: Number(process.env.CASSPERF_TEST_LAB_NODES ?? 3),
      });
      return { started, env: { CASSPERF_LAB_DIR: started.dir, CASSPERF_LAB_NODES: started.contactPoints.join(",") } };
    } catch (e) {
      console.error(`test: the lab cluster could not start: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
      if (ci) process.exit(1);
      console.error("test: continuing without a lab: live-path tests will skip");
      return { env: {} };
    }
  }
  // 5.0: resolved from Maven Central on the first run (cached in ~/.cache/cassperf/cassandra).
  if (process.env.CASSPERF_LAB50_DIR && process.env.CASSPERF_LAB50_NODES) {
    console.error(`test: using the 5.0 lab given in CASSPERF_LAB50_DIR=${process.env.CASSPERF_LAB50_DIR} (${process.env.CASSPERF_LAB50_NODES})`);
    return { env: {} };
  }
  if (process.env.CASSPERF_NO_LAB === "1" || process.env.CASSPERF_NO_LAB50 === "1") {
    console.error("test: CASSPERF_NO_LAB(50)=1: no Cassandra 5.0 lab; *-50 tests skip (fail in CI)");
    return { env: {} };
  }
  try {
    lab().checkJava(undefined, "5.0");
    const started = await startTestLab({
      version: process.env.CASSPERF_TEST_LAB50_VERSION ?? "5.0",
      folder: "test-lab50",
      lastOctet: 51,
      jmx: Number(process.env.CASSPERF_TEST_LAB50_JMX ?? 7899),
      address: process.env.CASSPERF_TEST_LAB50_ADDRESS,
      nodes: 3,
      heap: "512m",
      timeoutSeconds: 600,
    });
    return { started, env: { CASSPERF_LAB50_DIR: started.dir, CASSPERF_LAB50_NODES: started.contactPoints.join(",") } };
  } catch (e) {
    console.error(`test: the Cassandra 5.0 lab could not start: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
    if (ci) process.exit(1);
    console.error("test: continuing without a 5.0 lab: *-50 tests will skip");
    return { env: {} };
  }
}

let status = 0;
for (const phase of phases) {
  if (interrupted) break;
  const { started, env: labEnv } = await labFor(phase);
  try {
    if (!interrupted) {
      console.error(`test: ${phase.files.length} file(s) on the ${phase.name} lab`);
      const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--import", "tsx", ...runnerFlags, ...phase.files], {
        stdio: "inherit",
        env: { ...env, ...labEnv },
        cwd: root,
      });
      if ((r.status ?? 1) !== 0) status = r.status ?? 1;
    }
  } finally {
    if (started) for (const line of await lab().stop({ dir: started.dir })) console.error(`test: lab ${line}`);
  }
}
process.exit(interrupted ? 130 : status);
