/**
 * bench() against the lab cluster: every built-in workload briefly (counts and shape), a custom
 * workload with value generators, the keyspace guard, fixed-rate mode, cancel (partial run kept),
 * progress events, and a live run saved and read back with its histograms.
 * Runs are short (about a second each): the machine has 2 cores shared with the cluster.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../src/index";
import type { LiveSource } from "../src/cluster/live";
import { bench, benchRuns, benchRunToJSON, compareRuns, gen, liveBenchRuns, readBenchRun, type BenchReport } from "../src/analyze/bench/bench";
import { isCassperfError } from "../src/errors";
import { labOrSkip } from "./support";

const KS = "cassperf_bench_test";
let live: LiveSource | undefined;

before(async () => {
  const l = labOrSkip({ skip: () => {} });
  if (l) live = await connect({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
});
after(async () => {
  await live?.close();
});

const INTERVAL_COLUMNS = ["second", "op", "ops", "ops_per_s", "errors", "p50_ms", "p95_ms", "p99_ms", "p99_9_ms", "max_ms", "mean_ms", "service_p99_ms"];

/** Shape checks every run must pass: counts add up, percentiles ordered, one row per second per op. */
function checkShape(r: BenchReport, ops: string[]) {
  const rows = r.rows("intervals");
  assert.deepEqual(Object.keys(r.columns("intervals")), INTERVAL_COLUMNS);
  assert.deepEqual([...new Set(rows.map((x) => x.op))].sort(), [...ops].sort());
  const seconds = [...new Set(rows.map((x) => x.second as number))];
  assert.deepEqual(
    seconds,
    seconds.map((_s, i) => i),
    "one row per second, no gaps",
  );
  assert.equal(rows.length, seconds.length * ops.length, "every op has a row every second");
  const byOp = Object.fromEntries(r.rows("ops").map((o) => [o.op, o]));
  for (const op of ops) {
    const sum = rows.filter((x) => x.op === op).reduce((n, x) => n + (x.ops as number), 0);
    assert.equal(sum, byOp[op].count, `${op}: interval ops add up to the run's count`);
    const o = byOp[op];
    if ((o.count as number) > 0)
      assert.ok((o.p50_ms as number) <= (o.p99_ms as number) && (o.p99_ms as number) <= (o.max_ms as number), `${op}: p50 <= p99 <= max`);
  }
  assert.equal(
    byOp.all.count,
    ops.reduce((n, op) => n + (byOp[op].count as number), 0),
  );
  assert.equal(r.summary.ops, byOp.all.count);
  // The summary percentiles come from the merged histogram, not from averaging rows.
  const merged = r.histogram();
  assert.ok(merged);
  assert.equal(merged!.totalCount, r.summary.ops);
  assert.equal(Math.round(Math.min(merged!.getValueAtPercentile(99), merged!.maxValue)) / 1000, r.summary.p99_ms);
}

test("bench writes: closed loop, op count, counts and shape; the report says latencies exclude waiting time", async (t) => {
  if (!labOrSkip(t) || !live) return;
  const r = await bench("writes", { ops: 3000, concurrency: 16, warmup: 0.2, keyspace: KS });
  assert.equal(r.summary.ops, 3000);
  assert.equal(r.summary.errors, 0);
  assert.equal(r.summary.mode, "closed-loop");
  checkShape(r, ["write"]);
  assert.ok(r.notes.some((n) => /exclude waiting time/.test(n)));
  assert.ok(r.findings.some((f) => f.id === "bench.peak-write-throughput"));
  const rows = await live.client.execute(`SELECT count(*) FROM ${KS}.standard LIMIT 100000`);
  assert.ok(Number(rows.first().count) >= 3000, "the rows are in the bench keyspace");
});

