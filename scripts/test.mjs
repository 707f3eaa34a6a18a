#!/usr/bin/env node
// The test command (README): build, then run every test file with node's runner.
// The lab fixture (one real Cassandra cluster per test run) is added by the lab issue.
import { spawnSync } from "node:child_process";
const build = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const files = process.argv.slice(2);
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--import", "tsx", ...(files.length ? files : ["test/"])], { stdio: "inherit", env: { ...process.env, TZ: "UTC" } });
process.exit(r.status ?? 1);
