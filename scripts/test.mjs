#!/usr/bin/env node
// The test command (README): build, start ONE lab cluster for the whole run, run every test file
// with node's runner, stop the lab (also when tests fail or the run is interrupted).
//
// The lab runs beside any other Cassandra on this machine: nodes on 127.0.B.11.. with JMX from
// 7599, B = the first address block (0..4) not used by another test run, in .cassperf/test-lab-B,
// started clean every run (override with CASSPERF_TEST_LAB_ADDRESS / _JMX / _NODES). Tests get CASSPERF_LAB_DIR and CASSPERF_LAB_NODES
// (comma-separated contact points) and call labOrSkip(t) from test/support.ts.
// Already have a lab? Export CASSPERF_LAB_DIR and CASSPERF_LAB_NODES yourself: it is used as is.
// CASSPERF_NO_LAB=1 runs without one (live tests skip; in CI they fail).
// No java: the reason is printed; in CI (CI=true) the run fails, locally live tests skip.
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
let started = null;
if (process.env.CASSPERF_LAB_DIR && process.env.CASSPERF_LAB_NODES) {
  console.error(`test: using the lab given in CASSPERF_LAB_DIR=${process.env.CASSPERF_LAB_DIR} (${process.env.CASSPERF_LAB_NODES})`);
} else if (process.env.CASSPERF_NO_LAB === "1") {
  console.error("test: CASSPERF_NO_LAB=1: no lab cluster; live-path tests skip (fail in CI)");
} else {
  const lab = require(path.join(root, "dist/lab/index.js"));

  try {
    lab.checkJava();
    // Address blocks 127.0.B.11.. (B = 0..4), each with its own folder. A block whose lab belongs to
    // another test run still in progress (owner.pid alive) or whose ports are taken is skipped; a lab
    // left over from an interrupted run in our own folder is stopped (only its recorded PIDs).
    const first = process.env.CASSPERF_TEST_LAB_ADDRESS;
    let lastError;
    for (let b = 0; b < (first ? 1 : 5) && !started; b++) {
      const dir = path.join(root, ".cassperf", `test-lab-${b}`);
      const ownerFile = path.join(dir, "owner.pid");
      const owner = fs.existsSync(ownerFile) ? Number(fs.readFileSync(ownerFile, "utf8")) : 0;
      let ownerAlive = false;
      try {
        if (owner && owner !== process.pid) ownerAlive = process.kill(owner, 0);
      } catch {}
      if (ownerAlive) continue;
      if (lab.running({ dir })) for (const line of await lab.stop({ dir })) console.error(`test: leftover lab: ${line}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(ownerFile, `${process.pid}\n`);
      const t0 = Date.now();
      try {
        started = await lab.start({
          connect: false,
          dir,
          clean: true,
          nodes: Number(process.env.CASSPERF_TEST_LAB_NODES ?? 3),
          firstAddress: first ?? `127.0.${b}.11`,
          jmxPort: Number(process.env.CASSPERF_TEST_LAB_JMX ?? 7599),
          log: (l) => console.error(`test: ${l}`),
        });
        console.error(`test: lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${started.contactPoints.join(",")}`);
      } catch (e) {
        lastError = e;
        if (!/already in use/.test(e.message)) throw e;
        console.error(`test: ${e.message.split(";")[0]}; trying the next address block`);
      }
    }
    if (!started) throw lastError ?? new Error("every test-lab address block is in use by other test runs");
    env.CASSPERF_LAB_DIR = started.dir;
    env.CASSPERF_LAB_NODES = started.contactPoints.join(",");
  } catch (e) {
    console.error(`test: the lab cluster could not start: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
    if (ci) process.exit(1);
    console.error("test: continuing without a lab: live-path tests will skip");
  }
}

let status = 1;
try {
  if (!interrupted) {
    // Node 20's runner takes files, not folders or globs: list test/*.test.ts ourselves.
    const given = process.argv.slice(2);
    const files = given.length ? given : fs.readdirSync(path.join(root, "test")).filter((f) => f.endsWith(".test.ts")).sort().map((f) => path.join("test", f));
    if (!files.length) {
      console.error("test: no test files found in test/");
      process.exitCode = 1;
    }
    const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--import", "tsx", ...files], { stdio: "inherit", env, cwd: root });
    status = r.status ?? 1;
  }
} finally {
  if (started) {
    const lab = require(path.join(root, "dist/lab/index.js"));
    for (const line of await lab.stop({ dir: started.dir })) console.error(`test: lab ${line}`);
  }
}
process.exit(interrupted ? 130 : status);