for (const [workload, ops, extra] of [
  ["reads", ["read"], { keys: 2000 }],
  ["mixed", ["read", "write"], { keys: 2000, ratio: { read: 3, write: 1 } }],
  ["large-partitions", ["read", "write"], { partitions: 4, rowsPerPartition: 300, sliceRows: 50 }],
  ["time-series", ["read", "write"], { series: 20 }],
] as const) {
  test(`bench ${workload}: a short duration run, counts and shape`, async (t) => {
    if (!labOrSkip(t) || !live) return;
    const r = await bench(workload, { duration: 1.5, concurrency: 8, warmup: 0.2, keyspace: KS, ...extra });
    assert.equal(r.summary.errors, 0, `${workload}: errors ${JSON.stringify(r.summary.errorsByType)}; notes: ${r.notes.join(" | ")}`);
    checkShape(r, [...ops]);
    assert.ok((r.summary.ops as number) > 20, `${workload}: some operations completed (${String(r.summary.ops)})`);
    assert.equal(r.summary.errors, 0);
    assert.ok((r.summary.duration_s as number) >= 1.4 && (r.summary.duration_s as number) < 4, String(r.summary.duration_s));
    if (workload === "mixed") {
      const byOp = Object.fromEntries(r.rows("ops").map((o) => [o.op, o.count as number]));
      const share = byOp.read / (byOp.read + byOp.write);
      assert.ok(share > 0.6 && share < 0.9, `ratio 3:1 gives ~75% reads, got ${share}`);
    }
    if (workload === "reads")
      assert.ok(
        r.notes.some((n) => /Loaded 2,000 rows|already loaded/.test(n)),
        "reads run over data the workload loaded",
      );
    if (workload === "large-partitions") {
      const rows = await live!.client.execute(`SELECT count(*) FROM ${KS}.wide WHERE pk = 3`);
      assert.ok(Number(rows.first().count) >= 300, "each partition holds the loaded rows");
    }
  });
}

test("bench custom: statements with value generators, in the bench keyspace; other keyspaces refused unless named", async (t) => {
  if (!labOrSkip(t) || !live) return;
  const custom = {
    schema: ["CREATE TABLE IF NOT EXISTS {ks}.events (id bigint PRIMARY KEY, kind text, body text)"],
    ops: {
      insert: {
        cql: "INSERT INTO {ks}.events (id, kind, body) VALUES (?, ?, ?)",
        values: [gen.seq(0, { long: true }), gen.pick(["a", "b"]), gen.text(40)],
        weight: 2,
      },
      lookup: { cql: "SELECT * FROM {ks}.events WHERE id = ?", values: [gen.uniform(0, 500, { long: true })] },
    },
  };
  const r = await bench("custom", { custom, ops: 900, concurrency: 8, warmup: 0, keyspace: KS });
  checkShape(r, ["insert", "lookup"]);
  assert.equal(r.summary.ops, 900);
  const byOp = Object.fromEntries(r.rows("ops").map((o) => [o.op, o.count as number]));
  assert.ok(byOp.insert > byOp.lookup, "weight 2:1");
  await assert.rejects(
    bench("custom", { custom: { ops: { w: { cql: "INSERT INTO system_auth.users (name) VALUES (?)", values: [gen.text(5)] } } }, ops: 1, keyspace: KS }),
    (e: unknown) => isCassperfError(e) && /writes to keyspace system_auth, but bench only writes to its own keyspace/.test((e as Error).message),
  );
  await assert.rejects(
    bench("custom", { custom: { ops: { w: { cql: "INSERT INTO events (id) VALUES (?)", values: [gen.seq()] } } }, ops: 1, keyspace: KS }),
    (e: unknown) => isCassperfError(e) && /without a keyspace/.test((e as Error).message),
  );
  await assert.rejects(
    bench("custom", { custom: { ops: { w: { cql: "INSERT INTO {ks}.events (id, kind) VALUES (?, ?)", values: [gen.seq()] } } }, ops: 1, keyspace: KS }),
    (e: unknown) => isCassperfError(e) && /2 "\?" markers but 1 value generators/.test((e as Error).message),
  );
});

