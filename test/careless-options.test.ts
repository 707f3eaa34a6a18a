/**
 * Careless options get one clear CassperfError, never a raw stack, a silent substitute or a hang:
 * connect() ports outside 1–65535 (port 0 used to become 9042), a connect() that fails leaves the
 * process free to exit, bench options beyond their bounds (duration 1e12 s, threads 1000), NaN
 * quoted as NaN (JSON.stringify printed "null"), readBenchRun()/compareRuns() given a folder, and
 * `cassperf report` with extra arguments.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as net from "node:net";
import * as fs from "node:fs";
import * as path from "node:path";
import { connectLive, createLive } from "../src/cluster/live";
import { bench, compareRuns, readBenchRun, BENCH_LIMITS } from "../src/analyze/bench/bench";
import { isCassperfError } from "../src/errors";
import { ROOT } from "./support";

const CLI = path.join(ROOT, "dist", "cli.js");
const BENCH_DIR = path.join(ROOT, "datasets", "lab-3node", "bench");

/** The error a call throws or rejects with (undefined when it does not). */
async function errorOf(f: () => unknown): Promise<Error | undefined> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

function assertCassperf(e: Error | undefined, re: RegExp): void {
  assert.ok(e, "an error was expected");
  assert.ok(isCassperfError(e), `a CassperfError, not ${e.name}: ${e.stack}`);
  assert.match(e.message, re);
}

test("connect(): a port outside 1–65535 is refused, not replaced by 9042", async () => {
  // TCP ports are 16-bit and 0 is not connectable (RFC 793); the range comes from there.
  for (const port of [0, -1, 65536, 9042.5, Number.NaN]) {
    const e = await errorOf(() => connectLive({ contactPoints: ["127.0.0.1"], port }));
    assertCassperf(e, /port must be a whole number from 1 to 65535/);
    assert.match(e!.message, new RegExp(`got ${String(port).replace(".", "\\.")}\\.`), "the value is quoted as given (NaN, not null)");
  }
  assert.equal(createLive({ contactPoints: ["127.0.0.1"], port: 65535 }).options.port, 65535);
});

test("connect() that fails leaves nothing running: a child process exits promptly after the rejection", async () => {
  // The case was an unroutable address: the TCP connection opens and nothing answers;
  // cassandra-driver 4.8 then re-armed its 30 s heartbeat timer after closing the connection, and
  // the process lived on for 60 s after connect() had rejected. Tests send traffic to loopback
  // only, so the same situation is made here with a loopback server that accepts connections and
  // never answers (a closed loopback port is refused by the kernel and never hung).
  const held: net.Socket[] = [];
  const silent = net.createServer((socket) => (socket.on("error", () => {}), held.push(socket)));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const script = `
    require(${JSON.stringify(path.join(ROOT, "dist", "cluster", "live.js"))})
      .connectLive({ contactPoints: ["127.0.0.1"], port: ${silentPort}, driverOptions: { socketOptions: { readTimeout: 1000, connectTimeout: 1000 } } })
      .then(() => console.log("connected"), (e) => console.log("rejected " + Date.now() + " " + e.name + ": " + e.message));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  const exited = await new Promise<number>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 40_000);
    child.on("exit", () => (clearTimeout(kill), resolve(Date.now())));
  });
  const m = /rejected (\d+) (\w+): (.*)/.exec(out);
  assert.ok(m, `connect() rejected: ${out}`);
  assert.equal(m[2], "CassperfError");
  assert.doesNotMatch(m[3], /\n| {4}at /, "one line, no stack inside the message");
  // Exit within 3 s of the rejection (the driver's heartbeat interval is 30 s: lib/client-options.js).
  assert.ok(exited - Number(m[1]) < 3_000, `the process stayed alive ${exited - Number(m[1])} ms after connect() rejected`);
  for (const s of held) s.destroy();
  silent.close();
});

test("connect() to a loopback port nothing listens on rejects at once with one line", async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const t0 = Date.now();
  const e = await errorOf(() => connectLive({ contactPoints: ["127.0.0.1"], port }));
  assertCassperf(e, new RegExp(`connect: could not reach 127\\.0\\.0\\.1: 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
  assert.doesNotMatch(e!.message, /\n/);
  assert.ok(Date.now() - t0 < 10_000);
});

test("bench: options beyond their bounds are refused with the allowed range; NaN is quoted as NaN", async () => {
  const live = createLive({ contactPoints: ["127.0.0.1"], port: 1 }); // checked before any request
  const cases: [Record<string, number>, RegExp][] = [
    [{ duration: 1e12 }, /option duration must be a number from above 0 to 86,400; got 1000000000000\./],
    [{ threads: 1000 }, /option threads must be a whole number from 1 to 32; got 1000\./],
    [{ concurrency: Number.NaN }, /option concurrency must be a whole number from 1 to 32,768; got NaN\./],
    [{ rate: Infinity }, /option rate .* got Infinity\./],
    [{ warmup: 1e9 }, /option warmup must be a number of seconds from 0 to 3,600/],
  ];
  for (const [opts, re] of cases) {
    const e = await errorOf(() => bench("writes", { source: live, ...opts }));
    assertCassperf(e, re);
    assert.ok((e as Error & { hint?: string }).hint?.startsWith("the upper bound:"), "the hint says why the bound is there");
  }
  // The bounds are the documented ones (the JSDoc of BenchOptions states the same numbers).
  assert.equal(BENCH_LIMITS.duration.max, 86_400);
  assert.equal(BENCH_LIMITS.threads.max, 32);
  await live.close();
});

test("readBenchRun(folder) and await compareRuns(folder, folder): one clear error naming the folder and its runs", async () => {
  // The runs named are the folder's files, listed here as `ls datasets/lab-3node/bench` would.
  const runs = fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();
  assert.equal(runs.length, 2);
  const e1 = await errorOf(() => readBenchRun(BENCH_DIR));
  assertCassperf(e1, /readBenchRun: the saved run .*bench is a folder; give one saved run, a bench\/<run>\.json file/);
  for (const r of runs) assert.ok(e1!.message.includes(r), `the message names ${r}`);
  const e2 = await errorOf(() => compareRuns(BENCH_DIR, BENCH_DIR));
  assertCassperf(e2, /compareRuns: run a .*bench is a folder/);
  // One of the runs named reads.
  assert.ok(readBenchRun(path.join(BENCH_DIR, runs[0])).run.ops.length > 0);
});

test("cassperf report: extra arguments and unknown options are refused with the usage", () => {
  const two = spawnSync(process.execPath, [CLI, "report", path.join(ROOT, "datasets", "lab-3node"), "extra"], { encoding: "utf8" });
  // Exit 2: usage (src/cli-args.ts EXIT_USAGE; 3 means findings at or above --fail-on).
  assert.equal(two.status, 2);
  assert.match(two.stderr, /report: one source at a time; got 2 arguments/);
  assert.match(two.stderr, /usage: cassperf report \[path\]/);
  const opt = spawnSync(process.execPath, [CLI, "report", "--jsn"], { encoding: "utf8" });
  assert.equal(opt.status, 2);
  assert.match(opt.stderr, /report: unknown option "--jsn"/);
});