test("bench options: bad values are refused with the option named", async (t) => {
  if (!labOrSkip(t) || !live) return;
  // Wording and range from BENCH_LIMITS (src/analyze/bench/bench.ts): a whole number from 1 to 32,768.
  await assert.rejects(
    bench("writes", { concurrency: 0 }),
    (e: unknown) => isCassperfError(e) && /concurrency must be a whole number from 1 to 32,768; got 0/.test((e as Error).message),
  );
  await assert.rejects(bench("writes", { duration: 1, ops: 5 }), (e: unknown) => isCassperfError(e) && /either duration/.test((e as Error).message));
  await assert.rejects(
    bench("writes", { consistency: "MOST" }),
    (e: unknown) => isCassperfError(e) && /consistency "MOST" is not a consistency level/.test((e as Error).message),
  );
  await assert.rejects(bench("nosuch" as never), (e: unknown) => isCassperfError(e) && /expected a workload \(writes, reads/.test((e as Error).message));
});

test("bench fixed rate: reaches its rate, records service time separately; own connections and coordinator whitelist", async (t) => {
  const l = labOrSkip(t);
  if (!l || !live) return;
  const progress: number[] = [];
  const r = await bench("writes", {
    rate: 400,
    duration: 2,
    warmup: 0.2,
    keyspace: KS,
    connectionsPerHost: 2,
    coordinators: [l.contactPoints[0]],
    consistency: "ONE",
    onProgress: (p) => progress.push(p.done),
  });
  assert.equal(r.summary.mode, "fixed-rate");
  assert.equal(r.summary.ops, 800, "rate x duration operations, all scheduled ones");
  // The schedule is exact (800 ops above); the measured rate is near 400 op/s, within 25%: on a shared
  // 2-core runner the client can fall behind (338.7 op/s seen while other work ran), which bench's own
  // target-rate rule reports as a finding.
  assert.ok(Math.abs((r.summary.ops_per_s as number) - 400) < 100, String(r.summary.ops_per_s));
  assert.ok(typeof r.summary.service_p99_ms === "number");
  assert.ok(
    (r.summary.p99_ms as number) >= (r.summary.service_p99_ms as number) - 0.01,
    "response time from intended start is never shorter than service time",
  );
  checkShape(r, ["write"]);
  assert.ok(r.rows("intervals").every((x) => x.service_p99_ms !== null || x.ops === 0));
  assert.ok(progress.length >= 4 && progress[progress.length - 1] > progress[0], "progress events advance");
  // The rule fires exactly when the run averaged under 95% of the asked rate (TARGET_RATE_MIN_FRACTION,
  // src/analyze/bench/bench-rules.ts); the ±10% band above is what this shared 2-core machine reliably gives.
  const fell = (r.summary.ops_per_s as number) < 0.95 * 400;
  assert.equal(
    r.findings.some((f) => f.id === "bench.target-rate-not-reached"),
    fell,
    `ops_per_s ${r.summary.ops_per_s}`,
  );
  // 1 ms between intended starts: sub-millisecond waits are not slept, and an op that starts early must
  // still count at least its service time (a regression: p50 came out as 0.001 ms).
  const dense = await bench("writes", { rate: 1000, concurrency: 4, duration: 1.5, warmup: 0, keyspace: KS });
  for (const op of dense.rows("ops"))
    assert.ok((op.p50_ms as number) >= (op.service_p50_ms as number) - 0.01, `response p50 ${op.p50_ms} ms below service p50 ${op.service_p50_ms} ms`);
  // A rate the lab cannot sustain with 2 requests in flight: the rule fires.
  const slow = await bench("writes", { rate: 50000, concurrency: 2, duration: 1, warmup: 0, keyspace: KS });
  assert.ok(
    slow.findings.some((f) => f.id === "bench.target-rate-not-reached" && /Never reached the target rate/.test(f.title)),
    slow.findings.map((f) => f.title).join("; "),
  );
});

test("bench cancel: the partial run is kept and marked partial", async (t) => {
  if (!labOrSkip(t) || !live) return;
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 1200);
  const t0 = Date.now();
  const r = await bench("writes", { duration: 30, concurrency: 8, warmup: 0.2, keyspace: KS, signal: ac.signal });
  assert.ok(Date.now() - t0 < 10_000, "returned soon after the cancel");
  assert.equal(r.run.partial, true);
  assert.equal(r.summary.partial, true);
  assert.ok((r.summary.ops as number) > 0);
  assert.ok(r.findings.some((f) => f.id === "bench.partial-run"));
  checkShape(r, ["write"]);
});

test("a live run saved as JSON reads back with its histograms; runs merge and compare", async (t) => {
  if (!labOrSkip(t) || !live) return;
  const a = await bench("writes", { ops: 1500, concurrency: 8, warmup: 0, keyspace: KS });
  const b = await bench("writes", { ops: 1500, concurrency: 8, warmup: 0, keyspace: KS });
  const json = JSON.parse(JSON.stringify(benchRunToJSON(a)));
  assert.equal(json.format, "cassperf-bench-run");
  assert.equal(typeof json.histograms.write.response, "string");
  const back = readBenchRun(json);
  assert.equal(back.histogram("write")!.totalCount, 1500);
  assert.equal(back.summary.p99_ms, a.summary.p99_ms);
  assert.deepEqual(back.rows("intervals"), a.rows("intervals"));
  // Merging the two runs' histograms: 3000 values; the merged p99 lies between (or at) the runs' p99s.
  const merged = a.histogram()!;
  merged.add(b.histogram()!);
  assert.equal(merged.totalCount, 3000);
  const p99 = Math.min(merged.getValueAtPercentile(99), merged.maxValue) / 1000;
  assert.ok(
    p99 >= Math.min(a.summary.p99_ms as number, b.summary.p99_ms as number) - 0.01 &&
      p99 <= Math.max(a.summary.p99_ms as number, b.summary.p99_ms as number) + 0.01,
  );
  const c = await compareRuns(a, back);
  assert.equal(c.summary.beyond_noise, 0, "a run compared with its saved copy differs in nothing");
  const ids = liveBenchRuns(live).map((x) => x.id);
  assert.ok(ids.includes(a.run.id) && ids.includes(b.run.id));
  const listed = await benchRuns(live);
  assert.ok((listed.summary.runs as number) >= 2);
});

test("Ctrl-C (SIGINT) during a run: the partial run is kept and marked partial", async (t) => {
  const l = labOrSkip(t);
  if (!l || !live) return;
  const { spawn } = await import("node:child_process");
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { tempDir, ROOT } = await import("./support");
  const script = path.join(tempDir(), "bench-sigint.ts");
  fs.writeFileSync(
    script,
    `import { connect, bench } from ${JSON.stringify(path.join(ROOT, "src", "index.ts"))};
(async () => {
  const live = await connect({ contactPoints: ${JSON.stringify(l.contactPoints)} });
  let said = false;
  const r = await bench("writes", { duration: 60, concurrency: 4, warmup: 0, keyspace: ${JSON.stringify(KS)}, onProgress: (p) => { if (!said && p.completed > 50) { said = true; console.log("MEASURING"); } } });
  console.log("RESULT " + JSON.stringify({ partial: r.run.partial, ops: r.summary.ops, notes: r.notes }));
  await live.close();
})();
`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("MEASURING") && !out.includes("SENT")) {
      out += "SENT";
      child.kill("SIGINT");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const m = /RESULT (.*)/.exec(out);
  assert.ok(m, `child printed its result (exit ${code}): ${out}`);
  const res = JSON.parse(m![1]);
  assert.equal(res.partial, true);
  assert.ok(res.ops > 50);
  assert.ok(res.notes.some((n: string) => /Interrupted \(Ctrl-C/.test(n)));
});

test("a client whose event loop is blocked is reported as the bottleneck", async (t) => {
  if (!labOrSkip(t) || !live) return;
  // Real client-side delay: a timer that keeps the event loop busy 80 ms out of every 100 ms.
  const hog = setInterval(() => {
    const until = performance.now() + 80;
    while (performance.now() < until) {
      /* busy */
    }
  }, 100);
  let r: BenchReport;
  try {
    r = await bench("writes", { duration: 1.5, concurrency: 8, warmup: 0, keyspace: KS });
  } finally {
    clearInterval(hog);
  }
  const f = r.findings.find((x) => x.id === "bench.client-bottleneck");
  assert.ok(f, `finding present; client stats ${JSON.stringify(r.run.client)}`);
  assert.ok(r.run.client!.event_loop_delay_p99_ms > 20);
  assert.match(f.evidence, /event-loop delay p99/);
});

test("bench with 2 client threads: shares add up, histograms and intervals merged exactly", async (t) => {
  if (!labOrSkip(t) || !live) return;
  const r = await bench("writes", { ops: 2000, concurrency: 8, threads: 2, warmup: 0.2, keyspace: KS });
  assert.equal(r.summary.ops, 2000);
  assert.equal(r.run.config.threads, 2);
  checkShape(r, ["write"]);
  const fixed = await bench("writes", { rate: 300, duration: 1.5, threads: 2, warmup: 0, keyspace: KS });
  assert.equal(fixed.summary.ops, 450, "the two threads' interleaved schedules make up the whole rate");
  checkShape(fixed, ["write"]);
  await assert.rejects(
    bench("custom", {
      threads: 2,
      ops: 1,
      keyspace: KS,
      custom: { ops: { w: { cql: "INSERT INTO {ks}.standard (key) VALUES (?)", values: [gen.seq(0, { long: true })] } } },
    }),
    (e: unknown) => isCassperfError(e) && /threads \} works with the built-in workloads/.test((e as Error).message),
  );
});
